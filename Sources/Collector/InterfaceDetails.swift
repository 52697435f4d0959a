import Inventory

/// Fills what rtnetlink does not carry: link speed and duplex (sysfs), the parent PCI device on
/// kernels that predate IFLA_PARENT_DEV_*, ethtool's driver information and offload features.
struct InterfaceDetails {
    let sysfs: Sysfs

    func complete(_ interfaces: inout [NetworkInterface], devices: [PCIDevice], network: some NetworkSource, log: inout WarningLog) {
        var owner: [String: PCIAddress] = [:]
        for device in devices {
            for name in device.interfaces { owner[name] = device.address }
        }
        for i in interfaces.indices {
            let name = interfaces[i].name
            if let address = owner[name] {
                if interfaces[i].parentBus == nil { interfaces[i].parentBus = "pci" }
                if interfaces[i].parentDevice == nil { interfaces[i].parentDevice = address.description }
                if interfaces[i].pciAddress != address {
                    log.add(.inconsistent, name, "netlink names parent \(interfaces[i].parentDevice ?? "?"), sysfs has it under \(address)")
                }
            }
            let speedPath = "class/net/\(name)/speed"
            if sysfs.exists(speedPath) {
                // Reading `speed` fails with EINVAL while the link is down: that is "unknown", not a fault.
                if case .contents(let bytes) = ReadOnlyFiles.read(sysfs.path(speedPath)), let text = SysfsValues.text(bytes) {
                    if let speed = SysfsValues.speed(text) {
                        interfaces[i].speedMbps = speed
                    } else {
                        log.add(.malformed, sysfs.path(speedPath), "unexpected value \(quoted(text))")
                    }
                }
            }
            let duplexPath = "class/net/\(name)/duplex"
            if sysfs.exists(duplexPath), case .contents(let bytes) = ReadOnlyFiles.read(sysfs.path(duplexPath)),
               let text = SysfsValues.text(bytes), !text.isEmpty {
                if ["full", "half", "unknown"].contains(text) {
                    interfaces[i].duplex = text
                } else {
                    log.add(.malformed, sysfs.path(duplexPath), "unexpected value \(quoted(text))")
                }
            }
            interfaces[i].driverInfo = network.driverInfo(name, log: &log)
            interfaces[i].features = network.features(name, log: &log)
            measureVFTable(&interfaces[i], log: &log)
        }
    }

    /// Holds a PF interface's VF table against the VFs its device really has (sysfs
    /// `device/sriov_numvfs`, which PCI PFs and netdevsim alike carry): `ip -d -j link` prints a
    /// cut list without a word in its JSON, and the kernel's own IFLA_NUM_VF may be missing from
    /// what a tool printed. A table that is short is marked, and said once, per PF.
    private func measureVFTable(_ interface: inout NetworkInterface, log: inout WarningLog) {
        let path = "class/net/\(interface.name)/device/sriov_numvfs"
        if !interface.vfs.isEmpty || interface.vfTableShortfall != nil, sysfs.exists(path),
           case .contents(let bytes) = ReadOnlyFiles.read(sysfs.path(path)), let text = SysfsValues.text(bytes) {
            if let numVFs = SysfsValues.count(text) {
                if interface.vfs.count < numVFs, numVFs > interface.vfTableShortfall?.expected ?? 0 {
                    interface.vfTableShortfall = VFTableShortfall(expected: numVFs, expectedSource: "sriov_numvfs", received: interface.vfs.count)
                }
            } else {
                log.add(.malformed, sysfs.path(path), "unexpected value \(quoted(text))")
            }
        }
        guard let shortfall = interface.vfTableShortfall else { return }
        let owner = interface.parentDevice.map { " (\($0))" } ?? ""
        log.add(.inconsistent, interface.name,
                "the VF table of \(interface.name)\(owner) holds \(shortfall.received) of \(shortfall.expected) VFs (\(shortfall.expectedSource) \(shortfall.expected)): the kernel's VF list or the tool that printed it was cut short; checks that need VF settings cannot judge this PF")
    }
}
