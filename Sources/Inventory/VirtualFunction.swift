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
    /// The guests and pods that claim this VF (``ConsumerPlacement``), in canonical order; left
    /// out of the JSON form when there are none.
    public var consumers: [VFConsumer] = []

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

extension VirtualFunction {
    private enum CodingKeys: String, CodingKey {
        case index, address, physicalFunction, driver, iommuGroup, interfaces, effectiveMAC, config, consumers
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            index: try c.decode(Int.self, forKey: .index), address: try c.decode(PCIAddress.self, forKey: .address),
            physicalFunction: try c.decode(PCIAddress.self, forKey: .physicalFunction),
            driver: try c.decodeIfPresent(String.self, forKey: .driver), iommuGroup: try c.decodeIfPresent(Int.self, forKey: .iommuGroup),
            interfaces: try c.decode([String].self, forKey: .interfaces), effectiveMAC: try c.decodeIfPresent(String.self, forKey: .effectiveMAC),
            config: try c.decodeIfPresent(VFConfig.self, forKey: .config))
        consumers = try c.decodeIfPresent([VFConsumer].self, forKey: .consumers) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(address, forKey: .address)
        try c.encode(physicalFunction, forKey: .physicalFunction)
        try c.encodeIfPresent(driver, forKey: .driver)
        try c.encodeIfPresent(iommuGroup, forKey: .iommuGroup)
        try c.encode(interfaces, forKey: .interfaces)
        try c.encodeIfPresent(effectiveMAC, forKey: .effectiveMAC)
        try c.encodeIfPresent(config, forKey: .config)
        if !consumers.isEmpty { try c.encode(consumers, forKey: .consumers) }
    }
}
