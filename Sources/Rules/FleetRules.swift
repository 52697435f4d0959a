import Inventory
import Store

/// The checks that compare hosts within a scope (`mac-unique`, `vlan-conflict`,
/// `firmware-aligned`), run as GROUP BY queries over the fact tables of the audited snapshots
/// (``InventoryStore/duplicateMACUses(_:withVLAN:)`` and its kin): the database hands back only
/// the rows that make findings, and this turns them into findings worded as every report words
/// them. What such a check finds on one host alone (a partial VF table it cannot judge, a VLAN
/// used by the wrong owner) comes in as `direct` findings from the per-host pass.
struct FleetRule {
    let rule: Rule
    let subjects: [AuditSubject]
    /// PF facts by snapshot: what a selector that names PFs is matched against.
    let pfFacts: [Int64: [PFFact]]
    let store: InventoryStore

    static func isFleet(_ check: CheckKind) -> Bool {
        check == .macUnique || check == .vlanConflict || check == .firmwareAligned
    }

    func findings(direct: [Finding], overrides: [VersionOverride] = []) throws -> [Finding] {
        switch rule.parameters {
        case .macUnique(let scope, let withVLAN): try macs(scope, withVLAN, direct)
        case .vlanConflict(let scope, let ownerLabel, _): try vlans(scope, ownerLabel, direct)
        case .firmwareAligned(let scope, let driverToo): try versions(scope, driverToo, overrides)
        default: direct
        }
    }

    // MARK: - scope

    /// The scope's domains: hosts with equal domain names are compared; hosts without the label
    /// are each their own domain.
    private struct Domains {
        var names: [String] = []
        var ids: [String: Int] = [:]

        mutating func id(_ name: String) -> Int {
            if let known = ids[name] { return known }
            ids[name] = names.count
            names.append(name)
            return names.count - 1
        }
    }

    /// Whether a host with these labels is a scope of its own (scope host, or no scope label):
    /// its MACs are compared within it alone, in the per-host pass.
    static func isOwnDomain(_ labels: [String: String], _ scope: Scope) -> Bool {
        switch scope {
        case .host: true
        case .fleet: false
        case .label(let key): labels[key] == nil
        }
    }

    static func domainName(_ subject: AuditSubject, _ scope: Scope) -> String {
        switch scope {
        case .host: "host:\(subject.hostname)"
        case .fleet: "fleet"
        case .label(let key): subject.labels[key].map { "\(key)=\($0)" } ?? "host:\(subject.hostname)"
        }
    }

    private func fleetScope(_ scope: Scope, domains: inout Domains, who: ((AuditSubject) -> String)? = nil) -> (FleetScope, [AuditSubject]) {
        let selected = subjects.filter { rule.selector.matchesLabels($0.labels) }
        let members = selected.map {
            FleetScope.Member(seq: $0.seq, snapshotID: $0.snapshotID, domain: domains.id(Self.domainName($0, scope)), owner: who?($0))
        }
        var picked: [(seq: Int, owner: Int)]?
        if rule.selector.picksPFs {
            picked = []
            for subject in selected {
                for fact in pfFacts[subject.snapshotID] ?? [] {
                    let matches: Bool
                    if let pf = fact.pf {
                        matches = rule.selector.matches(PFView(hostName: subject.hostname, labels: subject.labels, pf: pf))
                    } else if let netdev = fact.netdev {
                        matches = rule.selector.matches(netdev: netdev, labels: subject.labels)
                    } else {
                        matches = false
                    }
                    if matches { picked?.append((subject.seq, FactOwner.code(fact.owner))) }
                }
            }
        }
        return (FleetScope(members: members, picked: picked), selected)
    }

    private func name(_ seq: Int) -> String { subjects[seq].hostname }

    static func scopeName(_ scope: Scope, _ domain: String) -> String {
        switch scope {
        case .host: return "the host"
        case .fleet: return "the fleet"
        case .label(let label): return domain.hasPrefix("host:") ? "the host (no \(label) label)" : domain
        }
    }

    // MARK: - mac-unique

