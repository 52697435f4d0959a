#if canImport(Glibc)
import Glibc
#endif
import Inventory
import Rules

/// A host to audit: its snapshot and the labels the store (or the command line) gives it.
///
/// The snapshot and what every check derives from it (PFs with their devices, devices by
/// address, VF netdev names, the VF views) live in one shared box built once per host, on the
/// thread that prepares the host: a dozen rules then read them instead of each rebuilding them,
/// and passing a host around costs one reference.
public struct OracleHost: Sendable {
    private final class Storage: Sendable {
        let snapshot: HostSnapshot
        let labels: [String: String]
        /// Positions in `snapshot.pciDevices` by address (positions, not copies of the devices).
        let deviceIndex: [PCIAddress: Int]
        let pfViews: [PFView]
        let pfByAddress: [PCIAddress: PFView]
        let vfNetdevs: Set<String>
        /// Every VF of every PF, then every netdev-only VF table entry: built once, filtered per rule.
        let vfViews: [VFView]
        /// PFs (PCI or netdev-only) whose VF table is partial; usually none.
        let incompleteTables: [IncompleteVFTable]

        init(snapshot: HostSnapshot, labels: [String: String]) {
            self.snapshot = snapshot
            self.labels = labels
            var index: [PCIAddress: Int] = [:]
            index.reserveCapacity(snapshot.pciDevices.count)
            for (position, device) in snapshot.pciDevices.enumerated() where index[device.address] == nil { index[device.address] = position }
            deviceIndex = index
            pfViews = snapshot.physicalFunctions.map { pf in
                PFView(hostName: snapshot.host.hostname, labels: labels, pf: pf, device: index[pf.address].map { snapshot.pciDevices[$0] }, kernelRelease: snapshot.host.kernelRelease)
            }
            pfByAddress = Dictionary(pfViews.map { ($0.pf.address, $0) }, uniquingKeysWith: { a, _ in a })
            var netdevs = Set<String>()
            var views: [VFView] = []
            for (p, view) in pfViews.enumerated() {
                for vf in view.pf.virtualFunctions {
                    netdevs.formUnion(vf.interfaces)
                    views.append(VFView(owner: .pf(p), pfAddress: view.pf.address, pfInterface: view.pf.interfaces.first,
                                        index: vf.index, vf: vf, config: vf.config))
                }
            }
            for (i, interface) in snapshot.interfaces.enumerated() where interface.pciAddress == nil && !interface.vfs.isEmpty {
                for config in interface.vfs {
                    views.append(VFView(owner: .interface(i), pfAddress: nil, pfInterface: interface.name, index: config.index, vf: nil, config: config))
                }
            }
            vfNetdevs = netdevs
            vfViews = views
            incompleteTables = IncompleteVFTable.all(in: snapshot, pfViews: pfViews)
        }
    }

    private let storage: Storage

    public init(snapshot: HostSnapshot, labels: [String: String] = [:]) {
        storage = Storage(snapshot: snapshot, labels: labels)
    }

    public var snapshot: HostSnapshot { storage.snapshot }
    public var labels: [String: String] { storage.labels }
    public var name: String { storage.snapshot.host.hostname }
    /// The host's PCI device at `address` (the first of a duplicated address).
    public func device(at address: PCIAddress) -> PCIDevice? {
        storage.deviceIndex[address].map { storage.snapshot.pciDevices[$0] }
    }
    /// The host's PFs with their PCI devices.
    var pfViews: [PFView] { storage.pfViews }
    var pfByAddress: [PCIAddress: PFView] { storage.pfByAddress }
    /// Names of the netdevs that belong to VFs.
    var vfNetdevs: Set<String> { storage.vfNetdevs }

    /// The partial VF tables of the PFs `selector` picks: the checks that read VF settings say
    /// they cannot judge these instead of passing what they could not see.
    func incompleteVFTables(_ selector: Selector) -> [IncompleteVFTable] {
        storage.incompleteTables.filter { table in
            switch table.owner {
            case .pf(let p): selector.matches(pfViews[p])
            case .interface(let i): selector.matches(interface: snapshot.interfaces[i], host: self)
            }
        }
    }

    /// Every VF of the PFs `selector` picks, PCI VFs and netdev-only VF table entries alike.
    func vfViews(_ selector: Selector) -> [VFView] {
        if selector.isEmpty { return storage.vfViews }  // an empty selector picks every PF and interface
        let pfs = pfViews.map { selector.matches($0) }
        var interfaces: [Int: Bool] = [:]
        return storage.vfViews.filter { view in
            switch view.owner {
            case .pf(let p): return pfs[p]
            case .interface(let i):
                if let known = interfaces[i] { return known }
                let match = selector.matches(interface: snapshot.interfaces[i], host: self)
                interfaces[i] = match
                return match
            }
        }
    }
}

/// A PF as the checks see it: the function, its PCI device and its host.
struct PFView: Sendable {
    let hostName: String
    let labels: [String: String]
    let pf: PhysicalFunction
    let device: PCIDevice?
    var kernelRelease: String?

    var firmware: String? { pf.reportedFirmware }
    var versionContext: VersionContext { VersionContext(driver: driver, device: device?.vendorDevice, kernelRelease: kernelRelease) }
    var driverVersion: String? { pf.reportedDriverVersion }
    var driver: String? { device?.driver ?? pf.driverInfo?.driver }
    var model: String { device?.modelKey ?? pf.address.description }
    var modelName: String { device?.modelName ?? "unknown model" }
}

/// A VF as the checks see it: a PCI VF of a PF, or an entry of a netdev-only PF's VF table
/// (netdevsim, some SmartNICs), which has settings but no PCI function.
struct VFView: Sendable {
    /// Whose VF it is: a PF (position in the host's PF views) or a netdev-only PF interface
    /// (position in the snapshot's interfaces).
    enum Owner: Sendable {
        case pf(Int)
        case interface(Int)
    }

    let owner: Owner
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
    func matchesHost(_ host: OracleHost) -> Bool {
        matchesLabels(host.labels)
    }

    func matchesLabels(_ given: [String: String]) -> Bool {
        labels.allSatisfy { given[$0.key] == $0.value }
    }

    /// For netdev-only PFs, which have no PCI identity: labels, driver and interface name only.
    func matches(interface: NetworkInterface, host: OracleHost) -> Bool {
        guard matchesHost(host), vendors.isEmpty, devices.isEmpty, subsystems.isEmpty, model == nil else { return false }
        if !drivers.isEmpty, !drivers.contains(interface.driverInfo?.driver ?? "") { return false }
        if let pf, !glob(pf, interface.name) { return false }
        return true
    }
}

func glob(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
}
