import Inventory

/// The consumer part of ``SnapshotDiff``: who uses each VF, and what pools, Nova specs,
/// declarations and huge pages say, as operators read it ("VF 0000:04:10.2 now used by vm web-3").
enum ConsumerDiff {
    static func changes(from old: HostSnapshot, to new: HostSnapshot, add: (Change.Kind, String, String?, String?, String) -> Void) {
        switch (old.consumers, new.consumers) {
        case (nil, nil):
            return
        case (nil, let now?):
            // A snapshot from before consumers were read, or a host that just got libvirt or a kubelet:
            // one line, not one per claim.
            add(.consumerSourcesChanged, "host", nil, String(now.sources.count),
                "consumer sources now read: \(Set(now.sources.map(\.kind.rawValue)).sorted().joined(separator: ", "))")
            return
        case (_?, nil):
            add(.consumerSourcesChanged, "host", String(old.consumers?.sources.count ?? 0), nil,
                "no consumer source (libvirt, kubelet, Nova, Neutron, os-net-config, nmstate, huge pages) is read any more")
            return
        case (let was?, let now?):
            claims(old, new, add: add)
            let oldPools = Set(was.pools.map { "\($0.kind.rawValue) \($0.name)" }), newPools = Set(now.pools.map { "\($0.kind.rawValue) \($0.name)" })
            for pool in newPools.subtracting(oldPools).sorted() { add(.poolChanged, "host", nil, pool, "pool added: \(pool)") }
            for pool in oldPools.subtracting(newPools).sorted() { add(.poolChanged, "host", pool, nil, "pool removed: \(pool)") }
            for (a, b) in zip(was.pools.sorted { $0.name < $1.name }, now.pools.sorted { $0.name < $1.name })
            where a.name == b.name && a.kind == b.kind && a.selectors != b.selectors {
                add(.poolChanged, "host", nil, b.name, "selectors of pool \(b.name) changed (\(b.source))")
            }
            let oldSpecs = Set(was.novaSpecs.map(\.text)), newSpecs = Set(now.novaSpecs.map(\.text))
            for spec in newSpecs.subtracting(oldSpecs).sorted() { add(.deviceSpecChanged, "host", nil, spec, "Nova PCI spec added: \(spec)") }
            for spec in oldSpecs.subtracting(newSpecs).sorted() { add(.deviceSpecChanged, "host", spec, nil, "Nova PCI spec removed: \(spec)") }
            let oldDeclared = Dictionary(ConsumerPlacement.declarations(of: old).map { ($0.interface, $0) }, uniquingKeysWith: { a, _ in a })
            let newDeclared = Dictionary(ConsumerPlacement.declarations(of: new).map { ($0.interface, $0) }, uniquingKeysWith: { a, _ in a })
            for name in Set(oldDeclared.keys).union(newDeclared.keys).sorted() where oldDeclared[name] != newDeclared[name] {
                let a = oldDeclared[name], b = newDeclared[name]
                if a?.numVFs != b?.numVFs {
                    add(.declarationChanged, name, a?.numVFs.map(String.init), b?.numVFs.map(String.init),
                        "declared VFs on \(name): \(a?.numVFs.map(String.init) ?? "none") → \(b?.numVFs.map(String.init) ?? "none") (\(b?.source ?? a?.source ?? ""))")
                } else {
                    add(.declarationChanged, name, nil, nil, "declared VF settings of \(name) changed (\(b?.source ?? a?.source ?? ""))")
                }
            }
            let key = { (h: HugepagePool) in "\(h.node.map { "node \($0)" } ?? "host") \(h.sizeKB) kB" }
            let oldPages = Dictionary(was.hugepages.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            for page in now.hugepages {
                let k = key(page)
                guard let before = oldPages[k] else { continue }
                if before.total != page.total || before.free != page.free {
                    add(.hugepagesChanged, k, "\(before.free)/\(before.total)", "\(page.free)/\(page.total)",
                        "huge pages (\(k)) free/total \(before.free)/\(before.total) → \(page.free)/\(page.total)")
                }
            }
        }
    }

    private static func claims(_ old: HostSnapshot, _ new: HostSnapshot, add: (Change.Kind, String, String?, String?, String) -> Void) {
        let was = Dictionary(grouping: ConsumerPlacement.claims(of: old), by: \.address)
        let now = Dictionary(grouping: ConsumerPlacement.claims(of: new), by: \.address)
        let vfs = Set(new.virtualFunctions.map(\.address))
        for address in Set(was.keys).union(now.keys).sorted() {
            let what = vfs.contains(address) ? "VF \(address)" : "\(address)"
            let before = Dictionary((was[address] ?? []).map { ($0.owner, $0) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary((now[address] ?? []).map { ($0.owner, $0) }, uniquingKeysWith: { a, _ in a })
            for owner in Set(before.keys).union(after.keys).sorted() {
                switch (before[owner], after[owner]) {
                case (nil, let c?):
                    add(.consumerAdded, address.description, nil, c.label, "\(what) now used by \(c.label)")
                case (let c?, nil):
                    add(.consumerRemoved, address.description, c.label, nil, "\(what) no longer used by \(c.label)")
                case (let a?, let b?) where a.running != b.running:
                    let state = { (r: Bool?) in r.map { $0 ? "running" : "not running" } ?? "unknown" }
                    add(.consumerStateChanged, address.description, state(a.running), state(b.running),
                        "\(b.label) on \(what): \(state(a.running)) → \(state(b.running))")
                default:
                    break
                }
            }
        }
    }
}
