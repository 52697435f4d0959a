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
        // Per host and rule, the worst standing of its findings (as the compliance timeline ranks them).
        var standing: [String: [String: ComplianceTimeline.State]] = [:]
        for f in report.findings {
            let state = ComplianceTimeline.State(f)
            if state.rank > (standing[f.host]?[f.rule] ?? .notApplicable).rank { standing[f.host, default: [:]][f.rule] = state }
        }
        return order.keys.sorted().map { framework in
            AuditReport.Framework(name: framework, controls: (order[framework] ?? []).map { id in
                let rules = rulesOf[framework]?[id] ?? []
                var control = AuditReport.Control(id: id, rules: rules, passing: 0, warning: 0, failing: 0, waived: 0, notEvaluated: 0, failingHosts: [])
                for host in report.hosts {
                    let worst = rules.compactMap { standing[host.name]?[$0] }.max { $0.rank < $1.rank }
                    switch worst ?? .notApplicable {
                    case .notApplicable: control.notEvaluated += 1
                    case .pass: control.passing += 1
                    case .waived: control.waived += 1
                    case .warn: control.warning += 1
                    case .fail:
                        control.failing += 1
                        control.failingHosts.append(host.name)
                    }
                }
                return control
            })
        }
    }
}
