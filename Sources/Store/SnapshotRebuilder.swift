import GRDB
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Rebuilds a stored snapshot from its rows: the inverse of ``SnapshotRows``.
enum SnapshotRebuilder {
    /// The observation (when, by what, from where) and the content it saw.
    struct Observation {
        var hostname: String
        var collectedAt: String
        var snapshotID: Int64
        var toolVersion: String
        var sourceKind: String
        var sourcePath: String?
    }

    static func snapshot(_ db: Database, observation o: Observation) throws -> HostSnapshot {
        guard let snapshot = try snapshots(db, observations: [o]).first else { throw StoreError.notFound("snapshot \(o.snapshotID)") }
        return snapshot
    }

    /// Many snapshots at once: one query per table over all of them (a fleet audit reads every
    /// host's latest snapshot), rows mapped as they stream by.
    static func snapshots(_ db: Database, observations: [Observation]) throws -> [HostSnapshot] {
        let ids = Array(Set(observations.map(\.snapshotID))).sorted()
        guard !ids.isEmpty else { return [] }
        // The wanted ids as one JSON array parameter: a read-only access may not create a temp table.
        let wanted = "[" + ids.map(String.init).joined(separator: ",") + "]"

        // Column positions are resolved once per table (by name, so a schema change cannot shift
        // them silently) and each row is then read by position: name lookups were a third of a
        // fleet audit's reading time.
        func each(_ table: String, order: String, _ reader: (ColumnMap) throws -> (Int64, Row) throws -> Void) throws {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT x.* FROM json_each(?) w JOIN \(table) x ON x.snapshot_id = w.value ORDER BY x.snapshot_id, \(order)
                """, arguments: [wanted])
            let columns = ColumnMap(table: table, names: cursor.columnNames)
            let id = try columns.at("snapshot_id")
            let body = try reader(columns)
            while let row = try cursor.next() { try body(row[id], row) }
        }

        var headers: [Int64: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT s.* FROM json_each(?) w JOIN snapshots s ON s.id = w.value", arguments: [wanted]) {
            headers[row["id"]] = row
        }
        var devices: [Int64: [PCIDevice]] = [:]
        try each("pci_devices", order: "address") { columns in
            let c = try DeviceColumns(columns)
            return { id, row in devices[id, default: []].append(try device(row, c)) }
        }
        var tables: [Int64: [String: [VFConfig]]] = [:]
        try each("interface_vfs", order: "interface, vf_index") { c in
            let (interface, index, mac, vlan, qos, proto) = (try c.at("interface"), try c.at("vf_index"), try c.at("mac"), try c.at("vlan"), try c.at("qos"), try c.at("vlan_protocol"))
            let (spoof, trust, link, minRate, maxRate, rate, rss) = (try c.at("spoofchk"), try c.at("trust"), try c.at("link_state"), try c.at("min_tx_rate"),
                                                                      try c.at("max_tx_rate"), try c.at("tx_rate"), try c.at("rss_query"))
            return { id, row in
                tables[id, default: [:]][row[interface], default: []].append(VFConfig(
                    index: row[index], mac: row[mac], vlan: row[vlan], qos: row[qos], vlanProtocol: row[proto],
                    spoofCheck: row[spoof], trust: row[trust], linkState: row[link], minTxRate: row[minRate],
                    maxTxRate: row[maxRate], txRate: row[rate], rssQuery: row[rss]
                ))
            }
        }
        var interfaces: [Int64: [NetworkInterface]] = [:]
        try each("interfaces", order: "ifindex, name") { c in
            let (nameAt, ifindex, mac, mtu, oper, admin, carrier) = (try c.at("name"), try c.at("ifindex"), try c.at("mac"), try c.at("mtu"),
                                                                      try c.at("oper_state"), try c.at("admin_up"), try c.at("carrier"))
            let (speed, linkType, bus, parent, port, switchID, numVFs) = (try c.at("speed_mbps"), try c.at("link_type"), try c.at("parent_bus"),
                                                                          try c.at("parent_device"), try c.at("phys_port_name"), try c.at("phys_switch_id"), try c.at("num_vfs"))
            let driver = try DriverColumns(c)
            return { id, row in
                let name: String = row[nameAt]
                interfaces[id, default: []].append(NetworkInterface(
                    name: name, ifindex: row[ifindex], mac: row[mac], mtu: row[mtu], operState: row[oper],
                    adminUp: row[admin], carrier: row[carrier], speedMbps: row[speed], linkType: row[linkType],
                    parentBus: row[bus], parentDevice: row[parent], physPortName: row[port],
                    physSwitchID: row[switchID], driverInfo: driverInfo(row, driver), vfs: tables[id]?[name] ?? [],
                    numVFs: row[numVFs]
                ))
            }
        }
        var vfs: [Int64: [String: [VirtualFunction]]] = [:]
        try each("virtual_functions", order: "pf_address, vf_index") { c in
            let (indexAt, ownerAt, addressAt, pfAt, driverAt, groupAt, netdevs, effective) = (
                try c.at("vf_index"), try c.at("config_interface"), try c.at("address"), try c.at("pf_address"), try c.at("driver"),
                try c.at("iommu_group"), try c.at("interfaces"), try c.at("effective_mac"))
            return { id, row in
                let index: Int = row[indexAt]
                let owner: String? = row[ownerAt]
                let config = owner.flatMap { name in tables[id]?[name]?.first { $0.index == index } }
                vfs[id, default: [:]][row[pfAt], default: []].append(VirtualFunction(
                    index: index, address: try address(row[addressAt]), physicalFunction: try address(row[pfAt]),
                    driver: row[driverAt], iommuGroup: row[groupAt], interfaces: list(row[netdevs]),
                    effectiveMAC: row[effective], config: config
                ))
            }
        }
        var pfs: [Int64: [PhysicalFunction]] = [:]
        try each("physical_functions", order: "address") { c in
            let (addressAt, total, num, offset, stride, vfDevice, autoprobe, msix, source, netdevs) = (
                try c.at("address"), try c.at("total_vfs"), try c.at("num_vfs"), try c.at("vf_offset"), try c.at("vf_stride"),
                try c.at("vf_device_id"), try c.at("drivers_autoprobe"), try c.at("vf_total_msix"), try c.at("source"), try c.at("interfaces"))
            let driver = try DriverColumns(c)
            return { id, row in
                let bdf: String = row[addressAt]
                pfs[id, default: []].append(PhysicalFunction(
                    address: try address(bdf), totalVFs: row[total], numVFs: row[num], vfOffset: row[offset],
                    vfStride: row[stride], vfDeviceID: row[vfDevice], driversAutoprobe: row[autoprobe],
                    vfTotalMSIX: row[msix], source: row[source], interfaces: list(row[netdevs]),
                    driverInfo: driverInfo(row, driver), virtualFunctions: vfs[id]?[bdf] ?? []
                ))
            }
        }
        var groups: [Int64: [IOMMUGroup]] = [:]
        try each("iommu_groups", order: "group_id") { c in
            let (group, type, name, members, others) = (try c.at("group_id"), try c.at("type"), try c.at("name"), try c.at("members"), try c.at("other_members"))
            return { id, row in
                groups[id, default: []].append(IOMMUGroup(id: row[group], type: row[type], name: row[name],
                                                          members: try list(row[members]).map(address), otherMembers: list(row[others])))
            }
        }
        var warnings: [Int64: [CollectionWarning]] = [:]
        try each("warnings", order: "seq") { c in
            let (kind, subject, message) = (try c.at("kind"), try c.at("subject"), try c.at("message"))
            return { id, row in
                warnings[id, default: []].append(CollectionWarning(CollectionWarning.Kind(rawValue: row[kind]) ?? .unavailable,
                                                                   subject: row[subject], message: row[message]))
            }
        }

        return try observations.map { o in
            guard let header = headers[o.snapshotID] else { throw StoreError.notFound("snapshot \(o.snapshotID)") }
            let id = o.snapshotID
            let units: String? = header["iommu_units"]
            return HostSnapshot(
                schemaVersion: header["schema_version"], toolVersion: o.toolVersion, collectedAt: try date(o.collectedAt),
                source: SnapshotSource(kind: SnapshotSource.Kind(rawValue: o.sourceKind) ?? .capture, path: o.sourcePath),
                host: HostInfo(hostname: o.hostname, kernelRelease: header["kernel_release"], kernelCommandLine: header["kernel_cmdline"]),
                iommu: IOMMUState(enabled: header["iommu_enabled"], units: units.map(list), groupCount: header["iommu_group_count"],
                                  commandLineOptions: list(header["iommu_cmdline_options"])),
                iommuGroups: groups[id] ?? [], pciDevices: (devices[id] ?? []).sorted { $0.address < $1.address },
                interfaces: interfaces[id] ?? [], physicalFunctions: (pfs[id] ?? []).sorted { $0.address < $1.address },
                warnings: warnings[id] ?? []
            )
        }
    }

    private static func device(_ row: Row, _ c: DeviceColumns) throws -> PCIDevice {
        var device = PCIDevice(
            address: try address(row[c.address]), vendorID: row[c.vendorID], deviceID: row[c.deviceID],
            subsystemVendorID: row[c.subsystemVendorID], subsystemDeviceID: row[c.subsystemDeviceID],
            vendorName: row[c.vendorName], deviceName: row[c.deviceName], subsystemName: row[c.subsystemName],
            classCode: row[c.classCode], className: row[c.className], revision: row[c.revision], driver: row[c.driver],
            driverOverride: row[c.driverOverride], numaNode: row[c.numaNode], iommuGroup: row[c.iommuGroup],
            parentBridges: try list(row[c.parentBridges]).map(address), pcieType: row[c.pcieType],
            configSpaceSize: row[c.configSpaceSize], interfaces: list(row[c.interfaces])
        )
        if row[c.hasLink] == true {
            device.link = PCIeLink(currentSpeed: row[c.linkCurrentSpeed], currentWidth: row[c.linkCurrentWidth],
                                   maxSpeed: row[c.linkMaxSpeed], maxWidth: row[c.linkMaxWidth])
        }
        let physfn: String? = row[c.physfn]
        device.physicalFunction = try physfn.map(address)
        if let offset: Int = row[c.sriovOffset] {
            device.sriovCapability = SRIOVCapability(
                offset: offset, vfEnable: row[c.sriovVFEnable], vfMSE: row[c.sriovVFMSE], ariCapableHierarchy: row[c.sriovARI],
                initialVFs: row[c.sriovInitialVFs], totalVFs: row[c.sriovTotalVFs], numVFs: row[c.sriovNumVFs],
                functionDependencyLink: row[c.sriovFDL], firstVFOffset: row[c.sriovFirstVFOffset],
                vfStride: row[c.sriovVFStride], vfDeviceID: row[c.sriovVFDeviceID],
                supportedPageSizes: row[c.sriovPageSizes], systemPageSize: row[c.sriovSystemPageSize]
            )
        }
        if let offset: Int = row[c.acsOffset] {
            device.acsCapability = ACSCapability(
                offset: offset, capability: ACSFlags(rawValue: UInt16(row[c.acsCapability] as Int)),
                control: ACSFlags(rawValue: UInt16(row[c.acsControl] as Int))
            )
        }
        return device
    }

    private static func driverInfo(_ row: Row, _ c: DriverColumns) -> DriverInfo? {
        guard let driver: String = row[c.driver] else { return nil }
        return DriverInfo(driver: driver, version: row[c.version] ?? "", firmwareVersion: row[c.firmware] ?? "",
                          expansionROMVersion: row[c.erom] ?? "", busInfo: row[c.busInfo] ?? "")
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }

    static func address(_ text: String) throws -> PCIAddress {
        guard let value = PCIAddress(text) else { throw StoreError.corrupt("not a PCI address in the store: \(text)") }
        return value
    }

    static func date(_ text: String) throws -> Date {
        guard let value = try? Date(text, strategy: .iso8601) else { throw StoreError.corrupt("not a timestamp in the store: \(text)") }
        return value
    }
}
