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

    static func snapshot(_ db: any SQLConnection, observation o: Observation) throws -> HostSnapshot {
        guard let snapshot = try snapshots(db, observations: [o]).first else { throw StoreError.notFound("snapshot \(o.snapshotID)") }
        return snapshot
    }

    /// Many snapshots at once: one query per table over all of them (a fleet audit reads every
    /// host's latest snapshot), rows mapped as they stream by.
    static func snapshots(_ db: any SQLConnection, observations: [Observation]) throws -> [HostSnapshot] {
        let ids = Array(Set(observations.map(\.snapshotID))).sorted()
        guard !ids.isEmpty else { return [] }
        // The wanted ids as one JSON array parameter: a read-only access may not create a temp table.
        let wanted = "[" + ids.map(String.init).joined(separator: ",") + "]"

        // Column positions are resolved once per table (by name, so a schema change cannot shift
        // them silently) and each row is then read by position, straight from SQLite. No ORDER BY:
        // SQLite would copy every row into a sorter; each snapshot's few rows are sorted here instead.
        func each(_ table: String, _ reader: (any SQLRows) throws -> (Int64) throws -> Void) throws {
            let rows = try db.query(db.dialect.rowsOfSnapshots(table), [.text(wanted)], table: table)
            let id = try rows.columns.at("snapshot_id")
            let body = try reader(rows)
            while try rows.next() { try body(Int64(try rows.requiredInt(id))) }
        }

        // The snapshot rows themselves: the parts of the content that are not in a table of their own.
        var headers: [Int64: (schemaVersion: Int, host: (release: String?, cmdline: String?), iommu: IOMMUState)] = [:]
        let header = try db.query(db.dialect.rowsOfSnapshots("snapshots", alias: "s", key: "id"), [.text(wanted)], table: "snapshots")
        let h = header.columns
        let (idAt, schema, release, cmdline, enabled, units, groupCount, options) = (
            try h.at("id"), try h.at("schema_version"), try h.at("kernel_release"), try h.at("kernel_cmdline"), try h.at("iommu_enabled"),
            try h.at("iommu_units"), try h.at("iommu_group_count"), try h.at("iommu_cmdline_options"))
        while try header.next() {
            headers[Int64(try header.requiredInt(idAt))] = (
                try header.requiredInt(schema), (header.text(release), header.text(cmdline)),
                IOMMUState(enabled: try header.bool(enabled), units: header.text(units) == nil ? nil : try header.list(units),
                           groupCount: try header.requiredInt(groupCount), commandLineOptions: try header.list(options)))
        }
        var devices: [Int64: [PCIDevice]] = [:]
        try each("pci_devices") { row in
            let c = try DeviceColumns(row.columns)
            return { id in devices[id, default: []].append(try device(row, c)) }
        }
        var tables: [Int64: [String: [VFConfig]]] = [:]
        try each("interface_vfs") { row in
            let c = row.columns
            let (interface, index, mac, vlan, qos, proto) = (try c.at("interface"), try c.at("vf_index"), try c.at("mac"), try c.at("vlan"), try c.at("qos"), try c.at("vlan_protocol"))
            let (spoof, trust, link, minRate, maxRate, rate, rss) = (try c.at("spoofchk"), try c.at("trust"), try c.at("link_state"), try c.at("min_tx_rate"),
                                                                      try c.at("max_tx_rate"), try c.at("tx_rate"), try c.at("rss_query"))
            return { id in
                tables[id, default: [:]][try row.string(interface), default: []].append(VFConfig(
                    index: try row.requiredInt(index), mac: try row.string(mac), vlan: try row.requiredInt(vlan), qos: try row.requiredInt(qos),
                    vlanProtocol: row.text(proto), spoofCheck: try row.bool(spoof), trust: try row.bool(trust), linkState: row.text(link),
                    minTxRate: try row.int(minRate), maxTxRate: try row.int(maxRate), txRate: try row.int(rate), rssQuery: try row.bool(rss)
                ))
            }
        }
        tables = tables.mapValues { $0.mapValues { $0.sorted { $0.index < $1.index } } }
        var shortfalls: [Int64: [String: VFTableShortfall]] = [:]
        try each("vf_table_shortfalls") { row in
            let c = row.columns
            let (interface, expected, source, received) = (try c.at("interface"), try c.at("expected"), try c.at("expected_source"), try c.at("received"))
            return { id in
                shortfalls[id, default: [:]][try row.string(interface)] = VFTableShortfall(
                    expected: try row.requiredInt(expected), expectedSource: try row.string(source), received: try row.requiredInt(received))
            }
        }
        var interfaces: [Int64: [NetworkInterface]] = [:]
        try each("interfaces") { row in
            let c = row.columns
            let (nameAt, ifindex, mac, mtu, oper, admin, carrier) = (try c.at("name"), try c.at("ifindex"), try c.at("mac"), try c.at("mtu"),
                                                                      try c.at("oper_state"), try c.at("admin_up"), try c.at("carrier"))
            let (speed, linkType, bus, parent, port, switchID, numVFs) = (try c.at("speed_mbps"), try c.at("link_type"), try c.at("parent_bus"),
                                                                          try c.at("parent_device"), try c.at("phys_port_name"), try c.at("phys_switch_id"), try c.at("num_vfs"))
            let driver = try DriverColumns(c)
            return { id in
                let name = try row.string(nameAt)
                interfaces[id, default: []].append(NetworkInterface(
                    name: name, ifindex: try row.requiredInt(ifindex), mac: row.text(mac), mtu: try row.int(mtu), operState: row.text(oper),
                    adminUp: try row.requiredBool(admin), carrier: try row.bool(carrier), speedMbps: try row.int(speed), linkType: row.text(linkType),
                    parentBus: row.text(bus), parentDevice: row.text(parent), physPortName: row.text(port),
                    physSwitchID: row.text(switchID), driverInfo: driverInfo(row, driver), vfs: tables[id]?[name] ?? [],
                    numVFs: try row.int(numVFs), vfTableShortfall: shortfalls[id]?[name]
                ))
            }
        }
        var vfs: [Int64: [PCIAddress: [VirtualFunction]]] = [:]
        try each("virtual_functions") { row in
            let c = row.columns
            let (indexAt, ownerAt, addressAt, pfAt, driverAt, groupAt, netdevs, effective) = (
                try c.at("vf_index"), try c.at("config_interface"), try c.at("address"), try c.at("pf_address"), try c.at("driver"),
                try c.at("iommu_group"), try c.at("interfaces"), try c.at("effective_mac"))
            return { id in
                let index = try row.requiredInt(indexAt)
                let config = row.text(ownerAt).flatMap { name in tables[id]?[name]?.first { $0.index == index } }
                let pf = try row.requiredAddress(pfAt)
                vfs[id, default: [:]][pf, default: []].append(VirtualFunction(
                    index: index, address: try row.requiredAddress(addressAt), physicalFunction: pf,
                    driver: row.text(driverAt), iommuGroup: try row.int(groupAt), interfaces: try row.list(netdevs),
                    effectiveMAC: row.text(effective), config: config
                ))
            }
        }
        var pfs: [Int64: [PhysicalFunction]] = [:]
        try each("physical_functions") { row in
            let c = row.columns
            let (addressAt, total, num, offset, stride, vfDevice, autoprobe, msix, source, netdevs) = (
                try c.at("address"), try c.at("total_vfs"), try c.at("num_vfs"), try c.at("vf_offset"), try c.at("vf_stride"),
                try c.at("vf_device_id"), try c.at("drivers_autoprobe"), try c.at("vf_total_msix"), try c.at("source"), try c.at("interfaces"))
            let driver = try DriverColumns(c)
            return { id in
                let address = try row.requiredAddress(addressAt)
                pfs[id, default: []].append(PhysicalFunction(
                    address: address, totalVFs: try row.int(total), numVFs: try row.int(num), vfOffset: try row.int(offset),
                    vfStride: try row.int(stride), vfDeviceID: row.text(vfDevice), driversAutoprobe: try row.bool(autoprobe),
                    vfTotalMSIX: try row.int(msix), source: try row.string(source), interfaces: try row.list(netdevs),
                    driverInfo: driverInfo(row, driver), virtualFunctions: (vfs[id]?[address] ?? []).sorted { $0.index < $1.index }
                ))
            }
        }
        var groups: [Int64: [IOMMUGroup]] = [:]
        try each("iommu_groups") { row in
            let c = row.columns
            let (group, type, name, members, others) = (try c.at("group_id"), try c.at("type"), try c.at("name"), try c.at("members"), try c.at("other_members"))
            return { id in
                groups[id, default: []].append(IOMMUGroup(id: try row.requiredInt(group), type: row.text(type), name: row.text(name),
                                                          members: try row.addressList(members), otherMembers: try row.list(others)))
            }
        }
        var warnings: [Int64: [(seq: Int, warning: CollectionWarning)]] = [:]
        try each("warnings") { row in
            let c = row.columns
            let (seq, kind, subject, message) = (try c.at("seq"), try c.at("kind"), try c.at("subject"), try c.at("message"))
            return { id in
                warnings[id, default: []].append((try row.requiredInt(seq), CollectionWarning(CollectionWarning.Kind(rawValue: try row.string(kind)) ?? .unavailable,
                                                                   subject: try row.string(subject), message: try row.string(message))))
            }
        }

        var consumers: [Int64: ConsumerRows.Gathered] = [:]
        try ConsumerRows.read(each, into: &consumers)
        var health: [Int64: HealthRows.Gathered] = [:]
        try HealthRows.read(each, into: &health)
        let counters = try HealthRows.counters(db, observations: observations.map { ($0.hostname, $0.collectedAt) })

        return try observations.map { o in
            guard let header = headers[o.snapshotID] else {
                throw StoreError.notFound("snapshot \(o.snapshotID) of \(o.hostname) (pruned while it was being read? run again)")
            }
            let id = o.snapshotID
            var snapshot = HostSnapshot(
                schemaVersion: header.schemaVersion, toolVersion: o.toolVersion, collectedAt: try date(o.collectedAt),
                source: SnapshotSource(kind: try SnapshotSource.Kind.stored(o.sourceKind), path: o.sourcePath),
                host: HostInfo(hostname: o.hostname, kernelRelease: header.host.release, kernelCommandLine: header.host.cmdline),
                iommu: header.iommu,
                iommuGroups: (groups[id] ?? []).sorted { $0.id < $1.id },
                pciDevices: (devices[id] ?? []).sorted { $0.address < $1.address },
                interfaces: (interfaces[id] ?? []).sorted { ($0.ifindex, $0.name) < ($1.ifindex, $1.name) },
                physicalFunctions: (pfs[id] ?? []).sorted { $0.address < $1.address },
                warnings: (warnings[id] ?? []).sorted { $0.seq < $1.seq }.map(\.warning)
            )
            consumers[id]?.place(into: &snapshot)
            health[id]?.place(into: &snapshot)
            snapshot.counters = counters[o.hostname + "\u{0}" + o.collectedAt]
            return snapshot
        }
    }

    private static func device(_ row: any SQLRows, _ c: DeviceColumns) throws -> PCIDevice {
        var device = PCIDevice(
            address: try row.requiredAddress(c.address), vendorID: try row.string(c.vendorID), deviceID: try row.string(c.deviceID),
            subsystemVendorID: row.text(c.subsystemVendorID), subsystemDeviceID: row.text(c.subsystemDeviceID),
            vendorName: row.text(c.vendorName), deviceName: row.text(c.deviceName), subsystemName: row.text(c.subsystemName),
            classCode: try row.string(c.classCode), className: row.text(c.className), revision: row.text(c.revision), driver: row.text(c.driver),
            driverOverride: row.text(c.driverOverride), numaNode: try row.int(c.numaNode), iommuGroup: try row.int(c.iommuGroup),
            parentBridges: try row.addressList(c.parentBridges), pcieType: row.text(c.pcieType),
            configSpaceSize: try row.requiredInt(c.configSpaceSize), interfaces: try row.list(c.interfaces)
        )
        if try row.requiredBool(c.hasLink) {
            device.link = PCIeLink(currentSpeed: row.text(c.linkCurrentSpeed), currentWidth: try row.int(c.linkCurrentWidth),
                                   maxSpeed: row.text(c.linkMaxSpeed), maxWidth: try row.int(c.linkMaxWidth))
        }
        device.physicalFunction = try row.address(c.physfn)
        if let offset = try row.int(c.sriovOffset) {
            device.sriovCapability = SRIOVCapability(
                offset: offset, vfEnable: try row.requiredBool(c.sriovVFEnable), vfMSE: try row.requiredBool(c.sriovVFMSE),
                ariCapableHierarchy: try row.requiredBool(c.sriovARI), initialVFs: try row.requiredInt(c.sriovInitialVFs),
                totalVFs: try row.requiredInt(c.sriovTotalVFs), numVFs: try row.requiredInt(c.sriovNumVFs),
                functionDependencyLink: try row.requiredInt(c.sriovFDL), firstVFOffset: try row.requiredInt(c.sriovFirstVFOffset),
                vfStride: try row.requiredInt(c.sriovVFStride), vfDeviceID: try row.string(c.sriovVFDeviceID),
                supportedPageSizes: try row.requiredInt(c.sriovPageSizes), systemPageSize: try row.requiredInt(c.sriovSystemPageSize)
            )
        }
        if let offset = try row.int(c.acsOffset) {
            device.acsCapability = ACSCapability(
                offset: offset, capability: ACSFlags(rawValue: UInt16(truncatingIfNeeded: try row.requiredInt(c.acsCapability))),
                control: ACSFlags(rawValue: UInt16(truncatingIfNeeded: try row.requiredInt(c.acsControl)))
            )
        }
        return device
    }

    private static func driverInfo(_ row: any SQLRows, _ c: DriverColumns) -> DriverInfo? {
        guard let driver = row.text(c.driver) else { return nil }
        return DriverInfo(driver: driver, version: row.text(c.version) ?? "", firmwareVersion: row.text(c.firmware) ?? "",
                          expansionROMVersion: row.text(c.erom), busInfo: row.text(c.busInfo) ?? "")
    }

    static func date(_ text: String) throws -> Date {
        guard let value = Timestamp.parse(text) else { throw StoreError.corrupt("not a timestamp in the store: \(text)") }
        return value
    }
}

extension SnapshotSource.Kind {
    /// A stored observation's source kind. One this build does not know was written by a newer
    /// sriov-audit: read as anything else, its host's absent fields would be judged as Linux's.
    static func stored(_ text: String) throws -> SnapshotSource.Kind {
        guard let kind = SnapshotSource.Kind(rawValue: text) else {
            throw StoreError.corrupt("an observation of source kind \"\(text)\", which this build does not know (stored by a newer sriov-audit?)")
        }
        return kind
    }
}
