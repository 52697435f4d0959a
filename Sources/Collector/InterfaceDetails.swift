import Inventory

/// Fills what rtnetlink does not carry: link speed (sysfs), the parent PCI device on kernels that
/// predate IFLA_PARENT_DEV_*, and ethtool's driver information.
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
            interfaces[i].driverInfo = network.driverInfo(name, log: &log)
        }
    }
}
