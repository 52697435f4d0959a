import Inventory

/// The result of auditing hosts against a rule set.
public struct AuditResult: Codable, Sendable {
    public var hosts: [String]
    public var findings: [Finding]

    public init(hosts: [String], findings: [Finding]) {
        self.hosts = hosts
        self.findings = findings
    }
}

/// Audits hosts given in memory against a rule set, through ``AuditEngine`` (a private
/// in-memory store): the short way for tools and tests.
public struct Auditor: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    public func audit(_ hosts: [AuditHost]) throws -> AuditResult {
        let outcome = try AuditEngine(rules: rules).run(hosts)
        return AuditResult(hosts: outcome.subjects.map(\.hostname), findings: outcome.findings)
    }
}
