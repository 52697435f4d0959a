import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// Compliance evidence end to end on the five-host fleet derived from the igb capture (every host
/// has four vf-security violations; host-00004's igb PF runs firmware 2.2.0 where the rest run
/// 2.1.0): waivers through `audit` in every format, each read by its real consumer; control views;
/// signed reports checked by `verify` and by OpenSSL; a host's compliance over time.
final class ComplianceCommandTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = Fixtures.temporaryDirectory("compliance")
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        let store = try InventoryStore(path: dir + "/inventory.db")
        let fleet = FleetBuilder(base: base)
        for n in 0..<5 {
            _ = try store.store(fleet.host(n), labels: ["site": n < 3 ? "par1" : "fra2"])
        }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// par1's vf-security accepted until March; fra2's acceptance lapsed on 2026-12-10; the
    /// firmware outlier accepted for its PF; one waiver matching nothing.
    private func writeWaivers(fra2Until: String = "2026-12-10") throws -> String {
        let path = dir + "/waivers.yaml"
        try """
            version: 1
            waivers:
              - id: par1-trusted-vfs
                rule: vf-security
                labels: {site: par1}
                reason: Bonding tests need trusted VFs with spoof checking off.
                owner: netops@example.com
                ticket: CHG-2291
                expires: 2027-03-31
              - id: fra2-trusted-vfs
                rule: vf-security
                labels: {site: fra2}
                reason: Migration window.
                owner: netops@example.com
                ticket: CHG-2300
                expires: \(fra2Until)
              - id: fw-rollout
                rule: "firmware-*"
                host: host-00004
                pf: "0000:04:00.0"
                reason: Firmware 2.2.0 is being rolled out rack by rack.
                owner: platform-team
                ticket: RISK-118
                expires: 2027-01-31
              - id: nothing-to-waive
                rule: iommu-enabled
                reason: Left over from a fixed problem.
                owner: platform-team
                ticket: RISK-7
                expires: 2027-01-31

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func testWaiversInEveryFormatReadByTheirConsumers() throws {
        let waivers = try writeWaivers()
        let out = dir + "/reports"
        let r = try CLI.run(["audit", "--db", dir + "/inventory.db", "--rules", Fixtures.packageRoot + "/rules/examples/compliance-nist-pci.yaml",
                             "--waivers", waivers, "--as-of", "2026-12-15", "--fail-on", "medium",
                             "--format", "table,json,junit,sarif,prom,html,md", "--out", out])
        XCTAssertEqual(r.status, 1, "fra2's waiver lapsed: its hosts' vf-security (medium) fail the run\n\(r.stdout)\(r.stderr)")
        XCTAssertTrue(r.stdout.hasPrefix("Summary: 5 host(s), "), r.stdout)
        XCTAssertTrue(r.stdout.contains(", 13 waived — NOT OK: 8 finding(s) at or above medium"), r.stdout)
        XCTAssertTrue(r.stderr.contains("\(waivers):10: waiver fra2-trusted-vfs expired on 2026-12-10; the 8 finding(s) it matched count again (owner netops@example.com, ticket CHG-2300)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(waivers):25: waiver nothing-to-waive matches no finding (stale"), r.stderr)

        // JSON: schema, the waivers' standing, the counts.
        try CLI.validate(Data(contentsOf: URL(fileURLWithPath: out + "/latest.json")), schema: CLI.reportSchema)
        let report = try json(out + "/latest.json")
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let waived = findings.filter { ($0["waiver"] as? [String: Any])?["state"] as? String == "active" }
        XCTAssertEqual(waived.count, 13, "3 par1 hosts × 4 vf-security + host-00004's firmware")
        XCTAssertEqual(Set(waived.map { $0["status"] as? String }), ["fail"], "a waived finding keeps its status")
        XCTAssertEqual((report["summary"] as? [String: Any])?["waived"] as? Int, 13)
        XCTAssertEqual((report["summary"] as? [String: Any])?["blocking"] as? Int, 8)
        let statuses = try XCTUnwrap((report["waivers"] as? [String: Any])?["waivers"] as? [[String: Any]])
        XCTAssertEqual(statuses.map { $0["state"] as? String }, ["active", "expired", "active", "stale"])
        XCTAssertEqual(statuses.map { $0["matched"] as? Int }, [12, 8, 1, 0])
        XCTAssertEqual((report["waivers"] as? [String: Any])?["today"] as? String, "2026-12-15")

        // Controls: every count is the findings' own, host by host.
        let controls = try XCTUnwrap(report["controls"] as? [[String: Any]])
        XCTAssertEqual(controls.map { $0["name"] as? String }, ["internal", "nist-800-53", "pci-dss-4.0"])
        let rules = try XCTUnwrap((report["rules"] as? [String: Any])?["rules"] as? [[String: Any]])
        for framework in controls {
            for control in try XCTUnwrap(framework["controls"] as? [[String: Any]]) {
                let ids = Set(rules.filter { (($0["controls"] as? [String: [String]])?[framework["name"] as? String ?? ""] ?? []).contains(control["id"] as? String ?? "") }.map { $0["id"] as? String })
                XCTAssertEqual(Set((control["rules"] as? [String]) ?? []), ids)
                var expected = ["passing": 0, "warning": 0, "failing": 0, "waived": 0, "notEvaluated": 0]
                for n in 0..<5 {
                    let mine = findings.filter { $0["host"] as? String == String(format: "host-%05d", n) && ids.contains($0["rule"] as? String) }
                    let open = mine.filter { $0["status"] as? String != "pass" && ($0["waiver"] as? [String: Any])?["state"] as? String != "active" }
                    let key = mine.isEmpty ? "notEvaluated" : open.contains { $0["status"] as? String == "fail" } ? "failing"
                        : !open.isEmpty ? "warning" : mine.contains { $0["status"] as? String != "pass" } ? "waived" : "passing"
                    expected[key, default: 0] += 1
                }
                for (key, value) in expected { XCTAssertEqual(control[key] as? Int, value, "\(framework["name"] ?? "") \(control["id"] ?? "") \(key)") }
            }
        }
        let pci = try XCTUnwrap((controls.first { $0["name"] as? String == "pci-dss-4.0" })?["controls"] as? [[String: Any]])
        let antiSpoofing = try XCTUnwrap(pci.first { $0["id"] as? String == "1.4.3" })
        XCTAssertEqual([antiSpoofing["waived"], antiSpoofing["failing"]] as? [Int], [3, 2])
        XCTAssertEqual(antiSpoofing["failingHosts"] as? [String], ["host-00003", "host-00004"])

        // The table names each waiver under its finding.
        let table = try String(contentsOfFile: out + "/latest.txt", encoding: .utf8)
        XCTAssertTrue(table.contains("WAIVED [medium] 0000:04:10.2: spoofchk off, trust on"), table)
        XCTAssertTrue(table.contains("≈ waiver fra2-trusted-vfs EXPIRED on 2026-12-10: no longer accepted (netops@example.com, CHG-2300)"), table)
        XCTAssertTrue(table.contains("Waivers\n  \(waivers):10: waiver fra2-trusted-vfs expired on 2026-12-10;"), "the file says which waivers lapsed: \(table)")
        XCTAssertTrue(table.contains("\n  \(waivers):25: waiver nothing-to-waive matches no finding (stale"), table)
        // Printed to a terminal, the table carries the waiver lines; standard error does not repeat them.
        let terminal = try CLI.run(["audit", "--db", dir + "/inventory.db", "--waivers", waivers, "--as-of", "2026-12-15"])
        XCTAssertTrue(terminal.stdout.contains("waiver nothing-to-waive matches no finding"), terminal.stdout)
        XCTAssertFalse(terminal.stderr.contains("waiver"), terminal.stderr)

        // JUnit: fully waived cases are skipped with the reason (junitparser reads them).
        if (try? shell("python3", ["-c", "import junitparser"]))?.status == 0 {
            let junit = try shell("python3", ["-c", """
                import json, sys
                from junitparser import JUnitXml, Skipped, Failure
                xml = JUnitXml.fromfile(sys.argv[1]); skipped = []; failed = 0
                for suite in xml:
                    for case in suite:
                        for result in case.result:
                            if isinstance(result, Skipped): skipped.append(result.message)
                            if isinstance(result, Failure): failed += 1
                print(json.dumps({"skipped": skipped, "failed": failed, "total_skipped": xml.skipped}))
                """, out + "/latest.junit.xml"])
            XCTAssertEqual(junit.status, 0, junit.stderr)
            let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: junit.stdoutData) as? [String: Any])
            let messages = try XCTUnwrap(parsed["skipped"] as? [String])
            XCTAssertEqual(messages.count, 3 * 2 + 1, "per par1 host: the VF with an address and the netdevsim VFs' case; host-00004's firmware")
            XCTAssertEqual(parsed["total_skipped"] as? Int, messages.count)
            XCTAssertTrue(messages.contains("waived: Bonding tests need trusted VFs with spoof checking off. (waiver par1-trusted-vfs, owner netops@example.com, ticket CHG-2291, expires 2027-03-31)"), "\(messages)")
            XCTAssertEqual(parsed["failed"] as? Int, 2 * 2, "fra2's cases fail")
        }

        // SARIF: accepted results carry an external suppression; sarif-tools filters on it.
        let sarif = try json(out + "/latest.sarif")
        let results = try XCTUnwrap(((sarif["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        let suppressed = results.filter { $0["suppressions"] != nil }
        XCTAssertEqual(suppressed.count, 13)
        let suppression = try XCTUnwrap((suppressed.first?["suppressions"] as? [[String: Any]])?.first)
        XCTAssertEqual(suppression["kind"] as? String, "external")
        XCTAssertEqual(suppression["status"] as? String, "accepted")
        XCTAssertTrue((suppression["justification"] as? String)?.contains("ticket CHG-2291") == true)
        let schemaCheck = try shell("python3", ["-c", """
            import json, sys, jsonschema
            errors = list(jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
            print(len(errors), [e.message for e in errors[:3]])
            """, Fixtures.path("schemas/sarif-schema-2.1.0.json"), out + "/latest.sarif"])
        XCTAssertTrue(schemaCheck.stdout.hasPrefix("0 "), schemaCheck.stdout + schemaCheck.stderr)
        if toolExists("sarif") {
            let filter = dir + "/drop-accepted.yaml"
            try "description: accepted risks\nconfiguration:\n  default-include: false\nexclude:\n  - suppression: external\n".write(toFile: filter, atomically: true, encoding: .utf8)
            let summary = try shell("sarif", ["summary", "--filter", filter, out + "/latest.sarif"])
            XCTAssertEqual(summary.status, 0, summary.stderr)
            XCTAssertTrue(summary.stdout.contains("13 filtered out, \(results.count - 13) passed the filter"), summary.stdout)
        }

        // Prometheus: open and waived series; promtool accepts the file.
        let prom = try String(contentsOfFile: out + "/latest.prom", encoding: .utf8)
        XCTAssertTrue(prom.contains("sriov_audit_findings{host=\"host-00000\",rule=\"vf-security\",check=\"vf-security\",severity=\"medium\",state=\"open\"} 0\n"), prom)
        XCTAssertTrue(prom.contains("sriov_audit_findings{host=\"host-00000\",rule=\"vf-security\",check=\"vf-security\",severity=\"medium\",state=\"waived\"} 4\n"))
        XCTAssertTrue(prom.contains("sriov_audit_findings{host=\"host-00003\",rule=\"vf-security\",check=\"vf-security\",severity=\"medium\",state=\"open\"} 4\n"))
        XCTAssertTrue(prom.contains("sriov_audit_waiver_expiry_timestamp_seconds{waiver=\"par1-trusted-vfs\",state=\"active\"} 1806537600\n"), "2027-04-01T00:00:00Z")
        XCTAssertTrue(prom.contains("sriov_audit_waiver_matched_findings{waiver=\"nothing-to-waive\",state=\"stale\"} 0\n"))
        if toolExists("promtool") {
            let check = try shell("promtool", ["check", "metrics"], input: Data(prom.utf8))
            XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        }

        // Markdown: the waived column and each framework's controls.
        let md = try String(contentsOfFile: out + "/latest.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| Pass | Warn | Fail | Waived | Blocking |"), md)
        XCTAssertTrue(md.contains("### Compliance: pci-dss-4.0"), md)
        XCTAssertTrue(md.contains("| ❌ 1.4.3 | `vf-security` | 0 | 0 | 2 | 3 | 0 |"), md)
        XCTAssertTrue(md.contains("| nothing-to-waive | stale | `iommu-enabled` | 0 | platform-team | RISK-7 | 2027-01-31 |"), md)

        // HTML in headless Chromium: the control tables, the waivers, the waived filter.
        if let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: toolExists) {
            let dom = try shell(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/chromium", "--dump-dom", "file://\(out)/latest.html"])
            XCTAssertEqual(dom.status, 0, dom.stderr)
            let html = dom.stdout
            let controlCount = controls.reduce(0) { $0 + (($1["controls"] as? [Any])?.count ?? 0) }
            XCTAssertEqual(html.components(separatedBy: "<tr class=\"control ").count - 1, controlCount)
            XCTAssertEqual(html.components(separatedBy: "<tr class=\"waiver-row ").count - 1, 4)
            XCTAssertEqual(html.components(separatedBy: "data-waived=\"1\"").count - 1, 13)
            XCTAssertTrue(html.contains("id=\"f-waived\""))
            let violations = findings.filter { $0["status"] as? String != "pass" }.count
            XCTAssertTrue(html.contains(">\(violations) shown<"), "the filter script ran; waived findings are shown by default")
        }
    }

    func testWaiverExitCodesAndBadFiles() throws {
        let waivers = try writeWaivers(fra2Until: "2027-02-28")
        let ok = try CLI.run(["audit", "--db", dir + "/inventory.db", "--waivers", waivers, "--as-of", "2026-12-15", "--fail-on", "medium"])
        XCTAssertEqual(ok.status, 0, "every violation at or above medium is waived\n\(ok.stdout)\(ok.stderr)")
        XCTAssertTrue(ok.stdout.contains("21 waived — OK"), ok.stdout)
        let lapsed = try CLI.run(["audit", "--db", dir + "/inventory.db", "--waivers", waivers, "--as-of", "2027-04-01", "--fail-on", "medium"])
        XCTAssertEqual(lapsed.status, 1, "after every expiry the findings count again")
        XCTAssertTrue(lapsed.stdout.contains("0 waived — NOT OK: 21 finding(s)"), lapsed.stdout)

        let bad = dir + "/bad.yaml"
        try "waivers:\n  - rule: vf-security\n    reason: r\n    owner: o\n    expires: 2099-01-01\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let rejected = try CLI.run(["audit", "--db", dir + "/inventory.db", "--waivers", bad])
        XCTAssertEqual(rejected.status, 2)
        XCTAssertTrue(rejected.stderr.contains("\(bad):2:5: waiver has no `ticket`"), rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("\(bad):5:14: `expires` 2099-01-01 is more than 365 days after today"), rejected.stderr)

        let check = try CLI.run(["rules", "check", Fixtures.packageRoot + "/rules/default.yaml", "--waivers", Fixtures.packageRoot + "/rules/examples/waivers.yaml", "--max-waiver-days", "100000"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("waivers.yaml: 2 waiver(s), "), check.stdout)
        XCTAssertTrue(check.stderr.contains("waivers.yaml:15:5: warning: waiver par1-firmware-rollout names `*-firmware-floor`, which matches no rule of"), check.stderr)

        // The shipped example and the JSON Schema agree (YAML dates read as text, as the tool reads them).
        let schema = try shell("python3", ["-c", """
            import json, sys, yaml, jsonschema
            class Loader(yaml.SafeLoader): pass
            Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp'] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
            validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            validator.validate(yaml.load(open(sys.argv[2]), Loader=Loader))
            print(len(list(validator.iter_errors(yaml.load(open(sys.argv[3]), Loader=Loader)))))
            """, Fixtures.packageRoot + "/rules/waivers.schema.json", Fixtures.packageRoot + "/rules/examples/waivers.yaml", bad])
        XCTAssertEqual(schema.status, 0, schema.stderr)
        XCTAssertEqual(schema.stdout, "1\n", "the schema also finds the missing ticket")
    }

    /// The server's scheduled audit checks its waivers file before it starts listening, and
    /// --waivers without a scheduled audit is a usage error.
    func testServeChecksItsWaiversAtStart() throws {
        let bad = dir + "/bad-waivers.yaml"
        try "waivers:\n  - {rule: vf-security, reason: r, owner: o, expires: 2026-12-31}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["serve", "--db", dir + "/serve.db", "--listen", "127.0.0.1:0", "--audit-every", "1h", "--waivers", bad])
        XCTAssertEqual(refused.status, 2, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("\(bad):2:5: waiver has no `ticket`"), refused.stderr)
        let usage = try CLI.run(["serve", "--db", dir + "/serve.db", "--listen", "127.0.0.1:0", "--waivers", bad])
        XCTAssertEqual(usage.status, 2, usage.stderr)
        XCTAssertTrue(usage.stderr.contains("--rules, --waivers, --sign and --push belong to the scheduled audit: give --audit-every too"), usage.stderr)
    }
}
