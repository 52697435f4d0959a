import Inventory
import Rules

/// The checks that compare values across devices and hosts within a scope. Hosts are fed in one
/// at a time (``add(_:)``) and only compact keys are kept; every value is grouped by a key in a
/// dictionary, so the cost is linear in the number of VFs, and ``finish()`` turns the groups into
/// findings.
struct FleetCheck {
    let rule: Rule
    /// mac-unique: the latest use of each key; earlier uses of the same key are chained through
    /// `MACUse.previous`. One hash operation and no allocation per MAC, whatever the fleet size.
    private var macLatest = MACIndex()
    private var macUses: [MACUse] = []
    private var hostNames: [String] = []
    private var domainIDs: [String: Int32] = [:]
    private var domainNames: [String] = []
    private var vlanOwners: [VLANKey: [String: [Use]]] = [:]
    private var firmware: [ModelKey: [PFValue]] = [:]
    private var direct: [Finding] = []
    private var selectedHosts: [String] = []
    private var counted = 0

    init(_ rule: Rule) {
        self.rule = rule
    }

    static func isFleet(_ check: CheckKind) -> Bool {
        check == .macUnique || check == .vlanConflict || check == .firmwareAligned
    }

    private struct Use {
        var host: String
        var place: String
        var bdf: String?
    }

    /// Where a MAC was seen; the words for messages are made only for duplicates.
    private struct MACUse {
        var host: Int32
        var previous: Int32
        var address: PCIAddress?
        /// The interface's name, or a netdev-only VF's PF interface.
        var name: String?
        var vfIndex: Int32
        var isVF: Bool

        var place: String {
            if isVF { return "VF " + (address?.description ?? "\(name ?? "?") VF \(vfIndex)") }
            return "interface \(name ?? "?")"
        }
    }

    private struct VLANKey: Hashable {
        var domain: String
        var vlan: Int
    }

    private struct ModelKey: Hashable {
        var domain: String
        var model: String
        var field: String
    }

    private struct PFValue {
        var host: String
        var bdf: String
        var modelName: String
        var model: String
        var value: String
    }

    /// The scope a host belongs to; hosts without the label are each their own domain.
    static func domain(_ host: OracleHost, _ scope: Scope) -> String {
        switch scope {
        case .host: "host:\(host.name)"
        case .fleet: "fleet"
        case .label(let key): host.labels[key].map { "\(key)=\($0)" } ?? "host:\(host.name)"
        }
    }

    mutating func add(_ host: OracleHost) {
        switch rule.parameters {
        case .macUnique(let scope, let withVLAN): addMACs(host, scope, withVLAN)
        case .vlanConflict(let scope, let ownerLabel, let owners): addVLANs(host, scope, ownerLabel, owners)
        case .firmwareAligned(let scope, let driverToo): addFirmware(host, scope, driverToo)
        default: break
        }
    }

    func finish() -> [Finding] {
        switch rule.parameters {
        case .macUnique(let scope, _): finishMACs(scope)
        case .vlanConflict(let scope, let ownerLabel, _): finishVLANs(scope, ownerLabel)
        case .firmwareAligned(let scope, let driverToo): finishFirmware(scope, driverToo)
        default: []
        }
    }

    // MARK: - mac-unique

