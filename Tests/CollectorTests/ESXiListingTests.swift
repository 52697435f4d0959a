@testable import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// `esxcli` outputs of real ESXi hosts (`Tests/Fixtures/esxi/`, sources in SOURCES.md), each
/// read to the values it shows, checked by hand against the published text.
final class ESXiListingTests: XCTestCase {
    private func text(_ name: String) throws -> String {
        try String(contentsOfFile: Fixtures.path("esxi/" + name), encoding: .utf8)
    }

    private func address(_ text: String) throws -> PCIAddress { try XCTUnwrap(PCIAddress(text)) }

    func testAddressesInEachOfTheThreeForms() throws {
        // Decimal up to 8.0u2: bus 027 is 0x1b, slot 17 is 0x11; never read as hex.
        XCTAssertEqual(ESXiAddress.parse("00000:027:00.1"), try address("0000:1b:00.1"))
        XCTAssertEqual(ESXiAddress.parse("00000:075:17.0"), try address("0000:4b:11.0"))
        XCTAssertEqual(ESXiAddress.parse("00000:134:02.1"), try address("0000:86:02.1"))
        XCTAssertEqual(ESXiAddress.parse("0000:4b:11.0"), try address("0000:4b:11.0"))
        XCTAssertEqual(ESXiAddress.parse("0000:18:00:0"), try address("0000:18:00.0"), "bus info: a colon before the function")
        for bad in ["00000:256:00.0", "00000:027:32.0", "00000:027:00.8", "00000:02a:00.1", "0000:1b:00", "vmnic0", "", "0000:027:00.1"] {
            XCTAssertNil(ESXiAddress.parse(bad), bad)
        }
    }

    func testCiscoGuideSriovNicListAndDecimalVFListWithoutDashLine() throws {
        let nics = try ESXiListings.sriovNics(text("cisco-vic-sriovnic-list.txt"), file: "sriovnic-list.txt")
        XCTAssertEqual(nics.warnings, [])
        XCTAssertEqual(nics.items, [ESXiSriovNic(name: "vmnic0", address: try address("0000:1b:00.0"), driver: "nenic", link: "Up", speed: 50000, duplex: "Full",
                                                 mac: "f4:ee:31:30:80:40", mtu: 1500, description: "Cisco Systems Inc Cisco VIC Ethernet NIC")])

        let vfs = try ESXiListings.vfs(text("cisco-vic-sriovnic-vf-list-vmnic0.txt"), file: "vf-list.txt")
        XCTAssertEqual(vfs.warnings, [])
        XCTAssertEqual(vfs.items.map(\.id), Array(0...7))
        XCTAssertEqual(vfs.items.map(\.address), try ["0000:1b:00.1", "0000:1b:00.2", "0000:1b:00.3", "0000:1b:00.4", "0000:1b:00.5",
                                                      "0000:1b:00.6", "0000:1b:00.7", "0000:1b:01.0"].map(address),
                       "the VFs sit on the PF's bus (27 decimal = 0x1b)")
        XCTAssertEqual(Set(vfs.items.map(\.active)), [false])
        XCTAssertEqual(vfs.items.compactMap(\.ownerWorldID), [], "`-`: no VM holds them")
    }

    func testVFListsOfESXi8And9AndTheDecimalFormWithMisalignedDashes() throws {
        let esxi8 = try ESXiListings.vfs(text("mfd-esxi8-sriovnic-vf-list.txt"), file: "vf8.txt")
        XCTAssertEqual(esxi8.warnings, [])
        XCTAssertEqual(esxi8.items.count, 8)
        XCTAssertEqual(esxi8.items[3], ESXiVF(id: 3, active: true, address: try address("0000:03:00.3"), ownerWorldID: 2381189))
        XCTAssertEqual(esxi8.items[2], ESXiVF(id: 2, active: false, address: try address("0000:03:00.2"), ownerWorldID: nil))
        XCTAssertEqual(esxi8.items.filter(\.active).compactMap(\.ownerWorldID), [2103475, 2104268, 2381189, 2103475, 2381189])

        let esxi9 = try ESXiListings.vfs(text("mfd-esxi9-sriovnic-vf-list.txt"), file: "vf9.txt")
        XCTAssertEqual(esxi9.items.compactMap(\.ownerWorldID), [2104267, 2104267, 2381188, 2381188, 2381188], "cartel IDs on ESXi 9")

        let decimal = try ESXiListings.vfs(text("mfd-sriovnic-vf-list-decimal.txt"), file: "vfd.txt")
        XCTAssertEqual(decimal.warnings, [])
        XCTAssertEqual(decimal.items.map(\.address), try ["0000:86:02.0", "0000:86:02.1"].map(address), "bus 134 = 0x86")
    }

