import Collector
import Foundation
import GRDB
import Inventory
@testable import Store
import TestSupport
import XCTest

final class StoreTests: XCTestCase {
    private var dir = ""
    private var path: String { dir + "/inventory.db" }

    override func setUp() {
        dir = Fixtures.temporaryDirectory("store")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func capture(_ stage: String, at seconds: TimeInterval = 1_795_000_000) throws -> HostSnapshot {
        try Collector(options: .init(now: { Date(timeIntervalSince1970: seconds) })).collectCapture(at: Fixtures.path(stage))
    }

    private func count(_ store: InventoryStore, _ table: String) throws -> Int {
        try store.read { Int(try $0.integer("SELECT count(*) FROM \(table)") ?? -1) }
    }

    /// Every field survives the trip through the tables, for every real capture.
    func testRoundTripOfEveryCaptureIsExact() throws {
        try TestDatabase.each("roundtrip") { db in
            let store = try db.open()
            var snapshots = try Fixtures.qemuStages.enumerated().map { n, stage in
                var s = try capture("qemu/\(stage.capture)/\(stage.stage)", at: 1_795_000_000 + Double(n))
                s.host.hostname = "\(stage.capture)-\(stage.stage)"
                return s
            }
            let ghw = try FixtureBuilder.ghwCapture("xeon-L5640-i350-4vfs-per-pf__pr230-9058f61.tar.gz")
            defer { try? FileManager.default.removeItem(atPath: ghw) }
            var xeon = try Collector(options: .init(hostname: "xeon", now: { Date(timeIntervalSince1970: 1_795_000_100) })).collectCapture(at: ghw)
            xeon.source = SnapshotSource(kind: .capture, path: "/somewhere")
            snapshots.append(xeon)
            // Partial VF tables (netdevsim PFs of 256-512 VFs as `ip -d -j link` cut them).
            let cut = try FixtureBuilder.ipLinkOnly(Fixtures.path("qemu/netdevsim-large/capture"))
            defer { try? FileManager.default.removeItem(atPath: cut) }
            var large = try Collector(options: .init(hostname: "large", now: { Date(timeIntervalSince1970: 1_795_000_200) })).collectCapture(at: cut)
            large.source = SnapshotSource(kind: .capture, path: "/somewhere")
            XCTAssertEqual(large.interfaces.compactMap(\.vfTableShortfall).count, 3)
            snapshots.append(large)
            for snapshot in snapshots {
                XCTAssertEqual(try store.store(snapshot, labels: ["site": "lab"]), .new(snapshotID: Int64(snapshots.firstIndex(of: snapshot)! + 1)))
                let back = try store.snapshot(of: snapshot.host.hostname)
                XCTAssertEqual(back, snapshot, "\(db): \(snapshot.host.hostname)")
            }
            XCTAssertEqual(try store.hosts().map(\.hostname).count, 6)
            XCTAssertEqual(try count(store, "vf_table_shortfalls"), 3)
        }
    }

    func testUnchangedHostAddsOnlyAnObservation() throws {
        try TestDatabase.each("unchanged") { db in
            let store = try db.open()
            let first = try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_000_000)
            guard case .new(let id) = try store.store(first) else { return XCTFail("not new") }
            let rows = try count(store, "pci_devices"), vfs = try count(store, "virtual_functions")
            let size = db.kind == .sqlite ? try fileSize(db.url) : 0
            for n in 1...50 {
                let again = try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_000_000 + Double(n) * 60)
                XCTAssertEqual(try store.store(again), .unchanged(snapshotID: id))
            }
            XCTAssertEqual(try count(store, "pci_devices"), rows)
            XCTAssertEqual(try count(store, "virtual_functions"), vfs)
            XCTAssertEqual(try count(store, "snapshots"), 1)
            XCTAssertEqual(try count(store, "observations"), 51)
            if db.kind == .sqlite {
                try (store.backend as? SQLiteBackend)?.checkpoint()
                XCTAssertLessThan(try fileSize(db.url) - size, 50 * 1024, "under 1 KB per unchanged collection")
            }
            let history = try store.history(of: first.host.hostname)
            XCTAssertEqual(history.map(\.seenCount), [51])
            XCTAssertEqual(history.first?.lastCollectedAt, Date(timeIntervalSince1970: 1_795_003_000).formatted(.iso8601))
        }
    }

    func testTheSameSnapshotTwiceIsStoredOnceAndAConflictIsRefused() throws {
        try TestDatabase.each("conflict") { db in
            let store = try db.open()
            let snapshot = try capture("qemu/igb-nvme-netdevsim/after")
            XCTAssertEqual(try store.store(snapshot), .new(snapshotID: 1))
            XCTAssertEqual(try store.store(snapshot), .duplicate(snapshotID: 1))
            var other = snapshot
            other.physicalFunctions[1].driverInfo?.firmwareVersion = "9.9.9"
            XCTAssertThrowsError(try store.store(other)) { error in
                XCTAssertTrue("\(error)".contains("a different snapshot of igb-nvme-netdevsim collected at"), "\(error)")
            }
            XCTAssertEqual(try count(store, "snapshots"), 1)
            XCTAssertEqual(try count(store, "observations"), 1)
        }
    }

    func testHistoryAtTimesAndDrift() throws {
        try TestDatabase.each("history") { db in
            let store = try db.open()
            var before = try capture("qemu/igb-nvme-netdevsim/before", at: 1_795_000_000)
            var after = try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_003_600)
            before.host.hostname = "node-7"
            after.host.hostname = "node-7"
            var back = before
            back.collectedAt = Date(timeIntervalSince1970: 1_795_007_200)
            try store.store(before)
            try store.store(after)
            XCTAssertEqual(try store.store(back), .unchanged(snapshotID: 1), "A→B→A: the content of A again")
            XCTAssertEqual(try store.history(of: "node-7").map(\.seenCount), [2, 1])
            XCTAssertEqual(try store.snapshot(of: "node-7", at: Date(timeIntervalSince1970: 1_795_005_000)).virtualFunctions.count, 7)
            XCTAssertEqual(try store.snapshot(of: "node-7").virtualFunctions.count, 0)
            XCTAssertEqual(try store.snapshot(of: "node-7").collectedAt, back.collectedAt)
            XCTAssertThrowsError(try store.snapshot(of: "node-7", at: Date(timeIntervalSince1970: 1_000)))
            let (older, newer) = try store.driftPair(of: "node-7")
            XCTAssertEqual(older.collectedAt, after.collectedAt)
            XCTAssertEqual(newer.collectedAt, back.collectedAt)
            XCTAssertTrue(SnapshotDiff.changes(from: older, to: newer).contains { $0.message == "numvfs 3 → 0 on 0000:04:00.0" })
            XCTAssertThrowsError(try store.history(of: "nobody")) { XCTAssertEqual($0 as? StoreError, .notFound("host nobody")) }
        }
    }

    func testLabelsAndSelection() throws {
        try TestDatabase.each("labels") { db in
            let store = try db.open()
            for (n, domain) in ["a", "a", "b"].enumerated() {
                var s = try capture("qemu/nvme-netdevsim/after", at: 1_795_000_000 + Double(n))
                s.host.hostname = "h\(n)"
                try store.store(s, labels: ["l2-domain": domain, "site": "par1"])
            }
            XCTAssertEqual(try store.hosts(matching: ["l2-domain": "a"]).map(\.hostname), ["h0", "h1"])
            XCTAssertEqual(try store.latestSnapshots(matching: ["l2-domain": "b"]).map(\.snapshot.host.hostname), ["h2"])
            XCTAssertEqual(try store.labels(of: "h2"), ["l2-domain": "b", "site": "par1"])
            XCTAssertEqual(try store.hosts().first?.vfCount, 4)
        }
    }

    func testPruneKeepsEveryHostsLatest() throws {
        try TestDatabase.each("prune") { db in
            let store = try db.open()
            let now = Date(timeIntervalSince1970: 1_795_000_000 + 100 * 86_400)
            var old = try capture("qemu/igb-nvme-netdevsim/before", at: 1_795_000_000)
            var newer = try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_000_000 + 10 * 86_400)
            old.host.hostname = "a"
            newer.host.hostname = "a"
            var lonely = old
            lonely.host.hostname = "b"
            try store.store(old)
            try store.store(newer)
            try store.store(lonely)
            var progress: [[Int]] = []
            let result = try store.prune(keepDays: 30, now: now, chunk: 1) { progress.append([$0, $1]) }
            XCTAssertEqual(result, PruneResult(observationsRemoved: 1, snapshotsRemoved: 1))
            XCTAssertEqual(progress, [[1, 1]], "one call per chunk of removed snapshots")
            XCTAssertEqual(try store.history(of: "a").count, 1)
            XCTAssertEqual(try store.snapshot(of: "a").virtualFunctions.count, 7)
            XCTAssertEqual(try store.snapshot(of: "b").collectedAt, lonely.collectedAt, "the latest is kept whatever its age")
            XCTAssertEqual(try count(store, "pci_devices"), 20 + 13, "the pruned snapshot's rows went with it")
        }
    }

    func testDefaultLocation() {
        XCTAssertEqual(StoreLocation.defaultPath(uid: 0, environment: [:]), "/var/lib/sriov-audit/inventory.db")
        XCTAssertEqual(StoreLocation.defaultPath(uid: 1000, environment: ["XDG_DATA_HOME": "/x", "HOME": "/home/u"]), "/x/sriov-audit/inventory.db")
        XCTAssertEqual(StoreLocation.defaultPath(uid: 1000, environment: ["HOME": "/home/u"]), "/home/u/.local/share/sriov-audit/inventory.db")
    }

    func testCorruptNewerAndUnopenableDatabases() throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 8192))
        XCTAssertThrowsError(try InventoryStore(path: path)) { error in
            XCTAssertTrue("\(error)".contains("damaged") && "\(error)".contains(self.path), "\(error)")
        }
        try FileManager.default.removeItem(atPath: path)
        _ = try InventoryStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
        XCTAssertThrowsError(try InventoryStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .newerSchema(path: self.path, unknown: ["v9-from-the-future"]))
        }
        // The same refusal on PostgreSQL, the URL named as given (no password in it here).
        try TestDatabase.each("newer") { db in
            guard db.kind == .postgres else { return }
            let store = try db.open()
            try store.write { _ = try $0.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
            XCTAssertThrowsError(try db.open()) { error in
                XCTAssertEqual(error as? StoreError, .newerSchema(path: store.path, unknown: ["v9-from-the-future"]))
            }
            XCTAssertThrowsError(try db.open(readOnly: true)) { XCTAssertTrue("\($0)".contains("newer sriov-audit"), "\($0)") }
        }
        XCTAssertThrowsError(try InventoryStore(path: "/proc/sriov-audit/inventory.db")) { error in
            XCTAssertTrue("\(error)".contains("/proc/sriov-audit/inventory.db"), "\(error)")
        }
        XCTAssertThrowsError(try InventoryStore(path: dir + "/missing.db", readOnly: true)) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
    }

    /// A value the schema's types forbid (edited by hand or by a foreign tool) is named by table and
    /// column when the snapshot is read back, never read as something else or crashed on.
    func testDamagedRowsAreNamedNotGuessed() throws {
        let damages: [(sql: String, names: String)] = [
            ("UPDATE virtual_functions SET vf_index = 'three' WHERE vf_index = 3", "virtual_functions.vf_index"),
            ("UPDATE virtual_functions SET address = '0000:zz:10.0' WHERE address = (SELECT min(address) FROM virtual_functions)", "virtual_functions.address"),
            ("UPDATE interface_vfs SET vlan = 'ten' WHERE vf_index = 0", "interface_vfs.vlan"),
            ("UPDATE iommu_groups SET members = members || ' bogus' WHERE group_id = (SELECT min(group_id) FROM iommu_groups)", "iommu_groups.members"),
        ]
        let snapshot = try capture("qemu/igb-nvme-netdevsim/after")
        try TestDatabase.each("damaged") { db in
            for damage in damages {
                // PostgreSQL's column types refuse a word in an integer column: only text can be damaged there.
                if db.kind == .postgres, damage.sql.contains("'three'") || damage.sql.contains("'ten'") { continue }
                let store = try db.open()
                try store.write { _ = try $0.execute("DELETE FROM hosts") }
                _ = try store.store(snapshot, labels: [:])
                XCTAssertEqual(try store.snapshot(of: snapshot.host.hostname), snapshot)
                try store.write { _ = try $0.execute(damage.sql) }
                XCTAssertThrowsError(try store.snapshot(of: snapshot.host.hostname), "\(db): \(damage.sql)") { error in
                    XCTAssertTrue("\(error)".contains("damaged") && "\(error)".contains(damage.names), "\(db): \(error)")
                }
            }
        }
    }

    private func fileSize(_ path: String) throws -> Int {
        ["", "-wal"].reduce(0) { sum, suffix in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}
