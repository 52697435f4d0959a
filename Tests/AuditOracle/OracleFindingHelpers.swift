import Rules

// The oracle's own copy of how the checks word a violation and a pass (Rules keeps its copy
// internal): the oracle must not borrow the engine it checks.
extension Rule {
    func violation(host: String, bdf: String? = nil, _ message: String, hint: String? = nil, evidence: [String: String] = [:]) -> Finding {
        Finding(rule: self, status: severity >= .medium ? .fail : .warn, host: host, bdf: bdf, message: message, hint: hint, evidence: evidence)
    }

    func pass(host: String, _ message: String, evidence: [String: String] = [:]) -> Finding {
        Finding(rule: self, status: .pass, host: host, message: message, evidence: evidence)
    }
}
