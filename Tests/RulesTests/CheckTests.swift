import Collector
import Foundation
import Inventory
import Rules
import TestSupport
import XCTest

/// Each check kind on the real igb/NVMe/netdevsim capture and on variants the fixture builder
/// derives from it: the planted problem is found, and nothing is reported where there is none.
final class CheckTests: XCTestCase {
    nonisolated(unsafe) static var base: HostSnapshot?

    private func igb() throws -> HostSnapshot {
        if let base = Self.base { return base }
        let s = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        Self.base = s
        return s
    }

    private func run(_ yaml: String, _ hosts: [AuditHost]) throws -> [Finding] {
        let rules = try RuleFileParser.parse("version: 1\nrules:\n" + yaml, path: "test.yaml")
        return try Auditor(rules: rules).audit(hosts).findings
    }

    private func violations(_ yaml: String, _ snapshots: HostSnapshot..., labels: [String: String] = [:]) throws -> [Finding] {
        try run(yaml, snapshots.map { AuditHost(snapshot: $0, labels: labels) }).filter { $0.status != .pass }
    }

    private func igbPF(_ s: inout HostSnapshot) -> Int {
        s.physicalFunctions.firstIndex { $0.address.description == "0000:04:00.0" }!
    }

    func testIOMMUEnabled() throws {
        let rule = "  - {id: i, check: iommu-enabled, severity: critical}\n"
        XCTAssertEqual(try violations(rule, try igb()), [])
        var off = try igb()
        off.iommu.enabled = false
        XCTAssertEqual(try violations(rule, off).map(\.message), ["IOMMU is not enabled: no IOMMU groups or no IOMMU unit"])
        off.iommu.enabled = nil
        XCTAssertEqual(try violations(rule, off).map(\.status), [.fail], "unknown is a finding, never ok")
    }

    func testIOMMUIsolation() throws {
        let rule = "  - {id: iso, check: iommu-isolation, severity: high}\n"
        XCTAssertEqual(try violations(rule, try igb()), [], "every VF alone in its group in the real capture")
        var shared = try igb()
        // The igb VF on vfio-pci (04:10.4, group 17) joins the group of the bound e1000e (02:00.0).
        let g = shared.iommuGroups.firstIndex { $0.members.contains(PCIAddress("0000:02:00.0")!) }!
        shared.iommuGroups[g].members.append(PCIAddress("0000:04:10.4")!)
        shared.iommuGroups.removeAll { $0.id == 17 }
        let d = shared.pciDevices.firstIndex { $0.address.description == "0000:04:10.4" }!
        shared.pciDevices[d].iommuGroup = shared.iommuGroups[g].id
        let found = try violations(rule, shared)
        XCTAssertEqual(found.map(\.bdf), ["0000:04:10.4"])
        XCTAssertTrue(found[0].message.contains("shares IOMMU group \(shared.iommuGroups[g].id) with 0000:02:00.0 (e1000e)"), found[0].message)
        // An unbound peer is harmless, and so is one the kernel lets share a group with VFIO
        // (driver_managed_dma: the PCIe port driver, pci-stub) or one on a vfio-pci variant.
        let e = shared.pciDevices.firstIndex { $0.address.description == "0000:02:00.0" }!
        for harmless in [nil, "pcieport", "pci-stub", "vfio-pci", "mlx5_vfio_pci"] as [String?] {
            shared.pciDevices[e].driver = harmless
            XCTAssertEqual(try violations(rule, shared), [], harmless ?? "unbound")
        }
        // Without IOMMU groups in the source, isolation cannot be judged: one finding that says so.
        var unknown = try igb()
        unknown.iommu.enabled = nil
        XCTAssertEqual(try violations(rule, unknown).map(\.message),
                       ["IOMMU groups are not in this snapshot: the isolation of 7 VFs and vfio-pci devices cannot be judged"])
        // With the IOMMU off nothing is isolated: one finding, never a PASS.
        unknown.iommu.enabled = false
        XCTAssertEqual(try run(rule, [AuditHost(snapshot: unknown)]).map(\.message),
                       ["the IOMMU is off: 7 VFs and vfio-pci devices have no DMA isolation at all"])
        // With the IOMMU on, a VF without a group is a finding of its own.
        var groupless = try igb()
        let v = groupless.pciDevices.firstIndex { $0.address.description == "0000:04:10.2" }!
        groupless.pciDevices[v].iommuGroup = nil
        XCTAssertEqual(try violations(rule, groupless).map(\.message), ["0000:04:10.2 has no IOMMU group although the IOMMU is on"])
        // A device on a vfio-pci variant is itself checked.
        shared.pciDevices[e].driver = "e1000e"
        shared.pciDevices[d].driver = "mlx5_vfio_pci"
        shared.pciDevices[d].physicalFunction = nil
        XCTAssertEqual(try violations(rule, shared).map(\.bdf), ["0000:04:10.4"])
    }

