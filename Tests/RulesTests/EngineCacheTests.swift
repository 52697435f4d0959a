import Collector
import Foundation
import Inventory
import Rules
@testable import Store
import TestSupport
import XCTest

/// Per-host results kept in the fleet database: reused while a host's content, its labels and
/// the rules file stay the same, worked out again for exactly what changed, and never making a
/// report differ from one worked out from scratch.
final class EngineCacheTests: XCTestCase {
    private var dir = ""
    private var path: String { dir + "/inventory.db" }

    override func setUp() {
        dir = Fixtures.temporaryDirectory("engine-cache")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func audit(_ store: InventoryStore, rulesSource: String = DefaultRules.yaml) throws -> AuditEngine.Outcome {
        let rules = try RuleFileParser.parse(rulesSource, path: "rules.yaml")
        return try AuditEngine(rules: rules, rulesSource: Array(rulesSource.utf8)).run(store: store, subjects: try store.latestSubjects(), workers: 2)
    }

    private func fresh(_ store: InventoryStore, rulesSource: String = DefaultRules.yaml) throws -> [Finding] {
        let rules = try RuleFileParser.parse(rulesSource, path: "rules.yaml")
        return try AuditEngine(rules: rules).run(store: store, subjects: try store.latestSubjects(), workers: 1).findings
    }

    func testOnlyWhatChangedIsWorkedOutAgain() throws {
        try TestDatabase.each("cache") { db in
            let store = try db.open()
            let fleet = FleetBuilder(base: try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after")))
            for n in 0..<20 { try store.store(fleet.host(n), labels: ["l2-domain": n % 2 == 0 ? "blue" : "green"]) }

            let cold = try audit(store)
            XCTAssertEqual(cold.evaluated, 20)
            XCTAssertEqual(cold.findings, try fresh(store))
            let warm = try audit(store)
            XCTAssertEqual(warm.evaluated, 0, "nothing changed")
            XCTAssertEqual(warm.findings, cold.findings)

            // Host 5 collected again with new content (a VF's VLAN changed): one host worked out again.
            var changed = fleet.host(5)
            changed.collectedAt = changed.collectedAt.addingTimeInterval(3600)
            let p = try XCTUnwrap(changed.physicalFunctions.firstIndex { $0.address.description == "0000:04:00.0" })
            changed.physicalFunctions[p].virtualFunctions[0].config?.vlan = 4095
            let i = try XCTUnwrap(changed.interfaces.firstIndex { $0.name == changed.physicalFunctions[p].interfaces.first })
            changed.interfaces[i].vfs[0].vlan = 4095
            try store.store(changed)
            let afterChange = try audit(store)
            XCTAssertEqual(afterChange.evaluated, 1)
            XCTAssertEqual(afterChange.findings, try fresh(store))
            XCTAssertTrue(afterChange.findings.contains { $0.host == "host-00005" && $0.message.contains("reserved VLAN 4095") })

            // Host 7 unchanged but collected again: same content, nothing to work out.
            var seenAgain = fleet.host(7)
            seenAgain.collectedAt = seenAgain.collectedAt.addingTimeInterval(7200)
            try store.store(seenAgain)
            XCTAssertEqual(try audit(store).evaluated, 0)

            // New labels on one host: its results depend on them, so it is worked out again.
            try store.store(seenAgain, labels: ["l2-domain": "red"])
            let relabelled = try audit(store)
            XCTAssertEqual(relabelled.evaluated, 1)
            XCTAssertEqual(relabelled.findings, try fresh(store))

            // Another rules file: every host again; the first file's results are still kept.
            let other = DefaultRules.yaml + "\n  - {id: fw-floor, check: firmware-minimum, severity: high, minimum: \">=2.2\"}\n"
            XCTAssertEqual(try audit(store, rulesSource: other).evaluated, 20)
            XCTAssertEqual(try audit(store, rulesSource: other).findings, try fresh(store, rulesSource: other))
            XCTAssertEqual(try audit(store).evaluated, 0)
        }
    }

    /// A kept result that cannot be read (damaged, or of another form) is worked out again, never
    /// trusted and never fatal.
    func testUnreadableKeptResultsAreWorkedOutAgain() throws {
        try TestDatabase.each("unreadable") { db in
            let store = try db.open()
            let fleet = FleetBuilder(base: try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after")))
            for n in 0..<4 { try store.store(fleet.host(n)) }
            let first = try audit(store)
            try store.write { db in
                try db.execute("UPDATE audit_results SET body = ? WHERE snapshot_id = 2", [.blob([0x01, 0xff, 0x00])])
                try db.execute("UPDATE audit_results SET body = ? WHERE snapshot_id = 3", [.blob([0x07])])
            }
            let again = try audit(store)
            XCTAssertEqual(again.evaluated, 2)
            XCTAssertEqual(again.findings, first.findings)
        }
    }

    /// A database this user may only read is audited all the same: nothing kept, nothing failed.
    func testReadOnlyDatabaseIsAuditedWithoutKeepingResults() throws {
        try TestDatabase.each("readonly") { db in
            do {
                let store = try db.open()
                let fleet = FleetBuilder(base: try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after")))
                for n in 0..<3 { try store.store(fleet.host(n)) }
            }
            let readOnly = try db.open(readOnly: true)
            let first = try audit(readOnly)
            XCTAssertEqual(first.evaluated, 3)
            XCTAssertEqual(try audit(readOnly).evaluated, 3, "nothing could be kept")
            XCTAssertEqual(first.findings, try fresh(readOnly))
        }
    }
}
