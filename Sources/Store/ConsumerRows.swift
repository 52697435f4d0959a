import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The VF consumer view as table rows (schema v6), and back: the part of ``SnapshotRows`` and
/// ``SnapshotRebuilder`` for ``ConsumerInventory``, claims and declarations.
///
/// Claims and declarations are stored unplaced (every claim with its address, every declaration
/// with its interface) and placed again on rebuild by ``ConsumerPlacement``, the rule the
/// collector used: the two cannot disagree. Lists of paths are newline-separated; a pool's
/// selectors, a nested structure read as a whole, are one JSON column.
enum ConsumerRows {
    static let tables: [(name: String, columns: [String])] = [
        ("consumer_sources", ["seq", "path", "kind"]),
        ("consumer_claims", ["seq", "address", "kind", "name", "uuid", "running", "managed", "attachment", "mac", "vlan", "teaming",
                             "resource", "numa_node", "instance_name", "sources"]),
        ("device_pools", ["seq", "kind", "name", "device_type", "position", "selectors", "source"]),
        ("device_references", ["seq", "kind", "device_id", "resource", "source"]),
        ("nova_pci_specs", ["seq", "kind", "vendor_id", "product_id", "address", "regex_domain", "regex_bus", "regex_slot", "regex_function",
                            "devname", "physical_network",
                            "trusted", "remote_managed", "name", "device_type", "text", "source", "line"]),
        ("neutron_devices", ["seq", "device", "physical_networks", "excluded_vfs", "source"]),
        ("sriov_declarations", ["seq", "interface", "num_vfs", "source"]),
        ("declared_vfs", ["declaration", "vf_index", "mac", "vlan", "qos", "spoofchk", "trust", "min_tx_rate", "max_tx_rate"]),
        ("hugepages", ["seq", "node", "size_kb", "total", "free", "reserved", "surplus"]),
    ]

    static let ddl = """
        CREATE TABLE consumer_sources (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        -- Every claim of a guest or pod on a PCI function, placed or not (sources: newline-separated).
        CREATE TABLE consumer_claims (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, uuid TEXT,
            running INTEGER, managed INTEGER, attachment TEXT NOT NULL, mac TEXT, vlan INTEGER, teaming TEXT,
            resource TEXT, numa_node INTEGER, instance_name TEXT, sources TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX consumer_claims_by_address ON consumer_claims(address);
        -- Device plugin resources and libvirt hostdev networks; selectors as a JSON array.
        CREATE TABLE device_pools (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, device_type TEXT, position INTEGER NOT NULL,
            selectors TEXT NOT NULL, source TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE device_references (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, kind TEXT NOT NULL, device_id TEXT NOT NULL, resource TEXT, source TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE nova_pci_specs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            -- address: a glob; regex_*: the regex dict form, one expression per part
            seq INTEGER NOT NULL, kind TEXT NOT NULL, vendor_id TEXT, product_id TEXT, address TEXT,
            regex_domain TEXT, regex_bus TEXT, regex_slot TEXT, regex_function TEXT,
            devname TEXT, physical_network TEXT, trusted INTEGER, remote_managed INTEGER, name TEXT, device_type TEXT,
            text TEXT NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE neutron_devices (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, device TEXT NOT NULL, physical_networks TEXT NOT NULL, excluded_vfs TEXT NOT NULL, source TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE sriov_declarations (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, interface TEXT NOT NULL, num_vfs INTEGER, source TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE declared_vfs (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            declaration INTEGER NOT NULL, vf_index INTEGER NOT NULL, mac TEXT, vlan INTEGER, qos INTEGER,
            spoofchk INTEGER, trust INTEGER, min_tx_rate INTEGER, max_tx_rate INTEGER,
            PRIMARY KEY (snapshot_id, declaration, vf_index)
        ) WITHOUT ROWID;
        CREATE TABLE hugepages (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, node INTEGER, size_kb INTEGER NOT NULL, total INTEGER NOT NULL, free INTEGER NOT NULL,
            reserved INTEGER, surplus INTEGER,
            PRIMARY KEY (snapshot_id, seq)
        ) WITHOUT ROWID;
        """

