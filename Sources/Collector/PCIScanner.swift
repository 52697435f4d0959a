import Inventory

/// The SR-IOV view sysfs gives of a PF (`sriov_*` attributes and `virtfnN` links).
struct SysfsSRIOV {
    var totalVFs: Int?
    var numVFs: Int?
    var offset: Int?
    var stride: Int?
    var vfDeviceID: String?
    var driversAutoprobe: Bool?
    var vfTotalMSIX: Int?
    /// (N of `virtfnN`, the VF's address)
    var virtfnLinks: [(index: Int, address: PCIAddress)]
}

/// A PCI function as scanned, with the sysfs-only SR-IOV details the snapshot splits out later.
struct ScannedDevice {
    var device: PCIDevice
    var sriov: SysfsSRIOV?
}

/// Enumerates `bus/pci/devices` and describes every function through libpci and sysfs.
///
/// Devices are described one at a time, so a function that vanishes mid-scan (VFs being removed)
/// costs a warning for that function only.
struct PCIScanner {
    let sysfs: Sysfs
    let pci: PCILibrary?

    func scan(log: inout WarningLog) -> [ScannedDevice] {
        guard let names = sysfs.entries("bus/pci/devices") else {
            log.add(.unavailable, sysfs.path("bus/pci/devices"), "no PCI device directory; no PCI inventory collected")
            return []
        }
        var addresses: [PCIAddress] = []
        for name in names {
            guard let address = PCIAddress(name) else {
                log.add(.malformed, sysfs.path("bus/pci/devices/\(name)"), "entry is not a PCI address")
                continue
            }
            addresses.append(address)
        }
        return addresses.sorted().compactMap { describe($0, log: &log) }
    }

    private func describe(_ address: PCIAddress, log: inout WarningLog) -> ScannedDevice? {
        let bdf = address.description
        let entry = "bus/pci/devices/\(bdf)"
        let directory = sysfs.resolvedLink(entry) ?? entry
        guard let dir = sysfs.directory(directory), let children = dir.entries() else {
            log.add(.vanished, bdf, "listed in \(sysfs.path("bus/pci"))/devices but its directory \(sysfs.path(directory)) is gone")
            return nil
        }
        let childSet = Set(children)

        var function: PCILibrary.Function?
        if let pci {
            do { function = try pci.describe(address) } catch {
                if !sysfs.exists(directory) {
                    log.add(.vanished, bdf, "device disappeared while being read")
                    return nil
                }
                log.add(.unreadable, bdf, "libpci: \(error)")
            }
        }
        // Without libpci (or when it failed on this device) the config file is read directly.
        var configBytes = function?.config ?? []
        if function == nil, childSet.contains("config"), case .contents(let bytes) = ReadOnlyFiles.read(dir.path + "/config", limit: 4096) {
            configBytes = bytes
        }
        let config = ConfigSpace(configBytes)

        // Identity: libpci's values. libpci turns a garbage sysfs value into 0 and takes what the
        // file says over config space, so a suspicious or disagreeing value is re-read strictly.
        guard let vendor = identity("vendor", in: dir, libpci: function?.vendorID, config: config.vendorID, log: &log),
              let deviceID = identity("device", in: dir, libpci: function?.deviceID, config: config.deviceID, log: &log)
        else {
            log.add(.malformed, bdf, "no usable vendor/device ID; device skipped")
            return nil
        }
        let libpciClass = function.flatMap { $0.classCode >> 8 == 0 ? nil : hex($0.classCode, width: 6) }
        guard let classCode = libpciClass
            ?? dir.parsed("class", required: true, log: &log, SysfsValues.classCode)
            ?? config.classCode.map({ hex($0, width: 6) })
        else {
            log.add(.malformed, bdf, "no usable class code; device skipped")
            return nil
        }
        let classValue = Int(classCode, radix: 16) ?? 0
        let revision = function?.revision.map { hex($0, width: 2) }
            ?? dir.parsed("revision", log: &log, SysfsValues.revision)
        let subVendor = function?.subsystemVendorID
        let subDevice = function?.subsystemDeviceID

        var device = PCIDevice(
            address: address, vendorID: hex(vendor, width: 4), deviceID: hex(deviceID, width: 4),
            subsystemVendorID: subVendor.map { hex($0, width: 4) }, subsystemDeviceID: subDevice.map { hex($0, width: 4) },
            vendorName: pci?.vendorName(vendor), deviceName: pci?.deviceName(vendor, deviceID),
            subsystemName: subVendor.flatMap { sv in subDevice.flatMap { pci?.subsystemName(vendor, deviceID, sv, $0) } },
            classCode: classCode, className: pci?.className(classValue), revision: revision,
            configSpaceSize: config.bytes.count
        )
        device.parentBridges = directory.split(separator: "/").dropLast().reversed().compactMap { PCIAddress($0) }
        if childSet.contains("driver") { device.driver = dir.linkName("driver") }
        if childSet.contains("driver_override") {
            let value = dir.attribute("driver_override", log: &log)
            device.driverOverride = value == "(null)" ? nil : value
        }
        if childSet.contains("numa_node") {
            device.numaNode = dir.parsed("numa_node", log: &log, SysfsValues.numaNode) ?? nil
        }
        if childSet.contains("iommu_group") {
            if let name = dir.linkName("iommu_group"), let group = Int(name) {
                device.iommuGroup = group
            } else {
                log.add(.malformed, dir.path + "/iommu_group", "not a link to an IOMMU group")
            }
        }
        if childSet.contains("physfn") {
            device.physicalFunction = dir.linkName("physfn").flatMap { PCIAddress($0) }
        }
        if childSet.contains("net") {
            device.interfaces = (dir.entries("net") ?? []).sorted()
        }
        device.link = link(dir, children: childSet, config: config, log: &log)
        device.pcieType = config.pcieType
        device.sriovCapability = config.sriov
        device.acsCapability = config.acs

        let sriov = childSet.contains("sriov_totalvfs")
            ? sysfsSRIOV(dir, children: children, log: &log) : nil
        return ScannedDevice(device: device, sriov: sriov)
    }

