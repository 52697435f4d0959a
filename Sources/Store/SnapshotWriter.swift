import GRDB
import GRDBSQLite
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
    /// savepoint of its own, so a snapshot the store refuses costs only itself. The results are
    /// valid only once this returns: nothing is committed before the whole transaction is, and
    /// a failure of the transaction itself throws, with nothing of the batch stored.
    public func storeBatch(_ items: [BatchItem]) throws -> [Result<StoreOutcome, StoreError>] {
        try write { db in
            var results: [Result<StoreOutcome, StoreError>] = []
            results.reserveCapacity(items.count)
            for item in items {
                try db.execute(sql: "SAVEPOINT item")
                do {
                    results.append(.success(try insert(db, item.snapshot, rows: item.rows, labels: item.labels)))
                    try db.execute(sql: "RELEASE item")
                } catch let error as StoreError {
                    try db.execute(sql: "ROLLBACK TO item; RELEASE item")
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private func insert(_ db: Database, _ snapshot: HostSnapshot, rows: SnapshotRows, labels: [String: String]) throws -> StoreOutcome {
        let collectedAt = Timestamp.storeText(snapshot.collectedAt)
        let hostID = try hostID(db, snapshot.host.hostname, seenAt: collectedAt)
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO host_labels (host_id, key, value) VALUES (?, ?, ?)")
                .execute(arguments: [hostID, key, value])
        }
        if let existing = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT o.snapshot_id, s.content_hash FROM observations o JOIN snapshots s ON s.id = o.snapshot_id
            WHERE o.host_id = ? AND o.collected_at = ?
            """), arguments: [hostID, collectedAt]) {
            let storedHash: String = existing["content_hash"]
            guard storedHash == rows.contentHash else {
                throw StoreError.rejected("a different snapshot of \(snapshot.host.hostname) collected at \(collectedAt) is already stored")
            }
            return .duplicate(snapshotID: existing["snapshot_id"])
        }
        let outcome: StoreOutcome
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM snapshots WHERE host_id = ? AND content_hash = ?"),
                                       arguments: [hostID, rows.contentHash]) {
            try db.cachedStatement(sql: """
                UPDATE snapshots SET seen_count = seen_count + 1,
                    first_collected_at = min(first_collected_at, ?1), last_collected_at = max(last_collected_at, ?1)
                WHERE id = ?2
                """).execute(arguments: [collectedAt, id])
            outcome = .unchanged(snapshotID: id)
        } else {
            let columns = ["host_id", "content_hash", "first_collected_at", "last_collected_at", "seen_count"] + SnapshotRows.headerColumns
            try insertRows(db, table: "snapshots", columns: columns, prefix: [],
                           rows: [[.int(hostID), .text(rows.contentHash), .text(collectedAt), .text(collectedAt), .int(1)] + rows.header])
            let id = db.lastInsertedRowID
            for table in rows.tables where !table.rows.isEmpty {
                try insertRows(db, table: table.name, columns: ["snapshot_id"] + table.columns, prefix: [.int(id)], rows: table.rows)
            }
            try writeFacts(db, rows.facts, snapshotID: id)
            outcome = .new(snapshotID: id)
        }
        let snapshotID: Int64 = switch outcome { case .new(let id), .unchanged(let id), .duplicate(let id): id }
        try db.cachedStatement(sql: """
            INSERT INTO observations (host_id, collected_at, snapshot_id, tool_version, source_kind, source_path)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [hostID, collectedAt, snapshotID, snapshot.toolVersion, snapshot.source.kind.rawValue, snapshot.source.path])
        // The host's latest snapshot is the one of its newest observation.
        try db.cachedStatement(sql: """
            UPDATE hosts SET latest_snapshot_id = (SELECT snapshot_id FROM observations WHERE host_id = ?1
                ORDER BY collected_at DESC LIMIT 1) WHERE id = ?1
            """).execute(arguments: [hostID])
        return outcome
    }

    /// Whether the database takes writes now (`serve`'s readiness): a write lock taken and
    /// released, nothing written.
    public func checkWritable() throws {
        try write { _ in () }
    }

    private func hostID(_ db: Database, _ hostname: String, seenAt: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM hosts WHERE hostname = ?"), arguments: [hostname]) {
            try db.cachedStatement(sql: "UPDATE hosts SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?1) WHERE id = ?2")
                .execute(arguments: [seenAt, id])
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO hosts (hostname, first_seen, last_seen) VALUES (?, ?, ?)")
            .execute(arguments: [hostname, seenAt, seenAt])
        return db.lastInsertedRowID
    }

    /// Inserts rows through one prepared statement, binding values with SQLite's C API: the store's
    /// hot path (a 64-VF host is some 300 rows).
    func insertRows(_ db: Database, table: String, columns: [String], prefix: [SQLValue], rows: [[SQLValue]], orReplace: Bool = false) throws {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
        let statement = try db.cachedStatement(sql: "INSERT \(orReplace ? "OR REPLACE " : "")INTO \(table) (\(columns.joined(separator: ","))) VALUES (\(placeholders))")
        let handle = statement.sqliteStatement
        for row in rows {
            sqlite3_reset(handle)
            var index: Int32 = 1
            for value in prefix + row {
                switch value {
                case .null: sqlite3_bind_null(handle, index)
                case .int(let v): sqlite3_bind_int64(handle, index, v)
                case .text(let s): sqlite3_bind_text(handle, index, s, -1, sqliteTransient)
                case .blob(let bytes): bytes.withUnsafeBytes { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
                }
                index += 1
            }
            let rc = sqlite3_step(handle)
            guard rc == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "\(table): \(message)")
            }
        }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

/// SQLITE_TRANSIENT: SQLite copies the bound text before the Swift string goes away.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
