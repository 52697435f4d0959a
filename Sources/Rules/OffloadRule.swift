import Inventory
import Store

/// `offload-aligned` across hosts: like `firmware-aligned`, PFs are grouped by model, driver and
/// firmware within the rule's scope, and a PF interface whose changeable offload features differ
/// from the group's most common set is a finding naming the features that differ. Fixed
/// features are left out: they say what the NIC is, not how it was configured.
///
/// Reads `interface_features` of the audited snapshots; the per-host `require`/`forbid` findings
/// come in as `direct`.
struct OffloadRule {
    let rule: Rule
    let scope: Scope
    let subjects: [AuditSubject]
    let pfFacts: [Int64: [PFFact]]
    let features: [Int64: [String: NetdevFeatures]]

    /// One PF interface with its features, in its comparison group.
    private struct Member {
        var seq: Int
        var pf: AuditFacts.PF
        var interface: String
        var features: NetdevFeatures
    }

    /// The findings, and per host (by subject position) the number of PF interfaces that differ
    /// from their group: the "feature drift" reports show.
    func findings(direct: [Finding]) -> (findings: [Finding], drift: [Int: Int]) {
        var groups: [String: [Member]] = [:]
        var order: [String] = []
        for subject in subjects where rule.selector.matchesLabels(subject.labels) {
            for fact in pfFacts[subject.snapshotID] ?? [] {
                guard let pf = fact.pf, rule.selector.matches(PFView(hostName: subject.hostname, labels: subject.labels, pf: pf)),
                      let interface = pf.interfaces.first, let f = features[subject.snapshotID]?[interface] else { continue }
                let key = [FleetRule.domainName(subject, scope), pf.model, pf.driver ?? "?", pf.firmware ?? "?"].joined(separator: "\u{0}")
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(Member(seq: subject.seq, pf: pf, interface: interface, features: f))
            }
        }
        var findings = direct
        var drift: [Int: Int] = [:]
        var compared = Set<Int>()
        for key in order {
            guard let members = groups[key], members.count > 1 else { continue }
            var counts: [String: Int] = [:]
            for m in members { counts[m.features.signature, default: 0] += 1 }
            // The most common set; a tie goes to the set seen first, so the verdict is stable.
            var best: Member?
            for m in members where counts[m.features.signature, default: 0] > counts[best?.features.signature ?? "", default: 0] { best = m }
            guard let best, let model = members.first else { continue }
            let common = best.features.signature
            let reference = Dictionary(best.features.changeable.map { ($0.name, $0.on) }, uniquingKeysWith: { a, _ in a })
            for m in members {
                compared.insert(m.seq)
                guard m.features.signature != common else { continue }
                drift[m.seq, default: 0] += 1
                let mine = Dictionary(m.features.changeable.map { ($0.name, $0.on) }, uniquingKeysWith: { a, _ in a })
                let differing = Set(mine.keys).union(reference.keys).sorted().compactMap { name -> String? in
                    switch (mine[name], reference[name]) {
                    case let (a?, b?) where a != b: return "\(name) \(a ? "on" : "off") (fleet: \(b ? "on" : "off"))"
                    case (nil, _?): return "\(name) fixed or absent"
                    case (_?, nil): return "\(name) \(mine[name]! ? "on" : "off") (fixed or absent elsewhere)"
                    default: return nil
                    }
                }
                let host = subjects[m.seq].hostname
                findings.append(rule.violation(
                    host: host, bdf: m.pf.address.description,
                    "\(m.interface) differs from \(counts[common, default: 0]) of \(members.count) \(model.pf.modelName) PFs (\(model.pf.driver ?? "?"), firmware \(model.pf.firmware ?? "?")) in \(FleetRule.scopeName(scope, FleetRule.domainName(subjects[m.seq], scope))): \(differing.prefix(8).joined(separator: ", "))\(differing.count > 8 ? ", …" : "")",
                    hint: "align with `ethtool -K \(m.interface) FEATURE on|off` and persist it (udev, NetworkManager, systemd-networkd)",
                    evidence: ["differing": String(differing.count), "group": String(members.count), "interface": m.interface]))
            }
        }
        // Every host without a finding gets one PASS saying what was compared.
        var membersOf: [Int: Int] = [:]
        for members in groups.values { for m in members { membersOf[m.seq, default: 0] += 1 } }
        let reported = Set(findings.map(\.host))
        for subject in subjects where rule.selector.matchesLabels(subject.labels) && !reported.contains(subject.hostname) {
            let n = membersOf[subject.seq] ?? 0
            findings.append(rule.pass(host: subject.hostname, compared.contains(subject.seq)
                ? "offload features of \(n) PF interface(s) equal to the PFs of the same model, driver and firmware"
                : "\(n) PF interface(s) with offload features, none with a peer of the same model, driver and firmware to compare with",
                evidence: ["interfaces": String(n)]))
        }
        return (findings, drift)
    }
}
