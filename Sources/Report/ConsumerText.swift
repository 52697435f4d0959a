import Inventory

/// The consumer part of `collect`'s text: the OWNER of each VF, and a section with what the
/// orchestrators and network tools on the host say (pools, Nova specs, declarations, huge pages).
enum ConsumerText {
    /// `vm web-3`, `pod 5f3c…/app`, `vm a + vm b` (a conflict), `-` for none.
    static func owner(_ vf: VirtualFunction) -> String {
        guard !vf.consumers.isEmpty else { return "-" }
        var seen = Set<String>()
        let labels = vf.consumers.filter { seen.insert($0.owner).inserted }.map { c in
            c.label + (c.kind == .libvirtDomain && c.running == false ? " (off)" : "")
        }
        return labels.joined(separator: " + ")
    }

    static func render(_ snapshot: HostSnapshot) -> [String] {
        guard let inventory = snapshot.consumers else { return [] }
        var out = ["", "Consumers: \(inventory.sources.count) file(s) read (\(Set(inventory.sources.map(\.kind.rawValue)).sorted().joined(separator: ", ")))"]
        for claim in inventory.otherClaims {
            let exists = snapshot.device(claim.address) != nil
            out.append("  \(claim.label) claims \(claim.address)\(exists ? " (not a VF)" : " (no such device)")  \(claim.sources.first ?? "")")
        }
        for pool in inventory.pools {
            out.append("  pool \(pool.name) (\(pool.kind.rawValue)\(pool.deviceType.map { ", \($0)" } ?? ""))  \(pool.source)")
        }
        let specs = inventory.novaSpecs.filter { $0.kind == .deviceSpec }
        if !specs.isEmpty {
            out.append("  Nova device_spec: \(specs.count), aliases: \(inventory.novaSpecs.count - specs.count)")
        }
        for device in inventory.neutron where !device.physicalNetworks.isEmpty {
            out.append("  Neutron SR-IOV agent: \(device.physicalNetworks.joined(separator: ",")) on \(device.device)")
        }
        for pf in snapshot.physicalFunctions {
            guard let d = pf.declared else { continue }
            out.append("  declared for \(d.interface): \(d.numVFs.map { "\($0) VFs" } ?? "VF count not set"), \(d.vfs.count) VF setting(s)  \(d.source)")
        }
        for d in inventory.otherDeclarations {
            out.append("  declared for \(d.interface) (not a PF here): \(d.numVFs.map { "\($0) VFs" } ?? "-")  \(d.source)")
        }
        for h in inventory.hugepages {
            out.append("  huge pages \(h.sizeKB) kB\(h.node.map { " node \($0)" } ?? ""): \(h.free) free of \(h.total)")
        }
        return out
    }
}
