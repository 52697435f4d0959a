import Inventory

/// The result of auditing hosts against a rule set.
public struct AuditResult: Codable, Sendable {
    public var hosts: [String]
    public var findings: [Finding]

    public init(hosts: [String], findings: [Finding]) {
        self.hosts = hosts
        self.findings = findings
    }

    /// Violations at or above `severity` (what `--fail-on` counts).
    public func failures(atOrAbove severity: Severity) -> [Finding] {
        findings.filter { $0.status != .pass && $0.severity >= severity }
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
    private var perHost: [Finding] = []
    private var fleet: [FleetCheck]

    public init(rules: RuleSet) {
        self.rules = rules
        fleet = rules.rules.filter { FleetCheck.isFleet($0.check) }.map(FleetCheck.init)
    }

    public mutating func add(_ batch: [AuditHost]) {
        for host in batch {
            hosts.append(host.name)
            for rule in rules.rules where !FleetCheck.isFleet(rule.check) { perHost += HostChecks.run(rule, host) }
            for i in fleet.indices { fleet[i].add(host) }
        }
    }

    /// The findings in rule order (a stable order: per host as the checks produced them).
    public func finish() -> AuditResult {
        var findings = perHost
        for check in fleet { findings += check.finish() }
        let order = Dictionary(rules.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let sorted = findings.enumerated().sorted { a, b in
            let (ra, rb) = (order[a.element.rule] ?? 0, order[b.element.rule] ?? 0)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
        return AuditResult(hosts: hosts, findings: sorted)
    }
}

extension AuditHost {
    /// Every VF of the PFs `selector` picks, PCI VFs and netdev-only VF table entries alike.
    func vfViews(_ selector: Selector) -> [VFView] {
        var result: [VFView] = []
        for view in pfViews where selector.matches(view) {
            for vf in view.pf.virtualFunctions {
                result.append(VFView(host: self, pfAddress: view.pf.address, pfInterface: view.pf.interfaces.first,
                                     index: vf.index, vf: vf, config: vf.config))
            }
        }
        for interface in snapshot.interfaces where interface.pciAddress == nil && !interface.vfs.isEmpty {
            guard selector.matches(interface: interface, host: self) else { continue }
            for config in interface.vfs {
                result.append(VFView(host: self, pfAddress: nil, pfInterface: interface.name, index: config.index, vf: nil, config: config))
            }
        }
        return result
    }
}
