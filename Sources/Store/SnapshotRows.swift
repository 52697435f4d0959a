import Inventory

/// A snapshot as table rows, and back.
///
/// The one mapping between ``HostSnapshot`` and the schema: every field has a column, so a stored
/// snapshot is rebuilt exactly (a round-trip test holds it to that). The content digest is taken
/// over the same rows, so two collections differ in digest exactly when some stored field differs.
public struct SnapshotRows: Sendable {
    struct Table: Sendable {
        let name: String
        let columns: [String]
        var rows: [[SQLValue]] = []
    }

    /// Content columns of `snapshots` (the header fields that belong to the content).
    var header: [SQLValue]
    var tables: [Table]
    public var contentHash: String
    /// The snapshot's audit facts as rows: derived here, on the thread that prepares the
    /// snapshot, and written with it. Not part of the content digest.
    var facts: FactRows
    /// The observation's traffic counters: written beside the observation, never part of the
    /// content or its digest.
    var counters: (links: [[SQLValue]], vfs: [[SQLValue]])

    static let headerColumns = [
        "schema_version", "kernel_release", "kernel_cmdline", "iommu_enabled", "iommu_units",
        "iommu_group_count", "iommu_cmdline_options", "pci_device_count", "pf_count", "vf_count",
    ]

    static let pciColumns = [
        "address", "vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id", "vendor_name", "device_name",
        "subsystem_name", "class_code", "class_name", "revision", "driver", "driver_override", "numa_node", "iommu_group",
        "parent_bridges", "pcie_type", "link_current_speed", "link_current_width", "link_max_speed", "link_max_width",
        "has_link", "config_space_size", "physfn", "interfaces", "sriov_cap_offset", "sriov_vf_enable", "sriov_vf_mse",
        "sriov_ari", "sriov_initial_vfs", "sriov_total_vfs", "sriov_num_vfs", "sriov_fdl", "sriov_first_vf_offset",
        "sriov_vf_stride", "sriov_vf_device_id", "sriov_page_sizes", "sriov_system_page_size", "acs_offset",
        "acs_capability", "acs_control",
    ]
    static let pfColumns = [
        "address", "total_vfs", "num_vfs", "vf_offset", "vf_stride", "vf_device_id", "drivers_autoprobe", "vf_total_msix",
        "source", "interfaces", "driver", "driver_version", "firmware_version", "erom_version", "bus_info",
    ]
    static let vfColumns = [
        "address", "pf_address", "vf_index", "driver", "iommu_group", "interfaces", "effective_mac", "config_interface",
    ]
    static let interfaceColumns = [
        "name", "ifindex", "mac", "mtu", "oper_state", "admin_up", "carrier", "speed_mbps", "link_type", "parent_bus",
        "parent_device", "phys_port_name", "phys_switch_id", "driver", "driver_version", "firmware_version",
        "erom_version", "bus_info", "num_vfs",
    ]
    static let interfaceVFColumns = [
        "interface", "vf_index", "mac", "vlan", "qos", "vlan_protocol", "spoofchk", "trust", "link_state",
        "min_tx_rate", "max_tx_rate", "tx_rate", "rss_query",
    ]
    static let shortfallColumns = ["interface", "expected", "expected_source", "received"]
    /// Tables added after the first schema: each enters the digest only when it has rows, so a
    /// snapshot without such content keeps the digest it was stored under.
    static let laterTables: Set<String> = Set(["vf_table_shortfalls"] + ConsumerRows.tables.map(\.name) + HealthRows.tables.map(\.name))
    static let groupColumns = ["group_id", "type", "name", "members", "other_members", "member_count"]
    static let warningColumns = ["seq", "kind", "subject", "message"]

    // MARK: - flattening

