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

/// Runs a rule set over hosts. Per-host checks look at one snapshot at a time; fleet checks
/// (MAC uniqueness, VLAN ownership, firmware alignment) keep only compact keys per host, so hosts
/// can be fed in batches (``AuditSession``) and a fleet never has to be in memory at once.
public struct Auditor: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    public func audit(_ hosts: [AuditHost]) -> AuditResult {
        var session = AuditSession(rules: rules)
        session.add(hosts)
        return session.finish()
    }
}

/// An audit fed host by host (or batch by batch).
public struct AuditSession {
    public let rules: RuleSet
    private var hosts: [String] = []
    /// Per-host findings by rule position: the report's order (rule, then host) without a sort.
    private var perRule: [[Finding]]
    private var fleet: [(position: Int, check: FleetCheck)]

    public init(rules: RuleSet) {
        self.rules = rules
        perRule = Array(repeating: [], count: rules.rules.count)
        fleet = rules.rules.enumerated().filter { FleetCheck.isFleet($0.element.check) }.map { ($0.offset, FleetCheck($0.element)) }
    }

    public mutating func add(_ batch: [AuditHost]) {
        for host in batch {
            hosts.append(host.name)
            for (position, rule) in rules.rules.enumerated() where !FleetCheck.isFleet(rule.check) {
                perRule[position] += HostChecks.run(rule, host)
            }
            for i in fleet.indices { fleet[i].check.add(host) }
        }
    }

    /// The findings in rule order (a stable order: per host as the checks produced them).
    public func finish() -> AuditResult {
        var byRule = perRule
        for (position, check) in fleet { byRule[position] = check.finish() }
        return AuditResult(hosts: hosts, findings: Array(byRule.joined()))
    }
}
