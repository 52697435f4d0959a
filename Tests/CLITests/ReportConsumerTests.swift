import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// Every report format read by the tool that consumes it in real life: junitparser, sarif-tools
/// and the official SARIF 2.1.0 schema, promtool, headless Chromium. The fleet: five hosts derived
/// from the igb capture, host-00004 on firmware 2.2.0 where the rest run 2.1.0.
final class ReportConsumerTests: XCTestCase {
    private var dir = ""
    private var out = ""
    private var report: [String: Any] = [:]
    private var findings: [[String: Any]] = []

    override func setUpWithError() throws {
        dir = Fixtures.temporaryDirectory("reports")
        out = dir + "/reports"
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        let store = try InventoryStore(path: dir + "/inventory.db")
        let fleet = FleetBuilder(base: base)
        for n in 0..<5 {
            _ = try store.store(fleet.host(n), labels: ["site": n < 3 ? "par1" : "fra2", "l2-domain": "dc-\(n % 2)"])
        }
        let r = try CLI.run(["audit", "--db", dir + "/inventory.db", "--format", "junit,sarif,json,prom,html,md", "--out", out, "--fail-on", "medium"])
        XCTAssertEqual(r.status, 1, "vf-security (medium) fails at --fail-on medium\n\(r.stdout)\(r.stderr)")
        XCTAssertTrue(r.stdout.hasPrefix("Summary: 5 host(s), "), r.stdout)
        report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/latest.json"))) as? [String: Any])
        findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func python(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let r = try shell("python3", ["-c", script] + arguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any], r.stdout + r.stderr)
    }

    private var violations: [[String: Any]] { findings.filter { $0["status"] as? String != "pass" } }

