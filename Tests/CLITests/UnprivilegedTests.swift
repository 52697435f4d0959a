import Foundation
import Inventory
import TestSupport
import XCTest

/// The collector as an unprivileged user: permission denied on a capture file, and live collection
/// with the 64-byte config space the kernel gives non-root readers.
final class UnprivilegedTests: XCTestCase {
    private let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    override func setUpWithError() throws {
        try XCTSkipUnless(isRoot && toolExists("/usr/bin/setpriv"), "SKIPPED: needs root and setpriv to switch to nobody")
    }

    func testPermissionDeniedIsAWarningNamingTheFile() throws {
        let root = try FixtureBuilder.withRealLinks(Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try shell("chmod", ["-R", "a+rX", root])
        let numvfs = root + "/sysfs/sys/devices/pci0000:00/0000:00:05.0/0000:04:00.0/sriov_numvfs"
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: numvfs)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: root + "/cmd/ethtool-i-eth1.txt")

        let snapshot = try CLI.snapshot(["--root", root], prefix: asNobody)
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == .unreadable && $0.subject == numvfs && $0.message == "Permission denied" },
                      "\(snapshot.warnings)")
        XCTAssertTrue(snapshot.warnings.contains { $0.kind == .unreadable && $0.subject.hasSuffix("cmd/ethtool-i-eth1.txt") })
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address.description == "0000:04:00.0" })
        XCTAssertNil(igb.numVFs)
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertEqual(igb.virtualFunctions.count, 3)
        XCTAssertEqual(snapshot.pciDevices.count, 20)
    }

    /// A consumer folder or file the user may not read is a warning naming it, not "no consumer".
    func testUnreadableConsumerSourcesAreWarnings() throws {
        let guest = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), to: ["0000:04:10.4"])
        let root = try ConsumerFixtures.host(["/etc/libvirt/qemu/QEMUGuest2.xml": guest,
                                              "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint": "{}",
                                              "/etc/nova/nova.conf": "[pci]\ndevice_spec = {\"devname\": \"eth1\"}\n"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try shell("chmod", ["-R", "a+rX", root])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root + "/files/etc/libvirt/qemu")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root + "/files/var/lib/kubelet/device-plugins")

        let snapshot = try CLI.snapshot(["--root", root], prefix: asNobody)
        let unreadable = snapshot.warnings.filter { $0.kind == .unreadable }.map { "\($0.subject): \($0.message)" }
        XCTAssertEqual(unreadable, ["/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint: Permission denied; its VF consumers are not known",
                                    "/etc/libvirt/qemu: Permission denied; its VF consumers are not known"])
        XCTAssertEqual(snapshot.consumers?.sources.map(\.path), ["/etc/nova/nova.conf"], "what can be read is read")
    }

    func testLiveCollectionWithoutPrivileges() throws {
        let root = try CLI.snapshot([])
        let nobody = try CLI.snapshot([], prefix: asNobody)
        XCTAssertEqual(nobody.pciDevices.map(\.address), root.pciDevices.map(\.address))
        XCTAssertEqual(nobody.pciDevices.map(\.vendorDevice), root.pciDevices.map(\.vendorDevice))
        XCTAssertEqual(nobody.interfaces.map(\.name), root.interfaces.map(\.name))
        XCTAssertEqual(nobody.interfaces.map(\.mac), root.interfaces.map(\.mac))
        // The kernel hands non-root readers the 64-byte header only: no capabilities, no guessing.
        XCTAssertTrue(nobody.pciDevices.allSatisfy { $0.configSpaceSize <= 64 }, "\(nobody.pciDevices.map(\.configSpaceSize))")
        XCTAssertTrue(nobody.pciDevices.allSatisfy { $0.sriovCapability == nil && $0.acsCapability == nil })
        XCTAssertEqual(nobody.pciDevices.map(\.subsystemDeviceID), root.pciDevices.map(\.subsystemDeviceID))
    }
}
