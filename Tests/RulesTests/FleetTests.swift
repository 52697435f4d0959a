import Collector
import Foundation
import Inventory
import Rules
import Store
import TestSupport
import XCTest

/// Several hosts in one database with labels: cross-host MAC, VLAN and firmware conflicts are
/// found exactly where they were planted, and nowhere else.
final class FleetTests: XCTestCase {
    /// Four hosts derived from the igb capture, all on firmware 2.1.0, and an empty store.
    private func fourHosts(_ db: TestDatabase) throws -> (dir: String, store: InventoryStore, hosts: [HostSnapshot]) {
        let dir = db.directory
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        var fleet = FleetBuilder(base: base)
        fleet.firmwareVersions = ["2.1.0"]
        return (dir, try db.open(), (1...4).map { fleet.host($0) })
    }

    func testPlantedConflictsAcrossTheFleet() throws {
        try TestDatabase.each("planted") { db in
            let (dir, store, derived) = try fourHosts(db)
            var h = derived
            // h1, h2: l2-domain blue, tenants a and b; h3: l2-domain red, tenant a; h4: red, tenant c.
            let igb = h[0].physicalFunctions.firstIndex { $0.address.description == "0000:04:00.0" }!
            // Every host's tagged VFs on VLANs of its own, so that only what is planted below conflicts.
            for n in h.indices {
                for i in h[n].interfaces.indices {
                    for v in h[n].interfaces[i].vfs.indices where h[n].interfaces[i].vfs[v].vlan != 0 {
                        h[n].interfaces[i].vfs[v].vlan = 1000 + 10 * n + v + (h[n].interfaces[i].name == "eth4" ? 5 : 0)
                    }
                }
                let table = h[n].interfaces.first { $0.name == "eth1" }!.vfs
                for v in h[n].physicalFunctions[igb].virtualFunctions.indices {
                    h[n].physicalFunctions[igb].virtualFunctions[v].config = table[v]
                }
            }
            // Planted 1: h2's VF 0 admin MAC equals h1's VF 0 (same l2-domain) — and h3 reuses it too (other domain: fine).
            let shared = h[0].physicalFunctions[igb].virtualFunctions[0].config!.mac
            for n in [1, 2] {
                h[n].physicalFunctions[igb].virtualFunctions[0].config?.mac = shared
                let pfIf = h[n].interfaces.firstIndex { $0.name == "eth1" }!
                h[n].interfaces[pfIf].vfs[0].mac = shared
            }
            // Planted 2: VLAN 300 on tenant a's h1 and tenant b's h2 (same domain); h4 (tenant c, red) uses 301 alone.
            func setVLAN(_ n: Int, _ vlan: Int) {
                h[n].physicalFunctions[igb].virtualFunctions[2].config?.vlan = vlan
                let pfIf = h[n].interfaces.firstIndex { $0.name == "eth1" }!
                h[n].interfaces[pfIf].vfs[2].vlan = vlan
            }
            setVLAN(0, 300); setVLAN(1, 300); setVLAN(3, 301)
            // Planted 3: h4's igb runs other firmware than the three others.
            h[3].physicalFunctions[igb].driverInfo?.firmwareVersion = "2.2.0"
            let labels: [[String: String]] = [
                ["l2-domain": "blue", "tenant": "a"], ["l2-domain": "blue", "tenant": "b"],
                ["l2-domain": "red", "tenant": "a"], ["l2-domain": "red", "tenant": "c"],
            ]
            for (snapshot, label) in zip(h, labels) { try store.store(snapshot, labels: label) }

            let rules = try RuleFileParser.parse("""
                version: 1
                rules:
                  - {id: mac-l2, check: mac-unique, severity: high, scope: "label:l2-domain"}
                  - {id: tenant-vlans, check: vlan-conflict, severity: high, scope: "label:l2-domain", owner-label: tenant}
                  - {id: fw, check: firmware-aligned, severity: medium, scope: fleet}
                """, path: "fleet.yaml")
            let hosts = try store.hosts().map { AuditHost(snapshot: try store.snapshot(of: $0.hostname), labels: $0.labels) }
            let failures = try Auditor(rules: rules).audit(hosts).findings.filter { $0.status != .pass }
            let summary = failures.map { "\($0.rule) \($0.host) \($0.bdf ?? "-")" }
            XCTAssertEqual(summary.sorted(), [
                "fw host-00004 0000:04:00.0",
                "mac-l2 host-00001 0000:04:10.0", "mac-l2 host-00002 0000:04:10.0",
                "tenant-vlans host-00001 0000:04:10.4", "tenant-vlans host-00002 0000:04:10.4",
            ])
            let fw = try XCTUnwrap(failures.first { $0.rule == "fw" })
            XCTAssertEqual(fw.evidence["baseline"], "2.1.0")
            XCTAssertEqual(fw.evidence["baselineCount"], "3")
            XCTAssertTrue(fw.message.hasPrefix("firmware 2.2.0 differs from the baseline 2.1.0 (3 of 4 82576 Gigabit Network Connection [8086:10c9] PFs in fleet)"), fw.message)
            XCTAssertTrue(failures.first { $0.rule == "tenant-vlans" }!.message.contains("VLAN 300 is used by 2 owners (a, b)"))
        }
    }
}

