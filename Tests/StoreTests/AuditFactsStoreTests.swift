import Collector
import Foundation
import Inventory
@testable import Store
import TestSupport
import XCTest

/// The audit facts the store keeps beside each snapshot, the millisecond times, and what an
/// older database gets when it is opened.
final class AuditFactsStoreTests: XCTestCase {
    private var dir = ""
    private var path: String { dir + "/inventory.db" }

    override func setUp() {
        dir = Fixtures.temporaryDirectory("facts")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func capture(_ stage: String, at seconds: TimeInterval, host: String? = nil) throws -> HostSnapshot {
        try Collector(options: .init(hostname: host, now: { Date(timeIntervalSince1970: seconds) })).collectCapture(at: Fixtures.path(stage))
    }

    private func count(_ store: InventoryStore, _ sql: String) throws -> Int {
        try store.read { Int(try $0.integer(sql) ?? -1) }
    }

    func testFactsAreWrittenWithTheSnapshotAndReadBackExactly() throws {
        try TestDatabase.each("facts") { db in
            let store = try db.open()
            for (n, stage) in Fixtures.qemuStages.enumerated() {
                let snapshot = try capture("qemu/\(stage.capture)/\(stage.stage)", at: 1_795_000_000 + Double(n), host: "\(stage.capture)-\(stage.stage)")
                guard case .new(let id) = try store.store(snapshot) else { return XCTFail("not new") }
                let facts = AuditFacts(snapshot: snapshot)
                XCTAssertEqual(try store.facts(of: [id])[id], facts, stage.path)
                XCTAssertEqual(try AuditFacts(encoded: facts.encoded()), facts)
                XCTAssertEqual(try count(store, "SELECT count(*) FROM fact_vfs WHERE snapshot_id = \(id)"), facts.vfs.count)
                XCTAssertEqual(try count(store, "SELECT count(*) FROM fact_pfs WHERE snapshot_id = \(id)"), facts.pfs.count + facts.netdevPFs.count)
            }
            // The igb PF's VFs on the real capture: admin MACs as integers, VLAN 100 on VF 0.
            let rows = try store.read { db in
                try db.all("""
                    SELECT v.vf_index, v.admin_mac, v.vlan, p.firmware, p.firmware_key FROM fact_vfs v
                    JOIN fact_pfs p ON p.snapshot_id = v.snapshot_id AND p.owner = v.owner
                    WHERE v.snapshot_id = 2 AND p.address = '0000:04:00.0' ORDER BY v.vf_index
                    """) { (index: try $0.requiredInt(0), mac: try $0.int64(1), vlan: try $0.int(2), firmware: $0.text(3), key: $0.text(4)) }
            }
            XCTAssertEqual(rows.map(\.index), [0, 1, 2])
            XCTAssertEqual(rows.first?.vlan, 100)
            XCTAssertEqual(rows.last?.mac, 0x0200_0000_1003, "02:00:00:00:10:03")
            XCTAssertEqual(rows.first?.firmware, "2.1.0")
            XCTAssertEqual(rows.first?.key, "igb/8086:10c9:/0000000002/0000000001.", "family, device, then the numbers")
            // The README's query: firmware older than 2.2 on the 82576, by sort key.
            let older = try store.read { db in
                try db.all("""
                    SELECT p.firmware FROM fact_pfs p WHERE p.snapshot_id = 2
                    AND p.firmware_key LIKE 'igb/8086:10c9:%' AND p.firmware_key < 'igb/8086:10c9:/0000000002/0000000002.'
                    """) { try $0.string(0) }
            }
            XCTAssertEqual(older, ["2.1.0"])
            // A blob cut short is an error naming what is wrong, never facts with fields missing.
            let encoded = AuditFacts(snapshot: try capture("qemu/igb-nvme-netdevsim/after", at: 1)).encoded()
            XCTAssertThrowsError(try AuditFacts(encoded: Array(encoded.dropLast(3))))
            XCTAssertThrowsError(try AuditFacts(encoded: [99] + encoded.dropFirst())) { error in
                XCTAssertTrue("\(error)".contains("facts version"), "\(error)")
            }
        }
    }

    /// A database from before facts (or with facts of another version) gets them derived once,
    /// when it is first opened writable, with progress; opened read-only it is refused by the
    /// audit rather than audited with facts missing.
    func testMissingFactsAreDerivedOnceOnOpen() throws {
        try TestDatabase.each("derive") { db in
            var snapshots: [HostSnapshot] = []
            do {
                let store = try db.open()
                let fleet = FleetBuilder(base: try capture("qemu/igb-nvme-netdevsim/after", at: 1))
                for n in 0..<5 {
                    snapshots.append(fleet.host(n))
                    try store.store(snapshots[n])
                }
                try store.write { db in
                    try db.execute("DELETE FROM audit_facts WHERE snapshot_id <= 3")
                    try db.execute("DELETE FROM fact_vfs WHERE snapshot_id <= 3")
                    try db.execute("UPDATE audit_facts SET version = 0 WHERE snapshot_id = 4")
                }
                XCTAssertEqual(try store.snapshotsLackingFacts(), 4)
            }
            let readOnly = try db.open(readOnly: true)
            XCTAssertEqual(try readOnly.snapshotsLackingFacts(), 4, "a read-only open derives nothing")
            XCTAssertThrowsError(try readOnly.facts(of: [1])) { error in
                XCTAssertTrue("\(error)".contains("have no audit facts of version"), "\(error)")
            }
            var progress: [[Int]] = []
            let store = try db.open() { progress.append([$0, $1]) }
            XCTAssertEqual(progress, [[4, 4]])
            XCTAssertEqual(try store.snapshotsLackingFacts(), 0)
            let facts = try store.facts(of: [1, 2, 3, 4, 5])
            for (n, snapshot) in snapshots.enumerated() { XCTAssertEqual(facts[Int64(n + 1)], AuditFacts(snapshot: snapshot)) }
            XCTAssertEqual(try count(store, "SELECT count(*) FROM fact_vfs"), 5 * AuditFacts(snapshot: snapshots[0]).vfs.count)
            progress = []
            _ = try db.open() { progress.append([$0, $1]) }
            XCTAssertEqual(progress, [], "nothing to derive the second time")
        }
    }

    /// Two collections of one host within the same second are two observations, in order.
    func testCollectionsWithinOneSecondAreBothKept() throws {
        try TestDatabase.each("millis") { db in
            let store = try db.open()
            let first = try capture("qemu/igb-nvme-netdevsim/before", at: 1_795_000_000.125, host: "h")
            let second = try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_000_000.750, host: "h")
            XCTAssertEqual(try store.store(first), .new(snapshotID: 1))
            XCTAssertEqual(try store.store(second), .new(snapshotID: 2))
            XCTAssertEqual(try store.history(of: "h").map(\.firstCollectedAt), ["2026-11-18T11:06:40.125Z", "2026-11-18T11:06:40.750Z"])
            XCTAssertEqual(try store.latestSubjects().map(\.snapshotID), [2], "the later one is the latest")
            XCTAssertEqual(try store.snapshot(of: "h").collectedAt, Date(timeIntervalSince1970: 1_795_000_000.750))
            // The same millisecond with other content is still a conflict, refused and not half-stored.
            let clash = try capture("qemu/nvme-netdevsim/after", at: 1_795_000_000.750, host: "h")
            XCTAssertThrowsError(try store.store(clash)) { XCTAssertTrue("\($0)".contains("collected at 2026-11-18T11:06:40.750Z"), "\($0)") }
            XCTAssertEqual(try count(store, "SELECT count(*) FROM snapshots"), 2)
        }
    }

