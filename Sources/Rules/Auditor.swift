import Inventory

/// The result of auditing hosts against a rule set.
public struct AuditResult: Codable, Sendable {
    public var hosts: [String]
    public var findings: [Finding]

    /// Violations at or above `severity` (what `--fail-on` counts).
    public func failures(atOrAbove severity: Severity) -> [Finding] {
        findings.filter { $0.status != .pass && $0.severity >= severity }
    }
}

/// Runs a rule set over hosts. Per-host checks look at one snapshot; fleet checks (MAC
/// uniqueness, VLAN ownership, firmware alignment) group every host's values by a key in one
/// pass, so the cost grows linearly with the number of VFs, never pairwise.
public struct Auditor: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    public func audit(_ hosts: [AuditHost]) -> AuditResult {
        var findings: [Finding] = []
        for rule in rules.rules {
            switch rule.check {
            case .macUnique, .vlanConflict, .firmwareAligned:
                findings += FleetChecks.run(rule, hosts)
            default:
                for host in hosts { findings += HostChecks.run(rule, host) }
            }
        }
        return AuditResult(hosts: hosts.map(\.name), findings: findings)
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
