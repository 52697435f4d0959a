#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// A host as the per-host checks see it: its audit facts, its name and labels, and the views
/// every check derives from them (PFs, VFs, partial tables), built once per host.
struct FactsHost: Sendable {
    let name: String
    let labels: [String: String]
    let facts: AuditFacts
    let pfViews: [PFView]
    let pfByAddress: [PCIAddress: PFView]
    /// Every VF of every PF, then every netdev-only VF table entry.
    private let allVFs: [VFView]
    /// Every comparable MAC of the host, in the order `mac-unique` lists uses: each VF's admin
    /// MAC, then its netdev MAC where that differs, then the physical interfaces'.
    let macUses: [MACUse]

    /// One use of a MAC: by the VF at `vf` (a position in the host's VFs) or by the interface at
    /// `interface` (a position in ``AuditFacts/interfaceMACs``).
    struct MACUse {
        var vf: Int32
        var interface: Int32
        /// The 48-bit address; for another kind of address (InfiniBand), 0 and `text`.
        var number: UInt64
        var text: String?
    }

    init(name: String, labels: [String: String], facts: AuditFacts) {
        self.name = name
        self.labels = labels
        self.facts = facts
        pfViews = facts.pfs.map { PFView(hostName: name, labels: labels, pf: $0, kernelRelease: facts.kernelRelease) }
        pfByAddress = Dictionary(pfViews.map { ($0.pf.address, $0) }, uniquingKeysWith: { a, _ in a })
        allVFs = facts.vfs.map { vf in
            switch vf.owner {
            case .pf(let p): VFView(vf: vf, pfAddress: facts.pfs[p].address, pfInterface: facts.pfs[p].interfaces.first)
            case .netdev(let n): VFView(vf: vf, pfAddress: nil, pfInterface: facts.netdevPFs[n].name)
            }
        }
        var uses: [MACUse] = []
        func use(_ mac: String?, vf: Int, interface: Int) -> (UInt64, String?)? {
            guard let mac, !AuditFacts.isZeroMAC(mac) else { return nil }
            let key: (UInt64, String?) = MACNumber.value(mac).map { ($0, nil) } ?? (0, mac)
            uses.append(MACUse(vf: Int32(vf), interface: Int32(interface), number: key.0, text: key.1))
            return key
        }
        for (p, vf) in facts.vfs.enumerated() {
            let admin = use(vf.config?.mac, vf: p, interface: -1)
            if let netdev = vf.netdevMAC, !AuditFacts.isZeroMAC(netdev) {
                let key: (UInt64, String?) = MACNumber.value(netdev).map { ($0, nil) } ?? (0, netdev)
                if admin == nil || admin?.0 != key.0 || admin?.1 != key.1 { _ = use(netdev, vf: p, interface: -1) }
            }
        }
        for (i, interface) in facts.interfaceMACs.enumerated() { _ = use(interface.mac, vf: -1, interface: i) }
        macUses = uses
    }

    /// Whether `selector` picks each of the host's VFs (by position).
    func selectedVFs(_ selector: Selector) -> [Bool] {
        if selector.isEmpty { return Array(repeating: true, count: facts.vfs.count) }
        let pfs = pfViews.map { selector.matches($0) }
        let netdevs = facts.netdevPFs.map { selector.matches(netdev: $0, labels: labels) }
        return facts.vfs.map { vf in
            switch vf.owner {
            case .pf(let p): pfs[p]
            case .netdev(let n): netdevs[n]
            }
        }
    }

    /// The view of the VF at `position`.
    func vfView(at position: Int) -> VFView { allVFs[position] }

    /// Whether `selector` picks the PF or netdev-only PF that owns VFs as `owner`.
    func selects(_ selector: Selector, owner: AuditFacts.VF.Owner) -> Bool {
        switch owner {
        case .pf(let p): selector.matches(pfViews[p])
        case .netdev(let n): selector.matches(netdev: facts.netdevPFs[n], labels: labels)
        }
    }

    /// The partial VF tables of the PFs `selector` picks.
    func incompleteVFTables(_ selector: Selector) -> [AuditFacts.IncompleteTable] {
        facts.incompleteTables.filter { selects(selector, owner: $0.owner) }
    }

    /// The PCI address of a partial table's PF (nil for a netdev-only PF).
    func pfAddress(of table: AuditFacts.IncompleteTable) -> PCIAddress? {
        if case .pf(let p) = table.owner { return facts.pfs[p].address }
        return nil
    }

    /// Every VF of the PFs `selector` picks, PCI VFs and netdev-only VF table entries alike.
    func vfViews(_ selector: Selector) -> [VFView] {
        if selector.isEmpty { return allVFs }  // an empty selector picks every PF and interface
        let pfs = pfViews.map { selector.matches($0) }
        let netdevs = facts.netdevPFs.map { selector.matches(netdev: $0, labels: labels) }
        return allVFs.filter { view in
            switch view.vf.owner {
            case .pf(let p): pfs[p]
            case .netdev(let n): netdevs[n]
            }
        }
    }
}

/// A PF as the checks see it: its facts and its host.
struct PFView: Sendable {
    let hostName: String
    let labels: [String: String]
    let pf: AuditFacts.PF
    var kernelRelease: String?

    var firmware: String? { pf.firmware }
    /// What the PF's versions are read against: its driver, its device, the host's kernel.
    var versionContext: VersionContext { VersionContext(driver: driver, device: pf.device?.vendorDevice, kernelRelease: kernelRelease) }
    var driverVersion: String? { pf.driverVersion }
    var driver: String? { pf.driver }
    var model: String { pf.model }
    var modelName: String { pf.modelName }
}

/// A VF as the checks see it: a PCI VF of a PF, or an entry of a netdev-only PF's VF table
/// (netdevsim, some SmartNICs), which has settings but no PCI function.
struct VFView: Sendable {
    let vf: AuditFacts.VF
    let pfAddress: PCIAddress?
    let pfInterface: String?

    var index: Int { vf.index }
    var config: AuditFacts.Config? { vf.config }
    /// Whether it is a PCI function (not a netdev-only table entry).
    var isPCI: Bool { vf.address != nil }
    /// How the VF is named in messages: its BDF, or `eth4 VF 3`.
    var subject: String { vf.address?.description ?? "\(pfInterface ?? "?") VF \(index)" }
    var bdf: String? { vf.address?.description ?? pfAddress.map { "\($0)" } }
    var hasNetdev: Bool { vf.hasNetdev }
}

extension Selector {
    /// Whether the rule applies to this PF (every given field must match).
    func matches(_ view: PFView) -> Bool {
        guard matchesLabels(view.labels) else { return false }
        if let d = view.pf.device {
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

    func matchesLabels(_ given: [String: String]) -> Bool {
        labels.allSatisfy { given[$0.key] == $0.value }
    }

    /// Whether the selector names PFs at all (not only host labels): then a fleet check needs
    /// the picked PFs, not every PF of every selected host.
    var picksPFs: Bool {
        !vendors.isEmpty || !devices.isEmpty || !subsystems.isEmpty || model != nil || !drivers.isEmpty || pf != nil
    }

    /// For netdev-only PFs, which have no PCI identity: labels, driver and interface name only.
    func matches(netdev: AuditFacts.NetdevPF, labels given: [String: String]) -> Bool {
        guard matchesLabels(given), vendors.isEmpty, devices.isEmpty, subsystems.isEmpty, model == nil else { return false }
        if !drivers.isEmpty, !drivers.contains(netdev.driver ?? "") { return false }
        if let pf, !glob(pf, netdev.name) { return false }
        return true
    }
}

func glob(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
}
