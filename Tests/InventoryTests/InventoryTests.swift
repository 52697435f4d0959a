import Foundation
import Inventory
import XCTest

final class PCIAddressTests: XCTestCase {
    func testParsesAndPrintsTheSysfsForm() throws {
        let address = try XCTUnwrap(PCIAddress("0000:3b:00.1"))
        XCTAssertEqual(address.bus, 0x3b)
        XCTAssertEqual(address.function, 1)
        XCTAssertEqual(address.description, "0000:3b:00.1")
        XCTAssertEqual(PCIAddress("04:10.2")?.description, "0000:04:10.2")
        XCTAssertEqual(PCIAddress("10000:00:00.0")?.domain, 0x10000, "VMD domains exceed 16 bits")
        XCTAssertEqual(PCIAddress("FFFF:AB:1F.7"), PCIAddress(domain: 0xffff, bus: 0xab, device: 0x1f, function: 7))
        XCTAssertEqual(Array("0000:3b:00.1".utf8).withUnsafeBufferPointer { PCIAddress(utf8: $0) }, address, "the byte form reads the same")
    }

    /// The description is written byte by byte; it must print every address as the four-part
    /// formula does (and round-trip through the parser), VMD's wide domains included.
    func testDescriptionOfEveryShapeOfAddress() {
        for domain in [UInt32(0), 1, 0xa, 0xffff, 0x10000, 0x1_2345] {
            for bus in [UInt8(0), 0x0f, 0x3b, 0xff] {
                for device in UInt8(0)...31 {
                    for function in UInt8(0)...7 {
                        let address = PCIAddress(domain: domain, bus: bus, device: device, function: function)
                        let expected = hex(Int(domain), width: 4) + ":" + hex(Int(bus), width: 2) + ":" + hex(Int(device), width: 2) + "." + String(function)
                        XCTAssertEqual(address.description, expected)
                        XCTAssertEqual(PCIAddress(address.description), address)
                    }
                }
            }
        }
    }

    func testRejectsMalformedAddresses() {
        for bad in ["", "0000:04:10", "0000:04:20.0", "0000:04:10.8", "zz:00.0", "0000:004:00.0", "0000:04:00.0 ", "../0000:04:00.0",
                    "0000:04:00.0.1", ":04:00.0", "0000:04:00.", "0000:04.00:0", "000:04:00.0", "0000:04:00:0", "123456789:04:00.0",
                    "0000:04:00.00", "4:00.0", "0000.04:00.0"] {
            XCTAssertNil(PCIAddress(bad), bad)
        }
    }

    func testRoutingIDArithmetic() throws {
        let pf = try XCTUnwrap(PCIAddress("0000:05:00.0"))
        // I350: VF n at PF RID + 128 + 4n (05:10.0, 05:10.4, 05:11.0, ...).
        XCTAssertEqual(pf.withRoutingID(pf.routingID + 128)?.description, "0000:05:10.0")
        XCTAssertEqual(pf.withRoutingID(pf.routingID + 128 + 12)?.description, "0000:05:11.4")
        XCTAssertNil(pf.withRoutingID(0x10000))
    }

    func testOrderingIsNumeric() throws {
        let list = ["0000:0a:00.0", "0000:04:10.2", "0000:04:10.0", "0001:00:00.0"].compactMap { PCIAddress($0) }
        XCTAssertEqual(list.sorted().map(\.description), ["0000:04:10.0", "0000:04:10.2", "0000:0a:00.0", "0001:00:00.0"])
    }
}

