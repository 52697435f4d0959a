import Collector
import Foundation
import Inventory
import Rules
import Store
import TestSupport
import XCTest

/// The same fleet audited from SQLite and from PostgreSQL gives the same report: every host, every
/// finding in the same order, with the default rules and with rules using every scope, selector
/// and option — on every real capture and on a derived fleet with planted conflicts.
final class BackendEqualityTests: XCTestCase {
    private func outcomes(_ hosts: [(HostSnapshot, [String: String])], label: String) throws -> [String: [AuditEngine.Outcome]] {
        var results: [String: [AuditEngine.Outcome]] = [:]
        try TestDatabase.each(label) { db in
            let store = try db.open()
            for (snapshot, labels) in hosts { try store.store(snapshot, labels: labels) }
            for source in [DefaultRules.yaml, EngineOracleTests.everyOption] {
                let rules = try RuleFileParser.parse(source, path: "rules.yaml")
                let engine = AuditEngine(rules: rules, rulesSource: Array(source.utf8))
                // Twice: worked out, then from the results the database kept.
                let cold = try engine.run(store: store, subjects: try store.latestSubjects(), workers: 2)
                let warm = try engine.run(store: store, subjects: try store.latestSubjects(), workers: 2)
                XCTAssertEqual(warm.findings, cold.findings, "\(db): kept results")
                XCTAssertEqual(warm.evaluated, 0, "\(db): nothing changed")
                results[db.kind.rawValue, default: []].append(cold)
            }
        }
        return results
    }

    private func assertEqualOnBothBackends(_ hosts: [(HostSnapshot, [String: String])], label: String,
                                           file: StaticString = #filePath, line: UInt = #line) throws {
        let results = try outcomes(hosts, label: label)
        guard let postgres = results["PostgreSQL"] else { return }  // SKIPPED, said by TestDatabase
        let sqlite = try XCTUnwrap(results["SQLite"])
        for (a, b) in zip(sqlite, postgres) {
            XCTAssertEqual(a.subjects, b.subjects, "hosts, labels, times", file: file, line: line)
            XCTAssertEqual(a.pfFacts, b.pfFacts, "the PFs reports list", file: file, line: line)
            XCTAssertEqual(a.findings.count, b.findings.count, "finding count", file: file, line: line)
            for (n, (x, y)) in zip(a.findings, b.findings).enumerated() where x != y {
                XCTFail("finding \(n) differs:\n SQLite     \(x)\n PostgreSQL \(y)", file: file, line: line)
                break
            }
            XCTAssertGreaterThan(a.findings.count, 0, "the audit found something to compare", file: file, line: line)
        }
    }

    func testEveryCaptureAsOneFleet() throws {
        var snapshots = try Fixtures.qemuStages.map { try Collector().collectCapture(at: $0.path) }
        snapshots.append(try Collector().collectCapture(at: Fixtures.path("qemu/netdevsim-large/capture")))
        for tarball in try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("ghw")).sorted() {
            let root = try FixtureBuilder.ghwCapture(tarball)
            defer { try? FileManager.default.removeItem(atPath: root) }
            snapshots.append(try Collector().collectCapture(at: root))
        }
        for n in snapshots.indices { snapshots[n].host.hostname = "\(snapshots[n].host.hostname)-\(n)" }
        try assertEqualOnBothBackends(snapshots.enumerated().map { n, s in
            (s, ["site": n % 2 == 0 ? "par1" : "ams2", "tenant": ["a", "b", "c"][n % 3], "l2-domain": "blue"])
        }, label: "captures")
    }

    func testDerivedFleetWithPlantedConflicts() throws {
        try assertEqualOnBothBackends(try EngineOracleTests.plantedFleet().enumerated().map { n, s in
            var labels = ["tenant": ["a", "b", "c"][n % 3], "site": n % 4 == 0 ? "par1" : "ams2"]
            if n % 5 != 0 { labels["l2-domain"] = n % 2 == 0 ? "blue" : "green" }
            if n % 7 == 0 { labels["role"] = "router" }
            return (s, labels)
        }, label: "derived")
    }
}