    func testVFCapacity() throws {
        let rule = "  - {id: cap, check: vf-capacity, severity: high, max-vfs-per-pf: 4, max-vfs-per-host: 10}\n"
        XCTAssertEqual(try violations(rule, try igb()), [])
        var partial = try igb()
        let p = igbPF(&partial)
        partial.physicalFunctions[p].virtualFunctions.removeLast()
        partial.physicalFunctions[p].totalVFs = 2
        let messages = try violations(rule, partial).map(\.message)
        XCTAssertEqual(messages, ["numvfs 3 exceeds totalvfs 2", "3 VFs announced but 2 present (partial creation)"])
        let strict = "  - {id: cap, check: vf-capacity, severity: high, max-vfs-per-pf: 2, max-vfs-per-host: 6, max-fraction-of-total: 0.5}\n"
        XCTAssertEqual(try violations(strict, try igb()).map(\.message), [
            "4 VFs exceed the policy ceiling of 2 per PF", "4 of 4 VFs exceed 50% of the PF's capacity",
            "3 VFs exceed the policy ceiling of 2 per PF", "7 VFs on the host exceed the ceiling of 6",
        ])
    }

    func testVFDriver() throws {
        let rule = "  - {id: drv, check: vf-driver, severity: medium, allowed-drivers: [igbvf, nvme, vfio-pci]}\n"
        XCTAssertEqual(try violations(rule, try igb()), [])
        var unbound = try igb()
        let p = igbPF(&unbound)
        unbound.physicalFunctions[p].virtualFunctions[0].driver = nil
        unbound.physicalFunctions[p].virtualFunctions[1].driver = "iavf"
        XCTAssertEqual(try violations(rule, unbound).map(\.message), [
            "VF 0 of 0000:04:00.0 has no driver", "VF 1 is bound to iavf, not one of igbvf, nvme, vfio-pci",
        ])
    }

    func testMACValid() throws {
        let netdev = "  - {id: mac, check: mac-valid, severity: high}\n"
        XCTAssertEqual(try violations(netdev, try igb()), [], "netdevsim's zero MAC has no netdev")
        let always = "  - {id: mac, check: mac-valid, severity: high, zero-mac: always}\n"
        XCTAssertEqual(try violations(always, try igb()).map(\.message), ["eth4 VF 3 has no admin MAC (00:00:00:00:00:00)"])
        var bad = try igb()
        let p = igbPF(&bad)
        bad.physicalFunctions[p].virtualFunctions[0].config?.mac = "01:00:5e:00:00:01"
        bad.physicalFunctions[p].virtualFunctions[1].config?.mac = "00:00:00:00:00:00"
        XCTAssertEqual(try violations(netdev, bad).map(\.message), [
            "0000:04:10.0 has a multicast admin MAC 01:00:5e:00:00:01",
            "0000:04:10.2 has no admin MAC (00:00:00:00:00:00); its netdev picks a random one at every boot",
        ])
        let local = "  - {id: mac, check: mac-valid, severity: low, require-locally-administered: true}\n"
        bad = try igb()
        let q = igbPF(&bad)
        bad.physicalFunctions[q].virtualFunctions[2].config?.mac = "00:1b:21:00:00:03"
        let found = try violations(local, bad)
        XCTAssertEqual(found.map(\.message), ["0000:04:10.4 admin MAC 00:1b:21:00:00:03 is not locally administered"])
        XCTAssertEqual(found.map(\.status), [.warn], "low severity warns")
    }

    func testVLANAllowedAndSecurity() throws {
        let vlans = "  - {id: v, check: vlan-allowed, severity: high, vlans: [\"0\", \"100-150\"], max-qos: 2}\n"
        XCTAssertEqual(try violations(vlans, try igb()).map(\.message), [
            "0000:04:10.2 uses VLAN 200, outside 0,100-150", "eth4 VF 1 uses VLAN 200, outside 0,100-150",
        ])
        let security = "  - {id: s, check: vf-security, severity: medium, exempt: [{pf: \"eth4\"}]}\n"
        XCTAssertEqual(try violations(security, try igb()).map(\.message), ["0000:04:10.2: spoofchk off, trust on"], "the netdev-only PF eth4 is exempt by name")
    }