    private mutating func addMACs(_ host: OracleHost, _ scope: Scope, _ withVLAN: Bool) {
        guard rule.selector.matchesHost(host) else { return }
        selectedHosts.append(host.name)
        let hostIndex = Int32(hostNames.count)
        hostNames.append(host.name)
        let domainName = Self.domain(host, scope)
        let d: Int32
        if let known = domainIDs[domainName] {
            d = known
        } else {
            d = Int32(domainNames.count)
            domainIDs[domainName] = d
            domainNames.append(domainName)
        }
        func record(_ mac: MACValue, vlan: Int, _ use: MACUse) {
            var use = use
            use.previous = macLatest.updateValue(Int32(macUses.count), for: MACIndex.Key(domain: d, mac: mac, vlan: Int32(truncatingIfNeeded: vlan))) ?? -1
            macUses.append(use)
            counted += 1
        }
        let vfNetdevs = host.vfNetdevs
        // MACs missing from a partial VF table cannot be compared: say so, never pass over them.
        for table in host.incompleteVFTables(rule.selector) { direct.append(rule.cannotJudge(host: host.name, table)) }
        for vf in host.vfViews(rule.selector) {
            // One device, one use: a VF's admin and netdev MAC are usually the same address.
            let use = MACUse(host: hostIndex, previous: -1, address: vf.vf?.address, name: vf.pfInterface, vfIndex: Int32(truncatingIfNeeded: vf.index), isVF: true)
            let vlan = withVLAN ? vf.config?.vlan ?? 0 : 0
            let admin = Self.usable(vf.config?.mac)
            let effective = Self.usable(vf.vf?.effectiveMAC)
            if let admin { record(admin, vlan: vlan, use) }
            if let effective, effective != admin { record(effective, vlan: vlan, use) }
        }
        // Physical interfaces only: bonds, VLAN devices and bridges take a port's MAC by design.
        for interface in host.snapshot.interfaces where interface.pciAddress != nil && !vfNetdevs.contains(interface.name) {
            guard let mac = interface.mac, !HostChecks.isZero(mac) else { continue }
            record(MACValue(mac), vlan: 0, MACUse(host: hostIndex, previous: -1, address: interface.pciAddress, name: interface.name, vfIndex: 0, isVF: false))
        }
    }

    /// A MAC worth comparing: present and not all zeroes (mac-valid covers those).
    private static func usable(_ mac: String?) -> MACValue? {
        guard let mac, !HostChecks.isZero(mac) else { return nil }
        return MACValue(mac)
    }

