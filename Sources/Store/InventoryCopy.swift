/// What `sriov-audit migrate` copied.
public struct CopySummary: Sendable, Equatable, Codable {
    public var hosts: Int
    public var snapshots: Int
    public var observations: Int
    public var tokens: Int
    public var hostReports: Int
    /// Rows copied, all tables together.
    public var rows: Int
}

extension InventoryStore {
    /// The tables a copy carries, parents before children (foreign keys are checked as rows
    /// arrive), each with the key it is read in order of. Per-snapshot tables are copied a chunk
    /// of snapshots at a time, so neither side ever holds a whole table. Kept audit results are
    /// not copied: they are a cache the first audit of the new database rebuilds.
    static let copiedTables: [(name: String, order: String, perSnapshot: Bool)] = [
        ("hosts", "id", false), ("host_labels", "host_id, key", false),
        ("snapshots", "id", true),
        ("pci_devices", "snapshot_id, address", true), ("physical_functions", "snapshot_id, address", true),
        ("virtual_functions", "snapshot_id, address", true), ("interfaces", "snapshot_id, name", true),
        ("interface_vfs", "snapshot_id, interface, vf_index", true), ("iommu_groups", "snapshot_id, group_id", true),
        ("warnings", "snapshot_id, seq", true), ("vf_table_shortfalls", "snapshot_id, interface", true),
        ("consumer_sources", "snapshot_id, seq", true), ("consumer_claims", "snapshot_id, seq", true),
        ("device_pools", "snapshot_id, seq", true), ("device_references", "snapshot_id, seq", true),
        ("nova_pci_specs", "snapshot_id, seq", true), ("neutron_devices", "snapshot_id, seq", true),
        ("sriov_declarations", "snapshot_id, seq", true), ("declared_vfs", "snapshot_id, declaration, vf_index", true),
        ("hugepages", "snapshot_id, seq", true),
        ("health_sources", "snapshot_id, source", true), ("interface_features", "snapshot_id, interface", true),
        ("devlink_devices", "snapshot_id, seq", true), ("devlink_versions", "snapshot_id, device_seq, kind, position", true),
        ("audit_facts", "snapshot_id", true), ("fact_pfs", "snapshot_id, owner", true), ("fact_vfs", "snapshot_id, position", true),
        ("fact_interface_macs", "snapshot_id, position", true), ("fact_macs", "snapshot_id, position, mac", true),
        ("observations", "host_id, collected_at", false),
        ("link_counters", "host_id, collected_at, seq", false), ("vf_counters", "host_id, collected_at, seq", false),
        ("tokens", "id", false), ("token_labels", "token_id, key", false), ("host_reports", "id", false),
    ]

    /// Copies this whole inventory (hosts, every snapshot and observation, labels, tokens, kept
    /// host reports) into `target`, which must hold no host yet, keeping every id, in one
    /// transaction of the target: it ends with all of it or nothing. `progress(done, total)`
    /// counts snapshots.
    public func copy(to target: InventoryStore, chunk: Int = 200, progress: (Int, Int) -> Void = { _, _ in }) throws -> CopySummary {
        // The source is read in one read transaction: one consistent state, even while it is written to.
        try read { source in
            let snapshotIDs = try source.all("SELECT id FROM snapshots ORDER BY id", table: "snapshots") { try $0.requiredInt64(0) }
            return try target.write { destination in
                if let hosts = try destination.integer("SELECT count(*) FROM hosts"), hosts > 0 {
                    throw StoreError.rejected("\(target.path) already holds \(hosts) host(s): migrate copies into an empty database only")
                }
                var counts: [String: Int] = [:]
                func copy(_ table: String, where condition: String, _ arguments: [SQLValue], order: String) throws {
                    let rows = try source.query("SELECT * FROM \(table) \(condition) ORDER BY \(order)", arguments, table: table)
                    var columns: [String]?
                    var batch: [[SQLValue]] = []
                    func flush() throws {
                        guard let columns, !batch.isEmpty else { return }
                        try destination.insertRows(table: table, columns: columns, prefix: [], rows: batch)
                        counts[table, default: 0] += batch.count
                        batch.removeAll(keepingCapacity: true)
                    }
                    while try rows.next() {
                        if columns == nil { columns = rows.columns.all }
                        batch.append(try (0..<rows.columns.all.count).map { try rows.value($0) })
                        if batch.count >= 2000 { try flush() }
                    }
                    try flush()
                }
                for table in Self.copiedTables where !table.perSnapshot && table.name.hasPrefix("host") && table.name != "host_reports" {
                    try copy(table.name, where: "", [], order: table.order)
                }
                var done = 0
                for start in stride(from: 0, to: snapshotIDs.count, by: chunk) {
                    let ids = Array(snapshotIDs[start..<min(start + chunk, snapshotIDs.count)])
                    let wanted = SQLValue.text(FactSQL.idList(ids))
                    for table in Self.copiedTables where table.perSnapshot {
                        let key = table.name == "snapshots" ? "id" : "snapshot_id"
                        try copy(table.name, where: "WHERE \(key) IN \(source.dialect.integers("?"))", [wanted], order: table.order)
                    }
                    done += ids.count
                    progress(done, snapshotIDs.count)
                }
                for table in ["observations", "link_counters", "vf_counters", "tokens", "token_labels", "host_reports"] {
                    let order = Self.copiedTables.first { $0.name == table }?.order ?? "1"
                    try copy(table, where: "", [], order: order)
                }
                // Ids were given, not drawn: the next ones drawn must come after them.
                for table in ["hosts", "snapshots", "tokens", "host_reports"] {
                    if let sql = destination.dialect.identityCatchUp(table: table) { try destination.execute(sql) }
                }
                return CopySummary(hosts: counts["hosts"] ?? 0, snapshots: counts["snapshots"] ?? 0, observations: counts["observations"] ?? 0,
                                   tokens: counts["tokens"] ?? 0, hostReports: counts["host_reports"] ?? 0,
                                   rows: counts.values.reduce(0, +))
            }
        }
    }
}
