import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// Two `serve` processes on different ports sharing one PostgreSQL database, under a bounded
/// concurrent load of the same 64 hosts through both (Tests/Benchmarks/serve_load.py, two
/// instances at once): content addressing holds across servers (one snapshot per distinct
/// content of a host, one observation per collection, one row per host), and `kill -9` of one
/// server mid-load loses nothing either server acknowledged.
final class SharedDatabaseLoadTests: XCTestCase {
    private var dir = ""
    private var server = ""
    private var database: (name: String, url: String) = ("", "")

    override func setUpWithError() throws {
        guard let server = TestDatabase.postgresServer else {
            throw XCTSkip("SKIPPED: two servers on one PostgreSQL database (SRIOV_AUDIT_TEST_PG is not set)")
        }
        self.server = server
        dir = Fixtures.temporaryDirectory("shared-db")
        database = try TestDatabase.createPostgresDatabase(server: server, label: "shared")
    }

    override func tearDown() {
        TestDatabase.dropPostgresDatabase(server: server, name: database.name)
        try? FileManager.default.removeItem(atPath: dir)
    }

    private struct LoadResult: Decodable {
        var acknowledged: [[String]]
        var acknowledgedCount: Int
        var undeliveredCount: Int
        var perSecond: Double
    }

    private func load(_ server: TestServer, count: Int, start: String, sameContent: Bool, maxSeconds: Int = 120, out: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.packageRoot + "/Tests/Benchmarks/serve_load.py", "--url", server.url, "--tokens", dir + "/tokens",
                             "--base", dir + "/fleet.jsonl", "--count", String(count), "--concurrency", "64", "--start", start,
                             "--max-seconds", String(maxSeconds), "--retries", "3", "--out", out] + (sameContent ? ["--same-content"] : [])
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    private func result(_ path: String) throws -> LoadResult {
        try JSONDecoder().decode(LoadResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// One query's rows through psql.
    private func sql(_ query: String) throws -> [String] {
        let r = try shell("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", database.url, "-c", query])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    /// Every acknowledged (host, time) is an observation of that host; no observation twice; every
    /// snapshot whole and of the host its observations name.
    private func assertStored(_ acknowledged: [[String]], file: StaticString = #filePath, line: UInt = #line) throws {
        let stored = try sql("SELECT h.hostname || ' ' || o.collected_at FROM observations o JOIN hosts h ON h.id = o.host_id")
        XCTAssertEqual(stored.count, Set(stored).count, "an observation stored twice", file: file, line: line)
        let present = Set(stored)
        let missing = acknowledged.filter { item in
            guard let time = Timestamp.parse(item[1]) else { return true }
            return !present.contains("\(item[0]) \(Timestamp.storeText(time))")
        }
        XCTAssertEqual(missing.count, 0, "acknowledged but not stored: \(missing.prefix(5))", file: file, line: line)
        XCTAssertEqual(try sql("""
            SELECT count(*) FROM snapshots s WHERE
              s.pci_device_count != (SELECT count(*) FROM pci_devices d WHERE d.snapshot_id = s.id)
              OR s.vf_count != (SELECT count(*) FROM virtual_functions v WHERE v.snapshot_id = s.id)
              OR s.pf_count != (SELECT count(*) FROM physical_functions p WHERE p.snapshot_id = s.id)
              OR NOT EXISTS (SELECT 1 FROM audit_facts f WHERE f.snapshot_id = s.id)
              OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.snapshot_id = s.id)
            """), ["0"], "a snapshot stored in part", file: file, line: line)
        XCTAssertEqual(try sql("SELECT count(*) FROM observations o JOIN snapshots s ON s.id = o.snapshot_id WHERE s.host_id != o.host_id"), ["0"],
                       file: file, line: line)
        XCTAssertEqual(try sql("""
            SELECT count(*) FROM hosts h WHERE h.latest_snapshot_id IS DISTINCT FROM
              (SELECT snapshot_id FROM observations o WHERE o.host_id = h.id ORDER BY collected_at DESC LIMIT 1)
            """), ["0"], "each host's latest snapshot is its newest observation's", file: file, line: line)
    }

    func testTwoServersOneDatabaseThenKillNineOfOne() throws {
        let tokens = try writeLoadFleet(in: dir, store: try InventoryStore(location: try DatabaseLocation.parse(database.url)))
        let arguments = ["--rate-limit", "100000", "--rate-burst", "100000"]
        let a = try TestServer(in: dir, database: database.url, name: "server-a", arguments: arguments)
        let b = try TestServer(in: dir, database: database.url, name: "server-b", arguments: arguments)

        // 1. The same 64 hosts through both servers at once, content unchanged, the same times:
        //    both race to store each host's first content and many identical collections.
        let first = [try load(a, count: 1500, start: "2026-01-01T00:00:00Z", sameContent: true, out: dir + "/a1.json"),
                     try load(b, count: 1500, start: "2026-01-01T00:00:00Z", sameContent: true, out: dir + "/b1.json")]
        for process in first { process.waitUntilExit() }
        let (a1, b1) = (try result(dir + "/a1.json"), try result(dir + "/b1.json"))
        XCTAssertEqual(a1.acknowledgedCount + b1.acknowledgedCount, 3000, "every push acknowledged")
        XCTAssertEqual(try sql("SELECT count(*) FROM hosts"), ["64"], "one row per host")
        XCTAssertEqual(try sql("SELECT count(*) FROM snapshots"), ["64"], "one snapshot per distinct content")
        let distinct = Set((a1.acknowledged + b1.acknowledged).map { "\($0[0]) \($0[1])" }).count
        XCTAssertEqual(try sql("SELECT count(*) FROM observations"), [String(distinct)], "one observation per collection")
        try assertStored(a1.acknowledged + b1.acknowledged)
        print("two servers, one PostgreSQL database: 3000 pushes of 64 unchanged hosts, \(distinct) distinct collections; \(a1.perSecond + b1.perSecond)/s together (debug build)")

        // 2. New content through both, and server A killed mid-load: what either acknowledged is there, whole.
        let second = [try load(a, count: 100_000, start: "2026-02-01T00:00:00Z", sameContent: false, maxSeconds: 8, out: dir + "/a2.json"),
                      try load(b, count: 1200, start: "2026-03-01T00:00:00Z", sameContent: false, out: dir + "/b2.json")]
        usleep(2_500_000)
        a.crash()
        for process in second { process.waitUntilExit() }
        let (a2, b2) = (try result(dir + "/a2.json"), try result(dir + "/b2.json"))
        XCTAssertGreaterThan(a2.acknowledgedCount, 0)
        XCTAssertGreaterThan(a2.undeliveredCount, 0, "the crash left some of A's pushes undelivered")
        XCTAssertEqual(b2.acknowledgedCount, 1200, "B went on while A died")
        try assertStored(a1.acknowledged + b1.acknowledged + a2.acknowledged + b2.acknowledged)
        XCTAssertEqual(try sql("SELECT count(*) FROM hosts"), ["64"])
        print("kill -9 of one server: \(a2.acknowledgedCount) acknowledged by A before it died and \(b2.acknowledgedCount) by B, all stored")
        XCTAssertEqual(b.terminate(), 0, Fixtures.read(b.log) ?? "")
        assertNoToken(Array(tokens.values), in: [a.log, b.log])
    }
}
