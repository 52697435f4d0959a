import Collector
import Foundation
import Inventory
import Report
import Rules
import TestSupport
import XCTest

final class AuditCommandTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        dir = Fixtures.temporaryDirectory("audit")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testAuditACaptureWithTheDefaultRules() throws {
        let r = try CLI.run(["audit", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after")])
        XCTAssertEqual(r.status, 0, "the capture's findings are medium: below the default --fail-on high\n\(r.stdout)")
        XCTAssertTrue(r.stdout.contains("iommu-enabled           PASS  IOMMU is enabled"), r.stdout)
        XCTAssertTrue(r.stdout.contains("vf-security             FAIL  [medium] 0000:04:10.2: spoofchk off, trust on"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Summary: 1 host(s), 9 pass, 0 warn, 4 fail — OK"), r.stdout)
        let strict = try CLI.run(["audit", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--fail-on", "medium"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stdout.contains("NOT OK: 4 finding(s) at or above medium"), strict.stdout)
    }

    /// PFs whose VF table `ip -d -j link` cut (netdevsim PFs of 256, 335 and 512 VFs, recorded
    /// in a real kernel): each check that reads VF settings says, per PF, that it cannot judge
    /// the VFs it did not see, and none of them passes the host; the entries it has are still
    /// judged. From the whole capture (the raw dump) the same checks judge every VF.
    func testChecksDoNotJudgeAPartialVFTable() throws {
        let capture = Fixtures.path("qemu/netdevsim-large/capture")
        let cut = try FixtureBuilder.ipLinkOnly(capture)
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let r = try CLI.run(["audit", "--root", cut, "--no-store", "--format", "json", "--out", "-"])
        try CLI.validate(r.stdoutData, schema: CLI.reportSchema)
        let findings = try XCTUnwrap((JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])?["findings"] as? [[String: Any]])
        for rule in ["vf-mac-valid", "vlan-valid", "vf-security", "mac-unique-host", "mac-unique-l2"] {
            let mine = findings.filter { $0["rule"] as? String == rule }
            let unjudged = mine.compactMap { $0["message"] as? String }.filter { $0.hasPrefix("cannot judge") }.sorted()
            XCTAssertEqual(unjudged, [
                "cannot judge 222 of the 256 VFs of PF eth4: its VF table holds only 34 entries (sriov_numvfs 256)",
                "cannot judge 222 of the 335 VFs of PF eth5: its VF table holds only 113 entries (sriov_numvfs 335)",
                "cannot judge 443 of the 512 VFs of PF eth6: its VF table holds only 69 entries (sriov_numvfs 512)",
            ], rule)
            XCTAssertFalse(mine.contains { $0["status"] as? String == "pass" }, "\(rule) passed a partial list")
        }
        let partial = try XCTUnwrap(findings.first { $0["rule"] as? String == "vf-security" && ($0["message"] as? String ?? "").hasPrefix("cannot judge") })
        XCTAssertEqual(partial["status"] as? String, "fail")
        XCTAssertEqual(partial["evidence"] as? [String: String], ["received": "34", "expected": "256", "expectedSource": "sriov_numvfs", "interface": "eth4"])
        // What ip did print is judged: VF 0 of eth4 has spoofchk on, trust off; the unconfigured ones not.
        XCTAssertTrue(findings.contains { $0["rule"] as? String == "vf-security" && $0["message"] as? String == "eth4 VF 1: spoofchk off" })
        XCTAssertFalse(findings.contains { $0["message"] as? String == "eth4 VF 0: spoofchk off" })

        let whole = try CLI.run(["audit", "--root", capture, "--no-store", "--format", "json", "--out", "-"])
        XCTAssertFalse(whole.stdout.contains("cannot judge"))
        XCTAssertTrue(whole.stdout.contains("eth6 VF 511: spoofchk off, trust on"))
    }

    func testJSONFindingsCarryEveryField() throws {
        let r = try CLI.run(["audit", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--format", "json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
        let vf = try XCTUnwrap(findings.first { $0["bdf"] as? String == "0000:04:10.2" })
        XCTAssertEqual(vf["rule"] as? String, "vf-security")
        XCTAssertEqual(vf["check"] as? String, "vf-security")
        XCTAssertEqual(vf["severity"] as? String, "medium")
        XCTAssertEqual(vf["status"] as? String, "fail")
        XCTAssertEqual(vf["host"] as? String, "igb-nvme-netdevsim")
        XCTAssertEqual((vf["evidence"] as? [String: String])?["trust"], "on")
        let hosts = try XCTUnwrap(object["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.map { $0["name"] as? String }, ["igb-nvme-netdevsim"])
        XCTAssertEqual(hosts.first?["fail"] as? Int, 4)
        try CLI.validate(r.stdoutData, schema: CLI.reportSchema)
    }

    func testFleetAuditFromTheDatabaseWithSelection() throws {
        let db = dir + "/db"
        for (host, domain) in [("a1", "blue"), ("a2", "blue"), ("b1", "red")] {
            let r = try CLI.run(["collect", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--host", host, "--db", db, "--label", "l2-domain=\(domain)"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        // Three copies of one host: every MAC is duplicated within each L2 domain that has two hosts.
        let r = try CLI.run(["audit", "--db", db, "--select", "l2-domain=blue"])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("a1\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("b1\n"), "not selected")
        XCTAssertTrue(r.stdout.contains("mac-unique-l2           FAIL  [high] MAC 02:00:00:00:10:01 is used 2 times in l2-domain=blue"), r.stdout)
        let red = try CLI.run(["audit", "--fleet", "--db", db, "--select", "l2-domain=red"])
        XCTAssertFalse(red.stdout.contains("mac-unique-l2           FAIL"), red.stdout)
    }

    func testRulesCheck() throws {
        let good = try CLI.run(["rules", "check", Fixtures.packageRoot + "/rules/examples/fleet-policy.yaml"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.hasSuffix("34 rule(s), OK\n"), good.stdout)
        let bad = dir + "/bad.yaml"
        FileManager.default.createFile(atPath: bad, contents: Data("rules:\n  - id: x\n    check: nope\n    severity: high\n  - id: x\n    check: iommu-enabled\n".utf8))
        let r = try CLI.run(["rules", "check", bad])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, """
            sriov-audit: error: \(bad):3:12: unknown check `nope` (known: iommu-enabled, iommu-isolation, vf-capacity, vf-driver, mac-valid, mac-unique, vlan-allowed, vlan-conflict, vf-security, firmware-aligned, firmware-minimum, driver-minimum, driver-firmware-compat, vf-consumer, consumer-config, device-plugin-pool, nova-device-spec, dpdk-hugepages, vf-counters, offload-aligned, vf-rate, firmware-pending, eswitch-mode, migration-ready)
            \(bad):5:5: duplicate rule id `x` (first at line 2)
            \(bad):5:5: rule `x` has no `severity`

            """)
        let audit = try CLI.run(["audit", "--rules", bad, "--root", Fixtures.path("qemu/nvme-netdevsim/after")])
        XCTAssertEqual(audit.status, 2, "a bad rules file is an input error")
    }
}


extension AuditCommandTests {
    /// The streamed JSON is byte for byte what JSONEncoder prints for the whole report.
    func testStreamedJSONEqualsTheEncodedReport() throws {
        let snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        var builder = ReportBuilder(rules: try DefaultRules.ruleSet(), rulesSource: Array(DefaultRules.yaml.utf8), failOn: .high)
        builder.add([AuditHost(snapshot: snapshot), AuditHost(snapshot: snapshot)])
        let report = try builder.finish()
        XCTAssertEqual(report.hosts.count, 2)
        XCTAssertGreaterThan(report.findings.count, 20)
        var streamed = ""
        try AuditJSON.write(report) { streamed += $0 }
        let whole = String(decoding: try AuditReport.makeEncoder().encode(report), as: UTF8.self) + "\n"
        XCTAssertEqual(streamed, whole)
        var emptyReport = report
        emptyReport.findings = []
        emptyReport.hosts = []
        var empty = ""
        try AuditJSON.write(emptyReport) { empty += $0 }
        XCTAssertEqual(empty, String(decoding: try AuditReport.makeEncoder().encode(emptyReport), as: UTF8.self) + "\n")
    }
}
