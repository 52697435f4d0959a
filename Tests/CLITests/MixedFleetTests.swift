import Foundation
import Inventory
import TestSupport
import XCTest

/// One audit over Linux and ESXi hosts: the QEMU capture's igb PF and an ESXi host with the same
/// board model (a variant derived from real `esxcli` outputs: the Cisco guide's PF and VFs, the
/// VMware Communities `hardware pci list` entry given the capture's IDs, Intel's igbn `nic get`
/// moved to the PF's bus, and the uplink given the capture's PF MAC). Firmware alignment and MAC
/// uniqueness cross the platforms; what ESXi does not show is reported as not judged; every
/// report names each host's platform.
final class MixedFleetTests: XCTestCase {
    private var cleanup: [String] = []

    override func tearDown() {
        for path in cleanup { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The derived ESXi host that shares the capture's 82576 model (8086:10c9, 1af4:1100) and its PF MAC.
    private func esxiHost() throws -> String {
        let folder = try FixtureBuilder.esxiHost("esx-7", [
            "sriovnic-list.txt": .init("cisco-vic-sriovnic-list.txt", replacing: [("f4:ee:31:30:80:40", "52:54:00:12:34:57")]),
            "sriovnic-vf-list-vmnic0.txt": .init("cisco-vic-sriovnic-vf-list-vmnic0.txt"),
            "nic-get-vmnic0.txt": .init("mfd-igbn-nic-get.txt", replacing: [("Bus Info: 0000:04:00:0", "Bus Info: 0000:1b:00:0")]),
            "hardware-pci-list.txt": .init("vmware-communities-hardware-pci-list.txt", replacing: [
                ("0000:02:00.1", "0000:1b:00.0"), ("VMkernel Name: vmnic5", "VMkernel Name: vmnic0"),
                ("Device ID: 0x1528", "Device ID: 0x10c9"), ("SubVendor ID: 0x103c", "SubVendor ID: 0x1af4"),
                ("SubDevice ID: 0x192d", "SubDevice ID: 0x1100"), ("Device Name: Ethernet Controller 10 Gigabit X540-AT2", "Device Name: 82576 Gigabit Network Connection"),
                ("Module Name: ixgbe", "Module Name: igbn"),
            ]),
        ])
        cleanup.append(folder)
        return folder
    }

    func testOneAuditJudgesAcrossPlatformsAndSaysWhatItCouldNotJudge() throws {
        let work = Fixtures.temporaryDirectory("mixed-fleet")
        cleanup.append(work)
        let db = work + "/inventory.db"
        let linux = try CLI.run(["collect", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--host", "kvm-1",
                                 "--db", db, "--label", "l2-domain=dc1", "--format", "json"])
        XCTAssertEqual(linux.status, 0, linux.stderr)

        // A name that cannot be a host's is refused before anything is written.
        let badName = try CLI.run(["import-esxi", try esxiHost(), "--hostname", "esx/7", "--db", db])
        XCTAssertEqual(badName.status, 2)
        XCTAssertEqual(badName.stdout, "")
        XCTAssertTrue(badName.stderr.contains("hostname \"esx/7\" is not a host name (path characters)"), badName.stderr)

        let esxi = try CLI.run(["import-esxi", try esxiHost(), "--db", db, "--label", "l2-domain=dc1", "--format", "json"])
        XCTAssertEqual(esxi.status, 0, esxi.stderr)
        try CLI.validate(esxi.stdoutData)
        let snapshot = try HostSnapshot(jsonBytes: Array(esxi.stdoutData))
        XCTAssertEqual(snapshot.source.kind, .esxi)
        XCTAssertEqual(snapshot.device(try XCTUnwrap(PCIAddress("0000:1b:00.0")))?.modelKey, "8086:10c9:1af4:1100")
        XCTAssertEqual(snapshot.physicalFunctions.first?.reportedFirmware, "1.48.0:0x800006e7")

        // Stored like any snapshot: listed and shown again from the database with its platform.
        let listed = try CLI.run(["hosts", "--db", db])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let hostRows = listed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(hostRows.first?.prefix(2), ["HOST", "PLATFORM"])
        XCTAssertEqual(hostRows.filter { $0.first == "esx-7" || $0.first == "kvm-1" }.map { $0.prefix(2) }, [["esx-7", "esxi"], ["kvm-1", "linux"]])
        let shown = try CLI.run(["show", "esx-7", "--db", db])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("(VMware ESXi listings "), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("PF 0000:1b:00.0  82576 Gigabit Network Connection [8086:10c9]  driver igbn  fw 1.48.0:0x800006e7  VFs 8/?  vmnic0  (from esxcli)"), shown.stdout)

        let out = work + "/reports"
        let audit = try CLI.run(["audit", "--db", db, "--format", "table,json,html,markdown,junit,prometheus,sarif", "--out", out])
        XCTAssertEqual(audit.status, 1, audit.stdout + audit.stderr)
        let reportData = try Data(contentsOf: URL(fileURLWithPath: out + "/latest.json"))
        try CLI.validate(reportData, schema: CLI.reportSchema)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: reportData) as? [String: Any])
        let hosts = try XCTUnwrap(report["hosts"] as? [[String: Any]])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: hosts.map { ($0["name"] as? String ?? "", $0["platform"] as? String ?? "") }),
                       ["kvm-1": "linux", "esx-7": "esxi"])
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        func find(_ rule: String, _ host: String) -> [[String: Any]] {
            findings.filter { $0["rule"] as? String == rule && $0["host"] as? String == host }
        }

        // Firmware alignment across platforms: one model, two firmware strings.
        let firmware = find("firmware-aligned", "esx-7") + find("firmware-aligned", "kvm-1")
        let misaligned = firmware.filter { $0["status"] as? String == "fail" }
        XCTAssertFalse(misaligned.isEmpty, "\(firmware)")
        let firmwareText = misaligned.map { $0["message"] as? String ?? "" }.joined(separator: "\n")
        XCTAssertTrue(firmwareText.contains("1.48.0:0x800006e7") && firmwareText.contains("2.1.0"), firmwareText)

        // One MAC on a Linux PF and an ESXi uplink of the same L2 domain.
        let macs = (find("mac-unique-l2", "esx-7") + find("mac-unique-l2", "kvm-1")).filter { $0["status"] as? String == "fail" }
        let macText = macs.map { $0["message"] as? String ?? "" }.joined(separator: "\n")
        XCTAssertTrue(macText.contains("52:54:00:12:34:57") && macText.contains("esx-7") && macText.contains("kvm-1"), macText)

        // What ESXi does not show: one WARN per check, never a PASS or a FAIL.
        for rule in ["iommu-enabled", "vf-isolation", "vf-driver-bound", "vf-mac-valid", "vlan-valid", "vf-security"] {
            let esx = find(rule, "esx-7")
            XCTAssertEqual(esx.map { $0["status"] as? String }, ["warn"], rule)
            XCTAssertEqual((esx.first?["evidence"] as? [String: String])?["judged"], "no", rule)
            XCTAssertEqual((esx.first?["evidence"] as? [String: String])?["platform"], "esxi", rule)
            XCTAssertFalse(find(rule, "kvm-1").contains { ($0["evidence"] as? [String: String])?["platform"] != nil }, "Linux hosts are judged: \(rule)")
        }
        XCTAssertEqual(find("iommu-enabled", "kvm-1").map { $0["status"] as? String }, ["pass"])
        let partial = find("mac-unique-host", "esx-7")
        XCTAssertEqual((partial.first?["evidence"] as? [String: String])?["judged"], "partly")

        // Every format names the platform.
        let text = try String(contentsOfFile: out + "/latest.txt", encoding: .utf8)
        XCTAssertTrue(text.contains("esx-7  (VMware ESXi)\n"), text)
        let html = try String(contentsOfFile: out + "/latest.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<td>esx-7</td><td>VMware ESXi</td>"), html)
        XCTAssertTrue(html.contains("<td>kvm-1</td><td>Linux</td>"), html)
        let markdown = try String(contentsOfFile: out + "/latest.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("| esx-7 | VMware ESXi |"), markdown)
        let junit = try String(contentsOfFile: out + "/latest.junit.xml", encoding: .utf8)
        XCTAssertTrue(junit.contains("<property name=\"platform\" value=\"esxi\"/>"), junit)
        let sarif = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/latest.sarif"))) as? [String: Any])
        let results = (((sarif["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]]) ?? []
        let byHost = Dictionary(grouping: results) { (($0["properties"] as? [String: String])?["host"]) ?? "" }
        XCTAssertEqual(Set(byHost["esx-7"]?.map { ($0["properties"] as? [String: String])?["platform"] } ?? []), ["esxi"])
        XCTAssertEqual(Set(byHost["kvm-1"]?.map { ($0["properties"] as? [String: String])?["platform"] } ?? []), [nil])
        let prom = try String(contentsOfFile: out + "/latest.prom", encoding: .utf8)
        XCTAssertTrue(prom.contains("sriov_audit_host_info{host=\"esx-7\",platform=\"esxi\"} 1"), prom)
        XCTAssertTrue(prom.contains("sriov_audit_host_info{host=\"kvm-1\",platform=\"linux\"} 1"), prom)

        // A known gap is accepted per platform, not per host name: waived on ESXi hosts only.
        let waivers = work + "/waivers.yaml"
        try """
            version: 1
            waivers:
              - id: esxi-iommu
                rule: [iommu-enabled, vf-isolation]
                platform: esxi
                reason: ESXi does not show VT-d state; checked in the BIOS baseline instead.
                owner: virt-team
                ticket: RISK-7
                expires: 2026-12-31

            """.write(toFile: waivers, atomically: true, encoding: .utf8)
        let waived = try CLI.run(["audit", "--db", db, "--waivers", waivers, "--as-of", "2026-12-01", "--format", "json"])
        let waivedReport = try XCTUnwrap(JSONSerialization.jsonObject(with: waived.stdoutData) as? [String: Any])
        let waivedFindings = try XCTUnwrap(waivedReport["findings"] as? [[String: Any]])
        let accepted = waivedFindings.filter { ($0["waiver"] as? [String: Any])?["id"] as? String == "esxi-iommu" }
        XCTAssertEqual(Set(accepted.map { "\($0["host"] ?? "") \($0["rule"] ?? "")" }), ["esx-7 iommu-enabled", "esx-7 vf-isolation"])

        try String(contentsOfFile: waivers, encoding: .utf8).replacingOccurrences(of: "platform: esxi", with: "platform: vmware")
            .write(toFile: waivers, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["rules", "check", Fixtures.packageRoot + "/rules/default.yaml", "--waivers", waivers])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("waivers.yaml:5:15: `platform` is one of linux, esxi, not `vmware`"), bad.stderr)
    }
}
