/// The traffic counters read at one collection: observations, not configuration.
///
/// Why apart from the interfaces and VFs: counters change every second, and a snapshot is stored
/// once per distinct content. They are kept per observation (the host and the time of the
/// collection), never enter the content digest, and `diff` does not see them; `vf-counters`
/// compares two observations of a host.
public struct CounterObservation: Codable, Sendable, Hashable {
    /// IFLA_STATS64 of every interface that reported it (PFs, VF netdevs and the rest).
    public var links: [LinkCounters]
    /// Per-VF counters: IFLA_VF_STATS from the PF's VF list, or the driver's sysfs files.
    public var vfs: [VFCounters]

    public init(links: [LinkCounters] = [], vfs: [VFCounters] = []) {
        self.links = links
        self.vfs = vfs
    }
}

/// A netdev's counters (`ip -s link`): packets, bytes, errors and drops both ways.
public struct LinkCounters: Codable, Sendable, Hashable {
    public var interface: String
    /// The PCI function behind the netdev, when it is one: what ties two observations together
    /// across a rename.
    public var address: PCIAddress?
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public var rxErrors: UInt64
    public var txErrors: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
    public var multicast: UInt64
    /// Frames the NIC had no buffer for (`rx_missed_errors`).
    public var rxMissed: UInt64

    public init(interface: String, address: PCIAddress? = nil, rxPackets: UInt64 = 0, txPackets: UInt64 = 0, rxBytes: UInt64 = 0,
                txBytes: UInt64 = 0, rxErrors: UInt64 = 0, txErrors: UInt64 = 0, rxDropped: UInt64 = 0, txDropped: UInt64 = 0,
                multicast: UInt64 = 0, rxMissed: UInt64 = 0) {
        self.interface = interface
        self.address = address
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxErrors = rxErrors
        self.txErrors = txErrors
        self.rxDropped = rxDropped
        self.txDropped = txDropped
        self.multicast = multicast
        self.rxMissed = rxMissed
    }
}

/// One VF's counters as its PF reports them. Each is nil when the source does not carry it:
/// IFLA_VF_STATS has drops only since Linux 4.19 and the drivers' sysfs files differ.
public struct VFCounters: Codable, Sendable, Hashable {
    /// Where they were read: `netlink` (IFLA_VF_STATS) or `sysfs` (`device/sriov/N/stats`).
    public var source: String
    /// The PF interface whose VF list (or sysfs folder) held them.
    public var interface: String
    public var index: Int
    /// The VF's PCI address, when the PF is a PCI function.
    public var address: PCIAddress?
    public var rxPackets: UInt64?
    public var txPackets: UInt64?
    public var rxBytes: UInt64?
    public var txBytes: UInt64?
    public var broadcast: UInt64?
    public var multicast: UInt64?
    public var rxDropped: UInt64?
    public var txDropped: UInt64?

    public init(source: String, interface: String, index: Int, address: PCIAddress? = nil) {
        self.source = source
        self.interface = interface
        self.index = index
        self.address = address
    }

    /// The counter names a sysfs stats file or folder may hold.
    public static let sysfsNames: Set<String> = [
        "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_broadcast", "rx_multicast", "rx_dropped", "tx_dropped",
    ]

    /// Sets the counter a sysfs name stands for; false for a name that is not one of ``sysfsNames``.
    public mutating func set(sysfsName name: String, _ value: UInt64) -> Bool {
        switch name {
        case "rx_packets": rxPackets = value
        case "tx_packets": txPackets = value
        case "rx_bytes": rxBytes = value
        case "tx_bytes": txBytes = value
        case "rx_broadcast": broadcast = value
        case "rx_multicast": multicast = value
        case "rx_dropped": rxDropped = value
        case "tx_dropped": txDropped = value
        default: return false
        }
        return true
    }
}
