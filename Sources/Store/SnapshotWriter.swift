import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What storing a snapshot did.
public enum StoreOutcome: Equatable, Sendable {
    /// New content for this host: a snapshot and its device rows were written.
    case new(snapshotID: Int64)
    /// The host's content was already stored: only the observation (time, tool) was recorded.
    case unchanged(snapshotID: Int64)
    /// This very snapshot (host and collection time) was stored before: nothing was written.
    case duplicate(snapshotID: Int64)
}

extension InventoryStore {
    /// Stores one snapshot in one transaction, with `labels` set on its host.
    @discardableResult
    public func store(_ snapshot: HostSnapshot, labels: [String: String] = [:]) throws -> StoreOutcome {
        try store(snapshot, rows: SnapshotRows(snapshot), labels: labels)
    }

    /// Stores a snapshot whose rows were prepared beforehand (on another thread, for imports).
    public func store(_ snapshot: HostSnapshot, rows: SnapshotRows, labels: [String: String]) throws -> StoreOutcome {
        try write { db in try insert(db, snapshot, rows: rows, labels: labels) }
    }

    /// One snapshot of a ``storeBatch(_:)``.
    public struct BatchItem: Sendable {
        public var snapshot: HostSnapshot
        public var rows: SnapshotRows
        public var labels: [String: String]

        public init(snapshot: HostSnapshot, rows: SnapshotRows, labels: [String: String]) {
            self.snapshot = snapshot
            self.rows = rows
            self.labels = labels
        }
    }

    /// Stores several snapshots in one transaction (group commit: one write lock, one commit),
    /// results in the order given. A snapshot the store refuses is refused before anything of it
    /// is written, so it costs only itself. The results are valid only once this returns:
    /// nothing is committed before the whole transaction is, and a failure of the transaction
    /// itself throws, with nothing of the batch stored.
    public func storeBatch(_ items: [BatchItem]) throws -> [Result<StoreOutcome, StoreError>] {
        // Hosts in name order: each item locks its host's row (PostgreSQL) until the commit, and
        // two servers committing batches of the same hosts must take those locks in one order,
        // or each would wait for the other (a deadlock, found only after a second).
        let order = items.indices.sorted { (items[$0].snapshot.host.hostname, $0) < (items[$1].snapshot.host.hostname, $1) }
        return try write { db in
            var results = [Result<StoreOutcome, StoreError>?](repeating: nil, count: items.count)
            for index in order {
                let item = items[index]
                do {
                    results[index] = .success(try insert(db, item.snapshot, rows: item.rows, labels: item.labels))
                } catch StoreError.rejected(let why) {
                    results[index] = .failure(.rejected(why))
                }
            }
            return results.map { $0 ?? .failure(.corrupt("a batch item was not stored")) }
        }
    }