    func testVersionFloorsAndCompatibility() throws {
        let floor = "  - {id: fw, check: firmware-minimum, severity: high, select: {vendor: \"8086\", device: \"10c9\"}, minimum: \"2.1.0\"}\n"
        XCTAssertEqual(try violations(floor, try igb()), [])
        let higher = "  - {id: fw, check: firmware-minimum, severity: high, select: {driver: igb}, minimum: \">=2.2\"}\n"
        XCTAssertEqual(try violations(higher, try igb()).map(\.message), ["firmware 2.1.0 is not >=2.2"])
        var garbage = try igb()
        let p = igbPF(&garbage)
        garbage.physicalFunctions[p].driverInfo?.firmwareVersion = "2.1 beta"
        XCTAssertEqual(try violations(floor, garbage).map(\.message),
                       ["firmware version \"2.1 beta\" cannot be parsed as igb (expected MAJOR.MINOR-BUILD or MAJOR.MINOR, 0xEETRACK, e.g. 3.25, 0x800005d0)"])
        var notReported = garbage
        notReported.physicalFunctions[p].driverInfo?.firmwareVersion = "N/A"
        XCTAssertEqual(try violations(floor, notReported).map(\.message), ["82576 Gigabit Network Connection [8086:10c9] reports no firmware version"],
                       "N/A is not a version: the PF reports none")
        let driver = "  - {id: drv, check: driver-minimum, severity: medium, select: {driver: igb}, minimum: \">=6.1\"}\n"
        XCTAssertEqual(try violations(driver, try igb()), [], "in-tree driver version is the kernel release 6.1.0-56-amd64")
        let matrix = """
              - id: compat
                check: driver-firmware-compat
                severity: high
                select: {driver: igb}
                matrix:
                  - {driver: ">=6.1 <6.2", firmware: ">=2.0 <3"}

            """
        XCTAssertEqual(try violations(matrix, try igb()), [])
        let other = matrix.replacingOccurrences(of: ">=2.0 <3", with: ">=3.0")
        XCTAssertEqual(try violations(other, try igb()).map(\.message), ["driver 6.1.0-56-amd64 with firmware 2.1.0 is not a validated pair"])
        var eetrack = try igb()
        eetrack.physicalFunctions[p].driverInfo?.firmwareVersion = "0x800006f1"
        XCTAssertEqual(try violations(higher, eetrack).map(\.message), ["firmware 0x800006f1 cannot be checked against >=2.2: 0x800006f1 has no `version` part to order by (only eetrack)"])
    }
}

extension CheckTests {
    /// The igb PF given another driver's firmware string: floors are read in that driver's
    /// scheme, on a named part when the rule says so, and undecidable across device families.
    func testVersionFloorsReadTheDriversScheme() throws {
        func as_(_ driver: String, _ firmware: String) throws -> HostSnapshot {
            var s = try igb()
            let p = igbPF(&s)
            s.physicalFunctions[p].driverInfo?.driver = driver
            s.physicalFunctions[p].driverInfo?.firmwareVersion = firmware
            let d = try XCTUnwrap(s.pciDevices.firstIndex { $0.address == s.physicalFunctions[p].address })
            s.pciDevices[d].driver = driver
            return s
        }
        let qede = try as_("qede", "mfw 8.25.7.0 storm 8.20.0.0")
        let mfw = "  - {id: mfw, check: firmware-minimum, severity: high, select: {device: \"10c9\"}, minimum: {component: mfw, minimum: \"8.37\"}}\n"
        XCTAssertEqual(try violations(mfw, qede).map(\.message), ["firmware mfw 8.25.7.0 storm 8.20.0.0 is not >=8.37 (mfw)"])
        XCTAssertEqual(try violations(mfw, qede).first?.evidence["required"], ">=8.37 (mfw)")
        let storm = "  - {id: storm, check: firmware-minimum, severity: high, select: {device: \"10c9\"}, minimum: {component: storm, minimum: \"8.20\"}}\n"
        XCTAssertEqual(try violations(storm, qede), [])
        let whole = "  - {id: whole, check: firmware-minimum, severity: high, select: {device: \"10c9\"}, minimum: \"8.20\"}\n"
        XCTAssertEqual(try violations(whole, qede), [], "a bare floor is on the part that orders qede: mfw")

        let cx5 = try as_("mlx5_core", "16.35.3502 (MT_0000000012)")
        let cx6dx = "  - {id: cx6dx, check: firmware-minimum, severity: high, select: {device: \"10c9\"}, minimum: \">=22.36.1010\"}\n"
        XCTAssertEqual(try violations(cx6dx, cx5).map(\.message), [
            "firmware 16.35.3502 (MT_0000000012) cannot be checked against >=22.36.1010: 16.35.3502 (MT_0000000012) and 22.36.1010 belong to different lines (major 16 vs major 22)",
        ])
        let unknown = try as_("qede", "8.25.7.0 beta")
        XCTAssertEqual(try violations(whole, unknown).map(\.message),
                       ["firmware version \"8.25.7.0 beta\" cannot be parsed as qlogic (expected mfw VERSION storm VERSION, e.g. mfw 8.25.7.0 storm 8.20.0.0)"])
        XCTAssertEqual(try violations(whole, unknown).first?.evidence["family"], "qlogic")
    }

