import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// The server under a bounded load on 127.0.0.1 (Tests/Benchmarks/serve_load.py: 64 clients,
/// one host and token each): every acknowledged snapshot is in the database exactly once; after
/// `kill -9` mid-load every acknowledged one is there and whole, and the clients' spool delivers
/// the rest; on SIGTERM mid-load the server finishes what it took and exits 0.
final class ServerLoadTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        dir = Fixtures.temporaryDirectory("serve-load")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The load script's summary; its `undelivered` documents are read with JSONSerialization.
    struct LoadResult: Decodable {
        var acknowledged: [[String]]
        var acknowledgedCount: Int
        var undeliveredCount: Int
        var perSecond: Double
        var p50Ms: Double?
        var p99Ms: Double?
        var sent: Int
    }

    private func load(_ server: TestServer, count: Int, start: String, maxSeconds: Int = 120, out: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.packageRoot + "/Tests/Benchmarks/serve_load.py", "--url", server.url, "--tokens", dir + "/tokens",
                             "--base", dir + "/fleet.jsonl", "--count", String(count), "--concurrency", "64", "--start", start,
                             "--max-seconds", String(maxSeconds), "--retries", "3", "--out", out]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    private func result(_ path: String) throws -> LoadResult {
        try JSONDecoder().decode(LoadResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Each acknowledged (host, collectedAt) must be an observation of that host, exactly once.
    private func assertStored(_ acknowledged: [[String]], in db: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let rows = try shell("sqlite3", [db, "SELECT h.hostname || ' ' || o.collected_at FROM observations o JOIN hosts h ON h.id = o.host_id"])
        let stored = rows.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(stored.count, Set(stored).count, "an observation stored twice", file: file, line: line)
        let present = Set(stored)
        // The store writes every time with its milliseconds; the clients send whole seconds.
        let missing = acknowledged.filter { item in
            guard let time = Timestamp.parse(item[1]) else { return true }
            return !present.contains("\(item[0]) \(Timestamp.storeText(time))")
        }
        XCTAssertEqual(missing.count, 0, "acknowledged but not stored: \(missing.prefix(5))", file: file, line: line)
    }

    func testLoadThenKillNineThenSIGTERM() throws {
        let db = dir + "/inv.db"
        let tokens = try writeLoadFleet(in: dir, store: try InventoryStore(path: db))
        let serverArguments = ["--rate-limit", "100000", "--rate-burst", "100000"]

        // 1. 5,000 distinct snapshots from 64 clients: all acknowledged, each stored once.
        var server = try TestServer(in: dir, database: db, arguments: serverArguments)
        let first = try load(server, count: 5000, start: "2026-01-01T00:00:00Z", out: dir + "/load1.json")
        first.waitUntilExit()
        let steady = try result(dir + "/load1.json")
        XCTAssertEqual(steady.acknowledgedCount, 5000)
        XCTAssertEqual(steady.undeliveredCount, 0)
        try assertStored(steady.acknowledged, in: db)
        XCTAssertEqual(try shell("sqlite3", [db, "SELECT count(*) FROM observations"]).stdout, "5000\n")
        print("serve load: 5000 snapshots from 64 clients, \(steady.perSecond)/s, p50 \(steady.p50Ms ?? 0) ms, p99 \(steady.p99Ms ?? 0) ms (debug build)")

        // 2. kill -9 mid-load: what was acknowledged is there and whole.
        let crashing = try load(server, count: 100_000, start: "2026-02-01T00:00:00Z", maxSeconds: 8, out: dir + "/load2.json")
        usleep(2_000_000)
        server.crash()
        crashing.waitUntilExit()
        let crashed = try result(dir + "/load2.json")
        XCTAssertGreaterThan(crashed.acknowledgedCount, 0)
        XCTAssertGreaterThan(crashed.undeliveredCount, 0, "the crash left some snapshots undelivered")
        XCTAssertEqual(try shell("sqlite3", [db, "PRAGMA integrity_check"]).stdout, "ok\n")
        try assertStored(crashed.acknowledged, in: db)
        // The undelivered ones, pushed by the CLI while the server is down, wait in its spool ...
        let undelivered = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/load2.json"))) as? [String: Any]
        let pending = (undelivered?["undelivered"] as? [[Any]]) ?? []
        var byHost: [String: [String]] = [:]
        for item in pending {
            guard let host = item[0] as? String, let document = item[2] as? [String: Any] else { continue }
            byHost[host, default: []].append(String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self))
        }
        let downURL = server.url + "/v1/snapshots"
        for (host, documents) in byHost {
            try (documents.joined(separator: "\n") + "\n").write(toFile: "\(dir)/\(host).pending.jsonl", atomically: true, encoding: .utf8)
            try (tokens[host]! + "\n").write(toFile: "\(dir)/\(host).token", atomically: true, encoding: .utf8)
            let r = try CLI.run(["push", "--snapshot", "\(dir)/\(host).pending.jsonl", "--push", downURL, "--token-file", "\(dir)/\(host).token",
                                 "--retries", "0", "--spool", "\(dir)/spool-\(host)"])
            XCTAssertEqual(r.status, 3, "server down: spooled\n\(r.stderr)")
        }
        // ... and are delivered by `push --flush` once it is back on its port.
        server = try TestServer(in: dir, database: db, name: "restarted", port: server.port, arguments: serverArguments)
        for host in byHost.keys {
            let flush = try CLI.run(["push", "--flush", "--spool", "\(dir)/spool-\(host)"])
            XCTAssertEqual(flush.status, 0, flush.stdout + flush.stderr)
        }
        let everything = crashed.acknowledged + pending.compactMap { item -> [String]? in
            guard let host = item[0] as? String, let time = item[1] as? String else { return nil }
            return [host, time]
        }
        try assertStored(everything, in: db)
        print("serve kill -9: \(crashed.acknowledgedCount) acknowledged before the crash, all stored; \(pending.count) undelivered, all delivered through the spool")

        // 3. SIGTERM mid-load: requests under way finish, the server exits 0, nothing acknowledged is lost.
        let stopping = try load(server, count: 100_000, start: "2026-03-01T00:00:00Z", maxSeconds: 8, out: dir + "/load3.json")
        usleep(1_500_000)
        let began = Date()
        XCTAssertEqual(server.terminate(), 0, Fixtures.read(server.log) ?? "")
        XCTAssertLessThan(Date().timeIntervalSince(began), 15)
        stopping.waitUntilExit()
        let stopped = try result(dir + "/load3.json")
        XCTAssertGreaterThan(stopped.acknowledgedCount, 0)
        try assertStored(stopped.acknowledged, in: db)
        XCTAssertTrue((Fixtures.read(server.log) ?? "").contains("stopped"))
        XCTAssertEqual(try shell("sqlite3", [db, "PRAGMA integrity_check"]).stdout, "ok\n")
        assertNoToken(Array(tokens.values), in: [dir + "/server.log", server.log, db])
    }
}