    public init(_ snapshot: HostSnapshot) {
        header = [
            SQLValue(snapshot.schemaVersion), SQLValue(snapshot.host.kernelRelease), SQLValue(snapshot.host.kernelCommandLine),
            SQLValue(snapshot.iommu.enabled), SQLValue(snapshot.iommu.units.map { $0.joined(separator: " ") }),
            SQLValue(snapshot.iommu.groupCount), .text(snapshot.iommu.commandLineOptions.joined(separator: " ")),
            SQLValue(snapshot.pciDevices.count), SQLValue(snapshot.physicalFunctions.count),
            SQLValue(snapshot.virtualFunctions.count),
        ]
        var pci = Table(name: "pci_devices", columns: Self.pciColumns)
        pci.rows = snapshot.pciDevices.map(Self.row)
        var pfs = Table(name: "physical_functions", columns: Self.pfColumns)
        var vfs = Table(name: "virtual_functions", columns: Self.vfColumns)
        let configOwner = Self.configInterfaces(snapshot)
        for pf in snapshot.physicalFunctions {
            let info = pf.driverInfo
            pfs.rows.append([
                .text(pf.address.description), SQLValue(pf.totalVFs), SQLValue(pf.numVFs), SQLValue(pf.vfOffset),
                SQLValue(pf.vfStride), SQLValue(pf.vfDeviceID), SQLValue(pf.driversAutoprobe), SQLValue(pf.vfTotalMSIX),
                .text(pf.source), .text(pf.interfaces.joined(separator: " ")), SQLValue(info?.driver),
                SQLValue(info?.version), SQLValue(info?.firmwareVersion), SQLValue(info?.expansionROMVersion),
                SQLValue(info?.busInfo),
            ])
            for vf in pf.virtualFunctions {
                vfs.rows.append([
                    .text(vf.address.description), .text(vf.physicalFunction.description), SQLValue(vf.index),
                    SQLValue(vf.driver), SQLValue(vf.iommuGroup), .text(vf.interfaces.joined(separator: " ")),
                    SQLValue(vf.effectiveMAC), SQLValue(vf.config == nil ? nil : configOwner[pf.address]),
                ])
            }
        }
        var interfaces = Table(name: "interfaces", columns: Self.interfaceColumns)
        var tableRows = Table(name: "interface_vfs", columns: Self.interfaceVFColumns)
        var shortfalls = Table(name: "vf_table_shortfalls", columns: Self.shortfallColumns)
        for i in snapshot.interfaces {
            if let short = i.vfTableShortfall {
                shortfalls.rows.append([.text(i.name), SQLValue(short.expected), .text(short.expectedSource), SQLValue(short.received)])
            }
            let info = i.driverInfo
            interfaces.rows.append([
                .text(i.name), SQLValue(i.ifindex), SQLValue(i.mac), SQLValue(i.mtu), SQLValue(i.operState),
                SQLValue(i.adminUp), SQLValue(i.carrier), SQLValue(i.speedMbps), SQLValue(i.linkType), SQLValue(i.parentBus),
                SQLValue(i.parentDevice), SQLValue(i.physPortName), SQLValue(i.physSwitchID), SQLValue(info?.driver),
                SQLValue(info?.version), SQLValue(info?.firmwareVersion), SQLValue(info?.expansionROMVersion),
                SQLValue(info?.busInfo), SQLValue(i.numVFs),
            ])
            for c in i.vfs {
                tableRows.rows.append([
                    .text(i.name), SQLValue(c.index), .text(c.mac), SQLValue(c.vlan), SQLValue(c.qos), SQLValue(c.vlanProtocol),
                    SQLValue(c.spoofCheck), SQLValue(c.trust), SQLValue(c.linkState), SQLValue(c.minTxRate),
                    SQLValue(c.maxTxRate), SQLValue(c.txRate), SQLValue(c.rssQuery),
                ])
            }
        }
        var groups = Table(name: "iommu_groups", columns: Self.groupColumns)
        groups.rows = snapshot.iommuGroups.map { g in
            [SQLValue(g.id), SQLValue(g.type), SQLValue(g.name), .text(g.members.map(\.description).joined(separator: " ")),
             .text(g.otherMembers.joined(separator: " ")), SQLValue(g.members.count + g.otherMembers.count)]
        }
        var warnings = Table(name: "warnings", columns: Self.warningColumns)
        warnings.rows = snapshot.warnings.enumerated().map { n, w in
            [SQLValue(n), .text(w.kind.rawValue), .text(w.subject), .text(w.message)]
        }
        tables = [pci, pfs, vfs, interfaces, tableRows, groups, warnings, shortfalls]
        for (definition, rows) in zip(ConsumerRows.tables, ConsumerRows.rows(snapshot)) {
            tables.append(Table(name: definition.name, columns: definition.columns, rows: rows))
        }

        for (definition, rows) in zip(HealthRows.tables, HealthRows.rows(snapshot)) {
            tables.append(Table(name: definition.name, columns: definition.columns, rows: rows))
        }
        counters = HealthRows.counterRows(snapshot.counters)

        var hasher = ContentHasher()
        hasher.add(header)
        for table in tables where !(Self.laterTables.contains(table.name) && table.rows.isEmpty) {
            hasher.add(tag: table.name)
            for row in table.rows { hasher.add(row) }
        }
        contentHash = hasher.hex
        facts = FactRows(AuditFacts(snapshot: snapshot))
    }

    /// For each PF, the interface whose VF table its VFs' settings came from (as the collector
    /// joins them: the first PF interface with a non-empty table).
    private static func configInterfaces(_ snapshot: HostSnapshot) -> [PCIAddress: String] {
        var result: [PCIAddress: String] = [:]
        let byName = Dictionary(snapshot.interfaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for pf in snapshot.physicalFunctions {
            if let owner = pf.interfaces.first(where: { !(byName[$0]?.vfs.isEmpty ?? true) }) { result[pf.address] = owner }
        }
        return result
    }

    private static func row(_ d: PCIDevice) -> [SQLValue] {
        let s = d.sriovCapability
        let acs = d.acsCapability
        return [
            .text(d.address.description), .text(d.vendorID), .text(d.deviceID), SQLValue(d.subsystemVendorID),
            SQLValue(d.subsystemDeviceID), SQLValue(d.vendorName), SQLValue(d.deviceName), SQLValue(d.subsystemName),
            .text(d.classCode), SQLValue(d.className), SQLValue(d.revision), SQLValue(d.driver), SQLValue(d.driverOverride),
            SQLValue(d.numaNode), SQLValue(d.iommuGroup), .text(d.parentBridges.map(\.description).joined(separator: " ")),
            SQLValue(d.pcieType), SQLValue(d.link?.currentSpeed), SQLValue(d.link?.currentWidth), SQLValue(d.link?.maxSpeed),
            SQLValue(d.link?.maxWidth), SQLValue(d.link != nil), SQLValue(d.configSpaceSize),
            SQLValue(d.physicalFunction?.description), .text(d.interfaces.joined(separator: " ")),
            SQLValue(s?.offset), SQLValue(s?.vfEnable), SQLValue(s?.vfMSE), SQLValue(s?.ariCapableHierarchy),
            SQLValue(s?.initialVFs), SQLValue(s?.totalVFs), SQLValue(s?.numVFs), SQLValue(s?.functionDependencyLink),
            SQLValue(s?.firstVFOffset), SQLValue(s?.vfStride), SQLValue(s?.vfDeviceID), SQLValue(s?.supportedPageSizes),
            SQLValue(s?.systemPageSize), SQLValue(acs?.offset), SQLValue(acs.map { Int($0.capability.rawValue) }),
            SQLValue(acs.map { Int($0.control.rawValue) }),
        ]
    }
}
