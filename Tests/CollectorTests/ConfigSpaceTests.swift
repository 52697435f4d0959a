import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// Config-space decoding against pciutils' own decoding of the same real dumps.
final class ConfigSpaceTests: XCTestCase {
    func testIntel82576DumpMatchesLspci() throws {
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: Fixtures.path("lspci-dumps/derived/cap-pcie-2/0000:01:00.0.config")))
        let space = ConfigSpace([UInt8](bytes))
        XCTAssertEqual(space.vendorID, 0x8086)
        XCTAssertEqual(space.deviceID, 0x10c9)
        let sriov = try XCTUnwrap(space.sriov)
        // lspci -F cap-pcie-2 -vvv: "[160 v1] Single Root I/O Virtualization (SR-IOV)"
        //   "Initial VFs: 8, Total VFs: 8, Number of VFs: 1, Function Dependency Link: 00"
        //   "VF offset: 384, stride: 2, Device ID: 10ca"
        XCTAssertEqual(sriov.offset, 0x160)
        XCTAssertEqual(sriov.initialVFs, 8)
        XCTAssertEqual(sriov.totalVFs, 8)
        XCTAssertEqual(sriov.numVFs, 1)
        XCTAssertEqual(sriov.functionDependencyLink, 0)
        XCTAssertEqual(sriov.firstVFOffset, 384)
        XCTAssertEqual(sriov.vfStride, 2)
        XCTAssertEqual(sriov.vfDeviceID, "10ca")
        try assertMatchesLspci(space, oracle: "lspci-dumps/derived/cap-pcie-2.lspci-3.9.0-vvvnn.txt")
    }

    func testThunderXDumpWith128VFsMatchesLspci() throws {
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: Fixtures.path("lspci-dumps/derived/cap-ea-1/0002:01:00.0.config")))
        let space = ConfigSpace([UInt8](bytes))
        let sriov = try XCTUnwrap(space.sriov)
        XCTAssertEqual(sriov.totalVFs, 128)
        XCTAssertEqual(sriov.numVFs, 128)
        XCTAssertEqual(sriov.firstVFOffset, 1)
        XCTAssertEqual(sriov.vfStride, 1)
        XCTAssertEqual(sriov.vfDeviceID, "a034")
        XCTAssertTrue(sriov.ariCapableHierarchy)
        XCTAssertTrue(sriov.vfEnable)
        try assertMatchesLspci(space, oracle: "lspci-dumps/derived/cap-ea-1.lspci-3.9.0-vvvnn.txt")
    }

    /// Every pciutils test dump: SR-IOV, ACS and link fields agree with the lspci text stored beside
    /// the hex in the same file.
    func testEveryPciutilsDumpAgreesWithItsLspciText() throws {
        let directory = Fixtures.path("lspci-dumps/pciutils-tests")
        var checkedSRIOV = 0, checkedACS = 0, checkedLinks = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let text = try XCTUnwrap(Fixtures.read(directory + "/" + file))
            for (address, block) in LspciOracle.blocks(text) where block.config.count >= 64 {
                let space = ConfigSpace(block.config)
                let context = "\(file) \(address)"
                if block.config.count >= 4096, block.line("Single Root I/O Virtualization") != nil {
                    let sriov = try XCTUnwrap(space.sriov, context)
                    XCTAssertEqual(String(sriov.totalVFs), block.value(after: "Total VFs:"), context)
                    XCTAssertEqual(String(sriov.numVFs), block.value(after: "Number of VFs:"), context)
                    XCTAssertEqual(String(sriov.firstVFOffset), block.value(after: "VF offset:"), context)
                    XCTAssertEqual(sriov.vfDeviceID, block.value(after: "Device ID:"), context)
                    checkedSRIOV += 1
                } else if block.config.count >= 4096 {
                    XCTAssertNil(space.sriov, context)
                }
                if block.config.count >= 4096, let cap = block.line("ACSCap:"), let ctl = block.line("ACSCtl:") {
                    let acs = try XCTUnwrap(space.acs, context)
                    XCTAssertEqual(acsText(acs.capability), cap.replacingOccurrences(of: "ACSCap:", with: "").trimmingCharacters(in: .whitespaces), context)
                    XCTAssertEqual(acsText(acs.control), ctl.replacingOccurrences(of: "ACSCtl:", with: "").trimmingCharacters(in: .whitespaces), context)
                    checkedACS += 1
                }
                if block.line("LnkSta:") != nil, space.link == nil {
                    // Root-complex integrated endpoints have no link; lspci prints "Speed unknown, Width x0".
                    XCTAssertEqual(space.pcieType, "Root Complex Integrated Endpoint", context)
                    XCTAssertEqual(block.value(after: "LnkSta:\tSpeed "), "unknown", context)
                }
                if let status = block.line("LnkSta:"), let link = space.link {
                    // lspci: "LnkSta:	Speed 2.5GT/s, Width x1" (it adds "(downgraded)" and more after).
                    if let speedRange = status.range(of: "Speed [0-9.]+GT/s", options: .regularExpression) {
                        let lspciSpeed = Double(status[speedRange].dropFirst(6).dropLast(4))
                        let ourSpeed = link.currentSpeed.flatMap { Double($0.split(separator: " ")[0]) }
                        XCTAssertEqual(ourSpeed, lspciSpeed, context)
                    } else {
                        XCTAssertEqual(link.currentSpeed, "Unknown", context)
                    }
                    let width = status.components(separatedBy: "Width x").dropFirst().first?.prefix { $0.isNumber }
                    if let width, !width.isEmpty { XCTAssertEqual(link.currentWidth.map(String.init), String(width), context) }
                    checkedLinks += 1
                }
            }
        }
        XCTAssertEqual(checkedSRIOV, 5, "SR-IOV capabilities compared")
        XCTAssertEqual(checkedACS, 9, "ACS capabilities compared")
        XCTAssertEqual(checkedLinks, 34, "PCIe links compared")
    }

    func testTruncatedAndLoopingSpacesYieldNoCapabilities() {
        // 64 bytes, as an unprivileged reader gets: the capability list is out of reach.
        var header = [UInt8](repeating: 0, count: 64)
        header[0] = 0x86; header[1] = 0x80; header[6] = 0x10; header[0x34] = 0x40
        XCTAssertNil(ConfigSpace(header).link)
        XCTAssertNil(ConfigSpace(header).sriov)
        // A capability list that points at itself must end, not spin.
        var looping = [UInt8](repeating: 0, count: 4096)
        looping[6] = 0x10; looping[0x34] = 0x40; looping[0x40] = 0x05; looping[0x41] = 0x40
        looping[0x100] = 0x01; looping[0x102] = 0x01; looping[0x103] = 0x10  // extended cap 1 → next 0x100
        XCTAssertNil(ConfigSpace(looping).capability(0x10))
        XCTAssertNil(ConfigSpace(looping).extendedCapability(0x10))
    }

    private func assertMatchesLspci(_ space: ConfigSpace, oracle: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try XCTUnwrap(Fixtures.read(Fixtures.path(oracle)))
        let sriov = try XCTUnwrap(space.sriov)
        XCTAssertTrue(text.contains("Total VFs: \(sriov.totalVFs), Number of VFs: \(sriov.numVFs)"), file: file, line: line)
        XCTAssertTrue(text.contains("VF offset: \(sriov.firstVFOffset), stride: \(sriov.vfStride), Device ID: \(sriov.vfDeviceID)"), file: file, line: line)
        XCTAssertTrue(text.contains("[\(String(sriov.offset, radix: 16)) v1] Single Root I/O Virtualization"), file: file, line: line)
    }

    private func acsText(_ f: ACSFlags) -> String {
        let pm = { (b: Bool) in b ? "+" : "-" }
        return "SrcValid\(pm(f.sourceValidation)) TransBlk\(pm(f.translationBlocking)) ReqRedir\(pm(f.requestRedirect)) CmpltRedir\(pm(f.completionRedirect)) UpstreamFwd\(pm(f.upstreamForwarding)) EgressCtrl\(pm(f.egressControl)) DirectTrans\(pm(f.directTranslatedP2P))"
    }
}