final class SnapshotCodingTests: XCTestCase {
    func testRoundTripKeepsEveryField() throws {
        let pf = try XCTUnwrap(PCIAddress("0000:04:00.0"))
        let vf = try XCTUnwrap(PCIAddress("0000:04:10.0"))
        let snapshot = HostSnapshot(
            toolVersion: "0.1.0", collectedAt: Date(timeIntervalSince1970: 1_795_000_000),
            source: SnapshotSource(kind: .capture, path: "/tmp/x"),
            host: HostInfo(hostname: "node-1", kernelRelease: "6.1.0", kernelCommandLine: "intel_iommu=on "),
            iommu: IOMMUState(enabled: nil, units: nil, groupCount: 0, commandLineOptions: ["intel_iommu=on"]),
            iommuGroups: [IOMMUGroup(id: 10, type: "identity", members: [pf])],
            pciDevices: [PCIDevice(address: pf, vendorID: "8086", deviceID: "10c9", classCode: "020000",
                                   acsCapability: ACSCapability(offset: 0x148, capability: ACSFlags(rawValue: 0x5f), control: ACSFlags(rawValue: 0x1d)))],
            interfaces: [NetworkInterface(name: "eth1", ifindex: 3, mac: "52:54:00:12:34:57", driverInfo:
                DriverInfo(driver: "igb", version: "6.1.0", firmwareVersion: "2.1.0", expansionROMVersion: "", busInfo: "0000:04:00.0"))],
            physicalFunctions: [PhysicalFunction(address: pf, totalVFs: 7, numVFs: 1, virtualFunctions: [
                VirtualFunction(index: 0, address: vf, physicalFunction: pf, driver: nil,
                                config: VFConfig(index: 0, mac: "02:00:00:00:10:01", vlan: 100, spoofCheck: true, trust: nil)),
            ])],
            warnings: [CollectionWarning(.vanished, subject: "0000:04:10.2", message: "gone")]
        )
        let data = try HostSnapshot.makeEncoder().encode(snapshot)
        let decoded = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: data)
        XCTAssertEqual(decoded, snapshot)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"address\" : \"0000:04:00.0\""))
        XCTAssertTrue(text.contains("\"collectedAt\" : \"2026-11-18T"))
        XCTAssertFalse(text.contains("\"trust\""), "an unreported setting is absent, never false")
        XCTAssertEqual(snapshot.pciDevices[0].acsCapability?.isolates, true)
        XCTAssertEqual(snapshot.virtualFunctions.count, 1)
    }

    func testACSIsolationFollowsTheKernelsRule() {
        // Capability SV RR CR UF present, control missing RR: not isolating.
        XCTAssertFalse(ACSCapability(offset: 0, capability: ACSFlags(rawValue: 0x1d), control: ACSFlags(rawValue: 0x19)).isolates)
        // A bit the port does not implement counts as satisfied (pci_acs_flags_enabled).
        XCTAssertTrue(ACSCapability(offset: 0, capability: ACSFlags(rawValue: 0x19), control: ACSFlags(rawValue: 0x19)).isolates)
    }

    func testRejectsABadAddressInJSON() {
        let json = #"{"index":0,"address":"nonsense","physicalFunction":"0000:04:00.0","interfaces":[]}"#
        XCTAssertThrowsError(try JSONDecoder().decode(VirtualFunction.self, from: Data(json.utf8))) { error in
            XCTAssertTrue("\(error)".contains("not a PCI address: nonsense"))
        }
    }

    /// "Did you mean": typos within a third of the word (a swapped pair is one edit) find their
    /// name; other words find none.
    func testSuggestionFindsTyposOnly() {
        let checks = ["mac-unique", "mac-valid", "vlan-conflict", "vf-capacity", "firmware-aligned"]
        XCTAssertEqual(Suggestion.closest(to: "mac-uniqe", among: checks), "mac-unique")
        XCTAssertEqual(Suggestion.closest(to: "mac-uinque", among: checks), "mac-unique", "a swapped pair is one edit")
        XCTAssertEqual(Suggestion.closest(to: "MAC-Unique", among: checks), "mac-unique", "case does not count")
        XCTAssertEqual(Suggestion.closest(to: "firmware-align", among: checks), "firmware-aligned")
        XCTAssertNil(Suggestion.closest(to: "mac", among: checks), "too far from every name")
        XCTAssertNil(Suggestion.closest(to: "frobnicate", among: checks))
        XCTAssertNil(Suggestion.closest(to: "", among: checks))
        XCTAssertEqual(Suggestion.closest(to: "ab", among: ["ba", "ax"]), "ba", "two letters: one edit allowed, ties to the first")
        XCTAssertEqual(Suggestion.phrase(for: "vf-capcity", among: checks), " (did you mean `vf-capacity`?)")
        XCTAssertEqual(Suggestion.phrase(for: "zzz", among: checks), "")
    }
}
