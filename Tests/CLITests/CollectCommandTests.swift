import Foundation
import Inventory
import TestSupport
import XCTest

final class CollectCommandTests: XCTestCase {
    func testHelpOnEveryCommand() throws {
        let commands = ["collect", "capture", "import", "hosts", "history", "show", "diff", "prune", "audit", "check-upgrade", "rules", "rules check"]
        for arguments in [["--help"]] + commands.map { $0.split(separator: " ").map(String.init) + ["--help"] } {
            let result = try CLI.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stdout.contains("USAGE: sriov-audit"), "\(arguments): \(result.stdout)")
        }
    }

    func testTableOnTheIgbCapture() throws {
        let result = try CLI.run(["collect", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after")])
        XCTAssertEqual(result.status, 0)
        let out = result.stdout
        XCTAssertTrue(out.contains("PF 0000:04:00.0  82576 Gigabit Network Connection [8086:10c9]  driver igb  fw 2.1.0  VFs 3/7  eth1"), out)
        XCTAssertTrue(out.contains("IOMMU enabled (18 groups; cmdline: intel_iommu=on iommu=pt)"), out)
        let vf1 = try XCTUnwrap(out.split(separator: "\n").first { $0.contains("0000:04:10.2") })
        XCTAssertEqual(vf1.split(separator: " ", omittingEmptySubsequences: true),
                       ["1", "0000:04:10.2", "igbvf", "ea:5c:c8:33:3b:64", "ea:5c:c8:33:3b:64", "200", "qos", "3", "off", "on", "auto", "-", "eth3", "16"])
    }

    func testJSONOfEveryCaptureValidatesAgainstTheSchema() throws {
        for stage in Fixtures.qemuStages {
            let result = try CLI.run(["collect", "--format", "json", "--root", stage.path])
            XCTAssertEqual(result.status, 0)
            try CLI.validate(result.stdoutData)
        }
        let ghw = try FixtureBuilder.ghwCapture("xeon-L5640-i350-4vfs-per-pf__pr230-9058f61.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: ghw) }
        try CLI.validate(try CLI.run(["collect", "--format", "json", "--root", ghw]).stdoutData)
        try CLI.validate(try CLI.run(["collect", "--format", "json"]).stdoutData)
    }

    func testInputErrorsExitTwoAndNameTheProblem() throws {
        let missing = try CLI.run(["collect", "--root", "/nonexistent/capture"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/capture is not a capture folder"), missing.stderr)
        let usage = try CLI.run(["collect", "--format", "xml"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("'xml' is invalid"), usage.stderr)
        let forbidden = try CLI.run(["capture", "/proc/sriov-audit-test"])
        XCTAssertEqual(forbidden.status, 2)
        XCTAssertTrue(forbidden.stderr.contains("lies under /sys or /proc"), forbidden.stderr)
    }

    func testOutputFileAndHostOverride() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try CLI.run(["collect", "--format", "json", "--host", "lab-7", "-o", dir + "/s.json",
                                  "--root", Fixtures.path("qemu/nvme-netdevsim/after")])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/s.json"))
        let snapshot = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: data)
        XCTAssertEqual(snapshot.host.hostname, "lab-7")
        XCTAssertEqual(snapshot.physicalFunctions.first?.virtualFunctions.count, 4)
    }

    /// `capture` of this machine, read back, gives the same PCI and interface inventory as live.
    func testCaptureOfThisHostReadsBackLikeLive() throws {
        let dir = Fixtures.temporaryDirectory() + "/capture"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let result = try CLI.run(["capture", dir])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("captured "))
        for file in ["cmd/uname.txt", "cmd/cmdline.txt", "cmd/hostname.txt", "cmd/rtnetlink-getlink.bin", "sysfs/sys/bus/pci/devices"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
        }
        let live = try CLI.snapshot([])
        let captured = try CLI.snapshot(["--root", dir])
        XCTAssertEqual(captured.pciDevices, live.pciDevices)
        XCTAssertEqual(captured.interfaces.map(\.name), live.interfaces.map(\.name))
        XCTAssertEqual(captured.interfaces.map(\.mac), live.interfaces.map(\.mac))
        XCTAssertEqual(captured.interfaces.map(\.driverInfo), live.interfaces.map(\.driverInfo))
        XCTAssertEqual(captured.physicalFunctions, live.physicalFunctions)
        XCTAssertEqual(captured.iommu.enabled, live.iommu.enabled)
        XCTAssertEqual(captured.host.kernelRelease, live.host.kernelRelease)
        XCTAssertEqual(captured.host.hostname, live.host.hostname)
        // The capture keeps config and resource files, so lspci can decode it as well.
        if toolExists("lspci") {
            let lspci = try shell("lspci", ["-A", "linux-sysfs", "-O", "sysfs.path=\(dir)/sysfs/sys/bus/pci", "-vvv"])
            XCTAssertEqual(lspci.status, 0, lspci.stderr)
            XCTAssertEqual(LspciOracle.blocks(lspci.stdout).count, live.pciDevices.count)
        }
        let second = try CLI.run(["capture", dir])
        XCTAssertEqual(second.status, 2, "an existing non-empty folder is refused")
    }
}
