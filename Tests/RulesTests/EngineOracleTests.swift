import AuditOracle
import Collector
import Inventory
import Rules
import Store
import TestSupport
import XCTest

/// The fact-based engine against the snapshot-walking one it replaced (kept as an oracle in the
/// test target): finding for finding, in the same order, on every real capture and on derived
/// fleets, with the default rules and with rules that use every scope, selector and option.
final class EngineOracleTests: XCTestCase {
    /// Rules that reach every code path of the checks: selectors by vendor, device, model glob,
    /// driver, PF glob and label; every scope; MAC+VLAN keys; VLAN owners; exemptions; floors.
    static let everyOption = """
        version: 1
        rules:
          - {id: iommu, check: iommu-enabled, severity: critical}
          - {id: iso-igb, check: iommu-isolation, severity: high, select: {driver: igb}}
          - {id: iso-site, check: iommu-isolation, severity: high, select: {labels: {site: par1}}}
          - {id: cap, check: vf-capacity, severity: high, max-vfs-per-pf: 2, max-vfs-per-host: 5, max-fraction-of-total: 0.5}
          - {id: drv, check: vf-driver, severity: medium, allowed-drivers: [igbvf]}
          - {id: mac-always, check: mac-valid, severity: low, zero-mac: always, require-locally-administered: true}
          - {id: mac-never, check: mac-valid, severity: high, zero-mac: never}
          - {id: uniq-host, check: mac-unique, severity: high, scope: host}
          - {id: uniq-fleet, check: mac-unique, severity: high, scope: fleet, key: mac+vlan}
          - {id: uniq-l2, check: mac-unique, severity: high, scope: "label:l2-domain"}
          - {id: uniq-igb, check: mac-unique, severity: high, scope: fleet, select: {vendor: "8086", model: "*82576*"}}
          - {id: uniq-pf, check: mac-unique, severity: high, scope: fleet, select: {pf: "eth*"}}
          - {id: vlans, check: vlan-allowed, severity: high, vlans: ["1-200", "300"], max-qos: 0}
          - {id: owners, check: vlan-conflict, severity: high, scope: "label:l2-domain", owner-label: tenant, owners: {100: a, 300: b}}
          - {id: owners-fleet, check: vlan-conflict, severity: high, scope: fleet, owner-label: tenant}
          - {id: owners-only, check: vlan-conflict, severity: high, scope: fleet, owners: {101: a, 102: b}}
          - {id: sec, check: vf-security, severity: medium, exempt: [{pf: eth4}, {labels: {role: router}}]}
          - {id: sec-all, check: vf-security, severity: low}
          - {id: fw, check: firmware-aligned, severity: medium, scope: fleet, compare-driver: true}
          - {id: fw-site, check: firmware-aligned, severity: medium, scope: "label:site", select: {driver: igb}}
          - {id: fw-floor, check: firmware-minimum, severity: high, minimum: ">=2.2"}
          - {id: drv-floor, check: driver-minimum, severity: medium, select: {driver: igb}, minimum: ">=6.2"}
          - id: compat
            check: driver-firmware-compat
            severity: high
            matrix:
              - {driver: ">=6.1 <6.2", firmware: ">=2.0 <2.2"}
        """

    private func compare(_ snapshots: [HostSnapshot], labels: (Int) -> [String: String], file: StaticString = #filePath, line: UInt = #line) throws {
        for rules in [try DefaultRules.ruleSet(), try RuleFileParser.parse(Self.everyOption, path: "every-option.yaml")] {
            let oracle = OracleAuditor(rules: rules).audit(snapshots.enumerated().map { OracleHost(snapshot: $1, labels: labels($0)) })
            let engine = try Auditor(rules: rules).audit(snapshots.enumerated().map { AuditHost(snapshot: $1, labels: labels($0)) })
            XCTAssertEqual(engine.hosts, oracle.hosts, file: file, line: line)
            XCTAssertEqual(engine.findings.count, oracle.findings.count, "\(rules.path): finding count", file: file, line: line)
            for (n, (a, b)) in zip(engine.findings, oracle.findings).enumerated() where a != b {
                XCTFail("\(rules.path): finding \(n) differs:\n engine \(a)\n oracle \(b)", file: file, line: line)
                break
            }
        }
    }

    func testEveryCaptureAlone() throws {
        var snapshots = try Fixtures.qemuStages.map { try Collector().collectCapture(at: $0.path) }
        snapshots.append(try Collector().collectCapture(at: Fixtures.path("qemu/netdevsim-large/capture")))
        let partial = try FixtureBuilder.ipLinkOnly(Fixtures.path("qemu/netdevsim-large/capture"))  // VF tables cut at ~222 entries
        defer { try? FileManager.default.removeItem(atPath: partial) }
        snapshots.append(try Collector().collectCapture(at: partial))
        for tarball in try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("ghw")).sorted() {
            let root = try FixtureBuilder.ghwCapture(tarball)
            defer { try? FileManager.default.removeItem(atPath: root) }
            snapshots.append(try Collector().collectCapture(at: root))
        }
        XCTAssertEqual(snapshots.count, 11)
        for snapshot in snapshots {
            try compare([snapshot], labels: { _ in [:] })
            try compare([snapshot], labels: { _ in ["site": "par1", "role": "router", "tenant": "a", "l2-domain": "blue"] })
        }
        // All of them as one fleet: cross-host checks across different hardware. Each under a
        // name of its own: two snapshots of one host given together are two subjects to the
        // engine, each its own host scope, where the oracle merged their host scopes by name.
        for n in snapshots.indices { snapshots[n].host.hostname = "\(snapshots[n].host.hostname)-\(n)" }
        try compare(snapshots, labels: { ["site": $0 % 2 == 0 ? "par1" : "ams2", "tenant": ["a", "b", "c"][$0 % 3]] })
    }

    /// 60 hosts from the igb capture with firmware spread; hosts 7 and 8 share host 3's VF MACs
    /// (a cloned image) and host 9 repeats one of its own.
    static func plantedFleet() throws -> [HostSnapshot] {
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        var fleet = FleetBuilder(base: base)
        fleet.firmwareVersions = ["2.1.0", "2.1.0", "2.2.0", "2.2.0", "1.9.1", "2.1.0"]
        var hosts = (0..<60).map { fleet.host($0) }
        for n in [7, 8] { hosts[n].interfaces = hosts[3].interfaces }
        if let i = hosts[9].interfaces.firstIndex(where: { $0.vfs.count > 1 }) { hosts[9].interfaces[i].vfs[1].mac = hosts[9].interfaces[i].vfs[0].mac }
        return hosts
    }

    /// A derived fleet with shared MACs, VLAN owners in conflict, firmware spread and hosts
    /// without the scoping labels.
    func testDerivedFleet() throws {
        var hosts = try Self.plantedFleet()
        // A clone of host 0 under another name (same MACs, firmware and VLANs).
        hosts.append(hosts[0])
        hosts[hosts.count - 1].host.hostname = "host-clone"
        try compare(hosts, labels: { n in
            var labels = ["tenant": ["a", "b", "c"][n % 3], "site": n % 4 == 0 ? "par1" : "ams2"]
            if n % 5 != 0 { labels["l2-domain"] = n % 2 == 0 ? "blue" : "green" }
            if n % 7 == 0 { labels["role"] = "router" }
            return labels
        })
    }

    func testEmptyAudit() throws {
        try compare([], labels: { _ in [:] })
    }
}
