import Inventory

/// Reads `/sys/kernel/iommu_groups` and `/sys/class/iommu`.
struct IOMMUScanner {
    let sysfs: Sysfs

    func groups(log: inout WarningLog) -> [IOMMUGroup]? {
        guard let names = sysfs.entries("kernel/iommu_groups") else { return nil }
        var groups: [IOMMUGroup] = []
        for name in names {
            guard let id = Int(name), id >= 0 else {
                log.add(.malformed, sysfs.path("kernel/iommu_groups/\(name)"), "not a group number")
                continue
            }
            guard let group = sysfs.directory("kernel/iommu_groups/\(name)"), let members = group.entries("devices") else {
                log.add(.vanished, sysfs.path("kernel/iommu_groups/\(name)"), "group has no readable devices directory")
                continue
            }
            var pci: [PCIAddress] = []
            var other: [String] = []
            for member in members {
                if let address = PCIAddress(member) { pci.append(address) } else { other.append(member) }
            }
            groups.append(IOMMUGroup(
                id: id, type: group.attribute("type", log: &log), name: group.attribute("name", log: &log),
                members: pci.sorted(), otherMembers: other.sorted()
            ))
        }
        return groups.sorted { $0.id < $1.id }
    }

    /// The effective state: real groups exist and an IOMMU unit is registered.
    /// `groups` is nil when the source has no group directory: on a live host that means a kernel
    /// without IOMMU support (off), in a capture that the capture did not include it (unknown).
    func state(groups: [IOMMUGroup]?, live: Bool, commandLine: String?, log: inout WarningLog) -> IOMMUState {
        let units = sysfs.entries("class/iommu")?.sorted()
        var enabled: Bool?
        if let groups {
            enabled = groups.contains { $0.name != "vfio-noiommu" }
            if let units {
                enabled = enabled == true && !units.isEmpty
            } else if !groups.isEmpty {
                log.add(.missing, sysfs.path("class/iommu"), "not in this source; IOMMU state judged from the groups alone")
            }
        } else if live {
            enabled = false
        } else {
            log.add(.missing, sysfs.path("kernel/iommu_groups"), "not in this source; IOMMU state unknown")
        }
        return IOMMUState(
            enabled: enabled, units: units, groupCount: groups?.count ?? 0,
            commandLineOptions: Self.commandLineOptions(commandLine ?? "")
        )
    }

    /// The IOMMU-related words of a kernel command line, kept for information.
    static func commandLineOptions(_ commandLine: String) -> [String] {
        let prefixes = ["intel_iommu=", "amd_iommu=", "iommu=", "iommu.", "vfio.", "vfio_iommu_type1.", "pci=realloc", "pcie_acs_override="]
        return commandLine.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            .map(String.init).filter { word in prefixes.contains { word.hasPrefix($0) } }
    }
}
