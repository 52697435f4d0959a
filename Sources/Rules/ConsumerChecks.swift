import Inventory

/// The checks that compare what the VF consumers (libvirt guests, pods, Nova, Neutron, the
/// device plugin, os-net-config/nmstate) believe with the VFs the host really has.
///
/// A host without any consumer source gets no finding from them: there is nothing to compare.
enum ConsumerChecks {
    static func run(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        guard rule.selector.matchesLabels(host.labels), let facts = host.facts.consumers else { return [] }
        let view = ConsumerView(facts: facts, host: host, rule: rule)
        switch (rule.check, rule.parameters) {
        case (.vfConsumer, .vfConsumer(let allowIdle)): return VFConsumerCheck.run(rule, view, allowIdle: allowIdle)
        case (.consumerConfig, .consumerConfig(let stale)): return ConsumerConfigCheck.run(rule, view, reportStale: stale)
        case (.devicePluginPool, _): return PoolCheck.run(rule, view)
        case (.novaDeviceSpec, _): return NovaSpecCheck.run(rule, view)
        case (.dpdkHugepages, .dpdkHugepages(let size, let drivers)): return HugepageCheck.run(rule, view, sizeKB: size, drivers: drivers)
        default: return []
        }
    }
}

/// The consumer facts of one host with the lookups every consumer check needs.
struct ConsumerView {
    let facts: ConsumerFacts
    let host: FactsHost
    let rule: Rule
    let byAddress: [PCIAddress: ConsumerFacts.Function]
    let present: Set<PCIAddress>
    let claimsByAddress: [PCIAddress: [VFConsumer]]

    init(facts: ConsumerFacts, host: FactsHost, rule: Rule) {
        self.facts = facts
        self.host = host
        self.rule = rule
        var byAddress: [PCIAddress: ConsumerFacts.Function] = [:]
        for f in facts.functions + facts.otherDevices where byAddress[f.address] == nil { byAddress[f.address] = f }
        self.byAddress = byAddress
        present = Set(facts.presentAddresses)
        claimsByAddress = Dictionary(grouping: facts.claims, by: \.address)
    }

    var name: String { host.name }
    /// The VFs the rule's selector takes (by their PF).
    var vfs: [ConsumerFacts.Function] { facts.functions.filter { $0.isVF && selects($0) } }

    func selects(_ f: ConsumerFacts.Function) -> Bool {
        guard !rule.selector.isEmpty else { return true }
        guard let pf = f.physicalFunction ?? (f.numVFs != nil ? f.address : nil), let view = host.pfByAddress[pf] else { return false }
        return rule.selector.matches(view)
    }

    func describe(_ claims: [VFConsumer]) -> String {
        claims.map { c in
            let state = c.kind == .libvirtDomain ? (c.running == true ? ", running" : c.running == false ? ", not running" : "") : ""
            return "\(c.label)\(state) (\(c.sources.first ?? "?"))"
        }.joined(separator: "; ")
    }

    /// The PF's first interface, for hints.
    func pfName(_ f: ConsumerFacts.Function) -> String { f.pfInterfaces.first ?? f.physicalFunction?.description ?? "PF" }

    static let dpdkDrivers = Set(AuditFacts.dpdkDrivers)
    static func isHostNetDriver(_ driver: String?) -> Bool {
        guard let driver else { return false }
        return !AuditFacts.isVFIO(driver) && !dpdkDrivers.contains(driver) && driver != "pci-stub"
    }
}

