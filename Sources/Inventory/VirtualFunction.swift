/// One VF of a PF, joined from three places: the `virtfnN` link (index and address), the VF's own
/// PCI device (driver, IOMMU group, netdev) and the PF's VF table (admin settings).
public struct VirtualFunction: Codable, Sendable, Hashable {
    /// N of the PF's `virtfnN` link.
    public var index: Int
    public var address: PCIAddress
    public var physicalFunction: PCIAddress
    /// nil when the VF is unbound.
    public var driver: String?
    public var iommuGroup: Int?
    /// The VF's own netdevs; none when bound to vfio-pci or unbound.
    public var interfaces: [String]
    /// The MAC the VF's netdev uses now (may differ from the admin MAC).
    public var effectiveMAC: String?
    /// The PF driver's VF table entry for this index; nil when the PF has no netdev or reports none.
    public var config: VFConfig?

    public init(
        index: Int, address: PCIAddress, physicalFunction: PCIAddress, driver: String? = nil, iommuGroup: Int? = nil,
        interfaces: [String] = [], effectiveMAC: String? = nil, config: VFConfig? = nil
    ) {
        self.index = index
        self.address = address
        self.physicalFunction = physicalFunction
        self.driver = driver
        self.iommuGroup = iommuGroup
        self.interfaces = interfaces
        self.effectiveMAC = effectiveMAC
        self.config = config
    }
}