    func testNicGetInTextAndXML() throws {
        let i40en = try ESXiListings.nicInfo(text("mfd-i40en-nic-get.txt"), file: "nic-get.txt")
        XCTAssertEqual(i40en.warnings, [])
        XCTAssertEqual(i40en.items, [ESXiNicInfo(name: "vmnic0", address: try address("0000:4b:00.0"), driver: "i40en", driverVersion: "2.5.0.28",
                                                 firmwareVersion: "8.15 0x80009621 1.2829.0", linkStatus: "Up")])
        let ixgben = try ESXiListings.nicInfo(text("warlock-ixgben-nic-get.xml"), file: "nic-get.xml")
        XCTAssertEqual(ixgben.items, [ESXiNicInfo(name: "vmnic0", address: try address("0000:18:00.0"), driver: "ixgben", driverVersion: "1.15.1.0",
                                                  firmwareVersion: "3.30 0x800014a5, 20.5.15", linkStatus: "Up")],
                       "firmware with a comma and spaces kept whole; the trailing blank of `Up ` dropped")
    }

    func testNicListAsXMLAndAsKeyValueAgree() throws {
        let xml = try ESXiListings.sriovNics(text("warlock-nic-list.xml"), file: "nic-list.xml")
        let keyValue = try ESXiListings.sriovNics(text("warlock-nic-list.keyvalue"), file: "nic-list.keyvalue")
        XCTAssertEqual(xml.warnings, [])
        XCTAssertEqual(xml.items.map(\.name), (0...7).map { "vmnic\($0)" })
        XCTAssertEqual(xml.items, keyValue.items, "the same host in two formatters")
        XCTAssertEqual(xml.items[6], ESXiSriovNic(name: "vmnic6", address: try address("0000:88:00.0"), driver: "i40en", link: "Up", adminStatus: "Up", speed: 25000,
                                                  duplex: "Full", mac: "40:a6:b7:35:6e:30", mtu: 9000, description: "Intel(R) Ethernet Controller XXV710 for 25GbE SFP28"))
        XCTAssertEqual(xml.items[2].speed, 0, "a link that is down reports speed 0, as printed")
    }

    func testVMProcessListInTextAndXML() throws {
        let text8 = try ESXiListings.vmProcesses(text("mfd-esxi8-vm-process-list.txt"), file: "vms.txt")
        XCTAssertEqual(text8.items, [
            ESXiVMProcess(displayName: "FR-9-Sophia", worldID: 2104268, cartelID: 2104267,
                          configFile: "/vmfs/volumes/60403711-c7bb0e92-7219-a4bf01645e6b/zoe/zoe.vmx", uuid: "56 4d 67 fa b9 f2 da 11-aa 79 47 50 07 db 8b 71"),
            ESXiVMProcess(displayName: "FR-cli7-monica", worldID: 2381189, cartelID: 2381188,
                          configFile: "/vmfs/volumes/60403711-c7bb0e92-7219-a4bf01645e6b/FR-cli7-monica/FR-cli7-monica.vmx", uuid: "56 4d 6e 28 c8 5b fe b1-76 37 43 c0 fc 09 36 e4"),
        ])
        let xml = try ESXiListings.vmProcesses(text("warlock-vm-process-list.xml"), file: "vms.xml")
        XCTAssertEqual(xml.items.map(\.displayName), ["vCLS-b4a3a15f-b274-44f1-8b47-b5de5d4093e1", "vSAN File Service Node (2)", "vf-test-hcpdj-9x89b",
                                                      "vf-test-np1-h5mtj-9cf8fdcf6xcfln5-k9jcm", "TCA-M3.0"])
        XCTAssertEqual(xml.items[1].worldID, 2103350)
        XCTAssertEqual(xml.items[1].cartelID, 2103347)
    }