    private func finishMACs(_ scope: Scope) -> [Finding] {
        var findings = direct
        for (key, latest) in macLatest.entries where macUses[Int(latest)].previous >= 0 {
            var chain: [MACUse] = []
            var index = latest
            while index >= 0 {
                chain.append(macUses[Int(index)])
                index = macUses[Int(index)].previous
            }
            chain.reverse()
            let mac = key.mac.text
            let list = chain.map { "\(hostNames[Int($0.host)]) \($0.place)" }.joined(separator: ", ")
            let domain = Self.scopeName(scope, domainNames[Int(key.domain)])
            for use in chain {
                findings.append(rule.violation(host: hostNames[Int(use.host)], bdf: use.address?.description,
                                               "MAC \(mac) is used \(chain.count) times in \(domain): \(list)",
                                               hint: "give each VF and interface its own MAC", evidence: ["mac": mac, "uses": String(chain.count)]))
            }
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, counted > 0 {
            for host in selectedHosts { findings.append(rule.pass(host: host, "MACs unique within \(scope)")) }
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

    // MARK: - vlan-conflict

    private mutating func addVLANs(_ host: OracleHost, _ scope: Scope, _ ownerLabel: String?, _ owners: [Int: String]) {
        guard rule.selector.matchesHost(host) else { return }
        selectedHosts.append(host.name)
        let d = Self.domain(host, scope)
        let hostOwner = ownerLabel.flatMap { host.labels[$0] }
        for table in host.incompleteVFTables(rule.selector) { direct.append(rule.cannotJudge(host: host.name, table)) }
        for vf in host.vfViews(rule.selector) {
            guard let vlan = vf.config?.vlan, vlan != 0 else { continue }
            counted += 1
            let use = Use(host: host.name, place: "VF \(vf.subject)", bdf: vf.bdf)
            if let assigned = owners[vlan], let hostOwner, hostOwner != assigned {
                direct.append(rule.violation(host: host.name, bdf: vf.bdf, "VLAN \(vlan) belongs to \(assigned) but \(vf.subject) of \(ownerLabel ?? "owner") \(hostOwner) uses it",
                                             hint: "move the VF to one of \(hostOwner)'s VLANs", evidence: ["vlan": String(vlan), "owner": assigned]))
            }
            guard ownerLabel != nil else { continue }
            vlanOwners[VLANKey(domain: d, vlan: vlan), default: [:]][hostOwner ?? "(no \(ownerLabel ?? "owner") label)", default: []].append(use)
        }
    }

    private func finishVLANs(_ scope: Scope, _ ownerLabel: String?) -> [Finding] {
        var findings = direct
        for (key, owners) in vlanOwners where owners.count > 1 {
            let names = owners.keys.sorted().joined(separator: ", ")
            for (_, uses) in owners {
                for use in uses {
                    findings.append(rule.violation(host: use.host, bdf: use.bdf, "VLAN \(key.vlan) is used by \(owners.count) owners (\(names)); here by \(use.place)",
                                                   hint: "a VLAN belongs to one \(ownerLabel ?? "owner") within \(scope)",
                                                   evidence: ["vlan": String(key.vlan), "owners": names]))
                }
            }
        }
        findings.sort { ($0.host, $0.message) < ($1.host, $1.message) }
        if findings.isEmpty, counted > 0 {
            for host in selectedHosts { findings.append(rule.pass(host: host, "no VLAN shared between owners")) }
        }
        return findings
    }

    // MARK: - firmware-aligned

    private mutating func addFirmware(_ host: OracleHost, _ scope: Scope, _ driverToo: Bool) {
        let d = Self.domain(host, scope)
        for view in host.pfViews where rule.selector.matches(view) && view.pf.driverInfo != nil {
            let pf = PFValue(host: host.name, bdf: view.pf.address.description, modelName: view.modelName, model: view.model, value: "")
            firmware[ModelKey(domain: d, model: view.model, field: "firmware"), default: []].append(with(pf) { $0.value = view.firmware ?? "(none)" })
            if driverToo {
                firmware[ModelKey(domain: d, model: view.model, field: "driver"), default: []].append(with(pf) { $0.value = view.driverVersion ?? "(none)" })
            }
        }
    }

    private func finishFirmware(_ scope: Scope, _ driverToo: Bool) -> [Finding] {
        var findings: [Finding] = []
        var passes = Set<String>()
        for (key, members) in firmware.sorted(by: { ($0.key.domain, $0.key.model, $0.key.field) < ($1.key.domain, $1.key.model, $1.key.field) }) {
            var counts: [String: Int] = [:]
            for member in members { counts[member.value, default: 0] += 1 }
            // The baseline is the most common value; ties go to the newest version, and versions
            // that order the same or not at all (`6.1.0-56-amd64`, `6.1.0-57-amd64`) to the text
            // that sorts last, so that the baseline never depends on a dictionary's order.
            let baseline = counts.max { a, b in
                if a.value != b.value { return a.value < b.value }
                if let va = VendorVersion(a.key), let vb = VendorVersion(b.key), let order = va.compare(vb), order != .equal { return order == .older }
                return a.key < b.key
            }?.key ?? ""
            let spread = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            for member in members {
                guard member.value != baseline else {
                    passes.insert(member.host)
                    continue
                }
                findings.append(rule.violation(
                    host: member.host, bdf: member.bdf,
                    "\(key.field) \(member.value) differs from the baseline \(baseline) (\(counts[baseline] ?? 0) of \(members.count) \(member.modelName) PFs in \(scope)); spread: \(spread)",
                    hint: "align \(key.field) with the baseline before the next roll-out",
                    evidence: ["value": member.value, "baseline": baseline, "baselineCount": String(counts[baseline] ?? 0), "model": member.model]))
            }
        }
        let failed = Set(findings.map(\.host))
        let field = driverToo ? "firmware and driver" : "firmware"
        for host in passes.subtracting(failed).sorted() { findings.append(rule.pass(host: host, "\(field) aligned with the \(scope)")) }
        return findings
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