    func testSecurityWithoutExemption() throws {
        let security = "  - {id: s, check: vf-security, severity: medium}\n"
        XCTAssertEqual(try violations(security, try igb()).map(\.message), [
            "0000:04:10.2: spoofchk off, trust on", "eth4 VF 1: spoofchk off, trust on", "eth4 VF 2: spoofchk off", "eth4 VF 3: spoofchk off",
        ])
        XCTAssertEqual(try violations(security, try igb(), labels: ["role": "router"]).count, 4)
        let exemptRouters = "  - {id: s, check: vf-security, severity: medium, exempt: [{labels: {role: router}}]}\n"
        XCTAssertEqual(try violations(exemptRouters, try igb(), labels: ["role": "router"]), [])
    }

    func testDefaultRulesFileEqualsTheBuiltInOne() throws {
        XCTAssertEqual(DefaultRules.yaml, try String(contentsOfFile: Fixtures.packageRoot + "/rules/default.yaml", encoding: .utf8))
        XCTAssertEqual(try DefaultRules.ruleSet().rules.count, 15)
    }
}

extension CheckTests {
    /// A bond, a VLAN device and a bridge carry their port's MAC by design: not a duplicate.
    func testVirtualInterfacesDoNotCountAsDuplicateMACs() throws {
        var s = try igb()
        let eth0 = try XCTUnwrap(s.interface(named: "eth0"))
        for (n, name) in ["bond0", "eth0.100", "br0"].enumerated() {
            s.interfaces.append(NetworkInterface(name: name, ifindex: 100 + n, mac: eth0.mac, linkType: "ether"))
        }
        let rule = "  - {id: u, check: mac-unique, severity: high, scope: host}\n"
        XCTAssertEqual(try violations(rule, s), [])
        // A second physical function with the same MAC is one.
        let vfNetdev = s.interfaces.firstIndex { $0.name == "eth2" }!
        s.interfaces[vfNetdev].mac = eth0.mac
        let p = igbPF(&s)
        s.physicalFunctions[p].virtualFunctions[0].effectiveMAC = eth0.mac
        let found = try violations(rule, s)
        XCTAssertEqual(Set(found.compactMap(\.bdf)), ["0000:02:00.0", "0000:04:10.0"])
    }
}

extension CheckTests {
    /// A PASS counts the VFs a check could judge: NVMe VFs have no MAC or VLAN, netdevsim's VF
    /// table entries no PCI function to bind, exempted VFs are not checked.
    func testPassesCountOnlyTheVFsTheyJudged() throws {
        let passes = try run(DefaultRules.yaml.components(separatedBy: "rules:\n")[1], [AuditHost(snapshot: try igb())])
            .filter { $0.status == .pass }.map { "\($0.rule): \($0.message)" }
        // 4 NVMe VFs + 3 igb VFs are PCI functions; 3 igb VFs + 4 netdevsim entries have settings.
        XCTAssertTrue(passes.contains("vf-isolation: 7 VFs and vfio-pci devices isolated in their IOMMU groups"), "\(passes)")
        XCTAssertTrue(passes.contains("vf-driver-bound: 7 VFs bound to an allowed driver"), "\(passes)")
        XCTAssertTrue(passes.contains("vf-mac-valid: 7 VF MACs valid"), "\(passes)")
        XCTAssertTrue(passes.contains("vlan-valid: 7 VF VLANs allowed"), "\(passes)")
        let exemptIGB = "  - {id: s, check: vf-security, severity: medium, exempt: [{driver: igb}, {pf: eth4}]}\n"
        XCTAssertEqual(try run(exemptIGB, [AuditHost(snapshot: try igb())]).map(\.message), [], "every VF with settings exempted: nothing judged, no PASS")
    }
}
