import Inventory

/// The checks that compare values across devices and hosts within a scope. Each groups every
/// value by a key in one pass (a dictionary), so the cost is linear in the number of VFs.
enum FleetChecks {
    static func run(_ rule: Rule, _ hosts: [AuditHost]) -> [Finding] {
        switch rule.parameters {
        case .macUnique(let scope, let withVLAN): return macUnique(rule, hosts, scope, withVLAN)
        case .vlanConflict(let scope, let ownerLabel, let owners): return vlanConflict(rule, hosts, scope, ownerLabel, owners)
        case .firmwareAligned(let scope, let driverToo): return aligned(rule, hosts, scope, driverToo)
        default: return []
        }
    }

    /// The scope a host belongs to; hosts without the label are each their own domain.
    static func domain(_ host: AuditHost, _ scope: Scope) -> String {
        switch scope {
        case .host: "host:\(host.name)"
        case .fleet: "fleet"
        case .label(let key): host.labels[key].map { "\(key)=\($0)" } ?? "host:\(host.name)"
        }
    }

    private struct Use {
        var host: String
        var place: String
        var bdf: String?
    }

    /// What must be unique: a MAC (and VLAN) within a scope domain.
    private struct MACKey: Hashable {
        var domain: String
        var mac: String
        var vlan: Int
    }