    func testOutputFolderHasHistoryAndAtomicLatestCopies() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertFalse(files.contains { $0.hasPrefix(".") }, "no temporary files left: \(files)")
        let runId = try XCTUnwrap(report["runId"] as? String)
        for ext in ["junit.xml", "sarif", "json", "html", "md"] {
            let history = try XCTUnwrap(files.first { $0.hasPrefix("fleet-") && $0.hasSuffix("-\(runId.prefix(8)).\(ext)") }, "\(ext) in \(files)")
            XCTAssertEqual(FileManager.default.contents(atPath: "\(out)/\(history)"), FileManager.default.contents(atPath: "\(out)/latest.\(ext)"))
        }
        XCTAssertEqual(files.filter { $0.hasSuffix(".prom") }, ["latest.prom"], "one textfile: node_exporter reads every *.prom")
        XCTAssertEqual((report["summary"] as? [String: Any])?["hosts"] as? Int, 5)
        try CLI.validate(Data(contentsOf: URL(fileURLWithPath: out + "/latest.json")), schema: CLI.reportSchema)
    }

    func testJUnitReadByJunitparser() throws {
        try XCTSkipUnless((try? shell("python3", ["-c", "import junitparser"]))?.status == 0, "SKIPPED: junitparser (PyPI) is not installed")
        let script = """
            import json, sys
            from junitparser import JUnitXml, Failure
            xml = JUnitXml.fromfile(sys.argv[1])
            out = {}
            for suite in xml:
                cases = list(suite)
                out[suite.name] = {"tests": suite.tests, "failures": suite.failures,
                    "failed_cases": sorted(c.name for c in cases if any(isinstance(r, Failure) for r in c.result)),
                    "props": {p.name: p.value for p in suite.properties()}}
            print(json.dumps(out))
            """
        let suites = try python(script, [out + "/latest.junit.xml"])
        XCTAssertEqual(Set(suites.keys), ["host-00000", "host-00001", "host-00002", "host-00003", "host-00004"])
        for (host, value) in suites {
            let suite = try XCTUnwrap(value as? [String: Any])
            let mine = findings.filter { $0["host"] as? String == host }
            let subjects = Set(mine.map { "\($0["rule"] as? String ?? "")|\($0["bdf"] as? String ?? "")" })
            XCTAssertEqual(suite["tests"] as? Int, subjects.count, host)
            let blocking = Set(mine.filter { $0["status"] as? String != "pass" && ["medium", "high", "critical"].contains($0["severity"] as? String ?? "") }
                .map { ($0["rule"] as? String ?? "") + (($0["bdf"] as? String).map { " \($0)" } ?? "") })
            XCTAssertEqual(Set(suite["failed_cases"] as? [String] ?? []), blocking, host)
            XCTAssertEqual(suite["failures"] as? Int, blocking.count)
            let props = try XCTUnwrap(suite["props"] as? [String: String])
            XCTAssertEqual(props["label.site"], ["host-00003", "host-00004"].contains(host) ? "fra2" : "par1")
            XCTAssertEqual(props["run-id"], report["runId"] as? String)
        }
        let outlier = try XCTUnwrap(suites["host-00004"] as? [String: Any])
        XCTAssertTrue((outlier["failed_cases"] as? [String] ?? []).contains("firmware-aligned 0000:04:00.0"), "\(outlier)")
    }

    func testSARIFValidatesAgainstTheOfficialSchemaAndReadsInSarifTools() throws {
        let schema = Fixtures.path("schemas/sarif-schema-2.1.0.json")
        let validation = try python("""
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
            run = log["runs"][0]
            print(json.dumps({"errors": errors[:10], "results": len(run["results"]), "rules": [r["id"] for r in run["tool"]["driver"]["rules"]],
                "locations": sorted({(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]}),
                "fingerprints": sorted(r["partialFingerprints"]["sriovAuditSubject/v1"] for r in run["results"])}))
            """, [schema, out + "/latest.sarif"])
        XCTAssertEqual(validation["errors"] as? [String], [], "the official SARIF 2.1.0 schema")
        XCTAssertEqual(validation["results"] as? Int, violations.count)
        XCTAssertEqual((validation["rules"] as? [String])?.count, 15)
        let lines = try String(contentsOfFile: Fixtures.packageRoot + "/rules/default.yaml", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let securityLine = try XCTUnwrap(lines.firstIndex { $0.hasSuffix("- id: vf-security") }) + 1
        XCTAssertTrue(((validation["locations"] as? [[Any]]) ?? []).contains { $0.first as? String == "vf-security" && $0.last as? Int == securityLine },
                      "results point at the rule's line \(securityLine): \(validation["locations"] ?? "")")

        // The same fleet audited again: same fingerprints, so a scanner sees the same problems, not new ones.
        let again = try CLI.run(["audit", "--db", dir + "/inventory.db", "--format", "sarif", "--out", dir + "/again", "--fail-on", "medium"])
        XCTAssertEqual(again.status, 1)
        let second = try python("""
            import json, sys
            run = json.load(open(sys.argv[1]))["runs"][0]
            print(json.dumps({"fingerprints": sorted(r["partialFingerprints"]["sriovAuditSubject/v1"] for r in run["results"])}))
            """, [dir + "/again/latest.sarif"])
        XCTAssertEqual(second["fingerprints"] as? [String], validation["fingerprints"] as? [String])

        try XCTSkipUnless(toolExists("sarif"), "SKIPPED: sarif-tools (PyPI) is not installed")
        let summary = try shell("sarif", ["summary", out + "/latest.sarif"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        let counts = Dictionary(grouping: violations) { f -> String in
            switch f["severity"] as? String { case "high", "critical": "error"; case "medium": "warning"; default: "note" }
        }.mapValues(\.count)
        for level in ["error", "warning", "note"] {
            XCTAssertTrue(summary.stdout.contains("\(level): \(counts[level] ?? 0)"), "\(level) in\n\(summary.stdout)")
        }
    }

    func testPrometheusTextfilePassesPromtool() throws {
        try XCTSkipUnless(toolExists("promtool"), "SKIPPED: promtool (Debian's prometheus) is not installed")
        let check = try shell("promtool", ["check", "metrics"], input: try Data(contentsOf: URL(fileURLWithPath: out + "/latest.prom")))
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertEqual(check.stdout + check.stderr, "", "no lint remarks")
        let text = try String(contentsOfFile: out + "/latest.prom", encoding: .utf8)
        let securityFindings = violations.filter { $0["host"] as? String == "host-00004" && $0["rule"] as? String == "vf-security" }.count
        XCTAssertTrue(text.contains("sriov_audit_findings{host=\"host-00004\",rule=\"vf-security\",check=\"vf-security\",severity=\"medium\"} \(securityFindings)\n"), text)
        XCTAssertTrue(text.contains("sriov_audit_nic_firmware_info{host=\"host-00004\",pf=\"0000:04:00.0\",interface=\"eth1\",model=\"8086:10c9:1af4:1100\",driver=\"igb\",driver_version=\"6.1.0-56-amd64\",firmware_version=\"2.2.0\"} 1\n"), text)
        XCTAssertTrue(text.contains("sriov_audit_pf_vfs_configured{host=\"host-00000\",pf=\"0000:04:00.0\"} 3\n"), text)
        XCTAssertTrue(text.contains("sriov_audit_pf_vfs_supported{host=\"host-00000\",pf=\"0000:04:00.0\"} 7\n"), text)
        XCTAssertTrue(text.contains("sriov_audit_last_run_success 1\n"))
        XCTAssertFalse(text.contains("02:"), "no MAC addresses in labels")

        // A run that cannot audit says so, so an alert fires instead of old metrics looking fine.
        let bad = dir + "/bad.yaml"
        try "rules:\n  - id: x\n    check: nope\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["audit", "--rules", bad, "--db", dir + "/inventory.db", "--format", "prom", "--out", out])
        XCTAssertEqual(failed.status, 2)
        let after = try String(contentsOfFile: out + "/latest.prom", encoding: .utf8)
        XCTAssertTrue(after.contains("sriov_audit_last_run_success 0\n"), after)
        XCTAssertEqual(try shell("promtool", ["check", "metrics"], input: Data(after.utf8)).status, 0)
    }

    func testHTMLOpensInHeadlessChromium() throws {
        let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: toolExists)
        try XCTSkipUnless(chromium != nil, "SKIPPED: chromium is not installed")
        let page = "file://" + out + "/latest.html"
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/chromium"]
        let dom = try shell(chromium!, flags + ["--dump-dom", page])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let html = dom.stdout
        XCTAssertTrue(html.contains("Firmware versions per NIC model"))
        XCTAssertEqual(html.components(separatedBy: "class=\"fw-segment\"").count - 1, 3, "NVMe: one segment; igb: 2.1.0 and 2.2.0")
        XCTAssertTrue(html.contains("2.2.0: 1 PF(s)"), "the outlier's segment")
        XCTAssertTrue(html.contains("2.1.0: 4 PF(s) (baseline)"))
        XCTAssertTrue(html.contains("host-00004 0000:04:00.0: 2.2.0"), "the outlier is listed")
        XCTAssertEqual(html.components(separatedBy: "<tr class=\"finding ").count - 1, findings.count)
        XCTAssertTrue(html.contains(">\(violations.count) shown<"), "the filter script ran and shows the violations by default")
        XCTAssertTrue(html.contains("NOT COMPLIANT"))
        let shot = dir + "/report.png"
        let screenshot = try shell(chromium!, flags + ["--window-size=1280,1600", "--screenshot=\(shot)", page])
        XCTAssertEqual(screenshot.status, 0, screenshot.stderr)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        XCTAssertGreaterThan(png.count, 20_000, "a rendered page, not a blank one")
    }

    func testMarkdownSummary() throws {
        let md = try String(contentsOfFile: out + "/latest.md", encoding: .utf8)
        XCTAssertTrue(md.hasPrefix("## sriov-audit: ❌ not compliant — fleet\n"), md)
        XCTAssertTrue(md.contains("| `vf-security` | medium ⛔ |"), md)
        XCTAssertTrue(md.contains("| `firmware-aligned` | medium ⛔ | 1 | 1 |"), md)
        XCTAssertTrue(md.contains("- **host-00004** `0000:04:00.0` `firmware-aligned` [medium]"), md)
    }

    func testKeepRunsPrunesOnlyOlderRunsOfTheSameSubject() throws {
        let other = out + "/host-a-20200101T000000Z-0badc0de.json"
        FileManager.default.createFile(atPath: other, contents: Data("{}".utf8))
        for _ in 0..<3 {
            let r = try CLI.run(["audit", "--db", dir + "/inventory.db", "--format", "json,md", "--out", out, "--keep-runs", "2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            sleep(1)  // distinct stamps: runs sort by time
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        let fleetRuns = Set(files.filter { $0.hasPrefix("fleet-") }.map { String($0.prefix(6 + 25)) })
        XCTAssertEqual(fleetRuns.count, 2, "\(files.sorted())")
        XCTAssertTrue(files.contains("host-a-20200101T000000Z-0badc0de.json"), "another subject's file stays")
        XCTAssertTrue(files.contains("latest.sarif"), "latest.* stays, even of formats this run did not write")
    }
}
