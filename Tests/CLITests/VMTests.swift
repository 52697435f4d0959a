import Foundation
import Inventory
import TestSupport
import XCTest

/// sriov-audit inside a real kernel: Debian's kernel under QEMU with an SR-IOV igb NIC and an
/// SR-IOV NVMe controller (Tests/VM). The guest configures VFs over netlink, runs `collect` and
/// `capture`, and records `ip`, `ethtool` and `lspci` at the same moment; here both results are
/// checked against those tools.
///
/// Runs whenever QEMU and a kernel can be had (.ci/run installs them); otherwise it is skipped with
/// a loud SKIPPED line. SRIOV_AUDIT_SKIP_VM=1 skips it on purpose.
final class VMTests: XCTestCase {
    func testCollectorInsideARealKernelWithSRIOVDevices() throws {
        if ProcessInfo.processInfo.environment["SRIOV_AUDIT_SKIP_VM"] == "1" {
            print("SKIPPED: VM test: SRIOV_AUDIT_SKIP_VM=1")
            throw XCTSkip("SKIPPED: VM test: SRIOV_AUDIT_SKIP_VM=1")
        }
        let out = Fixtures.temporaryDirectory("vm")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try shell("bash", [Fixtures.packageRoot + "/Tests/VM/run.sh", CLI.binary, out])
        if run.status == 77 {
            print(run.stderr)
            throw XCTSkip(run.stderr.split(separator: "\n").last.map(String.init) ?? "SKIPPED: VM test")
        }
        XCTAssertEqual(run.status, 0, run.stderr)
        print(run.stderr.split(separator: "\n").last ?? "")
        XCTAssertEqual(Fixtures.read(out + "/collect.rc"), "0\n", Fixtures.read(out + "/collect.err") ?? "")
        XCTAssertEqual(Fixtures.read(out + "/capture.rc"), "0\n", Fixtures.read(out + "/capture.log") ?? "")

        // 1. `collect --format json` run live in the guest.
        let json = try Data(contentsOf: URL(fileURLWithPath: out + "/collect.json"))
        try CLI.validate(json)
        let live = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: json)
        try FidelityCheck.assertAgrees(live, tools: out + "/tools", capture: out + "/capture", name: "VM live")
        XCTAssertEqual(live.source.kind, .live)
        XCTAssertEqual(live.iommu.enabled, true)
        XCTAssertEqual(live.iommu.units, ["dmar0"])
        XCTAssertTrue(live.warnings.isEmpty, "\(live.warnings)")

        let igb = try XCTUnwrap(live.physicalFunctions.first { live.device($0.address)?.vendorDevice == "8086:10c9" })
        XCTAssertEqual(igb.numVFs, 3)
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertEqual(igb.driverInfo?.firmwareVersion, "2.1.0")
        XCTAssertEqual(igb.virtualFunctions.map(\.driver), ["igbvf", "igbvf", "vfio-pci"])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.mac }, ["02:00:00:00:10:01", "02:00:00:00:10:02", "02:00:00:00:10:03"])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.vlan }, [100, 200, 0])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.qos }, [0, 3, 0])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.spoofCheck }, [true, false, true])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.trust }, [false, true, false])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.maxTxRate }, [0, 0, 100])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.vlanProtocol }, ["802.1Q", "802.1Q", "802.1Q"])
        XCTAssertNil(igb.virtualFunctions[2].effectiveMAC)
        let nvme = try XCTUnwrap(live.physicalFunctions.first { live.device($0.address)?.vendorDevice == "1b36:0010" })
        XCTAssertEqual(nvme.virtualFunctions.map(\.driver), [nil, nil, "vfio-pci", "vfio-pci"])
        XCTAssertEqual(nvme.driversAutoprobe, false)
        XCTAssertEqual(Set(live.virtualFunctions.compactMap(\.iommuGroup)).count, 7, "every VF alone in its group")

        // 2. The guest's `capture`, read back here: the same inventory, from the raw netlink dump.
        var captured = try CLI.snapshot(["--root", out + "/capture"])
        try FidelityCheck.assertAgrees(captured, tools: out + "/tools", capture: out + "/capture", name: "VM capture")
        XCTAssertEqual(captured.pciDevices, live.pciDevices)
        XCTAssertEqual(captured.physicalFunctions, live.physicalFunctions)
        XCTAssertEqual(captured.interfaces, live.interfaces)
        XCTAssertEqual(captured.iommuGroups, live.iommuGroups)
        captured.source = live.source
        captured.collectedAt = live.collectedAt
        XCTAssertEqual(captured.iommu, live.iommu)

        // 3. `audit` run live in the guest with the default rules: exactly the problems the
        // scenario planted, and a PASS for everything else.
        XCTAssertEqual(Fixtures.read(out + "/audit.rc"), "0\n", "medium findings only: below --fail-on high; \(Fixtures.read(out + "/audit.err") ?? "")")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/audit.json"))) as? [String: Any])
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let problems = findings.filter { $0["status"] as? String != "pass" }
            .map { "\($0["rule"] ?? "") \($0["bdf"] ?? "-") \($0["message"] ?? "")" }.sorted()
        let nvmeVFs = nvme.virtualFunctions.map(\.address.description)
        XCTAssertEqual(problems, [
            "vf-driver-bound \(nvmeVFs[0]) VF 0 of \(nvme.address) has no driver",
            "vf-driver-bound \(nvmeVFs[1]) VF 1 of \(nvme.address) has no driver",
            "vf-security \(igb.virtualFunctions[1].address) \(igb.virtualFunctions[1].address): spoofchk off, trust on",
        ])
        let passed = Set(findings.filter { $0["status"] as? String == "pass" }.compactMap { $0["rule"] as? String })
        XCTAssertEqual(passed, ["iommu-enabled", "vf-isolation", "vf-capacity", "vf-mac-valid", "mac-unique-host", "mac-unique-l2",
                                "vlan-valid", "firmware-aligned"])
        print("VM test: \(Fixtures.read(out + "/timing.txt") ?? "")".trimmingCharacters(in: .newlines))
    }
}