/// `vf-consumer`: a VF claimed twice, a claim on a device that does not exist, a VF handed over
/// while bound to a host network driver (`managed='no'`), a VF on vfio-pci nobody uses.
enum VFConsumerCheck {
    static func run(_ rule: Rule, _ v: ConsumerView, allowIdle: Bool) -> [Finding] {
        guard v.facts.readsConsumers || !v.facts.claims.isEmpty else { return [] }
        var findings: [Finding] = []
        var checked = 0
        for (address, claims) in v.claimsByAddress.sorted(by: { $0.key < $1.key }) {
            let owners = Dictionary(grouping: claims, by: \.owner)
            if let function = v.byAddress[address], !v.selects(function) { continue }
            // A pod's checkpoint entry on a vanished VF is device-plugin-pool's (a stale checkpoint).
            // A guest defined on a VF that is gone (libvirt or xl): a stale definition.
            let defined: Set<VFConsumer.Kind> = [.libvirtDomain, .xenDomain]
            if !v.present.contains(address), claims.contains(where: { defined.contains($0.kind) }) {
                let claims = claims.filter { defined.contains($0.kind) }
                findings.append(rule.violation(
                    host: v.name, bdf: address.description,
                    "\(v.describe(claims)) claims \(address), which does not exist on this host",
                    hint: "remove the stale definition or entry, or recreate the VF (check sriov_numvfs of its PF)",
                    evidence: ["consumers": claims.map(\.owner).joined(separator: " ")]))
                continue
            }
            if !v.present.contains(address) { continue }
            if owners.count > 1 {
                let running = claims.filter { $0.kind == .kubernetesPod || $0.running == true }
                let severityNote = Set(running.map(\.owner)).count > 1 ? "both in use now" : "only one can have it at a time"
                findings.append(rule.violation(
                    host: v.name, bdf: address.description,
                    "\(address) is claimed by \(owners.count) consumers (\(severityNote)): \(v.describe(claims))",
                    hint: "give each consumer its own VF; fix the definitions listed",
                    evidence: ["consumers": owners.keys.sorted().joined(separator: " ")]))
            }
            if let function = v.byAddress[address], function.isVF, ConsumerView.isHostNetDriver(function.driver) {
                for claim in claims where claim.kind == .libvirtDomain && claim.managed == false {
                    findings.append(rule.violation(
                        host: v.name, bdf: address.description,
                        "\(claim.label) takes \(address) with managed='no', but it is bound to the host driver \(function.driver ?? "?")",
                        hint: "bind it to vfio-pci (driverctl set-override \(address) vfio-pci) or use managed='yes'",
                        evidence: ["driver": function.driver ?? "", "source": claim.sources.first ?? ""]))
                }
            }
            checked += 1
        }
        if v.facts.readsConsumers && !allowIdle {
            let pooled = PoolCheck.members(v).reduce(into: Set<PCIAddress>()) { $0.formUnion($1.value) }
            for vf in v.vfs where AuditFacts.isVFIO(vf.driver) && v.claimsByAddress[vf.address] == nil && !pooled.contains(vf.address) {
                findings.append(rule.violation(
                    host: v.name, bdf: vf.address.description,
                    "VF \(vf.vfIndex ?? -1) of \(v.pfName(vf)) is bound to \(vf.driver ?? "vfio-pci") but no guest, pod or pool uses it",
                    hint: "give it back to the host driver, or add it to a pool (set `allow-idle: true` where idle VFs are intended)",
                    evidence: ["driver": vf.driver ?? ""]))
            }
        }
        if findings.isEmpty {
            findings.append(rule.pass(host: v.name, "\(v.facts.claims.count) claim(s) on \(checked) device(s): each has one consumer and exists",
                                      evidence: ["claims": String(v.facts.claims.count)]))
        }
        return findings
    }
}

