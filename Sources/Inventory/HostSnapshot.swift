#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif

/// Everything sriov-audit knows about one host at one moment: the unit that is stored, diffed,
/// audited and shipped between hosts.
///
/// Why one value: a snapshot made on a host that cannot run the audit is imported elsewhere as
/// JSON, so it must carry its own schema version, provenance and warnings.
public struct HostSnapshot: Codable, Sendable, Hashable {
    /// Bumped on every incompatible change of the JSON form; readers refuse newer versions.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var toolVersion: String
    public var collectedAt: Date
    public var source: SnapshotSource
    public var host: HostInfo
    public var iommu: IOMMUState
    public var iommuGroups: [IOMMUGroup]
    /// Every PCI function, sorted by address.
    public var pciDevices: [PCIDevice]
    /// Every network interface, sorted by ifindex.
    public var interfaces: [NetworkInterface]
    /// SR-IOV capable functions (those with `sriov_totalvfs` or the SR-IOV capability), by address.
    public var physicalFunctions: [PhysicalFunction]
    public var warnings: [CollectionWarning]
    /// Pools, Nova and Neutron settings, huge pages and claims that name no VF here; nil when
    /// the host had none of the consumer sources.
    public var consumers: ConsumerInventory?
    /// Every devlink instance with its eswitch mode and versions; nil when devlink was not read
    /// (a kernel without the family, a capture from before it was read), empty when it has none.
    public var devlink: [DevlinkDevice]?
    /// The traffic counters of this collection: an observation, outside the content digest.
    public var counters: CounterObservation?

    public init(
        schemaVersion: Int = HostSnapshot.currentSchemaVersion, toolVersion: String, collectedAt: Date,
        source: SnapshotSource, host: HostInfo, iommu: IOMMUState, iommuGroups: [IOMMUGroup],
        pciDevices: [PCIDevice], interfaces: [NetworkInterface], physicalFunctions: [PhysicalFunction],
        warnings: [CollectionWarning]
    ) {
        self.schemaVersion = schemaVersion
        self.toolVersion = toolVersion
        self.collectedAt = collectedAt
        self.source = source
        self.host = host
        self.iommu = iommu
        self.iommuGroups = iommuGroups
        self.pciDevices = pciDevices
        self.interfaces = interfaces
        self.physicalFunctions = physicalFunctions
        self.warnings = warnings
    }

    /// The devlink instance of a PCI function, when devlink was read and has one.
    public func devlink(_ address: PCIAddress) -> DevlinkDevice? {
        devlink?.first { $0.bus == "pci" && $0.pciAddress == address }
    }

    public func device(_ address: PCIAddress) -> PCIDevice? {
        pciDevices.first { $0.address == address }
    }

    public func interface(named name: String) -> NetworkInterface? {
        interfaces.first { $0.name == name }
    }

    /// All VFs of all PFs, in PF then VF-index order.
    public var virtualFunctions: [VirtualFunction] { physicalFunctions.flatMap(\.virtualFunctions) }
}

/// Identity of the host the snapshot describes.
public struct HostInfo: Codable, Sendable, Hashable {
    public var hostname: String
    public var kernelRelease: String?
    public var kernelCommandLine: String?

    public init(hostname: String, kernelRelease: String? = nil, kernelCommandLine: String? = nil) {
        self.hostname = hostname
        self.kernelRelease = kernelRelease
        self.kernelCommandLine = kernelCommandLine
    }
}

/// Where a snapshot was read from.
public struct SnapshotSource: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// The running kernel of the host that made the snapshot.
        case live
        /// A capture folder (`sriov-audit capture`, or the same layout made by hand).
        case capture
        /// A folder of saved `esxcli` outputs of a VMware ESXi host (`sriov-audit import-esxi`).
        case esxi
    }

    public var kind: Kind
    /// The capture folder or the folder of saved listings; nil for live collection.
    public var path: String?

    public init(kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    /// The operating system the snapshot describes.
    public var platform: HostPlatform {
        switch kind {
        case .live, .capture: .linux
        case .esxi: .esxi
        }
    }
}

extension HostSnapshot {
    /// The JSON encoder for the published form: ISO 8601 dates, sorted keys, stable output.
    public static func makeEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = Timestamp.encodingStrategy
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = Timestamp.decodingStrategy
        return decoder
    }
}

/// The version this build reports in snapshots and `--version`.
public enum SriovAuditVersion {
    public static let current = "0.1.0"
}