    /// Stores one snapshot inside the caller's transaction. What is stored already is read
    /// first, and a refusal (another content at the same host and time) is thrown before
    /// anything is written; then the host's row is taken (and locked), and the content, the
    /// observation and the host's latest are written. A concurrent writer that got in between
    /// makes a key collide, and the backend runs the transaction again.
    private func insert(_ db: any SQLConnection, _ snapshot: HostSnapshot, rows: SnapshotRows, labels: [String: String]) throws -> StoreOutcome {
        let collectedAt = Timestamp.storeText(snapshot.collectedAt)
        let hostname = snapshot.host.hostname
        // (host id, content seen at this time, its snapshot, a snapshot with this content)
        let known = try db.first("""
            SELECT h.id,
                   (SELECT s.content_hash FROM observations o JOIN snapshots s ON s.id = o.snapshot_id WHERE o.host_id = h.id AND o.collected_at = ?2),
                   (SELECT o.snapshot_id FROM observations o WHERE o.host_id = h.id AND o.collected_at = ?2),
                   (SELECT s.id FROM snapshots s WHERE s.host_id = h.id AND s.content_hash = ?3)
            FROM hosts h WHERE h.hostname = ?1
            """, [.text(hostname), .text(collectedAt), .text(rows.contentHash)], table: "hosts") {
            (hostID: try $0.requiredInt64(0), stored: $0.text(1), observed: try $0.int64(2), sameContent: try $0.int64(3))
        }
        if let stored = known?.stored, let observed = known?.observed {
            guard stored == rows.contentHash else {
                throw StoreError.rejected("a different snapshot of \(hostname) collected at \(collectedAt) is already stored")
            }
            // Stored before; the labels given now still apply to the host.
            if let hostID = known?.hostID { try setLabels(db, labels, hostID: hostID) }
            return .duplicate(snapshotID: observed)
        }
        let hostID = try hostID(db, hostname, seenAt: collectedAt)
        try setLabels(db, labels, hostID: hostID)
        let outcome: StoreOutcome
        if let id = known?.sameContent {
            try db.execute("""
                UPDATE snapshots SET seen_count = seen_count + 1,
                    first_collected_at = \(db.dialect.least("first_collected_at", "?1")), last_collected_at = \(db.dialect.greatest("last_collected_at", "?1"))
                WHERE id = ?2
                """, [.text(collectedAt), .int(id)])
            outcome = .unchanged(snapshotID: id)
        } else {
            var children = rows.tables.filter { !$0.rows.isEmpty }.map { SQLChildRows(table: $0.name, columns: $0.columns, rows: $0.rows) }
            children += Self.factChildren(rows.facts)
            let id = try db.insertTree(table: "snapshots",
                                       columns: ["host_id", "content_hash", "first_collected_at", "last_collected_at", "seen_count"] + SnapshotRows.headerColumns,
                                       values: [.int(hostID), .text(rows.contentHash), .text(collectedAt), .text(collectedAt), .int(1)] + rows.header,
                                       children: children, parentKey: "snapshot_id")
            outcome = .new(snapshotID: id)
        }
        let snapshotID: Int64 = switch outcome { case .new(let id), .unchanged(let id), .duplicate(let id): id }
        // The host's latest snapshot is the one of its newest observation: this one when it is
        // newer than every observation stored so far (read before it is added).
        for statement in db.dialect.observationAndLatest() {
            try db.execute(statement, [.int(hostID), .text(collectedAt), .int(snapshotID), .text(snapshot.toolVersion),
                                       .text(snapshot.source.kind.rawValue), SQLValue(snapshot.source.path)])
        }
        // The counters belong to this observation, whatever content it saw.
        let observation: [SQLValue] = [.int(hostID), .text(collectedAt)]
        if !rows.counters.links.isEmpty {
            try db.insertRows(table: "link_counters", columns: ["host_id", "collected_at"] + HealthRows.linkCounterColumns,
                              prefix: observation, rows: rows.counters.links)
        }
        if !rows.counters.vfs.isEmpty {
            try db.insertRows(table: "vf_counters", columns: ["host_id", "collected_at"] + HealthRows.vfCounterColumns,
                              prefix: observation, rows: rows.counters.vfs)
        }
        return outcome
    }

    private func setLabels(_ db: any SQLConnection, _ labels: [String: String], hostID: Int64) throws {
        guard !labels.isEmpty else { return }
        try db.insertRows(table: "host_labels", columns: ["host_id", "key", "value"], prefix: [.int(hostID)],
                          rows: labels.sorted(by: { $0.key < $1.key }).map { [.text($0.key), .text($0.value)] },
                          onConflict: .replace(key: ["host_id", "key"]))
    }

    /// Whether the database takes writes now (`serve`'s readiness): a write transaction opened
    /// and closed, nothing written.
    public func checkWritable() throws {
        try write { _ in () }
    }

    /// The host's id, its row created or its first/last seen times widened. One upsert: on
    /// PostgreSQL it also locks the host's row, so that two servers storing the same host take
    /// turns while different hosts are stored side by side.
    private func hostID(_ db: any SQLConnection, _ hostname: String, seenAt: String) throws -> Int64 {
        let d = db.dialect
        guard let id = try db.integer("""
            INSERT INTO hosts (hostname, first_seen, last_seen) VALUES (?1, ?2, ?2)
            ON CONFLICT (hostname) DO UPDATE SET first_seen = \(d.least("hosts.first_seen", "excluded.first_seen")),
                last_seen = \(d.greatest("hosts.last_seen", "excluded.last_seen"))
            RETURNING id
            """, [.text(hostname), .text(seenAt)]) else {
            throw StoreError.corrupt("storing host \(hostname) returned no id")
        }
        return id
    }
}
