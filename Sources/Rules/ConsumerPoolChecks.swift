import Inventory

/// `device-plugin-pool`: pools (device plugin resources, libvirt hostdev networks) that select
/// nothing, VFs two pools select (the plugin gives each to the first), ranges past the VFs a PF
/// has, and kubelet checkpoint or device-info entries naming VFs that are gone or in another pool.
enum PoolCheck {
    /// The functions each pool's selectors take, by pool position in the facts (for a pool that
    /// also selects by keys the host view cannot evaluate, the most it can take).
    static func members(_ v: ConsumerView) -> [Int: Set<PCIAddress>] {
        var result: [Int: Set<PCIAddress>] = [:]
        for (n, pool) in v.facts.pools.enumerated() {
            result[n] = Set(v.facts.functions.filter { f in candidate(f, pool) && pool.selectors.contains { matches($0, f) } }.map(\.address))
        }
        return result
    }

    /// The device plugin offers VFs, and PFs that have no VFs; libvirt networks offer VFs.
    static func candidate(_ f: ConsumerFacts.Function, _ pool: DevicePool) -> Bool {
        f.isVF || (pool.kind == .devicePlugin && (f.numVFs ?? 0) == 0)
    }

    static func matches(_ s: PoolSelector, _ f: ConsumerFacts.Function) -> Bool {
        if let vendors = s.vendors, !vendors.contains(f.vendorID ?? "") { return false }
        if let devices = s.devices, !devices.contains(f.deviceID ?? "") { return false }
        if let drivers = s.drivers, !drivers.contains(f.driver ?? "") { return false }
        if let addresses = s.pciAddresses, !addresses.contains(where: { PCIAddress($0) == f.address }) { return false }
        if let types = s.linkTypes, !types.contains(f.linkType ?? "") { return false }
        if let names = s.pfNames, !names.contains(where: { range($0, f, by: { f.pfInterfaces.contains($0) }) }) { return false }
        if let roots = s.rootDevices, !roots.contains(where: { range($0, f, by: { PCIAddress($0) == (f.physicalFunction ?? f.address) }) }) { return false }
        return true
    }

    private static func range(_ text: String, _ f: ConsumerFacts.Function, by device: (String) -> Bool) -> Bool {
        guard let r = VFRange.parse(text), device(r.device) else { return false }
        guard let indexes = r.indexes else { return true }
        return f.vfIndex.map(indexes.contains) ?? false
    }

    /// Whether a pool's members are known: none of its selectors selects by a key the host view
    /// cannot evaluate (`isRdma`, `vdpaType`, …).
    static func judgeable(_ pool: DevicePool) -> Bool { pool.selectors.allSatisfy { $0.unsupported == nil } }

