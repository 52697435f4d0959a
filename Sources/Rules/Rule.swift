/// How bad a failed rule is. Ordered: `--fail-on high` fails the run for high and critical.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The check kinds. The names are fixed so that rule files stay portable.
public enum CheckKind: String, Sendable, Hashable, Codable, CaseIterable {
    case iommuEnabled = "iommu-enabled"
    case iommuIsolation = "iommu-isolation"
    case vfCapacity = "vf-capacity"
    case vfDriver = "vf-driver"
    case macValid = "mac-valid"
    case macUnique = "mac-unique"
    case vlanAllowed = "vlan-allowed"
    case vlanConflict = "vlan-conflict"
    case vfSecurity = "vf-security"
    case firmwareAligned = "firmware-aligned"
    case firmwareMinimum = "firmware-minimum"
    case driverMinimum = "driver-minimum"
    case driverFirmwareCompat = "driver-firmware-compat"
    case vfConsumer = "vf-consumer"
    case consumerConfig = "consumer-config"
    case devicePluginPool = "device-plugin-pool"
    case novaDeviceSpec = "nova-device-spec"
    case dpdkHugepages = "dpdk-hugepages"
    case vfCounters = "vf-counters"
    case offloadAligned = "offload-aligned"
    case vfRate = "vf-rate"
    case firmwarePending = "firmware-pending"
    case eswitchMode = "eswitch-mode"
    case migrationReady = "migration-ready"
}

/// Where a rule was written: for error messages and for SARIF locations.
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// The devices (and hosts) a rule applies to. Every given field must match; an absent one matches all.
public struct Selector: Sendable, Hashable {
    /// PCI vendor IDs, four lower-case hex digits.
    public var vendors: [String] = []
    /// PCI device IDs of the PF, four lower-case hex digits.
    public var devices: [String] = []
    /// Subsystem IDs as `vendor:device`.
    public var subsystems: [String] = []
    /// Glob on the pci.ids model name (`*E810*`).
    public var model: String?
    /// PF driver names.
    public var drivers: [String] = []
    /// Glob on the PF's PCI address or interface name (`0000:3b:*`, `ens1f*`).
    public var pf: String?
    /// Host labels that must all be present with these values.
    public var labels: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool {
        vendors.isEmpty && devices.isEmpty && subsystems.isEmpty && model == nil && drivers.isEmpty && pf == nil && labels.isEmpty
    }
}

/// How far a cross-device check looks.
public enum Scope: Sendable, Hashable, CustomStringConvertible {
    case host
    case fleet
    /// Hosts sharing the value of this label (`l2-domain`, `site`).
    case label(String)

    public var description: String {
        switch self {
        case .host: "host"
        case .fleet: "fleet"
        case .label(let key): "label:\(key)"
        }
    }
}

/// One allowed pair of a driver/firmware compatibility matrix.
public struct CompatEntry: Sendable, Hashable {
    public var driver: VersionRange
    public var firmware: VersionRange
    public var note: String?
}

/// The parameters of a rule, by check kind.
public enum CheckParameters: Sendable, Hashable {
    case none
    case vfCapacity(maxPerPF: Int?, maxPerHost: Int?, maxFractionOfTotal: Double?)
    case vfDriver(allowed: [String])
    case macValid(forbidZero: ZeroMACPolicy, requireLocallyAdministered: Bool)
    case macUnique(scope: Scope, withVLAN: Bool)
    case vlanAllowed(ranges: [ClosedRange<Int>], maxQoS: Int?)
    case vlanConflict(scope: Scope, ownerLabel: String?, owners: [Int: String])
    case vfSecurity(exempt: [Selector])
    case firmwareAligned(scope: Scope, driverToo: Bool)
    case versionMinimum(VersionRange)
    case compatibility([CompatEntry])
    case vfConsumer(allowIdle: Bool)
    case consumerConfig(reportStale: Bool)
    case dpdkHugepages(sizeKB: Int?, drivers: [String])
    /// Drops (and errors, on PF links) per packet since the previous observation; intervals
    /// with fewer than `minPackets` packets are not judged (a handful of drops is noise).
    case vfCounters(maxDropRatio: Double, maxErrorRatio: Double, minPackets: Int)
    /// Feature sets compared per model/driver/firmware within `scope`; `require` must be on,
    /// `forbid` off, on every selected PF interface.
    case offloadAligned(scope: Scope, require: [String], forbid: [String])
    /// `max-tx-rate` (Mb/s) required within `range` on every selected VF when given.
    case vfRate(maxTxRate: ClosedRange<Int>?)
    case eswitchMode(mode: String)
}

/// When an all-zero VF MAC is a finding.
public enum ZeroMACPolicy: String, Sendable, Hashable, CaseIterable {
    /// Only on VFs that have a netdev (the kernel would run them with no address).
    case netdev
    /// On every VF.
    case always
    /// Never.
    case never
}

/// One rule of a rules file.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var check: CheckKind
    public var severity: Severity
    public var description: String?
    public var selector: Selector
    public var parameters: CheckParameters
    public var position: SourcePosition
    /// The controls this rule evidences, by framework (`nist-800-53: [SC-7]`); empty when the
    /// rules file maps none. Reports group verdicts by these for auditors.
    public var controls: ControlMapping = ControlMapping()
}

/// A parsed rules file.
public struct RuleSet: Sendable, Hashable {
    /// The file it came from (for messages and SARIF).
    public var path: String
    public var rules: [Rule]
}