    /// A 16-bit ID: libpci's when it is plausible and agrees with config space (VFs read 0xffff
    /// there, so they are only checked for plausibility); otherwise the sysfs file, read strictly
    /// so that garbage is reported; config space is the last resort.
    private func identity(
        _ attribute: String, in dir: SysfsDirectory, libpci: Int?, config: Int?, log: inout WarningLog
    ) -> Int? {
        let configValue = config.flatMap { $0 == 0xffff ? nil : $0 }
        if let libpci, libpci != 0, libpci != 0xffff, configValue == nil || configValue == libpci {
            return libpci
        }
        if let text = dir.parsed(attribute, required: true, log: &log, SysfsValues.id16),
           let value = Int(text, radix: 16) {
            return value
        }
        return configValue
    }

    /// The link from config space when it is readable (the kernel derives its `*_link_*`
    /// attributes from the same registers); the sysfs attributes otherwise (unprivileged readers,
    /// captures without config files).
    private func link(_ dir: SysfsDirectory, children: Set<String>, config: ConfigSpace, log: inout WarningLog) -> PCIeLink? {
        if let fromConfig = config.link { return fromConfig }
        guard children.contains("current_link_speed") else { return nil }
        let link = PCIeLink(
            currentSpeed: dir.parsed("current_link_speed", log: &log, SysfsValues.linkSpeed),
            currentWidth: dir.parsed("current_link_width", log: &log, SysfsValues.linkWidth),
            maxSpeed: dir.parsed("max_link_speed", log: &log, SysfsValues.linkSpeed),
            maxWidth: dir.parsed("max_link_width", log: &log, SysfsValues.linkWidth)
        )
        return link == PCIeLink() ? nil : link
    }

    private func sysfsSRIOV(_ dir: SysfsDirectory, children: [String], log: inout WarningLog) -> SysfsSRIOV {
        var result = SysfsSRIOV(
            totalVFs: dir.parsed("sriov_totalvfs", required: true, log: &log, SysfsValues.count),
            numVFs: dir.parsed("sriov_numvfs", required: true, log: &log, SysfsValues.count),
            offset: dir.parsed("sriov_offset", log: &log, SysfsValues.count),
            stride: dir.parsed("sriov_stride", log: &log, SysfsValues.count),
            vfDeviceID: dir.parsed("sriov_vf_device", log: &log, SysfsValues.bareID16),
            driversAutoprobe: dir.parsed("sriov_drivers_autoprobe", log: &log, SysfsValues.flag),
            vfTotalMSIX: dir.parsed("sriov_vf_total_msix", log: &log, SysfsValues.count),
            virtfnLinks: []
        )
        for name in children where name.hasPrefix("virtfn") {
            guard let index = Int(name.dropFirst(6)), index >= 0 else { continue }
            guard let target = dir.linkName(name), let address = PCIAddress(target) else {
                log.add(.malformed, dir.path + "/" + name, "not a link to a PCI function")
                continue
            }
            result.virtfnLinks.append((index, address))
        }
        result.virtfnLinks.sort { $0.index < $1.index }
        return result
    }
}
