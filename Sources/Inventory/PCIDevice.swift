/// One PCI function as the host sees it: identity, binding, placement and the config-space
/// capabilities that SR-IOV audits need.
///
/// IDs are lower-case hexadecimal strings without `0x` (`8086`, `020000`), the form lspci prints,
/// so a value can be searched for in `lspci -nn` output as it is.
public struct PCIDevice: Codable, Sendable, Hashable {
    public var address: PCIAddress
    public var vendorID: String
    public var deviceID: String
    public var subsystemVendorID: String?
    public var subsystemDeviceID: String?
    /// Names from pci.ids; nil when the database has no entry (an unknown ID is not an error).
    public var vendorName: String?
    public var deviceName: String?
    public var subsystemName: String?
    /// Class code as six hex digits: base class, subclass, programming interface (`020000`).
    public var classCode: String
    public var className: String?
    public var revision: String?
    /// The bound kernel driver; nil when the device is unbound.
    public var driver: String?
    /// `driver_override`, when set: the driver the next probe will be forced to.
    public var driverOverride: String?
    /// nil when the kernel reports -1 (no NUMA affinity known).
    public var numaNode: Int?
    /// The IOMMU group number at collection time. Numbers change across reboots: match on address.
    public var iommuGroup: Int?
    /// Bridges from the nearest parent up to the root port.
    public var parentBridges: [PCIAddress]
    public var link: PCIeLink?
    /// PCI Express device/port type from the PCIe capability (`Endpoint`, `Root Port`, ...).
    public var pcieType: String?
    /// The SR-IOV extended capability, decoded from config space.
    public var sriovCapability: SRIOVCapability?
    /// The ACS extended capability; its absence on a bridge is what merges IOMMU groups.
    public var acsCapability: ACSCapability?
    /// How many bytes of config space were readable (4096 as root, 64 unprivileged, 0 when absent).
    public var configSpaceSize: Int
    /// For a VF, the address of its PF (the `physfn` link).
    public var physicalFunction: PCIAddress?
    /// Network interfaces under the device's `net/` directory.
    public var interfaces: [String]

    public init(
        address: PCIAddress, vendorID: String, deviceID: String,
        subsystemVendorID: String? = nil, subsystemDeviceID: String? = nil,
        vendorName: String? = nil, deviceName: String? = nil, subsystemName: String? = nil,
        classCode: String, className: String? = nil, revision: String? = nil,
        driver: String? = nil, driverOverride: String? = nil, numaNode: Int? = nil, iommuGroup: Int? = nil,
        parentBridges: [PCIAddress] = [], link: PCIeLink? = nil, pcieType: String? = nil,
        sriovCapability: SRIOVCapability? = nil, acsCapability: ACSCapability? = nil,
        configSpaceSize: Int = 0, physicalFunction: PCIAddress? = nil, interfaces: [String] = []
    ) {
        self.address = address
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.subsystemVendorID = subsystemVendorID
        self.subsystemDeviceID = subsystemDeviceID
        self.vendorName = vendorName
        self.deviceName = deviceName
        self.subsystemName = subsystemName
        self.classCode = classCode
        self.className = className
        self.revision = revision
        self.driver = driver
        self.driverOverride = driverOverride
        self.numaNode = numaNode
        self.iommuGroup = iommuGroup
        self.parentBridges = parentBridges
        self.link = link
        self.pcieType = pcieType
        self.sriovCapability = sriovCapability
        self.acsCapability = acsCapability
        self.configSpaceSize = configSpaceSize
        self.physicalFunction = physicalFunction
        self.interfaces = interfaces
    }

    /// `vendor:device`, the key pci.ids and most NIC support matrices use.
    public var vendorDevice: String { "\(vendorID):\(deviceID)" }

    /// `vendor:device:subvendor:subdevice`: the model key for firmware alignment (one board model).
    public var modelKey: String {
        "\(vendorID):\(deviceID):\(subsystemVendorID ?? "????"):\(subsystemDeviceID ?? "????")"
    }

    /// `82576 Gigabit Network Connection [8086:10c9]`: how messages and reports name a model.
    public var modelName: String { "\(deviceName ?? "device") [\(vendorDevice)]" }

    /// True for PCI-to-PCI bridges (class 06 04), the parents an IOMMU group's isolation depends on.
    public var isBridge: Bool { classCode.hasPrefix("0604") }

    /// True when the device is a virtual function of some PF.
    public var isVirtualFunction: Bool { physicalFunction != nil }
}

/// The PCIe link as sysfs reports it (`current_link_speed`, ...), falling back to the PCIe
/// capability's Link Status/Capabilities registers when sysfs does not have them.
public struct PCIeLink: Codable, Sendable, Hashable {
    /// In the kernel's words, e.g. `8.0 GT/s PCIe`; `Unknown` is kept as the kernel says it.
    public var currentSpeed: String?
    public var currentWidth: Int?
    public var maxSpeed: String?
    public var maxWidth: Int?

    public init(currentSpeed: String? = nil, currentWidth: Int? = nil, maxSpeed: String? = nil, maxWidth: Int? = nil) {
        self.currentSpeed = currentSpeed
        self.currentWidth = currentWidth
        self.maxSpeed = maxSpeed
        self.maxWidth = maxWidth
    }

    /// True when the link trained below what both ends support (a common cause of lost bandwidth).
    public var isDegraded: Bool {
        if let c = currentWidth, let m = maxWidth, c < m { return true }
        if let c = currentSpeed, let m = maxSpeed, c != m, c != "Unknown", m != "Unknown" { return true }
        return false
    }
}
