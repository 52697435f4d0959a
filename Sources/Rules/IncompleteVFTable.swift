import Inventory

// A PF whose VF table the snapshot holds only in part (``VFTableShortfall``): the VFs missing
// from it have no settings in the snapshot, so a per-VF check would silently skip them and a
// cross-host check would miss their MACs and VLANs. Each check that reads VF settings reports
// such a PF as "cannot judge" instead, and so never gives a PASS built on a partial list.

extension Rule {
    /// The finding for a PF whose VF table is partial: a violation (it is never a pass), naming
    /// both counts, so a scheduled audit cannot report compliance for VFs it never saw.
    func cannotJudge(host: String, _ table: AuditFacts.IncompleteTable, pfAddress: PCIAddress?) -> Finding {
        let subject = pfAddress.map { "PF \($0) (\(table.interface))" } ?? "PF \(table.interface)"
        let missing = table.shortfall.expected - table.shortfall.received
        return violation(
            host: host, bdf: pfAddress?.description,
            "cannot judge \(missing) of the \(table.shortfall.expected) VFs of \(subject): its VF table holds only \(table.shortfall.received) entries (\(table.shortfall.expectedSource) \(table.shortfall.expected))",
            hint: "collect live or with `sriov-audit capture`, which read the kernel's whole VF list; `ip -d -j link` output stops at about 222 VFs per PF",
            evidence: ["received": String(table.shortfall.received), "expected": String(table.shortfall.expected),
                       "expectedSource": table.shortfall.expectedSource, "interface": table.interface])
    }
}
