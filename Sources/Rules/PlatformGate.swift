import Inventory

/// What each check cannot judge on a platform that does not show the facts it reads.
///
/// Why one gate and not a test in every check: a check given a snapshot without VF settings
/// (ESXi's listings have none) would otherwise skip every VF and report nothing, or pass — and
/// `iommu-enabled` would fail on a state nobody could read. The engine asks here once per rule
/// and host: a check whose facts are missing altogether gives one WARN saying it could not judge
/// and why; a check that can judge part of what it covers (`mac-unique` still compares PF MACs)
/// runs, and the WARN names the part it could not.
enum PlatformGate {
    /// What a rule needs: each fact, and whether the check still runs without it (partial).
    static func needs(_ rule: Rule) -> [(fact: PlatformFact, partial: Bool)] {
        switch rule.parameters {
        case .vfCapacity(_, _, let fraction):
            return fraction == nil ? [] : [(.totalVFs, true)]
        case .macUnique:
            return [(.vfSettings, true)]
        default:
            break
        }
        switch rule.check {
        case .iommuEnabled: return [(.iommuState, false)]
        case .iommuIsolation: return [(.iommuGroups, false)]
        case .vfDriver: return [(.vfDriver, false)]
        // consumer-config compares what consumers set with the PF's VF table.
        case .macValid, .vlanAllowed, .vlanConflict, .vfSecurity, .vfRate, .consumerConfig: return [(.vfSettings, false)]
        case .vfCounters: return [(.trafficCounters, false)]
        case .offloadAligned: return [(.offloadFeatures, false)]
        case .firmwarePending, .eswitchMode: return [(.devlink, false)]
        default: return []
        }
    }

    /// The gate's verdict for one rule on one host: the WARN findings to report, and whether the
    /// check itself still runs.
    struct Verdict {
        var findings: [Finding]
        var runs: Bool
    }

    static func verdict(_ rule: Rule, _ host: FactsHost) -> Verdict {
        let platform = host.facts.platform
        guard platform != .linux, rule.selector.matchesLabels(host.labels) else { return Verdict(findings: [], runs: true) }
        // Checks of PFs and VFs concern a host only when the rule selects one of its PFs.
        let hostWide: Set<CheckKind> = [.iommuEnabled, .iommuIsolation]
        guard hostWide.contains(rule.check) || host.pfViews.contains(where: { rule.selector.matches($0) }) else {
            return Verdict(findings: [], runs: true)
        }
        let missing = needs(rule).compactMap { need in platform.unexposed(need.fact).map { (need.fact, need.partial, $0) } }
        guard !missing.isEmpty else { return Verdict(findings: [], runs: true) }
        let partial = missing.allSatisfy(\.1)
        let reasons = missing.map(\.2).joined(separator: "; ")
        let facts = missing.map(\.0.rawValue).joined(separator: ",")
        let what = partial ? "judged only in part on \(platform.displayName) (\(judgedPart(rule)))" : "cannot judge on \(platform.displayName)"
        let finding = Finding(
            rule: rule, status: .warn, host: host.name,
            message: "\(what): \(reasons)",
            hint: partial ? "the rest of this check ran; verify the missing part on the host itself"
                : "verify this on the host itself, or waive the rule for \(platform.rawValue) hosts with a reason",
            evidence: ["platform": platform.rawValue, "unexposed": facts, "judged": partial ? "partly" : "no"])
        return Verdict(findings: [finding], runs: partial)
    }

    /// What a partly judged check did judge.
    private static func judgedPart(_ rule: Rule) -> String {
        switch rule.check {
        case .macUnique: "uplink MACs were compared, VF MACs were not"
        case .vfCapacity: "VF counts were judged, the share of supported VFs was not"
        default: "the rest ran"
        }
    }
}
