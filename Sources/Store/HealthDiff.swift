import Inventory

/// The data-plane part of ``SnapshotDiff``: offload features, duplex, eswitch modes and devlink
/// versions — configuration, so a change is a new snapshot and is said here. Counters are
/// observations and are never compared. Interfaces are matched through their PCI function when
/// they have one (names change across reboots), else by name.
enum HealthDiff {
    static func changes(from old: HostSnapshot, to new: HostSnapshot, add: (Change.Kind, String, String?, String?, String) -> Void) {
        features(old, new, add: add)
        devlink(old, new, add: add)
    }

    private static func key(_ i: NetworkInterface) -> String { i.pciAddress?.description ?? i.name }

    private static func features(_ old: HostSnapshot, _ new: HostSnapshot, add: (Change.Kind, String, String?, String?, String) -> Void) {
        let before = Dictionary(old.interfaces.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for b in new.interfaces {
            guard let a = before[key(b)] else { continue }
            if let fa = a.features, let fb = b.features, fa != fb {
                let was = Dictionary(fa.changeable.map { ($0.name, $0.on) }, uniquingKeysWith: { x, _ in x })
                let now = Dictionary(fb.changeable.map { ($0.name, $0.on) }, uniquingKeysWith: { x, _ in x })
                let turned = Set(was.keys).intersection(now.keys).sorted().compactMap { name -> String? in
                    guard let x = was[name], let y = now[name], x != y else { return nil }
                    return "\(name) \(y ? "on" : "off")"
                }
                if !turned.isEmpty {
                    add(.featuresChanged, b.name, fa.signature, fb.signature, "\(b.name): \(turned.joined(separator: ", "))")
                }
            }
            if a.duplex != b.duplex, a.duplex != nil, b.duplex != nil {
                add(.linkChanged, b.name, a.duplex, b.duplex, "\(b.name) duplex \(a.duplex ?? "?") → \(b.duplex ?? "?")")
            }
        }
    }

    private static func devlink(_ old: HostSnapshot, _ new: HostSnapshot, add: (Change.Kind, String, String?, String?, String) -> Void) {
        guard let was = old.devlink, let now = new.devlink else { return }
        let before = Dictionary(was.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        for b in now {
            guard let a = before[b.handle] else { continue }
            if a.eswitchMode != b.eswitchMode {
                add(.eswitchModeChanged, b.handle, a.eswitchMode, b.eswitchMode, "\(b.handle) eswitch \(a.eswitchMode ?? "unknown") → \(b.eswitchMode ?? "unknown")")
            }
            for (kind, x, y) in [("running", a.running, b.running), ("stored", a.stored, b.stored)] {
                let old = Dictionary(x.map { ($0.name, $0.value) }, uniquingKeysWith: { p, _ in p })
                for v in y where old[v.name] != nil && old[v.name] != v.value {
                    add(.devlinkVersionChanged, b.handle, old[v.name], v.value, "\(b.handle) \(kind) \(v.name) \(old[v.name] ?? "?") → \(v.value)")
                }
            }
        }
    }
}
