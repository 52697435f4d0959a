/// A netdev's offload features as the kernel names them (`tx-tcp-segmentation`, `rx-gro`,
/// `rx-lro`, `rx-hashing`, `rx-vlan-filter`, ...): which are on, which off, and which of them
/// the driver does not let anyone change (`[fixed]` in `ethtool -k`).
///
/// Why three sorted name lists and not a dictionary: the JSON and the store keep them in one
/// order, so two hosts with the same state have the same bytes (and `offload-aligned` compares
/// them as strings), and a feature the kernel does not name on this host is absent, never "off".
public struct NetdevFeatures: Codable, Sendable, Hashable {
    /// Features that are active, sorted.
    public var on: [String]
    /// Features that are known to the kernel and inactive, sorted.
    public var off: [String]
    /// Features (of either list) that cannot be changed: not in the driver's `hw_features`, or
    /// marked never-changeable. Sorted.
    public var fixed: [String]

    public init(on: [String], off: [String], fixed: [String]) {
        self.on = on.sorted()
        self.off = off.sorted()
        self.fixed = fixed.sorted()
    }

    /// The state of one feature: nil when the kernel does not name it here.
    public func isOn(_ name: String) -> Bool? {
        if on.contains(name) { return true }
        if off.contains(name) { return false }
        return nil
    }

    /// The features an operator can change, with their state: what hosts are compared on
    /// (a fixed feature says what the hardware is, not how it was configured).
    public var changeable: [(name: String, on: Bool)] {
        let fixed = Set(self.fixed)
        return (on.map { ($0, true) } + off.map { ($0, false) }).filter { !fixed.contains($0.0) }.sorted { $0.0 < $1.0 }
    }

    /// One line per state, what the store keeps and `offload-aligned` compares:
    /// `+rx-gro -rx-lro ...` over the changeable features, in name order.
    public var signature: String {
        changeable.map { ($0.on ? "+" : "-") + $0.name }.joined(separator: " ")
    }
}
