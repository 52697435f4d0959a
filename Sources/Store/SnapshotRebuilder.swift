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
        guard let header = try Row.fetchOne(db, sql: "SELECT * FROM snapshots WHERE id = ?", arguments: [o.snapshotID]) else {
            throw StoreError.notFound("snapshot \(o.snapshotID)")
        }
        let id = o.snapshotID
        let devices = try Row.fetchAll(db, sql: "SELECT * FROM pci_devices WHERE snapshot_id = ?", arguments: [id])
            .map(device)
        let interfaceVFs = try Row.fetchAll(db, sql: "SELECT * FROM interface_vfs WHERE snapshot_id = ? ORDER BY interface, vf_index", arguments: [id])
        var tables: [String: [VFConfig]] = [:]
        for row in interfaceVFs {
            tables[row["interface"], default: []].append(VFConfig(
                index: row["vf_index"], mac: row["mac"], vlan: row["vlan"], qos: row["qos"], vlanProtocol: row["vlan_protocol"],
                spoofCheck: row["spoofchk"], trust: row["trust"], linkState: row["link_state"], minTxRate: row["min_tx_rate"],
                maxTxRate: row["max_tx_rate"], txRate: row["tx_rate"], rssQuery: row["rss_query"]
            ))
        }
        let interfaces = try Row.fetchAll(db, sql: "SELECT * FROM interfaces WHERE snapshot_id = ? ORDER BY ifindex, name", arguments: [id])
            .map { row -> NetworkInterface in
                let name: String = row["name"]
                return NetworkInterface(
                    name: name, ifindex: row["ifindex"], mac: row["mac"], mtu: row["mtu"], operState: row["oper_state"],
                    adminUp: row["admin_up"], carrier: row["carrier"], speedMbps: row["speed_mbps"], linkType: row["link_type"],
                    parentBus: row["parent_bus"], parentDevice: row["parent_device"], physPortName: row["phys_port_name"],
                    physSwitchID: row["phys_switch_id"], driverInfo: driverInfo(row), vfs: tables[name] ?? [],
                    numVFs: row["num_vfs"]
                )
            }
        let vfRows = try Row.fetchAll(db, sql: "SELECT * FROM virtual_functions WHERE snapshot_id = ? ORDER BY pf_address, vf_index", arguments: [id])
        var vfsByPF: [String: [VirtualFunction]] = [:]
        for row in vfRows {
            let index: Int = row["vf_index"]
            let owner: String? = row["config_interface"]
            let config = owner.flatMap { name in tables[name]?.first { $0.index == index } }
            vfsByPF[row["pf_address"], default: []].append(VirtualFunction(
                index: index, address: try address(row["address"]), physicalFunction: try address(row["pf_address"]),
                driver: row["driver"], iommuGroup: row["iommu_group"], interfaces: list(row["interfaces"]),
                effectiveMAC: row["effective_mac"], config: config
            ))
        }
        let pfs = try Row.fetchAll(db, sql: "SELECT * FROM physical_functions WHERE snapshot_id = ?", arguments: [id])
            .map { row -> PhysicalFunction in
                let bdf: String = row["address"]
                return PhysicalFunction(
                    address: try address(bdf), totalVFs: row["total_vfs"], numVFs: row["num_vfs"], vfOffset: row["vf_offset"],
                    vfStride: row["vf_stride"], vfDeviceID: row["vf_device_id"], driversAutoprobe: row["drivers_autoprobe"],
                    vfTotalMSIX: row["vf_total_msix"], source: row["source"], interfaces: list(row["interfaces"]),
                    driverInfo: driverInfo(row), virtualFunctions: vfsByPF[bdf] ?? []
                )
            }
            .sorted { $0.address < $1.address }
        let groups = try Row.fetchAll(db, sql: "SELECT * FROM iommu_groups WHERE snapshot_id = ? ORDER BY group_id", arguments: [id])
            .map { row in
                IOMMUGroup(id: row["group_id"], type: row["type"], name: row["name"],
                           members: try list(row["members"]).map(address), otherMembers: list(row["other_members"]))
            }
        let warnings = try Row.fetchAll(db, sql: "SELECT * FROM warnings WHERE snapshot_id = ? ORDER BY seq", arguments: [id])
            .map { row in
                CollectionWarning(CollectionWarning.Kind(rawValue: row["kind"]) ?? .unavailable, subject: row["subject"], message: row["message"])
            }
        let units: String? = header["iommu_units"]
        return HostSnapshot(
            schemaVersion: header["schema_version"], toolVersion: o.toolVersion, collectedAt: try date(o.collectedAt),
            source: SnapshotSource(kind: SnapshotSource.Kind(rawValue: o.sourceKind) ?? .capture, path: o.sourcePath),
            host: HostInfo(hostname: o.hostname, kernelRelease: header["kernel_release"], kernelCommandLine: header["kernel_cmdline"]),
            iommu: IOMMUState(enabled: header["iommu_enabled"], units: units.map(list), groupCount: header["iommu_group_count"],
                              commandLineOptions: list(header["iommu_cmdline_options"])),
            iommuGroups: groups, pciDevices: devices.sorted { $0.address < $1.address }, interfaces: interfaces,
            physicalFunctions: pfs, warnings: warnings
        )
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
