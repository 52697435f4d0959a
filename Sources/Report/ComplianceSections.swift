import Rules

/// The auditor's part of the HTML page: the verdicts by control, per framework, and the
/// waivers with what became of each (active, expired, stale).
extension HTMLReport {
    static func complianceSection(_ report: AuditReport) -> String {
        guard let frameworks = report.controls else { return "" }
        var html = "<section id=\"compliance\">\n<h2>Compliance by control</h2>\n"
        html += "<p class=\"note\">Each control's hosts by their worst unwaived finding on the rules that evidence it (waived when every violation is waived; not evaluated when no rule judged the host). The mapping comes from the rules file; it is evidence for an assessment, not a certification.</p>\n"
        for framework in frameworks {
            html += "<h3>\(framework.name.markupEscaped)</h3>\n<table class=\"controls\" data-framework=\"\(framework.name.markupEscaped)\">\n"
            html += "<thead><tr><th>Control</th><th>Rules</th><th>Passing</th><th>Warning</th><th>Failing</th><th>Waived</th><th>Not evaluated</th><th>Failing hosts</th></tr></thead>\n<tbody>\n"
            for c in framework.controls {
                let tone = c.failing > 0 ? "fail" : c.warning > 0 ? "warn" : "pass"
                let hosts = c.failingHosts.prefix(20).joined(separator: ", ") + (c.failingHosts.count > 20 ? " … +\(c.failingHosts.count - 20)" : "")
                html += "<tr class=\"control \(tone)\" data-control=\"\(c.id.markupEscaped)\"><td><b>\(c.id.markupEscaped)</b></td><td>\(c.rules.joined(separator: ", ").markupEscaped)</td>"
                html += "<td class=\"n\">\(c.passing)</td><td class=\"n\">\(c.warning)</td><td class=\"n\">\(c.failing)</td><td class=\"n\">\(c.waived)</td><td class=\"n\">\(c.notEvaluated)</td><td>\(hosts.markupEscaped)</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        return html + "</section>\n"
    }

    static func waiverSection(_ report: AuditReport) -> String {
        guard let file = report.waivers else { return "" }
        var html = "<section id=\"waivers\">\n<h2>Waivers</h2>\n"
        html += "<p class=\"meta\">\(file.path.markupEscaped) (sha256 \(String(file.sha256.prefix(12)))…), judged on \(file.today)</p>\n"
        html += "<table id=\"waiver-table\">\n<thead><tr><th>Waiver</th><th>State</th><th>Rules</th><th>Matched</th><th>Owner</th><th>Ticket</th><th>Expires</th><th>Reason</th></tr></thead>\n<tbody>\n"
        for w in file.waivers {
            html += "<tr class=\"waiver-row \(w.state.rawValue)\" data-state=\"\(w.state.rawValue)\"><td>\(w.id.markupEscaped)</td><td>\(w.state.rawValue)</td><td>\(w.rules.joined(separator: ", ").markupEscaped)</td><td class=\"n\">\(w.matched)</td>"
            html += "<td>\(w.owner.markupEscaped)</td><td>\(w.ticket.markupEscaped)</td><td>\(w.expires)</td><td>\(w.reason.markupEscaped)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n</section>\n"
    }
}

extension MarkdownReport {
    /// The controls per framework and the waivers, for a compliance ticket.
    static func complianceSections(_ report: AuditReport) -> String {
        var md = ""
        for framework in report.controls ?? [] {
            md += "### Compliance: \(cell(framework.name))\n\n| Control | Rules | Passing | Warning | Failing | Waived | Not evaluated |\n|---|---|---:|---:|---:|---:|---:|\n"
            for c in framework.controls {
                md += "| \(c.failing > 0 ? "❌" : c.warning > 0 ? "⚠️" : "✅") \(cell(c.id)) | \(c.rules.map { "`\(cell($0))`" }.joined(separator: ", ")) | \(c.passing) | \(c.warning) | \(c.failing) | \(c.waived) | \(c.notEvaluated) |\n"
            }
            md += "\n"
        }
        if let file = report.waivers, !file.waivers.isEmpty {
            md += "### Waivers (`\(cell(file.path))`, judged on \(file.today))\n\n| Waiver | State | Rules | Matched | Owner | Ticket | Expires |\n|---|---|---|---:|---|---|---|\n"
            for w in file.waivers {
                md += "| \(cell(w.id)) | \(w.state.rawValue) | \(w.rules.map { "`\(cell($0))`" }.joined(separator: ", ")) | \(w.matched) | \(cell(w.owner)) | \(cell(w.ticket)) | \(w.expires) |\n"
            }
            md += "\n"
        }
        return md
    }
}
