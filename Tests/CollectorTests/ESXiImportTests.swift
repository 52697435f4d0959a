@testable import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// `import-esxi`'s snapshots, from host folders assembled out of the real outputs in
/// `Tests/Fixtures/esxi/` (`FixtureBuilder.esxiHost`), each value checked by hand against them.
final class ESXiImportTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_796_000_000)

    private func address(_ text: String) throws -> PCIAddress { try XCTUnwrap(PCIAddress(text)) }

    func testCiscoGuideHostKeepsWhatESXiDoesNotShowAbsent() throws {
        let folder = try FixtureBuilder.esxiHost("ucs-esx-1", [
            "sriovnic-list.txt": .init("cisco-vic-sriovnic-list.txt"),
            "sriovnic-vf-list-vmnic0.txt": .init("cisco-vic-sriovnic-vf-list-vmnic0.txt"),
        ])
        let s = try ESXiHostImport.snapshot(folder: folder, hostname: nil, now: now)
        XCTAssertEqual(s.source, SnapshotSource(kind: .esxi, path: folder))
        XCTAssertEqual(s.source.platform, .esxi)
        XCTAssertEqual(s.host.hostname, "ucs-esx-1")
        XCTAssertEqual(s.collectedAt, Timestamp.parse("2026-12-01T08:00:00Z"))
        // Absent, never false or 0: ESXi's listings say nothing about the IOMMU.
        XCTAssertNil(s.iommu.enabled)
        XCTAssertNil(s.iommu.units)
        XCTAssertEqual(s.iommuGroups, [])

        let pf = try XCTUnwrap(s.physicalFunctions.first)
        XCTAssertEqual(s.physicalFunctions.count, 1)
        XCTAssertEqual(pf.address, try address("0000:1b:00.0"))
        XCTAssertEqual(pf.interfaces, ["vmnic0"])
        XCTAssertEqual(pf.numVFs, 8, "every VF max_vfs made is listed")
        XCTAssertNil(pf.totalVFs, "esxcli does not show the supported count")
        XCTAssertEqual(pf.source, "esxcli")
        XCTAssertEqual(pf.driverInfo?.driver, "nenic")
        XCTAssertNil(pf.reportedFirmware, "no `nic get`: no firmware, not an empty one")
        XCTAssertEqual(pf.virtualFunctions.map(\.address), try ["0000:1b:00.1", "0000:1b:00.2", "0000:1b:00.3", "0000:1b:00.4",
                                                                "0000:1b:00.5", "0000:1b:00.6", "0000:1b:00.7", "0000:1b:01.0"].map(address),
                       "decimal 00000:027:00.1 is bus 0x1b")
        for vf in pf.virtualFunctions {
            XCTAssertNil(vf.driver)
            XCTAssertNil(vf.config, "VF settings live on the port group")
            XCTAssertNil(vf.iommuGroup)
            XCTAssertEqual(vf.consumers, [], "every VF's owner is `-`")
        }

        let uplink = try XCTUnwrap(s.interface(named: "vmnic0"))
        XCTAssertEqual(uplink.mac, "f4:ee:31:30:80:40")
        XCTAssertEqual(uplink.mtu, 1500)
        XCTAssertEqual(uplink.operState, "UP")
        XCTAssertEqual(uplink.carrier, true)
        XCTAssertEqual(uplink.speedMbps, 50000)
        XCTAssertEqual(uplink.duplex, "full")
        XCTAssertEqual(uplink.pciAddress, pf.address)
        XCTAssertEqual(uplink.ifindex, 0, "the vmnic's number")

        XCTAssertEqual(s.consumers?.sources, [ConsumerSource(path: "esxcli network sriovnic vf list -n vmnic0", kind: .esxiVFList)])
        XCTAssertEqual(s.consumers?.readsConsumers, true, "the VF list says who owns each VF, and here nobody does")
        XCTAssertEqual(s.warnings.map(\.subject), ["hardware-pci-list"])
        XCTAssertTrue(s.warnings[0].message.contains("firmware-aligned cannot group"))

        // The JSON form round-trips and the schema takes the new source kind.
        let json = SnapshotJSONWriter.encode(s)
        XCTAssertEqual(try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: Data(json)), s)
    }

    func testESXi8And9VFOwnersAreNamedByWorldAndByCartel() throws {
        let esxi8 = try ESXiHostImport.snapshot(folder: FixtureBuilder.esxiHost("esx8", [
            "sriovnic-vf-list-vmnic0": .init("mfd-esxi8-sriovnic-vf-list.txt"),
            "vm-process-list": .init("mfd-esxi8-vm-process-list.txt"),
            "nic-get-vmnic0": .init("mfd-i40en-nic-get.txt"),
        ]), hostname: nil, now: now)
        let pf = try XCTUnwrap(esxi8.physicalFunctions.first)
        XCTAssertEqual(pf.address, try address("0000:4b:00.0"), "from nic get's bus info 0000:4b:00:0")
        XCTAssertEqual(pf.driverInfo?.driver, "i40en")
        XCTAssertEqual(pf.reportedFirmware, "8.15 0x80009621 1.2829.0")
        XCTAssertEqual(pf.reportedDriverVersion, "2.5.0.28")
        let owners = pf.virtualFunctions.map { $0.consumers.map(\.name) }
        XCTAssertEqual(owners, [["world 2103475"], ["FR-9-Sophia"], [], ["FR-cli7-monica"], [], ["world 2103475"], [], ["FR-cli7-monica"]])
        let sophia = try XCTUnwrap(pf.virtualFunctions[1].consumers.first)
        XCTAssertEqual(sophia.kind, .esxiVM)
        XCTAssertEqual(sophia.uuid, "564d67fa-b9f2-da11-aa79-475007db8b71", "the BIOS UUID as vCenter shows it")
        XCTAssertEqual(sophia.running, true)
        XCTAssertEqual(sophia.attachment, "sriov-passthrough")
        XCTAssertEqual(sophia.label, "vm FR-9-Sophia")
        XCTAssertNil(pf.virtualFunctions[0].consumers.first?.running, "a world the process list does not have: not known to run")
        XCTAssertEqual(esxi8.warnings.filter { $0.kind == .inconsistent }.map(\.message), [
            "VF 0 (0000:03:00.0) is held by world 2103475, which vm-process-list does not list",
            "VF 5 (0000:03:00.5) is held by world 2103475, which vm-process-list does not list",
        ])

        // ESXi 9 names the VMX cartel, which the same VMs' process list has too.
        let esxi9 = try ESXiHostImport.snapshot(folder: FixtureBuilder.esxiHost("esx9", [
            "sriovnic-vf-list-vmnic0": .init("mfd-esxi9-sriovnic-vf-list.txt"),
            "vm-process-list": .init("mfd-esxi8-vm-process-list.txt"),
            "nic-get-vmnic0": .init("mfd-i40en-nic-get.txt"),
        ]), hostname: nil, now: now)
        XCTAssertEqual(esxi9.physicalFunctions[0].virtualFunctions.map { $0.consumers.map(\.name) },
                       [["FR-9-Sophia"], ["FR-9-Sophia"], [], ["FR-cli7-monica"], [], ["FR-cli7-monica"], [], ["FR-cli7-monica"]])
        XCTAssertEqual(esxi9.warnings.filter { $0.kind == .inconsistent }, [])
    }

    func testNicListXMLAndKeyValueGiveOneSnapshot() throws {
        let xml = try ESXiHostImport.snapshot(folder: FixtureBuilder.esxiHost("vsan-1", [
            "nic-list.xml": .init("warlock-nic-list.xml"), "nic-get-vmnic0.xml": .init("warlock-ixgben-nic-get.xml"),
            "hardware-pci-list": .init("vmware-communities-hardware-pci-list.txt"),
        ]), hostname: nil, now: now)
        let keyValue = try ESXiHostImport.snapshot(folder: FixtureBuilder.esxiHost("vsan-1", [
            "nic-list.keyvalue": .init("warlock-nic-list.keyvalue"), "nic-get-vmnic0.xml": .init("warlock-ixgben-nic-get.xml"),
            "hardware-pci-list": .init("vmware-communities-hardware-pci-list.txt"),
        ]), hostname: nil, now: now)
        XCTAssertEqual(xml.interfaces, keyValue.interfaces)
        XCTAssertEqual(xml.interfaces.map(\.name), (0...7).map { "vmnic\($0)" })
        XCTAssertEqual(xml.physicalFunctions, [], "no sriovnic listing: no PF is known to have SR-IOV on")
        let vmnic0 = try XCTUnwrap(xml.interface(named: "vmnic0"))
        XCTAssertEqual(vmnic0.driverInfo?.firmwareVersion, "3.30 0x800014a5, 20.5.15", "spaces and commas kept")
        XCTAssertEqual(vmnic0.driverInfo?.driver, "ixgben")
        XCTAssertEqual(vmnic0.adminUp, true)
        let down = try XCTUnwrap(xml.interface(named: "vmnic2"))
        XCTAssertEqual(down.operState, "DOWN")
        XCTAssertNil(down.speedMbps, "a link that is down has no speed (esxcli prints 0)")
        XCTAssertEqual(xml.pciDevices.map(\.address.description), ["0000:02:00.1", "0000:04:00.0"])
        let x540 = xml.pciDevices[0]
        XCTAssertEqual([x540.vendorID, x540.deviceID, x540.subsystemVendorID, x540.subsystemDeviceID, x540.classCode, x540.revision],
                       ["8086", "1528", "103c", "192d", "020000", "01"])
        XCTAssertEqual(x540.driver, "ixgbe")
        XCTAssertEqual(x540.interfaces, ["vmnic5"])
        XCTAssertEqual(xml.pciDevices[1].interfaces, [], "vmhba2 is no uplink")
    }

    func testBadListingsAreWarningsNamingFileAndLineAndTheRestIsImported() throws {
        let folder = try FixtureBuilder.esxiHost("esx-bad", [
            "sriovnic-list.txt": .init("cisco-vic-sriovnic-list.txt"),
            // A truncated row and an address that is none (derived from the Cisco guide's list).
            "sriovnic-vf-list-vmnic0.txt": .init("cisco-vic-sriovnic-vf-list-vmnic0.txt",
                                                 replacing: [("1   false  00000:027:00.2   -", "1   false"), ("00000:027:00.3", "00000:027:00.9"),
                                                             ("6   false  00000:027:00.7   -", "6   false  00000:027:00.7   -\n6   false  00000:027:00.7   -")]),
            // Another command's output under a listing's name.
            "nic-list.txt": .init("mfd-esxi8-vm-process-list.txt"),
            "notes.txt": .init("mfd-i40en-nic-get.txt"),
        ])
        let s = try ESXiHostImport.snapshot(folder: folder, hostname: nil, now: now)
        XCTAssertEqual(s.physicalFunctions.first?.virtualFunctions.map(\.index), [0, 3, 4, 5, 6, 7], "VFs 1 and 2 skipped, the rest kept")
        let text = s.warnings.map(\.description)
        XCTAssertTrue(text.contains { $0.hasPrefix("malformed: sriovnic-vf-list-vmnic0.txt:3:") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("malformed: sriovnic-vf-list-vmnic0.txt:4:") && $0.contains("00000:027:00.9") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("malformed: nic-list.txt:1:") && $0.contains("not the output of `esxcli network sriovnic list`") }, "\(text)")
        XCTAssertTrue(text.contains("unavailable: notes.txt: not a listing import-esxi reads (see contrib/esxi/collect.sh); ignored"), "\(text)")
        XCTAssertTrue(text.contains("inconsistent: sriovnic-vf-list-vmnic0.txt: VF 6 (0000:1b:00.7) is listed twice; the first is kept"), "\(text)")
        XCTAssertEqual(s.physicalFunctions.first?.numVFs, 6, "the VFs read, each once")

        // Nothing of the network at all, or no name: refused, naming what is missing.
        let empty = try FixtureBuilder.esxiHost("esx-empty", ["vm-process-list": .init("mfd-esxi8-vm-process-list.txt")])
        XCTAssertThrowsError(try ESXiHostImport.snapshot(folder: empty, hostname: nil, now: now)) { error in
            XCTAssertTrue("\(error)".contains("no `esxcli network` listing found"), "\(error)")
        }
        let unnamed = try FixtureBuilder.esxiHost("esx-x", ["sriovnic-list": .init("cisco-vic-sriovnic-list.txt")])
        try FileManager.default.removeItem(atPath: unnamed + "/hostname")
        XCTAssertThrowsError(try ESXiHostImport.snapshot(folder: unnamed, hostname: nil, now: now)) { error in
            XCTAssertTrue("\(error)".contains("--hostname"), "\(error)")
        }
        XCTAssertEqual(try ESXiHostImport.snapshot(folder: unnamed, hostname: "given", now: now).host.hostname, "given")
    }
}
