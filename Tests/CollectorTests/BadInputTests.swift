import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// Damaged variants of the real igb capture: each fault must become a warning that names the file
/// or device, and the rest of the inventory must still be collected.
final class BadInputTests: XCTestCase {
    private var root = ""
    private let pf = "sysfs/sys/devices/pci0000:00/0000:00:05.0/0000:04:00.0"

    override func setUpWithError() throws {
        root = try FixtureBuilder.withRealLinks(Fixtures.path("qemu/igb-nvme-netdevsim/after"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func collect() throws -> HostSnapshot {
        try Collector().collectCapture(at: root)
    }

    private func assertWarning(_ snapshot: HostSnapshot, _ kind: CollectionWarning.Kind, subjectSuffix: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == kind && $0.subject.hasSuffix(subjectSuffix) },
                      "no \(kind) warning for …\(subjectSuffix); got \(snapshot.warnings)", file: file, line: line)
    }

    /// The baseline the faults are measured against.
    private func assertRestIntact(_ snapshot: HostSnapshot, devices: Int = 20, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(snapshot.pciDevices.count, devices, file: file, line: line)
        XCTAssertEqual(snapshot.physicalFunctions.count, 2, file: file, line: line)
        XCTAssertEqual(snapshot.physicalFunctions.first { $0.address.description == "0000:01:00.0" }?.virtualFunctions.count, 4, file: file, line: line)
    }

    func testGarbageNumVFs() throws {
        try FixtureBuilder.write(root, pf + "/sriov_numvfs", "banana\n")
        let snapshot = try collect()
        assertWarning(snapshot, .malformed, subjectSuffix: "0000:04:00.0/sriov_numvfs")
        XCTAssertTrue(snapshot.warnings.contains { $0.message.contains("\"banana\"") })
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertNil(igb.numVFs, "a garbage value is unknown, never a plausible number")
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertEqual(igb.virtualFunctions.count, 3)
        assertRestIntact(snapshot)
    }

    func testEmptyVendorFileFallsBackToConfigSpace() throws {
        let vga = "sysfs/sys/devices/pci0000:00/0000:00:01.0"
        try FixtureBuilder.write(root, vga + "/vendor", "")
        let snapshot = try collect()
        assertWarning(snapshot, .malformed, subjectSuffix: "0000:00:01.0/vendor")
        XCTAssertEqual(snapshot.device(try XCTUnwrap(PCIAddress("0000:00:01.0")))?.vendorID, "1234")
        assertRestIntact(snapshot)
    }

    func testMissingClassFile() throws {
        try FixtureBuilder.remove(root, pf + "/class")
        let snapshot = try collect()
        assertWarning(snapshot, .missing, subjectSuffix: "0000:04:00.0/class")
        let device = try XCTUnwrap(snapshot.device(try XCTUnwrap(PCIAddress("0000:04:00.0"))))
        XCTAssertEqual(device.classCode, "020000", "class taken from config space")
        assertRestIntact(snapshot)
    }

    /// Without a config file the link comes from sysfs, where a garbage width must be reported.
    func testGarbageNumaNodeAndLinkWidth() throws {
        try FixtureBuilder.write(root, pf + "/numa_node", "seven\n")
        try FixtureBuilder.remove(root, pf + "/config")
        try FixtureBuilder.write(root, pf + "/current_link_width", "\u{1}\u{2}\n")
        let snapshot = try collect()
        assertWarning(snapshot, .malformed, subjectSuffix: "0000:04:00.0/numa_node")
        assertWarning(snapshot, .malformed, subjectSuffix: "0000:04:00.0/current_link_width")
        let device = try XCTUnwrap(snapshot.device(try XCTUnwrap(PCIAddress("0000:04:00.0"))))
        XCTAssertNil(device.numaNode)
        XCTAssertNil(device.link?.currentWidth)
        XCTAssertEqual(device.link?.currentSpeed, "2.5 GT/s PCIe")
        XCTAssertEqual(device.configSpaceSize, 0)
        XCTAssertNil(device.sriovCapability)
        XCTAssertEqual(snapshot.physicalFunctions.first { $0.address == device.address }?.totalVFs, 7, "sysfs still says")
        assertRestIntact(snapshot)
    }

    func testUnreadableAttribute() throws {
        // Root reads through permissions, so "unreadable" is made with a directory (EISDIR).
        try FileManager.default.removeItem(atPath: root + "/" + pf + "/sriov_totalvfs")
        try FileManager.default.createDirectory(atPath: root + "/" + pf + "/sriov_totalvfs", withIntermediateDirectories: false)
        let snapshot = try collect()
        assertWarning(snapshot, .unreadable, subjectSuffix: "0000:04:00.0/sriov_totalvfs")
        XCTAssertTrue(snapshot.warnings.contains { $0.message.contains("Is a directory") })
        XCTAssertNil(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" }?.totalVFs)
        assertRestIntact(snapshot)
    }

    /// A VF removed between the listing of bus/pci/devices and the reading of its directory.
    func testVFVanishingMidScan() throws {
        try FileManager.default.removeItem(atPath: root + "/sysfs/sys/devices/pci0000:00/0000:00:05.0/0000:04:10.2")
        let snapshot = try collect()
        assertWarning(snapshot, .vanished, subjectSuffix: "0000:04:10.2")
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertEqual(igb.virtualFunctions.map(\.address.description), ["0000:04:10.0", "0000:04:10.4"])
        XCTAssertEqual(igb.virtualFunctions.map(\.index), [0, 2])
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == .inconsistent && $0.message.contains("sriov_numvfs is 3 but 2 VFs") })
        assertRestIntact(snapshot, devices: 19)
    }

