import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JUnit XML, for CI test dashboards: one `testsuite` per host, one `testcase` per rule and subject
/// (the host, or a device by BDF). A violation at or above `--fail-on` is a `failure`; one below it
/// passes with its text in `system-out`, so a dashboard shows it without failing the pipeline.
public enum JUnitReport {
    public static func render(_ report: AuditReport) -> String {
        var byHost: [String: [Finding]] = [:]
        for finding in report.findings { byHost[finding.host, default: []].append(finding) }
        let timestamp = junitTimestamp(report.generatedAt)
        var suites: [String] = []
        var totalTests = 0
        var totalFailures = 0
        var totalSkipped = 0
        for host in report.hosts {
            let cases = testCases(byHost[host.name] ?? [], report: report)
            let failures = cases.filter(\.failed).count
            let skipped = cases.filter(\.skipped).count
            totalTests += cases.count
            totalFailures += failures
            totalSkipped += skipped
            var suite = "  <testsuite name=\"\(host.name.markupEscaped)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"0\" timestamp=\"\(timestamp)\" hostname=\"\(host.name.markupEscaped)\">\n"
            suite += "    <properties>\n"
            suite += property("run-id", report.runId)
            suite += property("rules-file", report.rules.path)
            suite += property("rules-sha256", report.rules.sha256)
            suite += property("fail-on", report.failOn.rawValue)
            if let waivers = report.waivers {
                suite += property("waivers-file", waivers.path)
                suite += property("waivers-sha256", waivers.sha256)
            }
            suite += property("platform", host.platform.rawValue)
            if let kernel = host.kernelRelease { suite += property("kernel", kernel) }
            for (key, value) in host.labels.sorted(by: { $0.key < $1.key }) { suite += property("label.\(key)", value) }
            suite += "    </properties>\n"
            for c in cases { suite += c.xml }
            suite += "  </testsuite>\n"
            suites.append(suite)
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="sriov-audit" tests="\(totalTests)" failures="\(totalFailures)" errors="0" skipped="\(totalSkipped)" time="0" timestamp="\(timestamp)">

            """ + suites.joined() + "</testsuites>\n"
    }

    private struct TestCase {
        var xml: String
        var failed: Bool
        /// Every violation of the case is waived: reported as `skipped` with the waiver's reason.
        var skipped = false
    }

    /// One test case per (rule, subject); several findings about the same subject (a VF with both
    /// spoofchk off and trust on) become one case listing them all.
    private static func testCases(_ findings: [Finding], report: AuditReport) -> [TestCase] {
        var order: [String] = []
        var groups: [String: [Finding]] = [:]
        for finding in findings {
            let key = finding.rule + "\u{0}" + (finding.bdf ?? "")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(finding)
        }
        return order.compactMap { key -> TestCase? in
            guard let group = groups[key], let first = group.first else { return nil }
            let name = first.bdf.map { "\(first.rule) \($0)" } ?? first.rule
            let classname = "sriov-audit.\(first.host).\(first.check)"
            var xml = "    <testcase name=\"\(name.markupEscaped)\" classname=\"\(classname.markupEscaped)\" time=\"0\">\n"
            let violations = group.filter { $0.status != .pass }
            let blocking = violations.filter { report.isBlocking($0) }
            if let worst = blocking.max(by: { $0.severity < $1.severity }) {
                let body = blocking.map(describe).joined(separator: "\n\n")
                xml += "      <failure message=\"\(worst.message.markupEscaped)\" type=\"\(worst.severity.rawValue)\">\(body.markupEscaped)</failure>\n"
            }
            let waived = violations.filter(\.isWaived)
            let skipped = blocking.isEmpty && !waived.isEmpty && waived.count == violations.count
            if skipped, let w = waived.first?.waiver {
                let message = "waived: \(w.justification)"
                xml += "      <skipped message=\"\(message.markupEscaped)\"/>\n"
            }
            let below = violations.filter { !report.isBlocking($0) }
            let passes = group.filter { $0.status == .pass }
            let out = below.map { "\($0.isWaived ? "WAIVED " : "")\($0.status.rawValue.uppercased()) [\($0.severity.rawValue)] " + describe($0) } + passes.map { "PASS " + $0.message }
            if !out.isEmpty { xml += "      <system-out>\(out.joined(separator: "\n\n").markupEscaped)</system-out>\n" }
            xml += "    </testcase>\n"
            return TestCase(xml: xml, failed: !blocking.isEmpty, skipped: skipped)
        }
    }

    private static func describe(_ f: Finding) -> String {
        var lines = [f.message]
        if let hint = f.hint { lines.append("hint: \(hint)") }
        lines += f.evidence.sorted(by: { $0.key < $1.key }).map { "\($0.key): \($0.value)" }
        if let w = f.waiver {
            lines.append("waiver \(w.id) (\(w.state.rawValue), expires \(w.expires)): \(w.reason); owner \(w.owner), ticket \(w.ticket)")
        }
        return lines.joined(separator: "\n")
    }

    private static func property(_ name: String, _ value: String) -> String {
        "      <property name=\"\(name.markupEscaped)\" value=\"\(value.markupEscaped)\"/>\n"
    }

    /// JUnit's timestamp: ISO 8601 without a zone designator (UTC).
    static func junitTimestamp(_ date: Date) -> String {
        let text = Timestamp.text(date)
        return text.hasSuffix("Z") ? String(text.dropLast()) : text
    }
}
