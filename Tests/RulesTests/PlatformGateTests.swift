import Collector
import Foundation
import Inventory
import Rules
import TestSupport
import XCTest

/// The checks on an ESXi host imported from real `esxcli` outputs (ESXi 8, Intel's recordings):
/// what esxcli does not show is reported once as not judged, what it shows is judged, and a rule
/// whose selector picks none of the host's PFs says nothing.
final class PlatformGateTests: XCTestCase {
    private func esxiHost() throws -> HostSnapshot {
        let folder = try FixtureBuilder.esxiHost("esx8", [
            "sriovnic-vf-list-vmnic0": .init("mfd-esxi8-sriovnic-vf-list.txt"),
            "vm-process-list": .init("mfd-esxi8-vm-process-list.txt"),
            "nic-get-vmnic0": .init("mfd-i40en-nic-get.txt"),
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try ESXiHostImport.snapshot(folder: folder, hostname: nil, now: Date())
    }

    private func audit(_ rules: [String]) throws -> [Finding] {
        let set = try RuleFileParser.parse("version: 1\nrules:\n" + rules.map { "  - \($0)\n" }.joined(), path: "t.yaml")
        return try Auditor(rules: set).audit([AuditHost(snapshot: try esxiHost())]).findings
    }

    func testUnexposedFactsAreOneWarnPerCheckAndExposedOnesAreJudged() throws {
        let found = try audit([
            "{id: iommu, check: iommu-enabled, severity: critical}",
            "{id: sec, check: vf-security, severity: high}",
            "{id: cap, check: vf-capacity, severity: high, max-vfs-per-pf: 4, max-fraction-of-total: 0.5}",
            "{id: mig, check: migration-ready, severity: medium}",
            "{id: rate, check: vf-rate, severity: low}",
            "{id: sec-mlx, check: vf-security, severity: high, select: {driver: mlx5_core}}",
        ])
        func of(_ id: String) -> [Finding] { found.filter { $0.rule == id } }

        XCTAssertEqual(of("iommu").map(\.status), [.warn], "critical, yet neither a FAIL nor a PASS")
        XCTAssertEqual(of("iommu").first?.evidence, ["platform": "esxi", "unexposed": "iommu-state", "judged": "no"])
        XCTAssertEqual(of("sec").map(\.status), [.warn])
        XCTAssertTrue(of("sec").first?.message.hasPrefix("cannot judge on VMware ESXi: a VF's MAC, VLAN, spoof check and trust") == true)
        XCTAssertEqual(of("rate").map(\.status), [.warn])
        XCTAssertEqual(of("sec-mlx"), [], "the selector picks no PF of this host: nothing to judge, nothing said")

        // vf-capacity judges the count and says it could not judge the fraction.
        XCTAssertEqual(of("cap").map(\.status), [.warn, .fail])
        XCTAssertEqual(of("cap").first?.evidence["judged"], "partly")
        XCTAssertEqual(of("cap").last?.message, "8 VFs exceed the policy ceiling of 4 per PF")

        // migration-ready: a VM holding a VF cannot be vMotioned.
        XCTAssertEqual(of("mig").map(\.message), [
            "vm world 2103475 holds VF 0000:03:00.0 as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
            "vm FR-9-Sophia holds VF 0000:03:00.1 as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
            "vm FR-cli7-monica holds VF 0000:03:00.3 as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
            "vm world 2103475 holds VF 0000:03:00.5 as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
            "vm FR-cli7-monica holds VF 0000:03:00.7 as an SR-IOV passthrough adapter: vSphere cannot vMotion it",
        ])
    }

    /// A PF whose VFs were not listed has an unknown VF count, never zero: vf-capacity says it
    /// cannot judge it instead of passing "0 VFs".
    func testAnUnlistedPFsCapacityIsNotJudged() throws {
        let folder = try FixtureBuilder.esxiHost("ucs", ["sriovnic-list": .init("cisco-vic-sriovnic-list.txt")])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let snapshot = try ESXiHostImport.snapshot(folder: folder, hostname: nil, now: Date())
        XCTAssertNil(snapshot.physicalFunctions.first?.numVFs)
        let set = try RuleFileParser.parse("version: 1\nrules:\n  - {id: cap, check: vf-capacity, severity: high, max-vfs-per-pf: 4}\n", path: "t.yaml")
        let found = try Auditor(rules: set).audit([AuditHost(snapshot: snapshot)]).findings
        XCTAssertEqual(found.map(\.status), [.warn])
        XCTAssertEqual(found.first?.message, "PF 0000:1b:00.0: its VF count is not known, so its capacity cannot be judged")
    }
}