    /// The rows of each table (in ``tables`` order), without `snapshot_id`.
    static func rows(_ snapshot: HostSnapshot) -> [[[SQLValue]]] {
        guard let inventory = snapshot.consumers else { return tables.map { _ in [] } }
        let sources = inventory.sources.enumerated().map { n, s in [SQLValue(n), .text(s.path), .text(s.kind.rawValue)] }
        let claims = ConsumerPlacement.claims(of: snapshot).enumerated().map { n, c -> [SQLValue] in
            [SQLValue(n), .text(c.address.description), .text(c.kind.rawValue), .text(c.name), SQLValue(c.uuid), SQLValue(c.running),
             SQLValue(c.managed), .text(c.attachment), SQLValue(c.mac), SQLValue(c.vlan), SQLValue(c.teaming), SQLValue(c.resource),
             SQLValue(c.numaNode), SQLValue(c.instanceName), .text(c.sources.joined(separator: "\n"))]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let pools = inventory.pools.enumerated().map { n, p -> [SQLValue] in
            let selectors = (try? encoder.encode(p.selectors)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            return [SQLValue(n), .text(p.kind.rawValue), .text(p.name), SQLValue(p.deviceType), SQLValue(p.position), .text(selectors), .text(p.source)]
        }
        let references = inventory.devices.enumerated().map { n, d in
            [SQLValue(n), .text(d.kind.rawValue), .text(d.id), SQLValue(d.resource), .text(d.source)]
        }
        let specs = inventory.novaSpecs.enumerated().map { n, s -> [SQLValue] in
            [SQLValue(n), .text(s.kind.rawValue), SQLValue(s.vendorID), SQLValue(s.productID), SQLValue(s.address),
             SQLValue(s.addressRegex?.domain), SQLValue(s.addressRegex?.bus), SQLValue(s.addressRegex?.slot), SQLValue(s.addressRegex?.function),
             SQLValue(s.devname), SQLValue(s.physicalNetwork), SQLValue(s.trusted), SQLValue(s.remoteManaged), SQLValue(s.name),
             SQLValue(s.deviceType), .text(s.text), .text(s.source), SQLValue(s.line)]
        }
        let neutron = inventory.neutron.enumerated().map { n, d -> [SQLValue] in
            [SQLValue(n), .text(d.device), .text(d.physicalNetworks.joined(separator: " ")),
             .text(d.excludedVFs.map(\.description).joined(separator: " ")), .text(d.source)]
        }
        var declarations: [[SQLValue]] = []
        var declaredVFs: [[SQLValue]] = []
        for (n, d) in ConsumerPlacement.declarations(of: snapshot).enumerated() {
            declarations.append([SQLValue(n), .text(d.interface), SQLValue(d.numVFs), .text(d.source)])
            for v in d.vfs {
                declaredVFs.append([SQLValue(n), SQLValue(v.index), SQLValue(v.mac), SQLValue(v.vlan), SQLValue(v.qos), SQLValue(v.spoofCheck),
                                    SQLValue(v.trust), SQLValue(v.minTxRate), SQLValue(v.maxTxRate)])
            }
        }
        let hugepages = inventory.hugepages.enumerated().map { n, h -> [SQLValue] in
            [SQLValue(n), SQLValue(h.node), SQLValue(h.sizeKB), SQLValue(h.total), SQLValue(h.free), SQLValue(h.reserved), SQLValue(h.surplus)]
        }
        return [sources, claims, pools, references, specs, neutron, declarations, declaredVFs, hugepages]
    }

    /// What one snapshot's consumer rows hold, gathered while the tables stream by.
    struct Gathered {
        var inventory = ConsumerInventory()
        var present = false
        var claims: [(Int, VFConsumer)] = []
        var declarations: [(Int, SriovDeclaration)] = []
        var declaredVFs: [Int: [DeclaredVF]] = [:]
        var sources: [(Int, ConsumerSource)] = []
        var pools: [(Int, DevicePool)] = []
        var references: [(Int, DeviceReference)] = []
        var specs: [(Int, NovaPCISpec)] = []
        var neutron: [(Int, NeutronDevice)] = []
        var hugepages: [(Int, HugepagePool)] = []

        /// Places the gathered view into `snapshot`.
        func place(into snapshot: inout HostSnapshot) {
            guard present else { return }
            var inventory = ConsumerInventory()
            inventory.sources = sources.sorted { $0.0 < $1.0 }.map(\.1)
            inventory.pools = pools.sorted { $0.0 < $1.0 }.map(\.1)
            inventory.devices = references.sorted { $0.0 < $1.0 }.map(\.1)
            inventory.novaSpecs = specs.sorted { $0.0 < $1.0 }.map(\.1)
            inventory.neutron = neutron.sorted { $0.0 < $1.0 }.map(\.1)
            inventory.hugepages = hugepages.sorted { $0.0 < $1.0 }.map(\.1)
            let declared = declarations.sorted { $0.0 < $1.0 }.map { n, d in
                var d = d
                d.vfs = (declaredVFs[n] ?? []).sorted { $0.index < $1.index }
                return d
            }
            ConsumerPlacement.place(claims: claims.sorted { $0.0 < $1.0 }.map(\.1), declarations: declared, inventory: inventory, into: &snapshot)
        }
    }

    /// Reads every consumer table of the wanted snapshots into `gathered`.
    static func read(_ each: (String, (any SQLRows) throws -> (Int64) throws -> Void) throws -> Void,
                     into gathered: inout [Int64: Gathered]) throws {
        var g = gathered
        defer { gathered = g }
        try each("consumer_sources") { row in
            let c = row.columns
            let (seq, path, kind) = (try c.at("seq"), try c.at("path"), try c.at("kind"))
            return { id in
                g[id, default: Gathered()].present = true
                g[id, default: Gathered()].sources.append((try row.requiredInt(seq), ConsumerSource(
                    path: try row.string(path), kind: try enumValue(ConsumerSource.Kind.self, row, kind))))
            }
        }
        try each("consumer_claims") { row in
            let c = row.columns
            let at = try ["seq", "address", "kind", "name", "uuid", "running", "managed", "attachment", "mac", "vlan", "teaming", "resource",
                          "numa_node", "instance_name", "sources"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].claims.append((try row.requiredInt(at[0]), VFConsumer(
                    address: try row.requiredAddress(at[1]), kind: try enumValue(VFConsumer.Kind.self, row, at[2]), name: try row.string(at[3]),
                    uuid: row.text(at[4]), running: try row.bool(at[5]), managed: try row.bool(at[6]), attachment: try row.string(at[7]),
                    mac: row.text(at[8]), vlan: try row.int(at[9]), teaming: row.text(at[10]), resource: row.text(at[11]),
                    numaNode: try row.int(at[12]), instanceName: row.text(at[13]),
                    sources: try row.string(at[14]).split(separator: "\n").map(String.init))))
            }
        }
        try each("device_pools") { row in
            let c = row.columns
            let at = try ["seq", "kind", "name", "device_type", "position", "selectors", "source"].map { try c.at($0) }
            return { id in
                let json = try row.string(at[5])
                guard let selectors = try? JSONDecoder().decode([PoolSelector].self, from: Data(json.utf8)) else {
                    throw StoreError.corrupt("device_pools.selectors holds \(json.prefix(80)), not a selector list")
                }
                g[id, default: Gathered()].pools.append((try row.requiredInt(at[0]), DevicePool(
                    kind: try enumValue(DevicePool.Kind.self, row, at[1]), name: try row.string(at[2]), deviceType: row.text(at[3]),
                    selectors: selectors, position: try row.requiredInt(at[4]), source: try row.string(at[6]))))
            }
        }
        try each("device_references") { row in
            let c = row.columns
            let at = try ["seq", "kind", "device_id", "resource", "source"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].references.append((try row.requiredInt(at[0]), DeviceReference(
                    kind: try enumValue(DeviceReference.Kind.self, row, at[1]), id: try row.string(at[2]), resource: row.text(at[3]),
                    source: try row.string(at[4]))))
            }
        }
        try each("nova_pci_specs") { row in
            let c = row.columns
            let at = try ["seq", "kind", "vendor_id", "product_id", "address", "regex_domain", "regex_bus", "regex_slot", "regex_function",
                          "devname", "physical_network", "trusted", "remote_managed", "name", "device_type", "text", "source", "line"].map { try c.at($0) }
            return { id in
                var regex: PCIAddressRegex?
                if let domain = row.text(at[5]), let bus = row.text(at[6]), let slot = row.text(at[7]), let function = row.text(at[8]) {
                    regex = PCIAddressRegex(domain: domain, bus: bus, slot: slot, function: function)
                }
                g[id, default: Gathered()].specs.append((try row.requiredInt(at[0]), NovaPCISpec(
                    kind: try enumValue(NovaPCISpec.Kind.self, row, at[1]), vendorID: row.text(at[2]), productID: row.text(at[3]),
                    address: row.text(at[4]), addressRegex: regex, devname: row.text(at[9]), physicalNetwork: row.text(at[10]),
                    trusted: try row.bool(at[11]), remoteManaged: try row.bool(at[12]), name: row.text(at[13]), deviceType: row.text(at[14]),
                    text: try row.string(at[15]), source: try row.string(at[16]), line: try row.requiredInt(at[17]))))
            }
        }
        try each("neutron_devices") { row in
            let c = row.columns
            let at = try ["seq", "device", "physical_networks", "excluded_vfs", "source"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].neutron.append((try row.requiredInt(at[0]), NeutronDevice(
                    device: try row.string(at[1]), physicalNetworks: try row.list(at[2]), excludedVFs: try row.addressList(at[3]),
                    source: try row.string(at[4]))))
            }
        }
        try each("sriov_declarations") { row in
            let c = row.columns
            let at = try ["seq", "interface", "num_vfs", "source"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].declarations.append((try row.requiredInt(at[0]), SriovDeclaration(
                    interface: try row.string(at[1]), numVFs: try row.int(at[2]), vfs: [], source: try row.string(at[3]))))
            }
        }
        try each("declared_vfs") { row in
            let c = row.columns
            let at = try ["declaration", "vf_index", "mac", "vlan", "qos", "spoofchk", "trust", "min_tx_rate", "max_tx_rate"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].declaredVFs[try row.requiredInt(at[0]), default: []].append(DeclaredVF(
                    index: try row.requiredInt(at[1]), mac: row.text(at[2]), vlan: try row.int(at[3]), qos: try row.int(at[4]),
                    spoofCheck: try row.bool(at[5]), trust: try row.bool(at[6]), minTxRate: try row.int(at[7]), maxTxRate: try row.int(at[8])))
            }
        }
        try each("hugepages") { row in
            let c = row.columns
            let at = try ["seq", "node", "size_kb", "total", "free", "reserved", "surplus"].map { try c.at($0) }
            return { id in
                g[id, default: Gathered()].hugepages.append((try row.requiredInt(at[0]), HugepagePool(
                    node: try row.int(at[1]), sizeKB: try row.requiredInt(at[2]), total: try row.requiredInt(at[3]), free: try row.requiredInt(at[4]),
                    reserved: try row.int(at[5]), surplus: try row.int(at[6]))))
            }
        }
    }

    private static func enumValue<T: RawRepresentable>(_ type: T.Type, _ row: any SQLRows, _ column: Int) throws -> T where T.RawValue == String {
        let raw = try row.string(column)
        guard let value = T(rawValue: raw) else { throw StoreError.corrupt("\(row.columns.table).\(row.columns.name(at: column)) holds unknown value \(raw)") }
        return value
    }
}