/// `consumer-config`: MAC/VLAN set by a consumer or declared by os-net-config/nmstate that the
/// PF's VF table does not have; numvfs against the declared count; settings left on unused VFs.
enum ConsumerConfigCheck {
    static func run(_ rule: Rule, _ v: ConsumerView, reportStale: Bool) -> [Finding] {
        guard v.facts.readsConsumers || !v.facts.declarations.isEmpty else { return [] }
        var findings: [Finding] = []
        var compared = 0
        for vf in v.vfs {
            let table = "ip link set \(v.pfName(vf)) vf \(vf.vfIndex ?? 0)"
            for claim in v.claimsByAddress[vf.address] ?? [] where claim.kind == .libvirtDomain && claim.running == true {
                if let want = claim.mac, let have = vf.mac, !sameMAC(want, have) {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(claim.label) sets MAC \(want) on \(vf.address), but the PF's VF table has \(have)",
                        hint: "\(table) mac \(want), or restart the guest so libvirt sets it", evidence: ["want": want, "have": have, "source": claim.sources.first ?? ""]))
                }
                if let want = claim.vlan, let have = vf.vlan, want != have {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(claim.label) sets VLAN \(want) on \(vf.address), but the PF's VF table has VLAN \(have)",
                        hint: "\(table) vlan \(want)", evidence: ["want": String(want), "have": String(have)]))
                }
                compared += 1
            }
            if let declaration = declaration(for: vf, v), let d = declaration.vfs.first(where: { $0.index == vf.vfIndex }) {
                compared += 1
                if let want = d.mac, let have = vf.mac, !sameMAC(want, have) {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(declaration.source) declares MAC \(want) for VF \(d.index) of \(declaration.interface), but the VF table has \(have)",
                        hint: "re-apply the network configuration, or correct \(declaration.source)", evidence: ["want": want, "have": have]))
                }
                if let want = d.vlan, let have = vf.vlan, want != have {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(declaration.source) declares VLAN \(want) for VF \(d.index) of \(declaration.interface), but the VF table has VLAN \(have)",
                        hint: "re-apply the network configuration, or correct \(declaration.source)", evidence: ["want": String(want), "have": String(have)]))
                }
                if let want = d.trust, let have = vf.trust, want != have {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(declaration.source) declares trust \(want ? "on" : "off") for VF \(d.index) of \(declaration.interface), but it is \(have ? "on" : "off")",
                        hint: "\(table) trust \(want ? "on" : "off")", evidence: ["want": String(want), "have": String(have)]))
                }
            }
            if reportStale, v.facts.readsConsumers, v.claimsByAddress[vf.address] == nil, !ConsumerView.isHostNetDriver(vf.driver),
               declaration(for: vf, v)?.vfs.contains(where: { $0.index == vf.vfIndex }) != true {
                let mac = vf.mac.flatMap { AuditFacts.isZeroMAC($0) ? nil : $0 }
                let vlan = vf.vlan.flatMap { $0 == 0 ? nil : $0 }
                if mac != nil || vlan != nil {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "VF \(vf.vfIndex ?? 0) of \(v.pfName(vf)) has no consumer but keeps \([mac.map { "MAC \($0)" }, vlan.map { "VLAN \($0)" }].compactMap { $0 }.joined(separator: " and ")) from an earlier user",
                        hint: "clear it: \(table) mac 00:00:00:00:00:00 vlan 0", evidence: ["mac": mac ?? "", "vlan": vlan.map(String.init) ?? ""]))
                }
            }
        }
        for pf in v.facts.functions where !pf.isVF && v.selects(pf) {
            guard let declaration = v.facts.declarations.first(where: { pf.pfInterfaces.contains($0.interface) }), let want = declaration.numVFs else { continue }
            compared += 1
            if let have = pf.numVFs, have != want {
                findings.append(rule.violation(host: v.name, bdf: pf.address.description,
                    "\(declaration.source) declares \(want) VFs on \(declaration.interface), but it has \(have)",
                    hint: "re-apply the network configuration (or correct the declared count)", evidence: ["declared": String(want), "numvfs": String(have)]))
            }
        }
        for declaration in v.facts.declarations where !v.facts.functions.contains(where: { !$0.isVF && $0.pfInterfaces.contains(declaration.interface) }) {
            findings.append(rule.violation(host: v.name,
                "\(declaration.source) declares SR-IOV settings for \(declaration.interface), which is not an SR-IOV PF on this host",
                hint: "the interface was renamed or the NIC moved: update \(declaration.source)", evidence: ["interface": declaration.interface]))
        }
        if findings.isEmpty {
            findings.append(rule.pass(host: v.name, "\(compared) declared or consumer setting(s) match the VF tables"))
        }
        return findings
    }

    static func declaration(for vf: ConsumerFacts.Function, _ v: ConsumerView) -> SriovDeclaration? {
        v.facts.declarations.first { vf.pfInterfaces.contains($0.interface) }
    }

    static func sameMAC(_ a: String, _ b: String) -> Bool {
        if let x = MACNumber.value(a), let y = MACNumber.value(b) { return x == y }
        return a.lowercased() == b.lowercased()
    }
}
