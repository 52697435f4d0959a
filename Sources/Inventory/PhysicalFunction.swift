/// An SR-IOV physical function: a PCI function that can create VFs, with its VF settings.
///
/// The `sriov_*` values come from sysfs (what the kernel's PCI core says); the config-space view
/// is on the matching ``PCIDevice/sriovCapability``. Both are kept because they can disagree.
public struct PhysicalFunction: Codable, Sendable, Hashable {
    public var address: PCIAddress
    public var totalVFs: Int?
    public var numVFs: Int?
    public var vfOffset: Int?
    public var vfStride: Int?
    /// VF device ID, four lower-case hex digits.
    public var vfDeviceID: String?
    public var driversAutoprobe: Bool?
    public var vfTotalMSIX: Int?
    /// Where the SR-IOV counts came from: `sysfs`, `config-space` when the sysfs files are absent,
    /// `esxcli` for an imported ESXi host.
    public var source: String
    /// The PF's own network interfaces (none for NVMe or accelerator PFs).
    public var interfaces: [String]
    /// Driver and firmware of the PF's first interface that answers ETHTOOL_GDRVINFO.
    public var driverInfo: DriverInfo?
    public var virtualFunctions: [VirtualFunction]
    /// What os-net-config or nmstate declares for this PF (VF count, per-VF settings), when one does.
    public var declared: SriovDeclaration?

    public init(
        address: PCIAddress, totalVFs: Int? = nil, numVFs: Int? = nil, vfOffset: Int? = nil, vfStride: Int? = nil,
        vfDeviceID: String? = nil, driversAutoprobe: Bool? = nil, vfTotalMSIX: Int? = nil, source: String = "sysfs",
        interfaces: [String] = [], driverInfo: DriverInfo? = nil, virtualFunctions: [VirtualFunction] = []
    ) {
        self.address = address
        self.totalVFs = totalVFs
        self.numVFs = numVFs
        self.vfOffset = vfOffset
        self.vfStride = vfStride
        self.vfDeviceID = vfDeviceID
        self.driversAutoprobe = driversAutoprobe
        self.vfTotalMSIX = vfTotalMSIX
        self.source = source
        self.interfaces = interfaces
        self.driverInfo = driverInfo
        self.virtualFunctions = virtualFunctions
    }
}

extension PhysicalFunction {
    /// The firmware version ethtool reported, without padding; nil when none was reported (`N/A`
    /// included). Checks
    /// and reports both read it here, so a chart and a verdict never disagree on a version.
    public var reportedFirmware: String? { Self.reported(driverInfo?.firmwareVersion) }

    /// The driver version ethtool reported, without padding; nil when none was reported.
    public var reportedDriverVersion: String? { Self.reported(driverInfo?.version) }

    private static func reported(_ value: String?) -> String? {
        value.flatMap(VendorVersion.reported)
    }
}