    func testDanglingVirtfnLinkAndStrayEntry() throws {
        try FixtureBuilder.link(root, pf + "/virtfn5", to: "garbage")
        try FixtureBuilder.write(root, "sysfs/sys/bus/pci/devices/not-a-device", "x")
        let snapshot = try collect()
        assertWarning(snapshot, .malformed, subjectSuffix: "0000:04:00.0/virtfn5")
        assertWarning(snapshot, .malformed, subjectSuffix: "bus/pci/devices/not-a-device")
        assertRestIntact(snapshot)
    }

    func testTruncatedIPLinkJSON() throws {
        let json = try XCTUnwrap(Fixtures.read(root + "/cmd/ip-d-j-link.json"))
        try FixtureBuilder.write(root, "cmd/ip-d-j-link.json", String(json.prefix(json.count / 2)))
        let snapshot = try collect()
        assertWarning(snapshot, .malformed, subjectSuffix: "cmd/ip-d-j-link.json")
        XCTAssertTrue(snapshot.interfaces.isEmpty)
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertEqual(igb.virtualFunctions.count, 3)
        XCTAssertTrue(igb.virtualFunctions.allSatisfy { $0.config == nil }, "no VF table: settings unknown, not defaulted")
        assertRestIntact(snapshot)
    }

    func testMissingAndGarbageEthtoolOutput() throws {
        try FixtureBuilder.remove(root, "cmd/ethtool-i-eth1.txt")
        try FixtureBuilder.write(root, "cmd/ethtool-i-eth0.txt", "something else entirely\n")
        let snapshot = try collect()
        assertWarning(snapshot, .missing, subjectSuffix: "cmd/ethtool-i-eth1.txt")
        assertWarning(snapshot, .malformed, subjectSuffix: "cmd/ethtool-i-eth0.txt")
        XCTAssertNil(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" }?.driverInfo)
        XCTAssertEqual(snapshot.interface(named: "eth2")?.driverInfo?.driver, "igbvf")
        assertRestIntact(snapshot)
    }

    func testMissingHostFiles() throws {
        try FixtureBuilder.remove(root, "cmd/uname.txt")
        try FixtureBuilder.write(root, "cmd/cmdline.txt", "")
        try FixtureBuilder.write(root, "cmd/hostname.txt", "rack7-node3\n")
        let snapshot = try collect()
        assertWarning(snapshot, .missing, subjectSuffix: "cmd/uname.txt")
        XCTAssertEqual(snapshot.host.hostname, "rack7-node3")
        XCTAssertNil(snapshot.host.kernelRelease)
        assertRestIntact(snapshot)
    }

    func testNotACaptureFolder() throws {
        XCTAssertThrowsError(try Collector().collectCapture(at: root + "/cmd")) { error in
            XCTAssertEqual(error as? Collector.Failure, .notACapture(root + "/cmd"))
            XCTAssertTrue("\(error)".contains("has no sysfs/sys (a capture) or sys/ (a copied file system tree) directory"), "\(error)")
        }
    }

    func testHostnameOverride() throws {
        let snapshot = try Collector(options: .init(hostname: "edge-12")).collectCapture(at: root)
        XCTAssertEqual(snapshot.host.hostname, "edge-12")
    }
}
