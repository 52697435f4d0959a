import GRDB
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One host as `hosts` lists it.
public struct HostSummary: Codable, Sendable, Equatable {
    public var hostname: String
    public var labels: [String: String]
    public var firstSeen: String
    public var lastSeen: String
    /// Collections recorded (each `collect --store` or imported snapshot).
    public var observations: Int
    /// Distinct contents over time.
    public var snapshots: Int
    public var pfCount: Int
    public var vfCount: Int
}

/// One entry of a host's history: a distinct content and when it was seen.
public struct HistoryEntry: Codable, Sendable, Equatable {
    public var snapshotID: Int64
    public var firstCollectedAt: String
    public var lastCollectedAt: String
    public var seenCount: Int
    public var kernelRelease: String?
    public var pfCount: Int
    public var vfCount: Int
    public var warningCount: Int
}

extension InventoryStore {
    public func hosts(matching selection: [String: String] = [:]) throws -> [HostSummary] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT h.id, h.hostname, h.first_seen, h.last_seen,
                       (SELECT count(*) FROM observations o WHERE o.host_id = h.id) AS observations,
                       (SELECT count(*) FROM snapshots s WHERE s.host_id = h.id) AS snapshots,
                       s.pf_count, s.vf_count
                FROM hosts h LEFT JOIN snapshots s ON s.id = h.latest_snapshot_id
                ORDER BY h.hostname
                """)
            var labels: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT host_id, key, value FROM host_labels") {
                labels[row["host_id"], default: [:]][row["key"]] = row["value"] as String
            }
            return rows.compactMap { row -> HostSummary? in
                let id: Int64 = row["id"]
                let hostLabels = labels[id] ?? [:]
                guard selection.allSatisfy({ hostLabels[$0.key] == $0.value }) else { return nil }
                return HostSummary(
                    hostname: row["hostname"], labels: hostLabels, firstSeen: Self.shown(row["first_seen"]), lastSeen: Self.shown(row["last_seen"]),
                    observations: row["observations"], snapshots: row["snapshots"], pfCount: row["pf_count"] ?? 0,
                    vfCount: row["vf_count"] ?? 0
                )
            }
        }
    }

    /// How many hosts the database knows, and how many were last seen before `staleBefore`:
    /// one aggregate, cheap enough for every Prometheus scrape of a large fleet.
    public func hostCounts(staleBefore: Date) throws -> (known: Int, stale: Int) {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*) AS known, coalesce(sum(last_seen < ?), 0) AS stale FROM hosts",
                                       arguments: [Timestamp.storeText(staleBefore)])
            return (row?["known"] ?? 0, row?["stale"] ?? 0)
        }
    }

    /// A host's distinct contents, oldest first.
    /// A stored time as people and reports read times (``Timestamp/text(_:)``: milliseconds only
    /// when there are some); the stored text itself if it is not a time.
    static func shown(_ stored: String) -> String {
        Timestamp.parse(stored).map(Timestamp.text) ?? stored
    }

    public func history(of hostname: String) throws -> [HistoryEntry] {
        try read { db in
            let hostID = try requireHost(db, hostname)
            return try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT count(*) FROM warnings w WHERE w.snapshot_id = s.id) AS warning_count
                FROM snapshots s WHERE s.host_id = ? ORDER BY s.first_collected_at
                """, arguments: [hostID]).map { row in
                HistoryEntry(
                    snapshotID: row["id"], firstCollectedAt: Self.shown(row["first_collected_at"]), lastCollectedAt: Self.shown(row["last_collected_at"]),
                    seenCount: row["seen_count"], kernelRelease: row["kernel_release"], pfCount: row["pf_count"],
                    vfCount: row["vf_count"], warningCount: row["warning_count"]
                )
            }
        }
    }

    /// The snapshot of `hostname` as collected at or before `time` (the latest when nil).
    public func snapshot(of hostname: String, at time: Date? = nil) throws -> HostSnapshot {
        try read { db in
            let observation = try self.observation(db, hostname, atOrBefore: time)
            return try SnapshotRebuilder.snapshot(db, observation: observation)
        }
    }

    /// For drift: the snapshot at or before `time` (the latest when nil) and the last one before it
    /// with different content (the same one when the host never changed).
    public func driftPair(of hostname: String, to time: Date? = nil) throws -> (older: HostSnapshot, newer: HostSnapshot) {
        try read { db in
            let newer = try observation(db, hostname, atOrBefore: time)
            let hostID = try requireHost(db, hostname)
            let older = try Row.fetchOne(db, sql: """
                SELECT * FROM observations WHERE host_id = ? AND collected_at < ? AND snapshot_id != ?
                ORDER BY collected_at DESC LIMIT 1
                """, arguments: [hostID, newer.collectedAt, newer.snapshotID]).map { observation(hostname, $0) } ?? newer
            return (try SnapshotRebuilder.snapshot(db, observation: older), try SnapshotRebuilder.snapshot(db, observation: newer))
        }
    }

    private func observation(_ db: Database, _ hostname: String, atOrBefore time: Date?) throws -> SnapshotRebuilder.Observation {
        let hostID = try requireHost(db, hostname)
        let bound = time.map(Timestamp.storeText) ?? "9999"  // sorts after every timestamp
        guard let row = try Row.fetchOne(db, sql: """
            SELECT * FROM observations WHERE host_id = ? AND collected_at <= ? ORDER BY collected_at DESC LIMIT 1
            """, arguments: [hostID, bound]) else {
            throw StoreError.notFound("a snapshot of \(hostname) at or before \(bound)")
        }
        return observation(hostname, row)
    }

    private func observation(_ hostname: String, _ row: Row) -> SnapshotRebuilder.Observation {
        .init(hostname: hostname, collectedAt: row["collected_at"], snapshotID: row["snapshot_id"],
              toolVersion: row["tool_version"], sourceKind: row["source_kind"], sourcePath: row["source_path"])
    }

    /// The latest snapshot of every host whose labels match `selection`, with the host's labels.
    public func latestSnapshots(matching selection: [String: String] = [:]) throws -> [(snapshot: HostSnapshot, labels: [String: String])] {
        var all: [(snapshot: HostSnapshot, labels: [String: String])] = []
        try forEachLatestSnapshot(matching: selection) { all += $0 }
        return all
    }

    /// The same in batches of `batchSize` hosts, each read in one pass per table: a fleet audit
    /// never holds more than a few batches of full snapshots. Which snapshot is each host's latest
    /// is fixed once, before the first batch, and a stored snapshot's content never changes, so a
    /// collector writing meanwhile cannot make the fleet inconsistent.
    public func forEachLatestSnapshot(
        matching selection: [String: String] = [:], batchSize: Int = 500,
        _ body: ([(snapshot: HostSnapshot, labels: [String: String])]) throws -> Void
    ) throws {
        let plan = try latestPlan(matching: selection)
        try read { db in
            for chunk in plan.batches(of: batchSize) {
                try body(try plan.snapshots(db, chunk))
            }
        }
    }

    /// The same batches read and `prepare`d on `workers` threads (each with its own connection),
    /// handed to `body` on the calling thread in the same order as ``forEachLatestSnapshot``.
    ///
    /// Why the fleet stays consistent without one shared transaction: which snapshot is each
    /// host's latest is fixed once, up front, and a stored snapshot's content never changes
    /// (collecting the same content again only adds an observation). A snapshot pruned while the
    /// audit runs is an error that says so, not a silent gap.
    public func forEachLatestSnapshot<Prepared: Sendable>(
        matching selection: [String: String] = [:], batchSize: Int = 250, workers: Int,
        prepare: @escaping @Sendable ([(snapshot: HostSnapshot, labels: [String: String])]) throws -> Prepared,
        _ body: (Prepared) throws -> Void
    ) throws {
        let plan = try latestPlan(matching: selection)
        let batches = plan.batches(of: batchSize)
        let path = self.path
        try OrderedWorkers<Prepared>.run(
            count: batches.count, workers: workers, window: workers,
            makeWorker: {
                let connection = try InventoryStore(path: path, readOnly: true)
                return { index in try prepare(try connection.read { try plan.snapshots($0, batches[index]) }) }
            },
            consume: body)
    }

    /// Each host's latest observation and labels, fixed once for a fleet read.
    private func latestPlan(matching selection: [String: String]) throws -> LatestPlan {
        let selected = try hosts(matching: selection)
        let wanted = Set(selected.map(\.hostname))
        let labels = Dictionary(selected.map { ($0.hostname, $0.labels) }, uniquingKeysWith: { a, _ in a })
        let observations = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT h.hostname, o.* FROM hosts h
                JOIN observations o ON o.host_id = h.id
                 AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE host_id = h.id)
                ORDER BY h.hostname
                """).compactMap { row -> SnapshotRebuilder.Observation? in
                let name: String = row["hostname"]
                return wanted.contains(name) ? observation(name, row) : nil
            }
        }
        return LatestPlan(observations: observations, labels: labels)
    }

    public func labels(of hostname: String) throws -> [String: String] {
        try read { db in
            let hostID = try requireHost(db, hostname)
            var labels: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM host_labels WHERE host_id = ?", arguments: [hostID]) {
                labels[row["key"]] = row["value"] as String
            }
            return labels
        }
    }

    private func requireHost(_ db: Database, _ hostname: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM hosts WHERE hostname = ?", arguments: [hostname]) else {
            throw StoreError.notFound("host \(hostname)")
        }
        return id
    }
}

/// Which snapshot of each host a fleet read returns, and the hosts' labels.
private struct LatestPlan: Sendable {
    let observations: [SnapshotRebuilder.Observation]
    let labels: [String: [String: String]]

    /// The observations in batches; the first is small so that a consumer can start early.
    func batches(of size: Int) -> [ArraySlice<SnapshotRebuilder.Observation>] {
        var result: [ArraySlice<SnapshotRebuilder.Observation>] = []
        var start = 0
        var next = max(1, min(size, 50))
        while start < observations.count {
            result.append(observations[start..<min(start + next, observations.count)])
            start += next
            next = max(1, size)
        }
        return result
    }

    func snapshots(_ db: Database, _ chunk: ArraySlice<SnapshotRebuilder.Observation>) throws -> [(snapshot: HostSnapshot, labels: [String: String])] {
        try SnapshotRebuilder.snapshots(db, observations: Array(chunk)).map { ($0, labels[$0.host.hostname] ?? [:]) }
    }
}