    static func run(_ rule: Rule, _ v: ConsumerView) -> [Finding] {
        let kubernetes = v.facts.claims.contains { $0.kind == .kubernetesPod } || v.facts.devices.contains { $0.kind == .deviceInfo }
        guard !v.facts.pools.isEmpty || kubernetes else { return [] }
        var findings: [Finding] = []
        let taken = members(v)
        // Devices a pool that cannot be judged may hold: which pool gets them first is unknown.
        let uncertain = v.facts.pools.enumerated().filter { !judgeable($0.element) }.reduce(into: Set<PCIAddress>()) { $0.formUnion(taken[$1.offset] ?? []) }
        var firstPool: [PCIAddress: Int] = [:]
        for (n, pool) in v.facts.pools.enumerated() where pool.kind == .devicePlugin && judgeable(pool) {
            for address in (taken[n] ?? []).sorted() where !uncertain.contains(address) {
                if let earlier = firstPool[address] {
                    findings.append(rule.violation(host: v.name, bdf: address.description,
                        "\(address) is selected by \(v.facts.pools[earlier].name) and by the later \(pool.name): the device plugin gives it to \(v.facts.pools[earlier].name) only",
                        hint: "narrow the selectors of one pool in \(pool.source) (pfNames ranges such as ens1f0#0-3)",
                        evidence: ["pools": "\(v.facts.pools[earlier].name) \(pool.name)"]))
                } else {
                    firstPool[address] = n
                }
            }
        }
        for (n, pool) in v.facts.pools.enumerated() {
            let what = pool.kind == .devicePlugin ? "device plugin resource \(pool.name)" : "libvirt hostdev network \(pool.name)"
            var absent: [String] = []
            var shortRanges: [Finding] = []
            for selector in pool.selectors {
                for text in (selector.pfNames ?? []) + (selector.rootDevices ?? []) {
                    guard let r = VFRange.parse(text) else { continue }
                    guard let pf = v.facts.functions.first(where: { !$0.isVF && ($0.pfInterfaces.contains(r.device) || PCIAddress(r.device) == $0.address) }) else {
                        absent.append(r.device)
                        continue
                    }
                    if let top = r.indexes?.max(), let have = pf.numVFs, top >= have {
                        shortRanges.append(rule.violation(host: v.name, bdf: pf.address.description,
                            "\(what) takes VF \(top) of \(r.device), which has only \(have) VFs: the pool is smaller than configured",
                            hint: "raise sriov_numvfs of \(r.device) to \(top + 1), or shrink the range in \(pool.source)",
                            evidence: ["range": text, "numvfs": String(have)]))
                    }
                }
            }
            let named = absent.isEmpty ? "" : "; it names \(absent.joined(separator: ", ")), not on this host"
            if (taken[n] ?? []).isEmpty {
                findings.append(rule.violation(host: v.name,
                    "\(what) (\(pool.source)) selects no device on this host\(named)",
                    hint: "check its selectors against `lspci -nn`, the interface names and the VF drivers; after a firmware or driver change IDs and drivers differ",
                    evidence: ["pool": pool.name, "source": pool.source]))
            } else if !absent.isEmpty {
                findings.append(rule.violation(host: v.name,
                    "\(what) names \(absent.joined(separator: ", ")), not on this host", hint: "update \(pool.source)",
                    evidence: ["pool": pool.name, "absent": absent.joined(separator: " ")]))
            }
            findings += shortRanges
        }
        let poolNames = Set(v.facts.pools.filter { $0.kind == .devicePlugin }.map(\.name))
        for claim in v.facts.claims where claim.kind == .kubernetesPod {
            if !v.present.contains(claim.address) {
                findings.append(rule.violation(host: v.name, bdf: claim.address.description,
                    "the kubelet checkpoint gives \(claim.address) to \(claim.label), but no such device exists (stale after a reboot or VF re-creation)",
                    hint: "drain and restart the kubelet so that it rebuilds the checkpoint; check the pod's network",
                    evidence: ["resource": claim.resource ?? "", "source": claim.sources.first ?? ""]))
            } else if let resource = claim.resource, poolNames.contains(resource), !uncertain.contains(claim.address),
                      let first = firstPool[claim.address], v.facts.pools[first].name != resource {
                findings.append(rule.violation(host: v.name, bdf: claim.address.description,
                    "\(claim.label) holds \(claim.address) as \(resource), but the device plugin's configuration now puts it in \(v.facts.pools[first].name)",
                    hint: "the configuration changed under running pods: restart them after the device plugin",
                    evidence: ["resource": resource, "pool": v.facts.pools[first].name]))
            }
        }
        for reference in v.facts.devices where reference.kind == .deviceInfo {
            if let address = PCIAddress(reference.id), !v.present.contains(address) {
                findings.append(rule.violation(host: v.name, bdf: address.description,
                    "device-info file \(reference.source) names \(address), which does not exist on this host",
                    hint: "a leftover of a deleted pod: remove the file", evidence: ["source": reference.source]))
            }
        }
        if findings.isEmpty {
            let unjudged = v.facts.pools.filter { !judgeable($0) }
            let keys = Set(unjudged.flatMap { $0.selectors.flatMap { $0.unsupported ?? [] } }).sorted().joined(separator: ", ")
            let note = unjudged.isEmpty ? "" : "; \(unjudged.count) select(s) also by \(keys), not judged past the other keys"
            findings.append(rule.pass(host: v.name, "\(v.facts.pools.count) pool(s), \(firstPool.count) device(s) each in one pool; checkpoint entries current\(note)"))
        }
        return findings
    }
}

