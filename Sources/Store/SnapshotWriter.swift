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

    /// Stores several snapshots in one transaction (group commit: one write lock, one commit), each in a
    /// savepoint of its own (results in the order given), so a snapshot the store refuses costs only itself. The results are
    /// valid only once this returns: nothing is committed before the whole transaction is, and
    /// a failure of the transaction itself throws, with nothing of the batch stored.
    public func storeBatch(_ items: [BatchItem]) throws -> [Result<StoreOutcome, StoreError>] {
        // Hosts in name order: each item locks its host's row (PostgreSQL) until the commit, and
        // two servers committing batches of the same hosts must take those locks in one order,
        // or each would wait for the other (a deadlock, found only after a second).
        let order = items.indices.sorted { (items[$0].snapshot.host.hostname, $0) < (items[$1].snapshot.host.hostname, $1) }
        return try write { db in
            var results = [Result<StoreOutcome, StoreError>?](repeating: nil, count: items.count)
            for index in order {
                let item = items[index]
                try db.execute("SAVEPOINT item")
                do {
                    results[index] = .success(try insert(db, item.snapshot, rows: item.rows, labels: item.labels))
                    try db.execute("RELEASE item")
                } catch let error as StoreError {
                    try db.execute("ROLLBACK TO item")
                    try db.execute("RELEASE item")
                    results[index] = .failure(error)
                }
            }
            return results.map { $0 ?? .failure(.corrupt("a batch item was not stored")) }
        }
    }

    private func insert(_ db: any SQLConnection, _ snapshot: HostSnapshot, rows: SnapshotRows, labels: [String: String]) throws -> StoreOutcome {
        let collectedAt = Timestamp.storeText(snapshot.collectedAt)
        let hostID = try hostID(db, snapshot.host.hostname, seenAt: collectedAt)
        if !labels.isEmpty {
            try db.insertRows(table: "host_labels", columns: ["host_id", "key", "value"], prefix: [.int(hostID)],
                              rows: labels.sorted(by: { $0.key < $1.key }).map { [.text($0.key), .text($0.value)] },
                              onConflict: .replace(key: ["host_id", "key"]))
        }
        if let (storedHash, snapshotID) = try db.first("""
            SELECT s.content_hash, o.snapshot_id FROM observations o JOIN snapshots s ON s.id = o.snapshot_id
            WHERE o.host_id = ? AND o.collected_at = ?
            """, [.int(hostID), .text(collectedAt)], table: "observations", { (try $0.string(0), try $0.requiredInt64(1)) }) {
            guard storedHash == rows.contentHash else {
                throw StoreError.rejected("a different snapshot of \(snapshot.host.hostname) collected at \(collectedAt) is already stored")
            }
            return .duplicate(snapshotID: snapshotID)
        }
        let outcome: StoreOutcome
        if let id = try db.integer("SELECT id FROM snapshots WHERE host_id = ? AND content_hash = ?", [.int(hostID), .text(rows.contentHash)]) {
            try db.execute("""
                UPDATE snapshots SET seen_count = seen_count + 1,
                    first_collected_at = \(db.dialect.least("first_collected_at", "?1")), last_collected_at = \(db.dialect.greatest("last_collected_at", "?1"))
                WHERE id = ?2
                """, [.text(collectedAt), .int(id)])
            outcome = .unchanged(snapshotID: id)
        } else {
            let columns = ["host_id", "content_hash", "first_collected_at", "last_collected_at", "seen_count"] + SnapshotRows.headerColumns
            let id = try db.insertReturningID(table: "snapshots", columns: columns,
                                              values: [.int(hostID), .text(rows.contentHash), .text(collectedAt), .text(collectedAt), .int(1)] + rows.header)
            for table in rows.tables where !table.rows.isEmpty {
                try db.insertRows(table: table.name, columns: ["snapshot_id"] + table.columns, prefix: [.int(id)], rows: table.rows)
            }
            try writeFacts(db, rows.facts, snapshotID: id)
            outcome = .new(snapshotID: id)
        }
        let snapshotID: Int64 = switch outcome { case .new(let id), .unchanged(let id), .duplicate(let id): id }
        try db.execute("""
            INSERT INTO observations (host_id, collected_at, snapshot_id, tool_version, source_kind, source_path)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [.int(hostID), .text(collectedAt), .int(snapshotID), .text(snapshot.toolVersion), .text(snapshot.source.kind.rawValue),
                  SQLValue(snapshot.source.path)])
        // The host's latest snapshot is the one of its newest observation.
        try db.execute("""
            UPDATE hosts SET latest_snapshot_id = (SELECT snapshot_id FROM observations WHERE host_id = ?1
                ORDER BY collected_at DESC LIMIT 1) WHERE id = ?1
            """, [.int(hostID)])
        return outcome
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
