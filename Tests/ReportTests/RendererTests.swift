import Collector
import Foundation
import Inventory
import Report
import Rules
import TestSupport
import XCTest

/// Renderer details a consumer would trip over: escaping of hostile text, label escaping,
/// file names, and the format list.
final class RendererTests: XCTestCase {
    private func report(hostname: String, labels: [String: String] = [:]) throws -> AuditReport {
        var snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        snapshot.host.hostname = hostname
        snapshot.collectedAt = Date(timeIntervalSince1970: 1_794_999_000)
        var builder = ReportBuilder(rules: try DefaultRules.ruleSet(), rulesSource: Array(DefaultRules.yaml.utf8), failOn: .medium)
        builder.add([AuditHost(snapshot: snapshot, labels: labels)])
        return try builder.finish(runId: "00000000-0000-4000-8000-000000000001", at: Date(timeIntervalSince1970: 1_795_000_000))
    }

    func testHostileTextIsEscapedInEveryMarkupFormat() throws {
        let r = try report(hostname: "evil<script>\"&'\u{1}", labels: ["note": "a\"b\\c\nd"])
        let junit = JUnitReport.render(r)
        XCTAssertTrue(junit.contains("name=\"evil&lt;script&gt;&quot;&amp;&#39;\u{FFFD}\""), junit)
        XCTAssertFalse(junit.contains("<script>"))
        let parse = try shell("python3", ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read()); print('ok')"], input: Data(junit.utf8))
        XCTAssertEqual(parse.stdout, "ok\n", parse.stderr)
        let html = HTMLReport.render(r)
        XCTAssertFalse(html.contains("evil<script>"))
        XCTAssertTrue(html.contains("evil&lt;script&gt;"))
        let prom = PrometheusText.render(r)
        XCTAssertTrue(prom.contains("host=\"evil<script>\\\"&'\u{1}\""), prom)
        XCTAssertEqual(MarkdownReport.render(r).contains("evil<script>"), false)
        var hostile = r
        let rule = try XCTUnwrap(DefaultRules.ruleSet().rules.first)
        hostile.findings.append(Finding(rule: rule, status: .fail, host: r.hosts[0].name, bdf: nil, message: "m\"\\\u{2}/é",
                                        evidence: ["k\"": "v\n"]))
        var clean = r
        clean.findings = clean.findings.filter { $0.status == .pass }
        for (log, results) in [(try SARIFReport.render(hostile), 5), (try SARIFReport.render(clean), 0)] {
            let check = try shell("python3", ["-c", "import json, sys; d = json.load(sys.stdin); print(len(d['runs'][0]['results']), d['runs'][0]['results'][-1]['properties']['host'] if d['runs'][0]['results'] else '')"],
                              input: Data(log.utf8))
            XCTAssertEqual(check.stdout, results == 0 ? "0 \n" : "\(results) \(r.hosts[0].name)\n", check.stderr)
        }
    }

    func testReportIsDeterministicForAFixedRun() throws {
        let a = try report(hostname: "h1")
        let b = try report(hostname: "h1")
        XCTAssertEqual(try AuditJSON.render(a), try AuditJSON.render(b))
        XCTAssertEqual(try SARIFReport.render(a), try SARIFReport.render(b))
        XCTAssertEqual(a.rules.sha256, SHA256.hex(DefaultRules.yaml))
        XCTAssertEqual([a.summary.hosts, a.summary.pass, a.summary.warn, a.summary.fail, a.summary.blocking], [1, 9, 0, 4, 4])
        XCTAssertFalse(a.summary.compliant)
        XCTAssertEqual(a.hosts.first?.physicalFunctions.map(\.bdf), ["0000:01:00.0", "0000:04:00.0"])
        XCTAssertEqual(a.hosts.first?.physicalFunctions.last?.firmwareVersion, "2.1.0")
    }

    func testFormatListAndFileNames() throws {
        XCTAssertEqual(try ReportFormat.parseList("junit, sarif,json,prometheus,markdown,html"), [.junit, .sarif, .json, .prom, .md, .html])
        XCTAssertThrowsError(try ReportFormat.parseList("junit,pdf")) { error in
            XCTAssertTrue("\(error)".contains("unknown format 'pdf'"))
        }
        let dir = Fixtures.temporaryDirectory("names")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try ReportDirectory(path: dir + "/a/b").write(try report(hostname: "../../etc/x"), formats: [.md, .prom])
        XCTAssertEqual(written.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["_.._.._etc_x-20261118T110640Z-00000000.md", "latest.md", "latest.prom"])
    }

    /// The hand-written finding encoder against JSONEncoder, on text a garbage sysfs value or a
    /// hostile hostname could put there.
    func testStreamedJSONMatchesJSONEncoderOnHostileText() throws {
        var r = try report(hostname: "h\"1\\/")
        let nasty = "q\"b\\s/c\u{1}\u{7f}\u{2028}é😀\t\n\r\u{8}\u{c}\u{1f}"
        let rule = try XCTUnwrap(DefaultRules.ruleSet().rules.first)
        r.findings.append(Finding(rule: rule, status: .fail, host: nasty, bdf: "0000:04:10.2", message: nasty, hint: nasty,
                                  evidence: [nasty: nasty, "10": "a", "9": "b", "B": "c", "_x": "d", "baselineCount": "e", "baseline": "f"]))
        r.findings.append(Finding(rule: rule, status: .pass, host: "", message: ""))
        // A waiver's free text (reason, owner, ticket) is the operator's, as hostile as any.
        let waiver = Waiver(id: "w-1", rules: ["*"], host: nil, labels: [:], bdf: nil, pf: nil, reason: nasty, owner: nasty, ticket: nasty,
                            expires: CalendarDay("2027-01-31")!, position: SourcePosition(line: 1, column: 1))
        var waived = r.findings[r.findings.count - 2]
        waived.waiver = FindingWaiver(waiver, state: .active)
        r.findings.append(waived)
        waived.waiver = FindingWaiver(waiver, state: .expired)
        r.findings.append(waived)
        var streamed = ""
        try AuditJSON.write(r) { streamed += $0 }
        XCTAssertEqual(streamed, String(decoding: try AuditReport.makeEncoder().encode(r), as: UTF8.self) + "\n")
    }

    func testPrometheusHasNoDuplicateSeriesForARepeatedHost() throws {
        var r = try report(hostname: "twice")
        r.hosts += r.hosts
        let text = PrometheusText.render(r)
        let samples = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").dropLast().joined(separator: " ") }
        XCTAssertEqual(samples.count, Set(samples).count)
        guard toolExists("promtool") else { return }
        let check = try shell("promtool", ["check", "metrics"], input: Data(text.utf8))
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
    }
}
