import Inventory
import Rules

// The oracle: the check engine sriov-audit had before audit facts, walking whole snapshots,
// kept here (and only here) as an independent second implementation. The fact-based engine
// (`AuditEngine`) must give its findings, finding for finding, on every capture and derived fleet
// (`EngineOracleTests`, `sriov-audit-fixtures oracle`). Not maintained beyond that role: a check
// changed in Rules is changed here in the same commit, or the tests say where they differ.

/// The result of auditing hosts against a rule set.
public struct OracleResult: Codable, Sendable {
    public var hosts: [String]
    public var findings: [Finding]

    public init(hosts: [String], findings: [Finding]) {
        self.hosts = hosts
        self.findings = findings
    }
}

/// Runs a rule set over hosts. Per-host checks look at one snapshot at a time; fleet checks
/// (MAC uniqueness, VLAN ownership, firmware alignment) keep only compact keys per host, so hosts
/// can be fed in batches (``OracleSession``) and a fleet never has to be in memory at once.
public struct OracleAuditor: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    public func audit(_ hosts: [OracleHost]) -> OracleResult {
        var session = OracleSession(rules: rules)
        session.add(hosts)
        return session.finish()
    }
}

/// An audit fed host by host (or batch by batch).
public struct OracleSession {
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

    public mutating func add(_ batch: [OracleHost]) {
        add(batch, hostFindings: OracleHostFindings(rules: rules, hosts: batch))
    }

    /// Adds a batch whose per-host findings were already worked out (possibly on another thread).
    public mutating func add(_ batch: [OracleHost], hostFindings: OracleHostFindings) {
        for (position, findings) in hostFindings.perRule.enumerated() where !findings.isEmpty {
            perRule[position] += findings
        }
        for host in batch {
            hosts.append(host.name)
            for i in fleet.indices { fleet[i].check.add(host) }
        }
    }

    /// The findings in rule order (a stable order: per host as the checks produced them).
    public func finish() -> OracleResult {
        var byRule = perRule
        for (position, check) in fleet { byRule[position] = check.finish() }
        return OracleResult(hosts: hosts, findings: Array(byRule.joined()))
    }
}

/// The findings of every rule that looks at one host at a time, for a batch of hosts, by rule
/// position (hosts in batch order). It needs nothing from other hosts, so a fleet audit works it
/// out on several threads and hands it to ``OracleSession/add(_:hostFindings:)`` in order.
public struct OracleHostFindings: Sendable {
    let perRule: [[Finding]]

    public init(rules: RuleSet, hosts: [OracleHost]) {
        perRule = rules.rules.map { rule in
            FleetCheck.isFleet(rule.check) ? [] : hosts.flatMap { HostChecks.run(rule, $0) }
        }
    }
}
