import Inventory
import Rules

/// A PF whose VF table the snapshot holds only in part (``VFTableShortfall``), as the checks see it.
///
/// Why the checks need it: the VFs missing from a partial table have no settings in the snapshot,
/// so a per-VF check would silently skip them and a cross-host check would miss their MACs and
/// VLANs. Each check that reads VF settings reports such a PF as "cannot judge" instead, and so
/// never gives a PASS built on a partial list.
struct IncompleteVFTable: Sendable {
    let owner: VFView.Owner
    /// The PF's PCI address; nil for a netdev-only PF.
    let pfAddress: PCIAddress?
    /// The PF interface whose table is partial.
    let interface: String
    let shortfall: VFTableShortfall

    /// The partial tables of a snapshot: a PCI PF's (through its interfaces), then each
    /// netdev-only PF interface's.
    static func all(in snapshot: HostSnapshot, pfViews: [PFView]) -> [IncompleteVFTable] {
        var result: [IncompleteVFTable] = []
        for (i, interface) in snapshot.interfaces.enumerated() {
            guard let shortfall = interface.vfTableShortfall else { continue }
            if interface.pciAddress == nil {
                result.append(IncompleteVFTable(owner: .interface(i), pfAddress: nil, interface: interface.name, shortfall: shortfall))
            } else if let p = pfViews.firstIndex(where: { $0.pf.interfaces.contains(interface.name) }) {
                result.append(IncompleteVFTable(owner: .pf(p), pfAddress: pfViews[p].pf.address, interface: interface.name, shortfall: shortfall))
            }
        }
        return result
    }
}

extension Rule {
    /// The finding for a PF whose VF table is partial: a violation (it is never a pass), naming
    /// both counts, so a scheduled audit cannot report compliance for VFs it never saw.
    func cannotJudge(host: String, _ table: IncompleteVFTable) -> Finding {
        let subject = table.pfAddress.map { "PF \($0) (\(table.interface))" } ?? "PF \(table.interface)"
        let missing = table.shortfall.expected - table.shortfall.received
        return violation(
            host: host, bdf: table.pfAddress?.description,
            "cannot judge \(missing) of the \(table.shortfall.expected) VFs of \(subject): its VF table holds only \(table.shortfall.received) entries (\(table.shortfall.expectedSource) \(table.shortfall.expected))",
            hint: "collect live or with `sriov-audit capture`, which read the kernel's whole VF list; `ip -d -j link` output stops at about 222 VFs per PF",
            evidence: ["received": String(table.shortfall.received), "expected": String(table.shortfall.expected),
                       "expectedSource": table.shortfall.expectedSource, "interface": table.interface])
    }
}
