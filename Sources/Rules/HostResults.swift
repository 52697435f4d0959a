import Inventory

/// One host's per-host findings, by rule position: every per-host check's, and what each fleet
/// check finds on the host alone (a partial VF table, a VLAN its owner may not use). Pure: it
/// needs no other host, so the engine works it out on every core and keeps it in the store.
struct HostResults: Sendable {
    var perRule: [[Finding]]

    static func evaluate(_ rules: RuleSet, _ host: FactsHost) -> HostResults {
        HostResults(perRule: rules.rules.map { rule in
            FleetRule.isFleet(rule.check) ? FleetDirect.findings(rule, host) : HostChecks.run(rule, host)
        })
    }

    /// The stored form: per rule, its findings' status, device, message, hint and evidence (the
    /// rule's id, kind and severity come from the rules, the host's name from the audit).
    func encoded() -> [UInt8] {
        var w = FactsWriter()
        w.int(perRule.count)
        for findings in perRule {
            w.int(findings.count)
            for f in findings {
                w.int(f.status == .pass ? 0 : f.status == .warn ? 1 : 2)
                w.string(f.bdf); w.string(f.message); w.string(f.hint)
                let evidence = f.evidence.sorted { $0.key < $1.key }
                w.int(evidence.count)
                for (key, value) in evidence { w.string(key); w.string(value) }
            }
        }
        return w.bytes
    }

    init(perRule: [[Finding]]) {
        self.perRule = perRule
    }

    init(decoding bytes: [UInt8], rules: RuleSet, host: String) throws(FactsDecodingError) {
        var r = FactsReader(bytes)
        let count = try r.int()
        guard count == rules.rules.count else { throw FactsDecodingError(reason: "kept results for \(count) rules, the rules file has \(rules.rules.count)") }
        perRule = try rules.rules.map { rule throws(FactsDecodingError) in
            try r.array { r throws(FactsDecodingError) in
                let status: Finding.Status = switch try r.int() { case 0: .pass; case 1: .warn; default: .fail }
                let bdf = try r.optionalString(), message = try r.string(), hint = try r.optionalString()
                var evidence: [String: String] = [:]
                for _ in 0..<(try r.int()) { evidence[try r.string()] = try r.string() }
                return Finding(rule: rule, status: status, host: host, bdf: bdf, message: message, hint: hint, evidence: evidence)
            }
        }
        guard r.atEnd else { throw FactsDecodingError(reason: "\(r.remaining) bytes after the kept results") }
    }
}

/// What a fleet check finds on one host alone.
enum FleetDirect {
    static func findings(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        guard rule.selector.matchesLabels(host.labels) else { return [] }
        switch rule.parameters {
        case .macUnique:
            // MACs missing from a partial VF table cannot be compared: say so, never pass over them.
            return cannotJudge(rule, host)
        case .vlanConflict(_, let ownerLabel, let owners):
            var findings = cannotJudge(rule, host)
            let hostOwner = ownerLabel.flatMap { host.labels[$0] }
            guard let hostOwner else { return findings }
            for vf in host.vfViews(rule.selector) {
                guard let vlan = vf.config?.vlan, vlan != 0, let assigned = owners[vlan], hostOwner != assigned else { continue }
                findings.append(rule.violation(host: host.name, bdf: vf.bdf, "VLAN \(vlan) belongs to \(assigned) but \(vf.subject) of \(ownerLabel ?? "owner") \(hostOwner) uses it",
                                               hint: "move the VF to one of \(hostOwner)'s VLANs", evidence: ["vlan": String(vlan), "owner": assigned]))
            }
            return findings
        default:
            return []
        }
    }

    private static func cannotJudge(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        host.incompleteVFTables(rule.selector).map { rule.cannotJudge(host: host.name, $0, pfAddress: host.pfAddress(of: $0)) }
    }
}