/// `nova-device-spec`: Nova device specs that match no device, physical networks whose PFs the
/// Neutron SR-IOV agent does not map, and `trusted` against the trust of VFs in use.
enum NovaSpecCheck {
    static func run(_ rule: Rule, _ v: ConsumerView) -> [Finding] {
        let specs = v.facts.novaSpecs.filter { $0.kind == .deviceSpec }
        guard !specs.isEmpty else { return [] }
        var findings: [Finding] = []
        let agentRead = v.facts.sourceKinds.contains(ConsumerSource.Kind.neutronSriovAgent.rawValue)
        let all = v.facts.functions + v.facts.otherDevices
        for spec in specs {
            let matched = all.filter { matches(spec, $0, v) }
            let place = "\(spec.source):\(spec.line)"
            guard !matched.isEmpty else {
                findings.append(rule.violation(host: v.name, "Nova device_spec \(spec.text) (\(place)) matches no device on this host",
                    hint: "check vendor_id/product_id/address/devname against `lspci -nn` and the interface names", evidence: ["source": place]))
                continue
            }
            if let physnet = spec.physicalNetwork, agentRead {
                // The PFs whose VFs the spec gives out, or the device's own interfaces when it is not a VF.
                let pfs = Set(matched.flatMap { $0.isVF ? $0.pfInterfaces : $0.interfaces })
                let mapped = Set(v.facts.neutron.filter { $0.physicalNetworks.contains(physnet) }.map(\.device))
                let missing = pfs.subtracting(mapped).sorted()
                if !missing.isEmpty {
                    findings.append(rule.violation(host: v.name,
                        "Nova device_spec (\(place)) puts \(missing.joined(separator: ", ")) on \(physnet), but sriov_agent.ini maps \(physnet) to \(mapped.isEmpty ? "nothing" : mapped.sorted().joined(separator: ", "))",
                        hint: "add \(missing.map { "\(physnet):\($0)" }.joined(separator: ",")) to physical_device_mappings",
                        evidence: ["physical_network": physnet]))
                }
            }
            for vf in matched where vf.isVF && (v.claimsByAddress[vf.address] ?? []).contains(where: { $0.kind == .libvirtDomain && $0.running == true }) {
                guard let trust = vf.trust else { continue }
                let wanted = spec.trusted ?? false
                if wanted != trust {
                    findings.append(rule.violation(host: v.name, bdf: vf.address.description,
                        "\(vf.address) is in use under a device_spec with trusted \(wanted ? "true" : "unset"), but its trust is \(trust ? "on" : "off")",
                        hint: wanted ? "the port should be bound with trusted=true; check the Neutron port binding" : "turn trust off: ip link set \(vf.pfInterfaces.first ?? "PF") vf \(vf.vfIndex ?? 0) trust off",
                        evidence: ["trusted": String(wanted), "trust": String(trust), "source": place]))
                }
            }
        }
        if findings.isEmpty {
            findings.append(rule.pass(host: v.name, "\(specs.count) Nova device spec(s) match devices\(agentRead ? " mapped by the SR-IOV agent" : "")"))
        }
        return findings
    }

    /// Nova's matching: vendor and product IDs, the address (glob or regex dict) or devname; a
    /// spec that names a PF matches its VFs too.
    static func matches(_ spec: NovaPCISpec, _ f: ConsumerFacts.Function, _ v: ConsumerView) -> Bool {
        if let vendor = spec.vendorID, vendor != "*", vendor != f.vendorID { return false }
        if let product = spec.productID, product != "*", product != f.deviceID { return false }
        if let devname = spec.devname {
            return f.interfaces.contains(devname) || (f.isVF && f.pfInterfaces.contains(devname))
        }
        let address = { (a: PCIAddress) -> Bool in
            if let glob = spec.address { return globMatches(glob, a) }
            if let regex = spec.addressRegex { return regexMatches(regex, a) }
            return true
        }
        return address(f.address) || (f.physicalFunction.map(address) ?? false)
    }