    func testHardwarePCIList() throws {
        let pci = try ESXiListings.pciFunctions(text("vmware-communities-hardware-pci-list.txt"), file: "pci.txt")
        XCTAssertEqual(pci.warnings, [])
        XCTAssertEqual(pci.items, [
            ESXiPCIFunction(address: try address("0000:02:00.1"), vmkernelName: "vmnic5", vendorID: "8086", deviceID: "1528", subsystemVendorID: "103c",
                            subsystemDeviceID: "192d", vendorName: "Intel Corporation", deviceName: "Ethernet Controller 10 Gigabit X540-AT2",
                            classCode: "0200", programmingInterface: "00", revision: "01", currentOwner: "VMkernel", moduleName: "ixgbe"),
            ESXiPCIFunction(address: try address("0000:04:00.0"), vmkernelName: "vmhba2", vendorID: "1000", deviceID: "0087", subsystemVendorID: "1000",
                            subsystemDeviceID: "3020", vendorName: "LSI Logic / Symbios Logic", deviceName: "LSI2308_2",
                            classCode: "0107", programmingInterface: "00", revision: "05", currentOwner: "VM Passthru", moduleName: "pciPassthru"),
        ])
    }

    /// Derived from the real outputs: a truncated row, an address that is no address, the
    /// output of another command, broken XML. Each names the file and line; good rows stay.
    func testBadInputNamesFileAndLineAndKeepsTheRest() throws {
        let vfList = try text("mfd-esxi8-sriovnic-vf-list.txt")
        var lines = vfList.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[4] = "2      false"  // truncated mid-row
        lines[5] = "3      true    0000:03:00    2381189"  // an address without its function
        let damaged = try ESXiListings.vfs(lines.joined(separator: "\n"), file: "vf-list.txt")
        XCTAssertEqual(damaged.items.map(\.id), [0, 1, 4, 5, 6, 7])
        XCTAssertEqual(damaged.warnings.map(\.description), [
            "vf-list.txt:5: row has fewer values than the 4 columns (VF ID, Active, PCI Address, Owner World ID): 2      false; row skipped",
            "vf-list.txt:6: `esxcli network sriovnic vf list` entry PCI Address \"0000:03:00\" is neither the decimal (00000:027:00.1) nor the hex (0000:1b:00.1) form; entry skipped",
        ])

        XCTAssertThrowsError(try ESXiListings.vfs(text("mfd-esxi8-vm-process-list.txt"), file: "vms.txt")) { error in
            XCTAssertEqual((error as? ESXiInputError)?.description, "vms.txt:1: not the output of `esxcli network sriovnic vf list`: `esxcli network sriovnic vf list` entry has no VF ID; entry skipped")
        }
        let xml = try text("warlock-vm-process-list.xml")
        XCTAssertThrowsError(try ESXiListings.vmProcesses(String(xml.prefix(600)), file: "vms.xml")) { error in
            XCTAssertTrue((error as? ESXiInputError)?.description.hasPrefix("vms.xml:") == true, "\(error)")
            XCTAssertTrue("\(error)".contains("not well-formed esxcli XML"), "\(error)")
        }
        XCTAssertThrowsError(try ESXiListings.sriovNics("<domain><name>x</name></domain>", file: "nics.xml")) { error in
            XCTAssertEqual("\(error)", "nics.xml:1: not esxcli XML: the document is <domain>, not <output>")
        }
        XCTAssertEqual(try ESXiListings.vfs("\n\n", file: "empty.txt").items, [], "an empty output lists nothing")
    }
}
