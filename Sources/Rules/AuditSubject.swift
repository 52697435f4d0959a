#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// A host to audit: its snapshot and the labels the store (or the command line) gives it.
public struct AuditHost: Sendable {
    public let snapshot: HostSnapshot
    public let labels: [String: String]
    /// The host's PFs with their PCI devices, built once: every check walks them.
    let pfViews: [PFView]
    let pfByAddress: [PCIAddress: PFView]

    public init(snapshot: HostSnapshot, labels: [String: String] = [:]) {
        self.snapshot = snapshot
        self.labels = labels
        let devices = Dictionary(snapshot.pciDevices.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        pfViews = snapshot.physicalFunctions.map {
            PFView(hostName: snapshot.host.hostname, labels: labels, pf: $0, device: devices[$0.address])
        }
        pfByAddress = Dictionary(pfViews.map { ($0.pf.address, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public var name: String { snapshot.host.hostname }
}

/// A PF as the checks see it: the function, its PCI device and its host.
struct PFView: Sendable {
    let hostName: String
    let labels: [String: String]
    let pf: PhysicalFunction
    let device: PCIDevice?

    var firmware: String? { pf.reportedFirmware }
    var driverVersion: String? { pf.reportedDriverVersion }
    var driver: String? { device?.driver ?? pf.driverInfo?.driver }
    var model: String { device?.modelKey ?? pf.address.description }
    var modelName: String { device?.modelName ?? "unknown model" }
}

/// A VF as the checks see it: a PCI VF of a PF, or an entry of a netdev-only PF's VF table
/// (netdevsim, some SmartNICs), which has settings but no PCI function.
struct VFView {
    let host: AuditHost
    let pfAddress: PCIAddress?
    let pfInterface: String?
    let index: Int
    let vf: VirtualFunction?
    let config: VFConfig?

    /// How the VF is named in messages: its BDF, or `eth4 VF 3`.
    var subject: String { vf?.address.description ?? "\(pfInterface ?? "?") VF \(index)" }
    var bdf: String? { vf?.address.description ?? pfAddress.map { "\($0)" } }
    var hasNetdev: Bool { !(vf?.interfaces.isEmpty ?? true) }
}

extension Selector {
    /// Whether the rule applies to this PF (every given field must match).
    func matches(_ view: PFView) -> Bool {
        guard matchesLabels(view.labels) else { return false }
        if let d = view.device {
            if !vendors.isEmpty, !vendors.contains(d.vendorID) { return false }
            if !devices.isEmpty, !devices.contains(d.deviceID) { return false }
            if !subsystems.isEmpty, !subsystems.contains("\(d.subsystemVendorID ?? ""):\(d.subsystemDeviceID ?? "")") { return false }
            if let model, !glob(model, d.deviceName ?? "") { return false }
        } else if !vendors.isEmpty || !devices.isEmpty || !subsystems.isEmpty || model != nil {
            return false
        }
        if !drivers.isEmpty, !drivers.contains(view.driver ?? "") { return false }
        if let pf, !glob(pf, view.pf.address.description), !view.pf.interfaces.contains(where: { glob(pf, $0) }) { return false }
        return true
    }

    /// Whether a host-level rule applies (only labels can say).
    func matchesHost(_ host: AuditHost) -> Bool {
        matchesLabels(host.labels)
    }

    func matchesLabels(_ given: [String: String]) -> Bool {
        labels.allSatisfy { given[$0.key] == $0.value }
    }

    /// For netdev-only PFs, which have no PCI identity: labels, driver and interface name only.
    func matches(interface: NetworkInterface, host: AuditHost) -> Bool {
        guard matchesHost(host), vendors.isEmpty, devices.isEmpty, subsystems.isEmpty, model == nil else { return false }
        if !drivers.isEmpty, !drivers.contains(interface.driverInfo?.driver ?? "") { return false }
        if let pf, !glob(pf, interface.name) { return false }
        return true
    }
}

func glob(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
}
