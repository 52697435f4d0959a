/// A network interface as rtnetlink (`ip -d link`) and ethtool describe it.
///
/// Why keep every netdev, not only SR-IOV ones: MAC uniqueness and VLAN checks compare VFs with
/// the host's other interfaces, and a netdev-only PF (netdevsim, some SmartNICs) has VFs too.
public struct NetworkInterface: Codable, Sendable, Hashable {
    public var name: String
    public var ifindex: Int
    /// Link-layer address, colon-separated lower-case hex (6 bytes for Ethernet, 20 for InfiniBand).
    public var mac: String?
    public var mtu: Int?
    /// RFC 2863 operational state as `ip` prints it (`UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`...).
    public var operState: String?
    /// IFF_UP: the administrator brought the interface up.
    public var adminUp: Bool
    /// Physical carrier (IFLA_CARRIER; `LOWER_UP` in `ip` output).
    public var carrier: Bool?
    /// Link speed in Mb/s from sysfs; nil when the link is down or the driver does not say.
    public var speedMbps: Int?
    /// `full`, `half` or `unknown` from sysfs; nil when the link is down or the driver does not say.
    public var duplex: String?
    /// Offload features (ETHTOOL_GFEATURES); nil when the driver does not answer (or a capture
    /// from before they were read).
    public var features: NetdevFeatures?
    /// Link-layer type as `ip` names it (`ether`, `infiniband`, `loopback`, ...).
    public var linkType: String?
    /// The bus of the parent device (`pci`, `netdevsim`, ...), from IFLA_PARENT_DEV_BUS_NAME or sysfs.
    public var parentBus: String?
    /// The parent device's name on that bus (a BDF for PCI).
    public var parentDevice: String?
    public var physPortName: String?
    public var physSwitchID: String?
    /// ETHTOOL_GDRVINFO; nil when the driver does not implement it (e.g. `lo`).
    public var driverInfo: DriverInfo?
    /// The PF's VF table (IFLA_VFINFO_LIST): the administrator's settings per VF index.
    public var vfs: [VFConfig]
    /// IFLA_NUM_VF as the PF driver reports it; nil for interfaces that are not PFs.
    public var numVFs: Int?
    /// Set when `vfs` holds fewer entries than the PF has VFs: the table is partial and checks
    /// that need every VF's settings must not judge this PF from it.
    public var vfTableShortfall: VFTableShortfall?

    public init(
        name: String, ifindex: Int, mac: String? = nil, mtu: Int? = nil, operState: String? = nil,
        adminUp: Bool = false, carrier: Bool? = nil, speedMbps: Int? = nil, linkType: String? = nil,
        parentBus: String? = nil, parentDevice: String? = nil, physPortName: String? = nil,
        physSwitchID: String? = nil, driverInfo: DriverInfo? = nil, vfs: [VFConfig] = [], numVFs: Int? = nil,
        vfTableShortfall: VFTableShortfall? = nil
    ) {
        self.name = name
        self.ifindex = ifindex
        self.mac = mac
        self.mtu = mtu
        self.operState = operState
        self.adminUp = adminUp
        self.carrier = carrier
        self.speedMbps = speedMbps
        self.linkType = linkType
        self.parentBus = parentBus
        self.parentDevice = parentDevice
        self.physPortName = physPortName
        self.physSwitchID = physSwitchID
        self.driverInfo = driverInfo
        self.vfs = vfs
        self.numVFs = numVFs
        self.vfTableShortfall = vfTableShortfall
    }

    /// The PCI address of the parent device when it sits on the PCI bus.
    public var pciAddress: PCIAddress? {
        guard parentBus == "pci", let parentDevice else { return nil }
        return PCIAddress(parentDevice)
    }
}

/// A PF's VF table that holds fewer entries than the PF has VFs.
///
/// Why it exists: the kernel's `IFLA_VFINFO_LIST` nest has a 16-bit length, so on a PF with a few
/// hundred VFs the list overflows, and `ip -d -j link` then prints only the entries that fit (it
/// says "Truncated VF list" on stderr alone). A partial table judged as the whole would pass VFs
/// nobody looked at; a wrong count is worse than a missing one.
public struct VFTableShortfall: Codable, Sendable, Hashable {
    /// The VFs the PF has.
    public var expected: Int
    /// Where `expected` comes from: `IFLA_NUM_VF` (the kernel's own count in the same message)
    /// or `sriov_numvfs` (sysfs).
    public var expectedSource: String
    /// The entries the table holds (the interface's `vfs`).
    public var received: Int

    public init(expected: Int, expectedSource: String, received: Int) {
        self.expected = expected
        self.expectedSource = expectedSource
        self.received = received
    }
}

extension VFTableShortfall: CustomStringConvertible {
    public var description: String { "\(received) of \(expected) VFs (\(expectedSource) \(expected))" }
}

/// What `ethtool -i` prints: ETHTOOL_GDRVINFO's strings, verbatim.
///
/// Strings are kept exactly as the driver wrote them (trailing blanks included): firmware
/// alignment compares them, and the operator will compare them with `ethtool -i` by eye.
public struct DriverInfo: Codable, Sendable, Hashable {
    public var driver: String
    public var version: String
    public var firmwareVersion: String
    /// Nil when the source had no `expansion-rom-version:` line at all (ESXi's ethtool, old
    /// ethtool releases); "" when it had one with nothing after it. The ioctl always has it.
    public var expansionROMVersion: String?
    public var busInfo: String

    public init(driver: String, version: String, firmwareVersion: String, expansionROMVersion: String?, busInfo: String) {
        self.driver = driver
        self.version = version
        self.firmwareVersion = firmwareVersion
        self.expansionROMVersion = expansionROMVersion
        self.busInfo = busInfo
    }
}

/// One entry of a PF's VF table: the administrator's intent for VF `index`, as the PF driver
/// reports it over rtnetlink.
///
/// Optional fields are nil when the driver does not report them (igb has no RSS query setting):
/// "not reported" must never read as "off".
public struct VFConfig: Codable, Sendable, Hashable {
    public var index: Int
    /// The admin MAC (IFLA_VF_MAC); all zeros when none was set.
    public var mac: String
    /// VLAN ID, 0 when untagged.
    public var vlan: Int
    public var qos: Int
    /// `802.1Q` or `802.1ad`; nil when the driver reports no VLAN list.
    public var vlanProtocol: String?
    public var spoofCheck: Bool?
    public var trust: Bool?
    /// `auto`, `enable` or `disable` (IFLA_VF_LINK_STATE).
    public var linkState: String?
    /// Mb/s (IFLA_VF_RATE); 0 means no limit.
    public var minTxRate: Int?
    public var maxTxRate: Int?
    /// The legacy IFLA_VF_TX_RATE, Mb/s.
    public var txRate: Int?
    public var rssQuery: Bool?

    public init(
        index: Int, mac: String, vlan: Int = 0, qos: Int = 0, vlanProtocol: String? = nil,
        spoofCheck: Bool? = nil, trust: Bool? = nil, linkState: String? = nil,
        minTxRate: Int? = nil, maxTxRate: Int? = nil, txRate: Int? = nil, rssQuery: Bool? = nil
    ) {
        self.index = index
        self.mac = mac
        self.vlan = vlan
        self.qos = qos
        self.vlanProtocol = vlanProtocol
        self.spoofCheck = spoofCheck
        self.trust = trust
        self.linkState = linkState
        self.minTxRate = minTxRate
        self.maxTxRate = maxTxRate
        self.txRate = txRate
        self.rssQuery = rssQuery
    }
}
