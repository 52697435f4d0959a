import Inventory

/// Puts the counters of one collection together: IFLA_STATS64 per link and IFLA_VF_STATS per VF
/// from netlink, the drivers' per-VF sysfs counters where netlink had none, each tied to its PCI
/// address (what a later observation is matched by, across renames).
struct CounterAssembler {
    let sysfs: Sysfs

    /// PF drivers that fill IFLA_VF_STATS (`ndo_get_vf_stats`). The kernel sends the attribute
    /// for every VF of every PF, with zeros when the driver has no such hook (igb, ixgbe on most
    /// kernels, netdevsim): all-zero counters from a driver not listed here are "not reported",
    /// never "no traffic". Counters that are not all zero are kept whatever the driver.
    static let vfStatsDrivers: Set<String> = ["mlx5_core", "mlx4_core", "mlx4_en", "i40e", "ice", "ionic", "liquidio", "enic", "bnxt_en"]

    func observation(netlink: (links: [LinkCounters], vfs: [VFCounters])?, interfaces: [NetworkInterface],
                     functions: [PhysicalFunction], log: inout WarningLog) -> CounterObservation? {
        var links = netlink?.links ?? []
        let byName = Dictionary(interfaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var vfs = (netlink?.vfs ?? []).filter { c in
            Self.vfStatsDrivers.contains(byName[c.interface]?.driverInfo?.driver ?? "")
                || [c.rxPackets, c.txPackets, c.rxBytes, c.txBytes, c.broadcast, c.multicast, c.rxDropped, c.txDropped].contains { ($0 ?? 0) != 0 }
        }
        for i in links.indices { links[i].address = byName[links[i].interface]?.pciAddress }
        // The VF behind (PF interface, index): the PF's function table.
        var vfAddress: [String: [Int: PCIAddress]] = [:]
        for pf in functions {
            let table = Dictionary(pf.virtualFunctions.map { ($0.index, $0.address) }, uniquingKeysWith: { a, _ in a })
            for name in pf.interfaces { vfAddress[name] = table }
        }
        for i in vfs.indices { vfs[i].address = vfAddress[vfs[i].interface]?[vfs[i].index] }
        var covered = Set(vfs.compactMap(\.address))
        for pf in functions {
            guard let interface = pf.interfaces.first else { continue }
            for vf in pf.virtualFunctions where !covered.contains(vf.address) {
                if var counters = sysfsCounters(pf: pf.address, index: vf.index, interface: interface, log: &log) {
                    counters.address = vf.address
                    vfs.append(counters)
                    covered.insert(vf.address)
                }
            }
        }
        guard netlink != nil || !vfs.isEmpty else { return nil }
        return CounterObservation(links: links, vfs: vfs)
    }

    /// `device/sriov/N/stats` of the PF, as a file of lines or a folder of counters.
    private func sysfsCounters(pf: PCIAddress, index: Int, interface: String, log: inout WarningLog) -> VFCounters? {
        let relative = "bus/pci/devices/\(pf)/sriov/\(index)/stats"
        let path = sysfs.path(relative)
        var counters = VFCounters(source: "sysfs", interface: interface, index: index)
        switch ReadOnlyFiles.kind(path) {
        case .regular:
            guard case .contents(let bytes) = ReadOnlyFiles.read(path) else { return nil }
            let parsed = VFSysfsStats.parse(lines: String(decoding: bytes, as: UTF8.self))
            for problem in parsed.problems { log.add(.malformed, path, problem) }
            return VFSysfsStats.apply(parsed.values, to: &counters) ? counters : nil
        case .directory:
            var values: [String: UInt64] = [:]
            for name in ReadOnlyFiles.list(path).entries ?? [] where VFCounters.sysfsNames.contains(name) {
                guard case .contents(let bytes) = ReadOnlyFiles.read(path + "/" + name) else { continue }
                if let value = VFSysfsStats.value(String(decoding: bytes, as: UTF8.self)) {
                    values[name] = value
                } else {
                    log.add(.malformed, path + "/" + name, "not a count")
                }
            }
            return VFSysfsStats.apply(values, to: &counters) ? counters : nil
        default:
            return nil
        }
    }
}