    private func macs(_ scope: Scope, _ withVLAN: Bool, _ direct: [Finding]) throws -> [Finding] {
        var domains = Domains()
        let (fleetScope, selected) = fleetScope(scope, domains: &domains)
        // Hosts that are a scope of their own were compared in the per-host pass (`direct`).
        var shared = fleetScope
        shared.members.removeAll { Self.isOwnDomain(subjects[$0.seq].labels, scope) }
        let rows = shared.members.isEmpty ? [] : try store.duplicateMACUses(shared, withVLAN: withVLAN)
        var findings = direct
        var start = 0
        while start < rows.count {
            var end = start + 1
            while end < rows.count, rows[end].domain == rows[start].domain, rows[end].mac == rows[start].mac, rows[end].vlan == rows[start].vlan { end += 1 }
            let chain = rows[start..<end]
            let mac = rows[start].mac
            let list = chain.map { use -> String in
                let place = use.isVF ? "VF " + (use.address?.description ?? "\(use.name ?? "?") VF \(use.vfIndex)") : "interface \(use.name ?? "?")"
                return "\(name(use.seq)) \(place)"
            }.joined(separator: ", ")
            let domain = Self.scopeName(scope, domains.names[rows[start].domain])
            for use in chain {
                findings.append(rule.violation(host: name(use.seq), bdf: use.address?.description,
                                               "MAC \(mac) is used \(chain.count) times in \(domain): \(list)",
                                               hint: "give each VF and interface its own MAC", evidence: ["mac": mac, "uses": String(chain.count)]))
            }
            start = end
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, try store.hasMACUses(fleetScope) {
            for subject in selected { findings.append(rule.pass(host: subject.hostname, "MACs unique within \(scope)")) }
        }
        return findings
    }

    // MARK: - vlan-conflict

    private func vlans(_ scope: Scope, _ ownerLabel: String?, _ direct: [Finding]) throws -> [Finding] {
        var domains = Domains()
        let (fleetScope, selected) = fleetScope(scope, domains: &domains) { subject in
            ownerLabel.flatMap { subject.labels[$0] } ?? "(no \(ownerLabel ?? "owner") label)"
        }
        var findings = direct
        if ownerLabel != nil {
            let rows = try store.conflictingVLANUses(fleetScope)
            var start = 0
            while start < rows.count {
                var end = start + 1
                while end < rows.count, rows[end].domain == rows[start].domain, rows[end].vlan == rows[start].vlan { end += 1 }
                let group = rows[start..<end]
                let names = Set(group.map(\.owner)).sorted().joined(separator: ", ")
                let count = Set(group.map(\.owner)).count
                for use in group {
                    let subject = use.address?.description ?? "\(use.pfInterface ?? "?") VF \(use.vfIndex)"
                    findings.append(rule.violation(host: name(use.seq), bdf: use.address?.description,
                                                   "VLAN \(use.vlan) is used by \(count) owners (\(names)); here by VF \(subject)",
                                                   hint: "a VLAN belongs to one \(ownerLabel ?? "owner") within \(scope)",
                                                   evidence: ["vlan": String(use.vlan), "owners": names]))
                }
                start = end
            }
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, try store.hasVLANUses(fleetScope) {
            for subject in selected { findings.append(rule.pass(host: subject.hostname, "no VLAN shared between owners")) }
        }
        return findings
    }

    // MARK: - firmware-aligned

    private func versions(_ scope: Scope, _ driverToo: Bool, _ overrides: [VersionOverride]) throws -> [Finding] {
        var domains = Domains()
        let (fleetScope, _) = fleetScope(scope, domains: &domains)
        let members = try store.versionMembers(fleetScope, overrides: overrides)
        struct GroupKey: Hashable {
            var domain: Int
            var model: String
            var field: String
        }
        var groups: [GroupKey: [VersionMemberRow]] = [:]
        var counts: [GroupKey: [String: Int]] = [:]
        let fields = driverToo ? ["firmware", "driver"] : ["firmware"]
        for field in fields {
            for member in members { groups[GroupKey(domain: member.domain, model: member.model, field: field), default: []].append(member) }
            for row in try store.versionCounts(fleetScope, driver: field == "driver", overrides: overrides) {
                counts[GroupKey(domain: row.domain, model: row.model, field: field), default: [:]][row.value] = row.count
            }
        }
        var findings: [Finding] = []
        var passes = Set<String>()
        let ordered = groups.sorted { (domains.names[$0.key.domain], $0.key.model, $0.key.field) < (domains.names[$1.key.domain], $1.key.model, $1.key.field) }
        for (key, members) in ordered {
            let count = counts[key] ?? [:]
            // The baseline is the most common value; ties go to the newest version, and versions
            // that order the same or not at all (`6.1.0-56-amd64`, `6.1.0-57-amd64`) to the text
            // that sorts last, so that the baseline never depends on a dictionary's order.
            let baseline = count.max { a, b in
                if a.value != b.value { return a.value < b.value }
                if let va = VendorVersion(a.key), let vb = VendorVersion(b.key), let order = va.compare(vb), order != .equal { return order == .older }
                return a.key < b.key
            }?.key ?? ""
            let spread = count.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            for member in members {
                let value = (key.field == "firmware" ? member.firmware : member.driverVersion) ?? "(none)"
                guard value != baseline else {
                    passes.insert(name(member.seq))
                    continue
                }
                findings.append(rule.violation(
                    host: name(member.seq), bdf: member.address.description,
                    "\(key.field) \(value) differs from the baseline \(baseline) (\(count[baseline] ?? 0) of \(members.count) \(member.modelName) PFs in \(scope)); spread: \(spread)",
                    hint: "align \(key.field) with the baseline before the next roll-out",
                    evidence: ["value": value, "baseline": baseline, "baselineCount": String(count[baseline] ?? 0), "model": member.model]))
            }
        }
        let failed = Set(findings.map(\.host))
        let field = driverToo ? "firmware and driver" : "firmware"
        for host in passes.subtracting(failed).sorted() { findings.append(rule.pass(host: host, "\(field) aligned with the \(scope)")) }
        return findings
    }
}