    private static func macUnique(_ rule: Rule, _ hosts: [AuditHost], _ scope: Scope, _ withVLAN: Bool) -> [Finding] {
        var uses: [MACKey: [Use]] = [:]
        var counted = 0
        for host in hosts where rule.selector.matchesHost(host) {
            let d = domain(host, scope)
            let vfNetdevs = Set(host.snapshot.virtualFunctions.flatMap(\.interfaces))
            for vf in host.vfViews(rule.selector) {
                // One device, one use: a VF's admin and netdev MAC are usually the same address.
                var macs = Set<String>()
                if let admin = vf.config?.mac, !HostChecks.isZero(admin) { macs.insert(admin) }
                if let effective = vf.vf?.effectiveMAC, !HostChecks.isZero(effective) { macs.insert(effective) }
                for mac in macs {
                    let key = MACKey(domain: d, mac: mac, vlan: withVLAN ? vf.config?.vlan ?? 0 : 0)
                    uses[key, default: []].append(Use(host: host.name, place: "VF \(vf.subject)", bdf: vf.bdf))
                    counted += 1
                }
            }
            // Physical interfaces only: bonds, VLAN devices and bridges take a port's MAC by design.
            for interface in host.snapshot.interfaces where interface.pciAddress != nil && !vfNetdevs.contains(interface.name) {
                guard let mac = interface.mac, !HostChecks.isZero(mac) else { continue }
                let key = MACKey(domain: d, mac: mac, vlan: 0)
                uses[key, default: []].append(Use(host: host.name, place: "interface \(interface.name)", bdf: interface.pciAddress?.description))
                counted += 1
            }
        }
        var findings: [Finding] = []
        for (key, places) in uses where places.count > 1 {
            let list = places.map { "\($0.host) \($0.place)" }.joined(separator: ", ")
            for use in places {
                findings.append(rule.violation(host: use.host, bdf: use.bdf, "MAC \(key.mac) is used \(places.count) times in \(scopeName(scope, key.domain)): \(list)",
                                               hint: "give each VF and interface its own MAC", evidence: ["mac": key.mac, "uses": String(places.count)]))
            }
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, counted > 0 {
            for host in hosts where rule.selector.matchesHost(host) { findings.append(rule.pass(host: host.name, "MACs unique within \(scope)")) }
        }
        return findings
    }

    private static func scopeName(_ scope: Scope, _ domain: String) -> String {
        switch scope {
        case .host: return "the host"
        case .fleet: return "the fleet"
        case .label(let label): return domain.hasPrefix("host:") ? "the host (no \(label) label)" : domain
        }
    }

    private static func vlanConflict(_ rule: Rule, _ hosts: [AuditHost], _ scope: Scope, _ ownerLabel: String?, _ owners: [Int: String]) -> [Finding] {
        var byVLAN: [String: [String: [Use]]] = [:]  // domain|vlan → owner → uses
        var findings: [Finding] = []
        var counted = 0
        for host in hosts where rule.selector.matchesHost(host) {
            let d = domain(host, scope)
            let hostOwner = ownerLabel.flatMap { host.labels[$0] }
            for vf in host.vfViews(rule.selector) {
                guard let vlan = vf.config?.vlan, vlan != 0 else { continue }
                counted += 1
                let use = Use(host: host.name, place: "VF \(vf.subject)", bdf: vf.bdf)
                if let assigned = owners[vlan], let hostOwner, hostOwner != assigned {
                    findings.append(rule.violation(host: host.name, bdf: vf.bdf, "VLAN \(vlan) belongs to \(assigned) but \(vf.subject) of \(ownerLabel ?? "owner") \(hostOwner) uses it",
                                                   hint: "move the VF to one of \(hostOwner)'s VLANs", evidence: ["vlan": String(vlan), "owner": assigned]))
                }
                guard ownerLabel != nil else { continue }
                byVLAN["\(d)|\(vlan)", default: [:]][hostOwner ?? "(no \(ownerLabel ?? "owner") label)", default: []].append(use)
            }
        }
        for (key, owners) in byVLAN where owners.count > 1 {
            let vlan = key.split(separator: "|")[1]
            let names = owners.keys.sorted().joined(separator: ", ")
            for (_, uses) in owners {
                for use in uses {
                    findings.append(rule.violation(host: use.host, bdf: use.bdf, "VLAN \(vlan) is used by \(owners.count) owners (\(names)); here by \(use.place)",
                                                   hint: "a VLAN belongs to one \(ownerLabel ?? "owner") within \(scope)",
                                                   evidence: ["vlan": String(vlan), "owners": names]))
                }
            }
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, counted > 0 {
            for host in hosts where rule.selector.matchesHost(host) { findings.append(rule.pass(host: host.name, "no VLAN shared between owners")) }
        }
        return findings
    }

    private static func aligned(_ rule: Rule, _ hosts: [AuditHost], _ scope: Scope, _ driverToo: Bool) -> [Finding] {
        var groups: [String: [(PFView, String)]] = [:]  // domain|model|field → (pf, value)
        for host in hosts {
            for view in host.pfViews where rule.selector.matches(view) {
                guard view.pf.driverInfo != nil else { continue }
                let d = domain(host, scope)
                groups["\(d)|\(view.model)|firmware", default: []].append((view, view.firmware ?? "(none)"))
                if driverToo { groups["\(d)|\(view.model)|driver", default: []].append((view, view.driverVersion ?? "(none)")) }
            }
        }
        var findings: [Finding] = []
        var passes = Set<String>()
        for (key, members) in groups.sorted(by: { $0.key < $1.key }) {
            let field = String(key.split(separator: "|").last ?? "firmware")
            var counts: [String: Int] = [:]
            for (_, value) in members { counts[value, default: 0] += 1 }
            // The baseline is the most common value; ties go to the newest version.
            let baseline = counts.max { a, b in
                if a.value != b.value { return a.value < b.value }
                guard let va = VendorVersion(a.key), let vb = VendorVersion(b.key), let order = va.compare(vb) else { return a.key < b.key }
                return order == .older
            }?.key ?? ""
            if counts.count == 1 {
                for (view, _) in members { passes.insert(view.hostName) }
                continue
            }
            let spread = counts.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            for (view, value) in members where value != baseline {
                findings.append(rule.violation(
                    host: view.hostName, bdf: view.pf.address.description,
                    "\(field) \(value) differs from the baseline \(baseline) (\(counts[baseline] ?? 0) of \(members.count) \(view.modelName) PFs in \(scope)); spread: \(spread)",
                    hint: "align \(field) with the baseline before the next roll-out",
                    evidence: ["value": value, "baseline": baseline, "baselineCount": String(counts[baseline] ?? 0), "model": view.model]))
            }
            for (view, value) in members where value == baseline { passes.insert(view.hostName) }
        }
        let failed = Set(findings.map(\.host))
        for host in passes.subtracting(failed).sorted() { findings.append(rule.pass(host: host, "\(field(driverToo)) aligned with the \(scope)")) }
        return findings
    }

    private static func field(_ driverToo: Bool) -> String { driverToo ? "firmware and driver" : "firmware" }
}
