import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// The only real VF-enabled sysfs from physical hardware we have: a Xeon L5640 with two Intel I350
/// PFs and four igbvf VFs each (ghw snapshots; partial copies of /sys without config files).
final class GhwSnapshotTests: XCTestCase {
    func testI350WithFourVFsPerPF() throws {
        let root = try FixtureBuilder.ghwCapture("xeon-L5640-i350-4vfs-per-pf__pr230-9058f61.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)

        XCTAssertEqual(snapshot.pciDevices.count, 82)
        XCTAssertEqual(snapshot.physicalFunctions.map(\.address.description), ["0000:05:00.0", "0000:05:00.1"])
        for (p, pf) in snapshot.physicalFunctions.enumerated() {
            XCTAssertEqual(pf.totalVFs, 7)
            XCTAssertEqual(pf.numVFs, 4)
            XCTAssertEqual(pf.vfOffset, 128)
            XCTAssertEqual(pf.vfStride, 4)
            XCTAssertEqual(pf.vfDeviceID, "1520")
            XCTAssertEqual(pf.driversAutoprobe, true)
            XCTAssertEqual(pf.vfTotalMSIX, 0)
            XCTAssertEqual(pf.source, "sysfs")
            XCTAssertEqual(pf.interfaces, ["enp5s0f\(p)"])
            // VF routing IDs = PF RID + 128 + 4·n, which must agree with the virtfn links.
            let expected = (0..<4).map { pf.address.withRoutingID(pf.address.routingID + 128 + 4 * $0)!.description }
            XCTAssertEqual(pf.virtualFunctions.map(\.address.description), expected)
            XCTAssertEqual(pf.virtualFunctions.map(\.index), [0, 1, 2, 3])
            XCTAssertEqual(pf.virtualFunctions.map(\.interfaces), (0..<4).map { ["enp5s0f\(p)v\($0)"] })
            XCTAssertTrue(pf.virtualFunctions.allSatisfy { $0.driver == "igbvf" && $0.physicalFunction == pf.address })
            let device = try XCTUnwrap(snapshot.device(pf.address))
            XCTAssertEqual(device.vendorName, "Intel Corporation")
            XCTAssertEqual(device.deviceName, "I350 Gigabit Network Connection")
            XCTAssertEqual(device.driver, "igb")
            XCTAssertEqual(device.configSpaceSize, 0, "ghw snapshots carry no config files")
            XCTAssertNil(device.sriovCapability)
        }
        XCTAssertEqual(snapshot.virtualFunctions.count, 8)
        XCTAssertEqual(snapshot.device(try XCTUnwrap(PCIAddress("0000:05:10.0")))?.deviceName, "I350 Ethernet Controller Virtual Function")
        XCTAssertNil(snapshot.iommu.enabled, "no iommu_groups in a ghw snapshot: unknown, not off")
        // What the snapshot lacks is said, by file.
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == .missing && $0.subject.hasSuffix("cmd/ip-d-j-link.json") })
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == .missing && $0.subject.hasSuffix("kernel/iommu_groups") })
        XCTAssertFalse(snapshot.warnings.contains { $0.kind == .inconsistent }, "\(snapshot.warnings)")
    }

    func testOlderCaptureWithoutNetdevs() throws {
        let root = try FixtureBuilder.ghwCapture("xeon-L5640-i350-4vfs-per-pf__main-3500903.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)
        XCTAssertEqual(snapshot.physicalFunctions.count, 2)
        XCTAssertEqual(snapshot.virtualFunctions.count, 8)
        XCTAssertNil(snapshot.physicalFunctions[0].vfTotalMSIX, "older kernel: no sriov_vf_total_msix")
        XCTAssertTrue(snapshot.virtualFunctions.allSatisfy(\.interfaces.isEmpty))
    }

    /// VFs present as devices but no sriov_* files and no physfn/virtfn links: the collector
    /// must not invent PFs or VF indexes.
    func testVFsWithoutSRIOVAttributesAreNotInvented() throws {
        let root = try FixtureBuilder.ghwCapture("xeon-L5640-i350-vfs-nosriovattrs__HEAD.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)
        XCTAssertEqual(snapshot.pciDevices.count, 82)
        XCTAssertTrue(snapshot.physicalFunctions.isEmpty)
        XCTAssertEqual(snapshot.pciDevices.filter { $0.driver == "igbvf" }.count, 8)
        XCTAssertTrue(snapshot.pciDevices.allSatisfy { $0.physicalFunction == nil })
    }

    func testRyzenWithoutVFs() throws {
        let root = try FixtureBuilder.ghwCapture("ryzen-1600-i350-novfs-classnet__HEAD.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)
        XCTAssertEqual(snapshot.pciDevices.count, 43)
        XCTAssertTrue(snapshot.virtualFunctions.isEmpty)
        XCTAssertEqual(snapshot.pciDevices.filter { $0.vendorDevice == "8086:1521" }.count, 2)
    }

    func testDeviceIOMMUGroupLinksWithoutGroupDirectories() throws {
        let root = try FixtureBuilder.ghwCapture("i7-1270P-iommu-group-links__HEAD.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let snapshot = try Collector().collectCapture(at: root)
        XCTAssertEqual(snapshot.pciDevices.count, 23)
        XCTAssertEqual(snapshot.pciDevices.filter { $0.iommuGroup != nil }.count, 23)
        XCTAssertTrue(snapshot.iommuGroups.isEmpty)
    }

    /// The same ghw snapshot given as it is (`sys/` and `proc/` at the top, as a copied file
    /// system tree holds them) reads the same devices; hostname and kernel come from the tree's
    /// own /proc and /etc when present, and their absence is said.
    func testACopiedFileSystemTreeIsReadAsItIs() throws {
        let tarball = "xeon-L5640-i350-4vfs-per-pf__pr230-9058f61.tar.gz"
        let wrapped = try FixtureBuilder.ghwCapture(tarball)
        defer { try? FileManager.default.removeItem(atPath: wrapped) }
        let tree = Fixtures.temporaryDirectory("ghw-tree")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        XCTAssertEqual(try shell("tar", ["-xzf", Fixtures.path("ghw/\(tarball)"), "-C", tree]).status, 0)
        XCTAssertEqual(CaptureLayout(root: tree).form, .fileSystemTree)
        XCTAssertEqual(CaptureLayout(root: wrapped).form, .capture)

        let asCapture = try Collector().collectCapture(at: wrapped)
        var asTree = try Collector().collectCapture(at: tree)
        XCTAssertEqual(asTree.pciDevices, asCapture.pciDevices)
        XCTAssertEqual(asTree.physicalFunctions, asCapture.physicalFunctions)
        XCTAssertEqual(asTree.host.hostname, (tree as NSString).lastPathComponent, "no hostname in the tree: the folder's name")
        XCTAssertNil(asTree.host.kernelRelease)
        XCTAssertTrue(asTree.warnings.contains { $0.kind == .missing && $0.subject == tree + "/proc/sys/kernel/osrelease" }, "\(asTree.warnings)")

        // The tree's /etc/hostname, then /proc's hostname and release, when the copy has them.
        try FileManager.default.createDirectory(atPath: tree + "/etc", withIntermediateDirectories: true)
        try "xeon-l5640\n".write(toFile: tree + "/etc/hostname", atomically: true, encoding: .utf8)
        asTree = try Collector().collectCapture(at: tree)
        XCTAssertEqual(asTree.host.hostname, "xeon-l5640")
        try FileManager.default.createDirectory(atPath: tree + "/proc/sys/kernel", withIntermediateDirectories: true)
        try "xeon-l5640.lab\n".write(toFile: tree + "/proc/sys/kernel/hostname", atomically: true, encoding: .utf8)
        try "5.14.0-70.el9.x86_64\n".write(toFile: tree + "/proc/sys/kernel/osrelease", atomically: true, encoding: .utf8)
        try "BOOT_IMAGE=/vmlinuz intel_iommu=on iommu=pt\n".write(toFile: tree + "/proc/cmdline", atomically: true, encoding: .utf8)
        asTree = try Collector().collectCapture(at: tree)
        XCTAssertEqual(asTree.host.hostname, "xeon-l5640.lab")
        XCTAssertEqual(asTree.host.kernelRelease, "5.14.0-70.el9.x86_64")
        XCTAssertEqual(asTree.iommu.commandLineOptions, ["intel_iommu=on", "iommu=pt"])
        XCTAssertFalse(asTree.warnings.contains { $0.subject.hasPrefix(tree + "/proc") }, "\(asTree.warnings)")

        // A folder with neither form is refused by name.
        XCTAssertThrowsError(try Collector().collectCapture(at: tree + "/etc")) { error in
            XCTAssertTrue("\(error)".contains("sysfs/sys") && "\(error)".contains("sys/"), "\(error)")
        }
    }
}
