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
        guard let children = sysfs.entries(directory) else {
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
        if function == nil, childSet.contains("config"), case .contents(let bytes) = ReadOnlyFiles.read(sysfs.path("\(directory)/config"), limit: 4096) {
            configBytes = bytes
        }
        let config = ConfigSpace(configBytes)

        // Identity: libpci's values, validated against the sysfs text (libpci turns garbage into 0).
        guard let vendor = identity("vendor", in: directory, libpci: function?.vendorID, config: config.vendorID, log: &log),
              let deviceID = identity("device", in: directory, libpci: function?.deviceID, config: config.deviceID, log: &log)
        else {
            log.add(.malformed, bdf, "no usable vendor/device ID; device skipped")
            return nil
        }
        guard let classCode = sysfs.parsed("\(directory)/class", required: true, log: &log, SysfsValues.classCode)
            ?? config.classCode.map({ hex($0, width: 6) })
            ?? function.flatMap({ $0.classCode == 0 ? nil : hex($0.classCode, width: 6) })
        else {
            log.add(.malformed, bdf, "no usable class code; device skipped")
            return nil
        }
        let classValue = Int(classCode, radix: 16) ?? 0
        let revision = function?.revision.map { hex($0, width: 2) }
            ?? sysfs.parsed("\(directory)/revision", log: &log, SysfsValues.revision)
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
        if childSet.contains("driver") { device.driver = sysfs.linkName("\(directory)/driver") }
        if childSet.contains("driver_override") {
            let value = sysfs.attribute("\(directory)/driver_override", log: &log)
            device.driverOverride = value == "(null)" ? nil : value
        }
        if childSet.contains("numa_node") {
            device.numaNode = sysfs.parsed("\(directory)/numa_node", log: &log, SysfsValues.numaNode) ?? nil
        }
        if childSet.contains("iommu_group") {
            if let name = sysfs.linkName("\(directory)/iommu_group"), let group = Int(name) {
                device.iommuGroup = group
            } else {
                log.add(.malformed, sysfs.path("\(directory)/iommu_group"), "not a link to an IOMMU group")
            }
        }
        if childSet.contains("physfn") {
            device.physicalFunction = sysfs.linkName("\(directory)/physfn").flatMap { PCIAddress($0) }
        }
        if childSet.contains("net") {
            device.interfaces = (sysfs.entries("\(directory)/net") ?? []).sorted()
        }
        device.link = link(directory: directory, children: childSet, config: config, log: &log)
        device.pcieType = config.pcieType
        device.sriovCapability = config.sriov
        device.acsCapability = config.acs

        let sriov = childSet.contains("sriov_totalvfs")
            ? sysfsSRIOV(directory: directory, children: children, log: &log) : nil
        return ScannedDevice(device: device, sriov: sriov)
    }

    /// A 16-bit ID from sysfs, checked against libpci; config space is the last resort.
    private func identity(
        _ attribute: String, in directory: String, libpci: Int?, config: Int?, log: inout WarningLog
    ) -> Int? {
        if let text = sysfs.parsed("\(directory)/\(attribute)", required: true, log: &log, SysfsValues.id16),
           let value = Int(text, radix: 16) {
            return value
        }
        if let libpci, libpci != 0, libpci != 0xffff { return libpci }
        if let config, config != 0xffff { return config }
        return nil
    }

    private func link(directory: String, children: Set<String>, config: ConfigSpace, log: inout WarningLog) -> PCIeLink? {
        var link = PCIeLink()
        if children.contains("current_link_speed") {
            link.currentSpeed = sysfs.parsed("\(directory)/current_link_speed", log: &log, SysfsValues.linkSpeed)
            link.currentWidth = sysfs.parsed("\(directory)/current_link_width", log: &log, SysfsValues.linkWidth)
            link.maxSpeed = sysfs.parsed("\(directory)/max_link_speed", log: &log, SysfsValues.linkSpeed)
            link.maxWidth = sysfs.parsed("\(directory)/max_link_width", log: &log, SysfsValues.linkWidth)
        } else if let fromConfig = config.link {
            link = fromConfig
        }
        return link == PCIeLink() ? nil : link
    }

    private func sysfsSRIOV(directory: String, children: [String], log: inout WarningLog) -> SysfsSRIOV {
        let p = { (name: String) in "\(directory)/\(name)" }
        var result = SysfsSRIOV(
            totalVFs: sysfs.parsed(p("sriov_totalvfs"), required: true, log: &log, SysfsValues.count),
            numVFs: sysfs.parsed(p("sriov_numvfs"), required: true, log: &log, SysfsValues.count),
            offset: sysfs.parsed(p("sriov_offset"), log: &log, SysfsValues.count),
            stride: sysfs.parsed(p("sriov_stride"), log: &log, SysfsValues.count),
            vfDeviceID: sysfs.parsed(p("sriov_vf_device"), log: &log, SysfsValues.bareID16),
            driversAutoprobe: sysfs.parsed(p("sriov_drivers_autoprobe"), log: &log, SysfsValues.flag),
            vfTotalMSIX: sysfs.parsed(p("sriov_vf_total_msix"), log: &log, SysfsValues.count),
            virtfnLinks: []
        )
        for name in children where name.hasPrefix("virtfn") {
            guard let index = Int(name.dropFirst(6)), index >= 0 else { continue }
            guard let target = sysfs.linkName(p(name)), let address = PCIAddress(target) else {
                log.add(.malformed, sysfs.path(p(name)), "not a link to a PCI function")
                continue
            }
            result.virtfnLinks.append((index, address))
        }
        result.virtfnLinks.sort { $0.index < $1.index }
        return result
    }
}