extension FleetTests {
    /// The fleet groups normalised versions: a padded string is the same firmware, `N/A` is none
    /// reported, and the raw strings stay in the snapshots.
    func testFirmwareGroupsIgnorePaddingAndNotReported() throws {
        try TestDatabase.each("padding") { db in
            let (dir, store, derived) = try fourHosts(db)
            var h = derived
            let igb = h[0].physicalFunctions.firstIndex { $0.address.description == "0000:04:00.0" }!
            h[1].physicalFunctions[igb].driverInfo?.firmwareVersion = "2.1.0                     "
            h[2].physicalFunctions[igb].driverInfo?.firmwareVersion = " 2.1.0"
            h[3].physicalFunctions[igb].driverInfo?.firmwareVersion = "N/A"
            for snapshot in h { try store.store(snapshot, labels: [:]) }
            let rules = try RuleFileParser.parse("""
                version: 1
                rules:
                  - {id: fw, check: firmware-aligned, severity: medium, scope: fleet}
                """, path: "fleet.yaml")
            let hosts = try store.hosts().map { AuditHost(snapshot: try store.snapshot(of: $0.hostname), labels: $0.labels) }
            let failures = try Auditor(rules: rules).audit(hosts).findings.filter { $0.status != .pass }
            XCTAssertEqual(failures.map(\.host), ["host-00004"])
            XCTAssertEqual(failures.first?.evidence["value"], "(none)")
            XCTAssertEqual(failures.first?.evidence["baseline"], "2.1.0")
            XCTAssertEqual(failures.first?.evidence["baselineCount"], "3")
            XCTAssertEqual(try store.snapshot(of: "host-00002").physicalFunctions[igb].driverInfo?.firmwareVersion, "2.1.0                     ",
                           "the snapshot keeps the raw string")
        }
    }
}

final class UpgradeTests: XCTestCase {
    func testPlannedRollOutListsTheHostsItWouldBreak() throws {
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        let fleet = FleetBuilder(base: base)
        let hosts = (1...3).map { AuditHost(snapshot: fleet.host($0), labels: [:]) }  // firmware 2.1.0 everywhere
        let rules = try RuleFileParser.parse("""
            version: 1
            rules:
              - id: igb-compat
                check: driver-firmware-compat
                severity: high
                select: {driver: igb}
                matrix:
                  - {driver: ">=6.1 <6.2", firmware: ">=2.0 <2.2"}
              - {id: igb-driver-floor, check: driver-minimum, severity: medium, select: {driver: igb}, minimum: ">=6.1"}
            """, path: "plan.yaml")
        let safe = try UpgradeImpact.evaluate(UpgradePlan(model: "8086:10c9", firmware: "2.1.5"), rules: rules, hosts: hosts)
        XCTAssertEqual(safe.hosts.map(\.pfsTouched), [1, 1, 1])
        XCTAssertTrue(safe.hosts.allSatisfy { $0.newFindings.isEmpty })

        let risky = try UpgradeImpact.evaluate(UpgradePlan(model: "8086:10c9", firmware: "2.2.0"), rules: rules, hosts: hosts)
        XCTAssertEqual(risky.hosts.map { $0.newFindings.map(\.message) }, Array(repeating: ["driver 6.1.0-56-amd64 with firmware 2.2.0 is not a validated pair"], count: 3))

        let kernel = try UpgradeImpact.evaluate(UpgradePlan(model: "*82576 Gigabit*", kernel: "6.2.0-1-amd64"), rules: rules, hosts: hosts)
        XCTAssertEqual(kernel.hosts.first?.newFindings.map(\.message), ["driver 6.2.0-1-amd64 with firmware 2.1.0 is not a validated pair"],
                       "the in-tree igb follows the kernel")
        let other = try UpgradeImpact.evaluate(UpgradePlan(model: "15b3:101d", firmware: "22.39.1002"), rules: rules, hosts: hosts)
        XCTAssertEqual(other.hosts.map(\.pfsTouched), [0, 0, 0], "no ConnectX-6 Dx here")
        XCTAssertEqual(hosts.map { $0.snapshot.physicalFunctions[1].driverInfo?.firmwareVersion }, ["2.1.0", "2.1.0", "2.1.0"], "nothing changes")
    }
}
