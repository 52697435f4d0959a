import Rules

/// The compliance view: the run's verdicts regrouped by the controls the rules file maps, the
/// way an auditor reads them ("which hosts meet SC-7?") rather than the way an operator does
/// ("what is wrong with this host?"). Every number is counted from the report's own findings.
public enum ControlSummary {
    /// Per framework (sorted), per control (in the order first named by the rules), the hosts by
    /// standing; nil when no rule names a control.
    public static func frameworks(_ report: AuditReport) -> [AuditReport.Framework]? {
        var order: [String: [String]] = [:]          // framework → control ids, first-seen order
        var rulesOf: [String: [String: [String]]] = [:]  // framework → control → rule ids
        for rule in report.rules.rules {
            for (framework, ids) in rule.controls?.byFramework ?? [:] {
                for id in ids {
                    if rulesOf[framework]?[id] == nil { order[framework, default: []].append(id) }
                    rulesOf[framework, default: [:]][id, default: []].append(rule.id)
                }
            }
        }
        guard !order.isEmpty else { return nil }
        // Per host and rule, the worst standing of its findings: 0 pass, 1 waived, 2 warn, 3 fail.
        var standing: [String: [String: Int]] = [:]
        for f in report.findings {
            let value = f.status == .pass ? 0 : f.isWaived ? 1 : f.status == .warn ? 2 : 3
            standing[f.host, default: [:]][f.rule] = max(standing[f.host]?[f.rule] ?? 0, value)
        }
        return order.keys.sorted().map { framework in
            AuditReport.Framework(name: framework, controls: (order[framework] ?? []).map { id in
                let rules = rulesOf[framework]?[id] ?? []
                var control = AuditReport.Control(id: id, rules: rules, passing: 0, warning: 0, failing: 0, waived: 0, notEvaluated: 0, failingHosts: [])
                for host in report.hosts {
                    let values = rules.compactMap { standing[host.name]?[$0] }
                    switch values.max() {
                    case nil: control.notEvaluated += 1
                    case 0: control.passing += 1
                    case 1: control.waived += 1
                    case 2: control.warning += 1
                    default:
                        control.failing += 1
                        control.failingHosts.append(host.name)
                    }
                }
                return control
            })
        }
    }
}
