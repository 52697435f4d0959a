import Rules

/// The terminal form of an audit, in the style of `virt-host-validate`: per host, per rule,
/// PASS / WARN / FAIL with the device, a one-line reason and what to do about it.
public enum AuditText {
    public static func render(_ result: AuditResult, failOn: Severity) -> String {
        var out = ""
        let width = max(24, (result.findings.map(\.rule.count).max() ?? 0) + 2)
        var byHost: [String: [Finding]] = [:]
        for f in result.findings { byHost[f.host, default: []].append(f) }
        for host in result.hosts {
            out += "\(host)\n"
            for f in byHost[host] ?? [] {
                let status = f.status.rawValue.uppercased()
                let label = f.rule + String(repeating: " ", count: max(1, width - f.rule.count))
                out += "  \(label)\(status.padding(5))\(f.status == .pass ? "" : "[\(f.severity.rawValue)] ")\(f.message)\n"
                if let hint = f.hint { out += "  \(String(repeating: " ", count: width + 5))→ \(hint)\n" }
            }
        }
        out += summary(result, failOn: failOn) + "\n"
        return out
    }

    public static func summary(_ result: AuditResult, failOn: Severity) -> String {
        let pass = result.findings.filter { $0.status == .pass }.count
        let warn = result.findings.filter { $0.status == .warn }.count
        let fail = result.findings.filter { $0.status == .fail }.count
        let blocking = result.failures(atOrAbove: failOn).count
        let verdict = blocking == 0 ? "OK" : "NOT OK: \(blocking) finding(s) at or above \(failOn.rawValue)"
        return "Summary: \(result.hosts.count) host(s), \(pass) pass, \(warn) warn, \(fail) fail — \(verdict)"
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count + 1)) }
}

extension AuditText {
    public static func upgrade(_ impact: UpgradeImpact, plan: UpgradePlan, failOn: Severity) -> String {
        let what = [plan.firmware.map { "firmware \($0)" }, plan.driver.map { "driver \($0)" }, plan.kernel.map { "kernel \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
        let affected = impact.hosts.filter { $0.pfsTouched > 0 }
        let broken = impact.hosts.filter { $0.newFindings.contains { $0.severity >= failOn } }
        var out = "Planned: \(what) on \(plan.model) — \(affected.count) host(s) with matching PFs, \(broken.count) would become non-compliant (at or above \(failOn.rawValue))\n"
        for host in impact.hosts where host.pfsTouched > 0 || !host.newFindings.isEmpty {
            let verdict = host.newFindings.contains { $0.severity >= failOn } ? "WOULD FAIL" : "ok"
            out += "  \(host.host): \(host.pfsTouched) PF(s) upgraded — \(verdict)\n"
            for f in host.newFindings { out += "    new \(f.status.rawValue.uppercased()) [\(f.severity.rawValue)] \(f.rule): \(f.bdf.map { "\($0): " } ?? "")\(f.message)\n" }
            for f in host.resolvedFindings { out += "    cleared \(f.rule): \(f.message)\n" }
        }
        return out
    }
}