    /// Whole-second times stored by earlier builds get their `.000`, so text order stays time order.
    func testWholeSecondTimesOfEarlierBuildsAreMigrated() throws {
        try TestDatabase.each("wholeseconds") { db in
            do {
                let store = try db.open()
                try store.store(try capture("qemu/igb-nvme-netdevsim/after", at: 1_795_000_000, host: "h"))
                try store.write { db in
                    try db.executeScript("""
                        UPDATE observations SET collected_at = '2026-11-18T11:06:40Z';
                        UPDATE snapshots SET first_collected_at = '2026-11-18T11:06:40Z', last_collected_at = '2026-11-18T11:06:40Z';
                        UPDATE hosts SET first_seen = '2026-11-18T11:06:40Z', last_seen = '2026-11-18T11:06:40Z';
                        DELETE FROM grdb_migrations WHERE identifier = 'v4-millisecond-times';
                        """)
                }
            }
            let store = try db.open()
            let stored = try store.read { try $0.all("SELECT collected_at FROM observations UNION ALL SELECT last_seen FROM hosts") { try $0.string(0) } }
            XCTAssertEqual(stored, ["2026-11-18T11:06:40.000Z", "2026-11-18T11:06:40.000Z"])
            // A collection half a second later sorts after it.
            try store.store(try capture("qemu/igb-nvme-netdevsim/before", at: 1_795_000_000.5, host: "h"))
            XCTAssertEqual(try store.latestSubjects().map(\.snapshotID), [2])
        }
    }
}
