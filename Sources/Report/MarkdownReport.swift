import Rules

/// A short summary for a ticket or a pull-request comment: the verdict, the counts, the rules that
/// failed and the hosts that need attention. Capped so it fits a comment box; the other formats
/// carry the detail.
public enum MarkdownReport {
    public static let maxRows = 20

    public static func render(_ report: AuditReport) -> String {
        let s = report.summary
        var md = "## sriov-audit: \(s.compliant ? "✅ compliant" : "❌ not compliant") — \(cell(report.subject))\n\n"
        md += "\(s.hosts) host(s) audited against `\(cell(report.rules.path))` (\(report.rules.rules.count) rules, sha256 `\(report.rules.sha256.prefix(12))`), fail-on **\(report.failOn.rawValue)**, run `\(report.runId)` at \(SnapshotText.iso8601(report.generatedAt)).\n\n"
        if let waived = s.waived {
            md += "| Pass | Warn | Fail | Waived | Blocking |\n|---:|---:|---:|---:|---:|\n| \(s.pass) | \(s.warn) | \(s.fail) | \(waived) | \(s.blocking) |\n\n"
        } else {
            md += "| Pass | Warn | Fail | Blocking |\n|---:|---:|---:|---:|\n| \(s.pass) | \(s.warn) | \(s.fail) | \(s.blocking) |\n\n"
        }

        var perRule: [String: (findings: Int, hosts: Set<String>)] = [:]
        for f in report.findings where f.status != .pass && !f.isWaived {
            var entry = perRule[f.rule] ?? (0, [])
            entry.findings += 1
            entry.hosts.insert(f.host)
            perRule[f.rule] = entry
        }
        let failing = report.rules.rules.filter { perRule[$0.id] != nil }
            .sorted { ($0.severity, perRule[$0.id]?.findings ?? 0) > ($1.severity, perRule[$1.id]?.findings ?? 0) }
        if !failing.isEmpty {
            md += "### Rules with violations\n\n| Rule | Severity | Findings | Hosts |\n|---|---|---:|---:|\n"
            for rule in failing.prefix(maxRows) {
                let entry = perRule[rule.id] ?? (0, [])
                md += "| `\(cell(rule.id))` | \(rule.severity.rawValue)\(rule.severity >= report.failOn ? " ⛔" : "") | \(entry.findings) | \(entry.hosts.count) |\n"
            }
            md += "\n"
        }
        let attention = report.hosts.filter { $0.fail + $0.warn > 0 }
            .sorted { ($0.blocking, $0.fail, $0.warn) > ($1.blocking, $1.fail, $1.warn) }
        if !attention.isEmpty {
            md += "### Hosts needing attention\n\n| Host | Platform | Blocking | Fail | Warn |\n|---|---|---:|---:|---:|\n"
            for host in attention.prefix(maxRows) {
                md += "| \(cell(host.name)) | \(host.platform.displayName) | \(host.blocking) | \(host.fail) | \(host.warn) |\n"
            }
            if attention.count > maxRows { md += "\n… and \(attention.count - maxRows) more host(s).\n" }
            md += "\n"
        }
        md += complianceSections(report)
        let blocking = report.findings.filter { report.isBlocking($0) }
        if !blocking.isEmpty {
            md += "### Blocking findings\n\n"
            // At most a few per rule, worst rules first, so one noisy rule does not hide the others.
            var perRuleShown: [String: Int] = [:]
            let shown = blocking.sorted { $0.severity > $1.severity }.filter { f in
                perRuleShown[f.rule, default: 0] += 1
                return perRuleShown[f.rule, default: 0] <= 5
            }.prefix(maxRows)
            for f in shown {
                md += "- **\(cell(f.host))**\(f.bdf.map { " `\($0)`" } ?? "") `\(cell(f.rule))` [\(f.severity.rawValue)]: \(cell(f.message))\n"
            }
            if blocking.count > shown.count { md += "- … and \(blocking.count - shown.count) more.\n" }
        }
        return md
    }

    /// Text safe in a table cell or list item: no pipes or newlines that would break the layout,
    /// no HTML a renderer would interpret.
    static func cell(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "|": out += "\\|"
            case "\n", "\r", "\r\n": out += " "
            case "<": out += "&lt;"
            case "`": out += "'"
            default: out.append(ch)
            }
        }
        return out
    }
}
