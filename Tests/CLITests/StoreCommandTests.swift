import Collector
import Foundation
import GRDB
import Inventory
@testable import Store
import TestSupport
import XCTest

/// The store from the command line, as cron and operators use it, and under abuse: concurrent
/// writers, kill -9 in the middle of an import, a full disk, a read-only path, a damaged file.
final class StoreCommandTests: XCTestCase {
    private var dir = ""
    private var db: String { dir + "/inventory.db" }

    override func setUp() {
        dir = Fixtures.temporaryDirectory("store-cli")
    }

    override func tearDown() {
        _ = try? shell("umount", [dir + "/small"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A JSON-lines fleet derived from the real NVMe capture.
    private func fleetFile(_ count: Int) throws -> String {
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/nvme-netdevsim/after"))
        let path = dir + "/fleet.jsonl"
        try FleetBuilder(base: base).writeJSONLines(count: count, to: path)
        return path
    }

    func testOperatorFlow() throws {
        try TestDatabase.each("cli-flow") { database in
            let db = database.url
            let before = Fixtures.path("qemu/igb-nvme-netdevsim/before"), after = Fixtures.path("qemu/igb-nvme-netdevsim/after")
            var r = try CLI.run(["collect", "--root", before, "--host", "edge-1", "--db", db, "--label", "site=par1", "--label", "l2-domain=blue"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("edge-1 stored as new snapshot 1 in \(try database.open().path)"), r.stderr)
            sleep(1)
            r = try CLI.run(["collect", "--root", before, "--host", "edge-1", "--db", db])
            XCTAssertTrue(r.stderr.contains("unchanged since snapshot 1; recorded as seen again"), r.stderr)
            sleep(1)
            r = try CLI.run(["collect", "--root", after, "--host", "edge-1", "--db", db, "--format", "json"])
            XCTAssertEqual(r.status, 0, r.stderr)

            let hosts = try CLI.run(["hosts", "--db", db, "--select", "l2-domain=blue"])
            XCTAssertTrue(hosts.stdout.contains("edge-1"), hosts.stdout)
            XCTAssertTrue(hosts.stdout.contains("l2-domain=blue,site=par1"), hosts.stdout)
            XCTAssertTrue(try CLI.run(["hosts", "--db", db, "--select", "l2-domain=red"]).stdout.hasSuffix("0 host(s)\n"))

            let history = try CLI.run(["history", "edge-1", "--db", db])
            XCTAssertTrue(history.stdout.hasPrefix("History of edge-1: 2 distinct snapshot(s)"), history.stdout)

            let diff = try CLI.run(["diff", "edge-1", "--db", db])
            XCTAssertEqual(diff.status, 0, diff.stderr)
            XCTAssertTrue(diff.stdout.contains("numvfs 0 → 3 on 0000:04:00.0"), diff.stdout)
            XCTAssertTrue(diff.stdout.contains("device added on 0000:04:10.4: 82576 Virtual Function [8086:10ca], vfio-pci"), diff.stdout)
            let diffJSON = try CLI.run(["diff", "edge-1", "--db", db, "--format", "json"])
            XCTAssertTrue(diffJSON.stdout.contains("\"kind\" : \"vfCountChanged\""), diffJSON.stdout)

            let shown = try CLI.run(["show", "edge-1", "--db", db, "--format", "json"])
            let stored = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: shown.stdoutData)
            XCTAssertEqual(stored, try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: r.stdoutData))
            let table = try CLI.run(["show", "edge-1", "--db", db])
            XCTAssertTrue(table.stdout.contains("PF 0000:04:00.0  82576 Gigabit Network Connection [8086:10c9]  driver igb  fw 2.1.0  VFs 3/7  eth1"))
            let atStart = try CLI.run(["show", "edge-1", "--db", db, "--at", stored.collectedAt.addingTimeInterval(-1).formatted(.iso8601)])
            XCTAssertTrue(atStart.stdout.contains("VFs 0/7"), atStart.stdout)

            let prune = try CLI.run(["prune", "--keep-days", "0", "--db", db])
            XCTAssertTrue(prune.stdout.contains("pruned 2 observation(s) and 1 snapshot(s)"), prune.stdout)
            XCTAssertEqual(try CLI.run(["show", "nobody", "--db", db]).status, 2)
            XCTAssertEqual(try CLI.run(["show", "edge-1", "--db", db, "--at", "yesterday"]).status, 2)
        }
    }

    func testImportFromStandardInputAndRejections() throws {
        try TestDatabase.each("cli-import") { database in
            let db = database.url
            let fleet = try fleetFile(20)
            var lines = try String(contentsOfFile: fleet, encoding: .utf8).split(separator: "\n").map(String.init)
            lines.insert("{\"truncated\": ", at: 5)
            let r = try shell(CLI.binary, ["import", "-", "--db", db], input: Data(lines.joined(separator: "\n").utf8))
            XCTAssertEqual(r.status, 1, "a rejected document makes the exit status 1")
            XCTAssertTrue(r.stdout.contains("imported 21 snapshot(s): 20 new, 0 unchanged, 0 already stored, 1 rejected"), r.stdout)
            XCTAssertTrue(r.stdout.contains("rejected stdin:6: not a snapshot: unexpected end of the document (truncated)"), r.stdout)
            let again = try CLI.run(["import", fleet, "--db", db, "--format", "json"])
            XCTAssertEqual(again.status, 0)
            XCTAssertTrue(again.stdout.contains("\"duplicate\" : 20"), again.stdout)
        }
    }

    /// Two collectors and two imports writing at once all succeed (WAL + busy timeout).
    func testConcurrentWriters() throws {
        try TestDatabase.each("cli-writers") { database in
            let db = database.url
            let fleet = try fleetFile(40)
            let after = Fixtures.path("qemu/igb-nvme-netdevsim/after")
            var processes: [(Process, String)] = []
            for n in 0..<4 {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CLI.binary)
                p.arguments = n < 2 ? ["collect", "--root", after, "--host", "writer-\(n)", "--db", db]
                                    : ["import", fleet, "--db", db]
                let errors = dir + "/writer-\(n).err"
                _ = FileManager.default.createFile(atPath: errors, contents: nil)
                p.standardOutput = FileHandle.nullDevice
                p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
                try p.run()
                processes.append((p, errors))
            }
            for (p, _) in processes { p.waitUntilExit() }
            let messages = processes.map { Fixtures.read($0.1) ?? "" }.filter { $0.contains("error") }
            XCTAssertEqual(processes.map(\.0.terminationStatus), [0, 0, 0, 0], "\(messages)")
            let store = try database.open()
            XCTAssertEqual(try store.hosts().count, 42)
            XCTAssertEqual(try store.read { try $0.integer("SELECT count(*) FROM observations") }, 42)
        }
    }

    /// kill -9 at random moments of a long import: afterwards every snapshot is whole or absent.
    func testKillNineDuringImportLeavesAConsistentDatabase() throws {
        let fleet = try fleetFile(400)
        var kills = 0
        for round in 0..<25 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["import", fleet, "--db", db]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 50_000...700_000))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            try assertConsistent("after round \(round)")
        }
        XCTAssertGreaterThanOrEqual(kills, 15, "most rounds must really interrupt the import")
        let finish = try CLI.run(["import", fleet, "--db", db])
        XCTAssertEqual(finish.status, 0, finish.stdout + finish.stderr)
        try assertConsistent("at the end")
        XCTAssertEqual(try InventoryStore(path: db).hosts().count, 400)
        print("kill -9 rounds: 25, interrupted: \(kills)")
    }

    /// A disk that fills up: the error names the file, and what was stored stays whole.
    func testFullDisk() throws {
        try XCTSkipUnless(isRoot, "SKIPPED: needs root to mount a small tmpfs")
        let small = dir + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mount = try shell("mount", ["-t", "tmpfs", "-o", "size=400k", "tmpfs", small])
        try XCTSkipUnless(mount.status == 0, "SKIPPED: cannot mount a tmpfs here: \(mount.stderr)")
        let fleet = try fleetFile(200)
        let r = try CLI.run(["import", fleet, "--db", small + "/inventory.db"])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot write to the inventory database \(small)/inventory.db: the disk is full; nothing of this snapshot was stored"), r.stderr)
        try assertConsistent("after the disk filled up", path: small + "/inventory.db")
    }

    func testReadOnlyAndDamagedDatabases() throws {
        _ = FileManager.default.createFile(atPath: db, contents: Data("this is not sqlite".utf8))
        let damaged = try CLI.run(["hosts", "--db", db])
        XCTAssertEqual(damaged.status, 2)
        XCTAssertTrue(damaged.stderr.contains("the inventory database is damaged: \(db)"), damaged.stderr)
        try FileManager.default.removeItem(atPath: db)

        let missing = try CLI.run(["hosts", "--db", dir + "/none.db"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("\(dir)/none.db: no such file"), missing.stderr)

        try XCTSkipUnless(isRoot && toolExists("/usr/bin/setpriv"), "SKIPPED: needs root and setpriv for a read-only database")
        XCTAssertEqual(try CLI.run(["collect", "--root", Fixtures.path("qemu/nvme-netdevsim/after"), "--db", db]).status, 0)
        _ = try shell("chmod", ["755", dir])
        _ = try shell("chmod", ["644", db])
        let readOnly = try shell("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary,
                                                      "collect", "--root", Fixtures.path("qemu/nvme-netdevsim/after"), "--host", "other", "--db", db])
        XCTAssertEqual(readOnly.status, 2)
        XCTAssertTrue(readOnly.stderr.contains(db), readOnly.stderr)
        XCTAssertEqual(try InventoryStore(path: db).hosts().map(\.hostname), ["nvme-netdevsim"])
    }

    /// `--db` with a URL is never taken for a file name: nothing is created, the status is 2,
    /// and the password is not printed.
    func testADatabaseURLIsNeverAPath() throws {
        for value in ["postgres://audit:hunter2@127.0.0.1:1/inventory", "mysql://audit:hunter2@127.0.0.1/inventory", "postgres:audit:hunter2@127.0.0.1/inventory"] {
            let r = try shell(CLI.binary, ["hosts", "--db", value], directory: dir)
            XCTAssertEqual(r.status, 2, value)
            XCTAssertTrue(r.stderr.contains("--db") || r.stderr.contains("database postgres://audit:****@127.0.0.1:1/inventory"), r.stderr)
            XCTAssertFalse((r.stdout + r.stderr).contains("hunter2"), r.stderr)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "nothing created for \(value)")
        }
        // A server that does not answer: one line naming the database, password masked, exit 2.
        let postgres = try shell(CLI.binary, ["audit", "--fleet", "--db", "postgres://audit:hunter2@127.0.0.1:1/inventory"], directory: dir)
        XCTAssertEqual(postgres.status, 2)
        XCTAssertTrue(postgres.stderr.contains("cannot open the inventory database postgres://audit:****@127.0.0.1:1/inventory: cannot connect to 127.0.0.1:1: connection refused"),
                      postgres.stderr)
        XCTAssertFalse(postgres.stderr.contains("hunter2"))
        XCTAssertEqual(postgres.stderr.split(separator: "\n").count, 1, postgres.stderr)
        let sqlite = try shell(CLI.binary, ["collect", "--root", Fixtures.path("qemu/nvme-netdevsim/after"), "--db", "sqlite://" + db], directory: dir)
        XCTAssertEqual(sqlite.status, 0, sqlite.stderr)
        XCTAssertEqual(try InventoryStore(path: db).hosts().map(\.hostname), ["nvme-netdevsim"], "sqlite:///PATH is the file PATH")
    }

    /// Integrity check, and every stored snapshot has exactly the rows its header counts.
    private func assertConsistent(_ when: String, path: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = path ?? db
        guard FileManager.default.fileExists(atPath: path) else { return }
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok", when, file: file, line: line)
            let broken = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM snapshots s WHERE
                  s.pci_device_count != (SELECT count(*) FROM pci_devices d WHERE d.snapshot_id = s.id)
                  OR s.vf_count != (SELECT count(*) FROM virtual_functions v WHERE v.snapshot_id = s.id)
                  OR s.pf_count != (SELECT count(*) FROM physical_functions p WHERE p.snapshot_id = s.id)
                  OR s.iommu_group_count != (SELECT count(*) FROM iommu_groups g WHERE g.snapshot_id = s.id)
                  OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.snapshot_id = s.id)
                """)
            XCTAssertEqual(broken, 0, "half-written snapshots \(when)", file: file, line: line)
            let orphans = try Int.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM observations o WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = o.snapshot_id))
                     + (SELECT count(*) FROM hosts h WHERE h.latest_snapshot_id IS NULL)
                """)
            XCTAssertEqual(orphans, 0, "dangling rows \(when)", file: file, line: line)
        }
    }
}