    /// The parts of `a` as Nova formats them for matching: 4, 2, 2 and 1 hex digits.
    private static func parts(_ a: PCIAddress) -> [String] {
        [String(a.domain, radix: 16).leftPadded(to: 4), String(a.bus, radix: 16).leftPadded(to: 2),
         String(a.device, radix: 16).leftPadded(to: 2), String(a.function, radix: 16)]
    }

    /// `[[[[<domain>]:]<bus>]:][<slot>][.[<function>]]`: an absent or `*` part matches anything.
    static func globMatches(_ pattern: String, _ a: PCIAddress) -> Bool {
        var split = pattern.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let function = split.count == 2 ? split.removeLast() : "*"
        var head = (split.first ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        while head.count < 3 { head.insert("*", at: 0) }
        let wanted = [head[head.count - 3], head[head.count - 2], head[head.count - 1], function]
        for (want, have) in zip(wanted, parts(a)) where !want.isEmpty && want != "*" {
            guard let w = UInt32(want, radix: 16), let h = UInt32(have, radix: 16), w == h else { return false }
        }
        return true
    }

    static func regexMatches(_ r: PCIAddressRegex, _ a: PCIAddress) -> Bool {
        for (pattern, have) in zip([r.domain, r.bus, r.slot, r.function], parts(a)) {
            guard let regex = try? Regex(pattern), (try? regex.wholeMatch(in: have)) != nil else { return false }
        }
        return true
    }
}

/// `dpdk-hugepages`: VFs on a DPDK driver (not passed to a libvirt guest) on a NUMA node with no
/// free huge pages of the size asked for.
enum HugepageCheck {
    static func run(_ rule: Rule, _ v: ConsumerView, sizeKB: Int?, drivers: [String]) -> [Finding] {
        // A VF on vfio-pci that a libvirt guest holds is passed through, not driven by DPDK on the host.
        let dpdk = v.vfs.filter { vf in
            drivers.contains(vf.driver ?? "") && !(v.claimsByAddress[vf.address] ?? []).contains { $0.kind == .libvirtDomain }
        }
        guard !dpdk.isEmpty else { return [] }
        let pools = v.facts.hugepages.filter { sizeKB == nil || $0.sizeKB == sizeKB }
        guard !v.facts.hugepages.isEmpty else {
            return [rule.violation(host: v.name, "\(dpdk.count) VF(s) on DPDK drivers, but no huge page counters were read: cannot judge",
                                   hint: "collect live or capture again (the counters are in /sys/kernel/mm/hugepages)")]
        }
        var findings: [Finding] = []
        let perNode = pools.contains { $0.node != nil }
        for (node, vfs) in Dictionary(grouping: dpdk, by: { perNode ? $0.numaNode.flatMap { $0 >= 0 ? $0 : nil } : nil }).sorted(by: { ($0.key ?? -1) < ($1.key ?? -1) }) {
            let here = pools.filter { $0.node == node || (node == nil && $0.node == nil) }
            let free = here.reduce(0) { $0 + $1.free }
            if free == 0 {
                let size = sizeKB.map { "\($0) kB " } ?? ""
                let whereText = node.map { "NUMA node \($0)" } ?? "this host"
                findings.append(rule.violation(host: v.name, bdf: vfs.first?.address.description,
                    "\(vfs.count) VF(s) on DPDK drivers (\(vfs.map(\.address.description).joined(separator: ", "))) on \(whereText), which has no free \(size)huge pages (\(here.reduce(0) { $0 + $1.total }) configured)",
                    hint: "reserve huge pages on that node: echo N > /sys/devices/system/node/node\(node ?? 0)/hugepages/hugepages-\(sizeKB ?? 2048)kB/nr_hugepages",
                    evidence: ["node": node.map(String.init) ?? "", "free": "0"]))
            }
        }
        if findings.isEmpty {
            findings.append(rule.pass(host: v.name, "\(dpdk.count) VF(s) on DPDK drivers; their NUMA nodes have free huge pages"))
        }
        return findings
    }
}
