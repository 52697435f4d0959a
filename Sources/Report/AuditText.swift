import Rules

/// The terminal form of an audit, in the style of `virt-host-validate`: per host, per rule,
/// PASS / WARN / FAIL with the device, a one-line reason and what to do about it.
public enum AuditText {
    /// The report for a terminal; `style` colours statuses, severities and the verdict (plain by
    /// default: the `.table` report file is never coloured).
    public static func render(_ report: AuditReport, style: TextStyle = .plain) -> String {
        var out = ""
        let width = max(24, (report.findings.map(\.rule.count).max() ?? 0) + 2)
        var byHost: [String: [Finding]] = [:]
        for f in report.findings { byHost[f.host, default: []].append(f) }
        for host in report.hosts {
            // Linux is the usual case; another platform is named, as its "cannot judge" findings depend on it.
            out += style.bold(host.name) + (host.platform == .linux ? "" : "  (\(host.platform.displayName))") + "\n"
            for f in byHost[host.name] ?? [] {
                let status = f.isWaived ? "WAIVED" : f.status.rawValue.uppercased()
                let label = f.rule + String(repeating: " ", count: max(1, width - f.rule.count))
                let severity = f.status == .pass ? "" : style.severity(f.severity, "[\(f.severity.rawValue)]") + " "
                out += "  \(label)\(style.status(f.status, status))\(String(repeating: " ", count: max(1, 6 - status.count)))\(severity)\(f.message)\n"
                if let hint = f.hint { out += "  \(String(repeating: " ", count: width + 5))" + style.dim("→ \(hint)") + "\n" }
                if let w = f.waiver {
                    let text = w.state == .active
                        ? "waiver \(w.id) until \(w.expires): \(w.reason) (\(w.owner), \(w.ticket))"
                        : "waiver \(w.id) EXPIRED on \(w.expires): no longer accepted (\(w.owner), \(w.ticket))"
                    out += "  \(String(repeating: " ", count: width + 5))" + style.dim("≈ \(text)") + "\n"
                }
            }
        }
        // A report file read later must say which acceptances lapsed or match nothing, not only the run's stderr.
        let warnings = waiverWarnings(report)
        if !warnings.isEmpty {
            out += style.bold("Waivers") + "\n" + warnings.map { "  \($0)\n" }.joined()
        }
        out += summary(report, style: style) + "\n"
        return out
    }

    public static func summary(_ report: AuditReport, style: TextStyle = .plain) -> String {
        let s = report.summary
        let verdict = s.blocking == 0 ? "OK" : "NOT OK: \(s.blocking) finding(s) at or above \(report.failOn.rawValue)"
        let waived = s.waived.map { ", \($0) waived" } ?? ""
        return "Summary: \(s.hosts) host(s), \(s.pass) pass, \(s.warn) warn, \(s.fail) fail\(waived) — " + style.verdict(s.blocking == 0, verdict)
    }

    /// One line per waiver that needs a look: expired ones (their findings count again) and
    /// stale ones (matching nothing: fixed, or mistyped). Empty when every waiver is in use.
    public static func waiverWarnings(_ report: AuditReport) -> [String] {
        guard let file = report.waivers else { return [] }
        return file.waivers.compactMap { w in
            switch w.state {
            case .active: nil
            case .expired: "\(file.path):\(w.line): waiver \(w.id) expired on \(w.expires)\(w.matched > 0 ? "; the \(w.matched) finding(s) it matched count again" : "") (owner \(w.owner), ticket \(w.ticket))"
            case .stale: "\(file.path):\(w.line): waiver \(w.id) matches no finding (stale: the problem is fixed, or the waiver names the wrong rule/host/device); remove it"
            }
        }
    }
}

extension AuditText {
    public static func upgrade(_ impact: UpgradeImpact, plan: UpgradePlan, failOn: Severity, style: TextStyle = .plain) -> String {
        let what = [plan.firmware.map { "firmware \($0)" }, plan.driver.map { "driver \($0)" }, plan.kernel.map { "kernel \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
        let affected = impact.hosts.filter { $0.pfsTouched > 0 }
        let broken = impact.hosts.filter { $0.newFindings.contains { $0.severity >= failOn } }
        var out = "Planned: \(what) on \(plan.model) — \(affected.count) host(s) with matching PFs, \(broken.count) would become non-compliant (at or above \(failOn.rawValue))\n"
        for host in impact.hosts where host.pfsTouched > 0 || !host.newFindings.isEmpty {
            let fails = host.newFindings.contains { $0.severity >= failOn }
            out += "  \(host.host): \(host.pfsTouched) PF(s) upgraded — \(style.verdict(!fails, fails ? "WOULD FAIL" : "ok"))\n"
            for f in host.newFindings {
                out += "    new \(style.status(f.status, f.status.rawValue.uppercased())) \(style.severity(f.severity, "[\(f.severity.rawValue)]")) \(f.rule): \(f.bdf.map { "\($0): " } ?? "")\(f.message)\n"
            }
            for f in host.resolvedFindings { out += "    cleared \(f.rule): \(f.message)\n" }
        }
        return out
    }
}
