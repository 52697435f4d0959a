/// The SR-IOV extended capability (PCIe ID 0x0010) of a PF, as the hardware states it.
///
/// Why keep it beside the sysfs `sriov_*` values: the two can disagree (a firmware cap on
/// TotalVFs, a driver that refused VF Enable), and unprivileged readers see no capability at all.
public struct SRIOVCapability: Codable, Sendable, Hashable {
    /// Offset of the capability in config space (lspci prints it as `[160]`).
    public var offset: Int
    public var vfEnable: Bool
    public var vfMSE: Bool
    public var ariCapableHierarchy: Bool
    public var initialVFs: Int
    public var totalVFs: Int
    public var numVFs: Int
    public var functionDependencyLink: Int
    public var firstVFOffset: Int
    public var vfStride: Int
    /// VF device ID, four lower-case hex digits.
    public var vfDeviceID: String
    public var supportedPageSizes: Int
    public var systemPageSize: Int

    public init(
        offset: Int, vfEnable: Bool, vfMSE: Bool, ariCapableHierarchy: Bool, initialVFs: Int, totalVFs: Int,
        numVFs: Int, functionDependencyLink: Int, firstVFOffset: Int, vfStride: Int, vfDeviceID: String,
        supportedPageSizes: Int, systemPageSize: Int
    ) {
        self.offset = offset
        self.vfEnable = vfEnable
        self.vfMSE = vfMSE
        self.ariCapableHierarchy = ariCapableHierarchy
        self.initialVFs = initialVFs
        self.totalVFs = totalVFs
        self.numVFs = numVFs
        self.functionDependencyLink = functionDependencyLink
        self.firstVFOffset = firstVFOffset
        self.vfStride = vfStride
        self.vfDeviceID = vfDeviceID
        self.supportedPageSizes = supportedPageSizes
        self.systemPageSize = systemPageSize
    }
}

/// The Access Control Services extended capability (PCIe ID 0x000D).
///
/// Why: the IOMMU can only isolate a device from its peers when every bridge above it (and a
/// multi-function device itself) enforces ACS; missing bits are why VFs land in shared groups.
public struct ACSCapability: Codable, Sendable, Hashable {
    public var offset: Int
    /// What the hardware can do (ACS Capability register).
    public var capability: ACSFlags
    /// What is switched on (ACS Control register).
    public var control: ACSFlags

    public init(offset: Int, capability: ACSFlags, control: ACSFlags) {
        self.offset = offset
        self.capability = capability
        self.control = control
    }

    /// Whether the kernel would count this port as isolating: each bit of `REQ_ACS_FLAGS` (SV, RR,
    /// CR, UF) is either switched on or not implemented at all (`pci_acs_flags_enabled`).
    public var isolates: Bool {
        let required: [(cap: Bool, on: Bool)] = [
            (capability.sourceValidation, control.sourceValidation),
            (capability.requestRedirect, control.requestRedirect),
            (capability.completionRedirect, control.completionRedirect),
            (capability.upstreamForwarding, control.upstreamForwarding),
        ]
        return required.allSatisfy { !$0.cap || $0.on }
    }
}

/// The seven ACS bits in the order lspci prints them (SrcValid TransBlk ReqRedir CmpltRedir
/// UpstreamFwd EgressCtrl DirectTrans).
public struct ACSFlags: Codable, Sendable, Hashable {
    public var sourceValidation: Bool
    public var translationBlocking: Bool
    public var requestRedirect: Bool
    public var completionRedirect: Bool
    public var upstreamForwarding: Bool
    public var egressControl: Bool
    public var directTranslatedP2P: Bool

    public init(rawValue: UInt16) {
        sourceValidation = rawValue & 0x01 != 0
        translationBlocking = rawValue & 0x02 != 0
        requestRedirect = rawValue & 0x04 != 0
        completionRedirect = rawValue & 0x08 != 0
        upstreamForwarding = rawValue & 0x10 != 0
        egressControl = rawValue & 0x20 != 0
        directTranslatedP2P = rawValue & 0x40 != 0
    }

    /// The seven bits as the register holds them.
    public var rawValue: UInt16 {
        [sourceValidation, translationBlocking, requestRedirect, completionRedirect, upstreamForwarding,
         egressControl, directTranslatedP2P].enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    }
}
