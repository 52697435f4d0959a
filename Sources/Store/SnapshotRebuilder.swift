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

        func each(_ table: String, order: String, _ body: (Int64, Row) throws -> Void) throws {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT x.* FROM json_each(?) w JOIN \(table) x ON x.snapshot_id = w.value ORDER BY x.snapshot_id, \(order)
                """, arguments: [wanted])
            while let row = try cursor.next() { try body(row["snapshot_id"], row) }
        }

        var headers: [Int64: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT s.* FROM json_each(?) w JOIN snapshots s ON s.id = w.value", arguments: [wanted]) {
            headers[row["id"]] = row
        }
        var devices: [Int64: [PCIDevice]] = [:]
        try each("pci_devices", order: "address") { id, row in devices[id, default: []].append(try device(row)) }
        var tables: [Int64: [String: [VFConfig]]] = [:]
        try each("interface_vfs", order: "interface, vf_index") { id, row in
            tables[id, default: [:]][row["interface"], default: []].append(VFConfig(
                index: row["vf_index"], mac: row["mac"], vlan: row["vlan"], qos: row["qos"], vlanProtocol: row["vlan_protocol"],
                spoofCheck: row["spoofchk"], trust: row["trust"], linkState: row["link_state"], minTxRate: row["min_tx_rate"],
                maxTxRate: row["max_tx_rate"], txRate: row["tx_rate"], rssQuery: row["rss_query"]
            ))
        }
        var interfaces: [Int64: [NetworkInterface]] = [:]
        try each("interfaces", order: "ifindex, name") { id, row in
            let name: String = row["name"]
            interfaces[id, default: []].append(NetworkInterface(
                name: name, ifindex: row["ifindex"], mac: row["mac"], mtu: row["mtu"], operState: row["oper_state"],
                adminUp: row["admin_up"], carrier: row["carrier"], speedMbps: row["speed_mbps"], linkType: row["link_type"],
                parentBus: row["parent_bus"], parentDevice: row["parent_device"], physPortName: row["phys_port_name"],
                physSwitchID: row["phys_switch_id"], driverInfo: driverInfo(row), vfs: tables[id]?[name] ?? [],
                numVFs: row["num_vfs"]
            ))
        }
        var vfs: [Int64: [String: [VirtualFunction]]] = [:]
        try each("virtual_functions", order: "pf_address, vf_index") { id, row in
            let index: Int = row["vf_index"]
            let owner: String? = row["config_interface"]
            let config = owner.flatMap { name in tables[id]?[name]?.first { $0.index == index } }
            vfs[id, default: [:]][row["pf_address"], default: []].append(VirtualFunction(
                index: index, address: try address(row["address"]), physicalFunction: try address(row["pf_address"]),
                driver: row["driver"], iommuGroup: row["iommu_group"], interfaces: list(row["interfaces"]),
                effectiveMAC: row["effective_mac"], config: config
            ))
        }
        var pfs: [Int64: [PhysicalFunction]] = [:]
        try each("physical_functions", order: "address") { id, row in
            let bdf: String = row["address"]
            pfs[id, default: []].append(PhysicalFunction(
                address: try address(bdf), totalVFs: row["total_vfs"], numVFs: row["num_vfs"], vfOffset: row["vf_offset"],
                vfStride: row["vf_stride"], vfDeviceID: row["vf_device_id"], driversAutoprobe: row["drivers_autoprobe"],
                vfTotalMSIX: row["vf_total_msix"], source: row["source"], interfaces: list(row["interfaces"]),
                driverInfo: driverInfo(row), virtualFunctions: vfs[id]?[bdf] ?? []
            ))
        }
        var groups: [Int64: [IOMMUGroup]] = [:]
        try each("iommu_groups", order: "group_id") { id, row in
            groups[id, default: []].append(IOMMUGroup(id: row["group_id"], type: row["type"], name: row["name"],
                                                      members: try list(row["members"]).map(address), otherMembers: list(row["other_members"])))
        }
        var warnings: [Int64: [CollectionWarning]] = [:]
        try each("warnings", order: "seq") { id, row in
            warnings[id, default: []].append(CollectionWarning(CollectionWarning.Kind(rawValue: row["kind"]) ?? .unavailable,
                                                               subject: row["subject"], message: row["message"]))
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

    private static func device(_ row: Row) throws -> PCIDevice {
        var device = PCIDevice(
            address: try address(row["address"]), vendorID: row["vendor_id"], deviceID: row["device_id"],
            subsystemVendorID: row["subsystem_vendor_id"], subsystemDeviceID: row["subsystem_device_id"],
            vendorName: row["vendor_name"], deviceName: row["device_name"], subsystemName: row["subsystem_name"],
            classCode: row["class_code"], className: row["class_name"], revision: row["revision"], driver: row["driver"],
            driverOverride: row["driver_override"], numaNode: row["numa_node"], iommuGroup: row["iommu_group"],
            parentBridges: try list(row["parent_bridges"]).map(address), pcieType: row["pcie_type"],
            configSpaceSize: row["config_space_size"], interfaces: list(row["interfaces"])
        )
        if row["has_link"] == true {
            device.link = PCIeLink(currentSpeed: row["link_current_speed"], currentWidth: row["link_current_width"],
                                   maxSpeed: row["link_max_speed"], maxWidth: row["link_max_width"])
        }
        let physfn: String? = row["physfn"]
        device.physicalFunction = try physfn.map(address)
        if let offset: Int = row["sriov_cap_offset"] {
            device.sriovCapability = SRIOVCapability(
                offset: offset, vfEnable: row["sriov_vf_enable"], vfMSE: row["sriov_vf_mse"], ariCapableHierarchy: row["sriov_ari"],
                initialVFs: row["sriov_initial_vfs"], totalVFs: row["sriov_total_vfs"], numVFs: row["sriov_num_vfs"],
                functionDependencyLink: row["sriov_fdl"], firstVFOffset: row["sriov_first_vf_offset"],
                vfStride: row["sriov_vf_stride"], vfDeviceID: row["sriov_vf_device_id"],
                supportedPageSizes: row["sriov_page_sizes"], systemPageSize: row["sriov_system_page_size"]
            )
        }
        if let offset: Int = row["acs_offset"] {
            device.acsCapability = ACSCapability(
                offset: offset, capability: ACSFlags(rawValue: UInt16(row["acs_capability"] as Int)),
                control: ACSFlags(rawValue: UInt16(row["acs_control"] as Int))
            )
        }
        return device
    }

    private static func driverInfo(_ row: Row) -> DriverInfo? {
        guard let driver: String = row["driver"] else { return nil }
        return DriverInfo(driver: driver, version: row["driver_version"] ?? "", firmwareVersion: row["firmware_version"] ?? "",
                          expansionROMVersion: row["erom_version"] ?? "", busInfo: row["bus_info"] ?? "")
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
