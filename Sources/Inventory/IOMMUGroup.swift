/// An IOMMU group: the smallest set of devices the IOMMU can isolate from the rest.
///
/// Why members and not only the number: a VF given to a guest is safe only when it is alone in
/// its group; group numbers themselves are reassigned at every boot.
public struct IOMMUGroup: Codable, Sendable, Hashable {
    public var id: Int
    /// The default domain type (`identity` with iommu=pt, `DMA`, `DMA-FQ`); nil on old kernels.
    public var type: String?
    /// The group's `name` attribute; `vfio-noiommu` marks a fake group with no IOMMU behind it.
    public var name: String?
    /// PCI members by address.
    public var members: [PCIAddress]
    /// Members that are not PCI functions (platform devices), by sysfs name.
    public var otherMembers: [String]

    public init(id: Int, type: String? = nil, name: String? = nil, members: [PCIAddress], otherMembers: [String] = []) {
        self.id = id
        self.type = type
        self.name = name
        self.members = members
        self.otherMembers = otherMembers
    }
}

/// The host's effective IOMMU state, judged from what the kernel built, not from the command line.
public struct IOMMUState: Codable, Sendable, Hashable {
    /// True when the kernel created real IOMMU groups (not `vfio-noiommu` ones) and registered at
    /// least one IOMMU unit. When the source lacks /sys/class/iommu (older captures), groups decide.
    /// nil when the source has no /sys/kernel/iommu_groups at all (a partial capture): unknown is
    /// not "off".
    public var enabled: Bool?
    /// Entries of /sys/class/iommu (`dmar0`, `ivhd0`, ...); nil when the source did not include it.
    public var units: [String]?
    public var groupCount: Int
    /// The command-line IOMMU options (`intel_iommu=on`, `iommu=pt`...), for information only.
    public var commandLineOptions: [String]

    public init(enabled: Bool?, units: [String]?, groupCount: Int, commandLineOptions: [String]) {
        self.enabled = enabled
        self.units = units
        self.groupCount = groupCount
        self.commandLineOptions = commandLineOptions
    }
}
