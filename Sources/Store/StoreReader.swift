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
    /// The platform of the host's latest observation (`linux`, `esxi`).
    public var platform: HostPlatform?
}

/// One entry of a host's history: a distinct content and when it was seen.
/// A history entry and what changed since the entry before it.
public struct HistoryChanges: Codable, Sendable, Equatable {
    public var snapshot: HistoryEntry
    public var changes: [Change]
}

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
            let labels = try hostLabels(db)
            return try db.all("""
                SELECT h.id, h.hostname, h.first_seen, h.last_seen,
                       (SELECT count(*) FROM observations o WHERE o.host_id = h.id) AS observations,
                       (SELECT count(*) FROM snapshots s WHERE s.host_id = h.id) AS snapshots,
                       s.pf_count, s.vf_count,
                       (SELECT o.source_kind FROM observations o WHERE o.host_id = h.id ORDER BY o.collected_at DESC LIMIT 1) AS source_kind
                FROM hosts h LEFT JOIN snapshots s ON s.id = h.latest_snapshot_id
                ORDER BY h.hostname
                """, table: "hosts") { row -> HostSummary? in
                let hostLabels = labels[try row.requiredInt64(0)] ?? [:]
                guard selection.allSatisfy({ hostLabels[$0.key] == $0.value }) else { return nil }
                return HostSummary(
                    hostname: try row.string(1), labels: hostLabels, firstSeen: Self.shown(try row.string(2)), lastSeen: Self.shown(try row.string(3)),
                    observations: try row.requiredInt(4), snapshots: try row.requiredInt(5), pfCount: try row.int(6) ?? 0, vfCount: try row.int(7) ?? 0,
                    platform: try row.text(8).map { SnapshotSource(kind: try SnapshotSource.Kind.stored($0)).platform }
                )
            }.compactMap { $0 }
        }
    }

    /// Every host's labels by host id.
    func hostLabels(_ db: any SQLConnection) throws -> [Int64: [String: String]] {
        var labels: [Int64: [String: String]] = [:]
        try db.forEach("SELECT host_id, key, value FROM host_labels", table: "host_labels") { row in
            labels[try row.requiredInt64(0), default: [:]][try row.string(1)] = try row.string(2)
        }
        return labels
    }

    /// How many hosts the database knows, and how many were last seen before `staleBefore`:
    /// one aggregate, cheap enough for every Prometheus scrape of a large fleet.
    public func hostCounts(staleBefore: Date) throws -> (known: Int, stale: Int) {
        try read { db in
            try db.first("SELECT count(*), count(*) FILTER (WHERE last_seen < ?) FROM hosts", [.text(Timestamp.storeText(staleBefore))],
                         table: "hosts") { (try $0.requiredInt(0), try $0.requiredInt(1)) } ?? (0, 0)
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
            return try db.all("""
                SELECT s.id, s.first_collected_at, s.last_collected_at, s.seen_count, s.kernel_release, s.pf_count, s.vf_count,
                       (SELECT count(*) FROM warnings w WHERE w.snapshot_id = s.id) AS warning_count
                FROM snapshots s WHERE s.host_id = ? ORDER BY s.first_collected_at
                """, [.int(hostID)], table: "snapshots") { row in
                HistoryEntry(
                    snapshotID: try row.requiredInt64(0), firstCollectedAt: Self.shown(try row.string(1)), lastCollectedAt: Self.shown(try row.string(2)),
                    seenCount: try row.requiredInt(3), kernelRelease: row.text(4), pfCount: try row.requiredInt(5),
                    vfCount: try row.requiredInt(6), warningCount: try row.requiredInt(7)
                )
            }
        }
    }

    /// When each content of `hostname` began, in time order: its observations with runs of the
    /// same content collapsed, so a host that went back to an earlier content shows it again
    /// (what a compliance history needs: a fix that was undone is a regression).
    public func contentTimeline(of hostname: String) throws -> [(snapshotID: Int64, from: Date)] {
        try read { db in
            let hostID = try requireHost(db, hostname)
            var spans: [(snapshotID: Int64, from: Date)] = []
            let rows = try db.query("SELECT snapshot_id, collected_at FROM observations WHERE host_id = ? ORDER BY collected_at",
                                    [.int(hostID)], table: "observations")
            while try rows.next() {
                let id = try rows.int64(0) ?? 0
                guard spans.last?.snapshotID != id else { continue }
                let text = rows.text(1) ?? ""
                guard let time = Timestamp.parse(text) else { throw StoreError.corrupt("not a timestamp in the store: \(text)") }
                spans.append((id, time))
            }
            return spans
        }
    }

    /// The snapshot of `hostname` as collected at or before `time` (the latest when nil).
    public func snapshot(of hostname: String, at time: Date? = nil) throws -> HostSnapshot {
        try read { db in
            let observation = try self.observation(db, hostname, atOrBefore: time)
            return try SnapshotRebuilder.snapshot(db, observation: observation)
        }
    }

    /// Each distinct snapshot of `hostname` (as ``history(of:)`` lists them) with what changed
    /// since the one before it, in `diff`'s words (none for the first).
    public func historyWithChanges(of hostname: String) throws -> [HistoryChanges] {
        var previous: HostSnapshot?
        return try history(of: hostname).map { entry in
            guard let time = Timestamp.parse(entry.firstCollectedAt) else {
                throw StoreError.corrupt("not a timestamp in the store: \(entry.firstCollectedAt)")
            }
            let snapshot = try self.snapshot(of: hostname, at: time)
            defer { previous = snapshot }
            return HistoryChanges(snapshot: entry, changes: previous.map { SnapshotDiff.changes(from: $0, to: snapshot) } ?? [])
        }
    }

    /// For drift: the snapshot at or before `time` (the latest when nil) and the last one before it
    /// with different content (the same one when the host never changed).
    public func driftPair(of hostname: String, to time: Date? = nil) throws -> (older: HostSnapshot, newer: HostSnapshot) {
        try read { db in
            let newer = try observation(db, hostname, atOrBefore: time)
            let hostID = try requireHost(db, hostname)
            let older = try db.first("""
                SELECT \(Self.observationColumns) FROM observations WHERE host_id = ? AND collected_at < ? AND snapshot_id != ?
                ORDER BY collected_at DESC LIMIT 1
                """, [.int(hostID), .text(newer.collectedAt), .int(newer.snapshotID)], table: "observations") {
                try Self.observation(hostname, $0, at: 0)
            } ?? newer
            return (try SnapshotRebuilder.snapshot(db, observation: older), try SnapshotRebuilder.snapshot(db, observation: newer))
        }
    }

    private func observation(_ db: any SQLConnection, _ hostname: String, atOrBefore time: Date?) throws -> SnapshotRebuilder.Observation {
        let hostID = try requireHost(db, hostname)
        let bound = time.map(Timestamp.storeText) ?? "9999"  // sorts after every timestamp
        guard let found = try db.first("""
            SELECT \(Self.observationColumns) FROM observations WHERE host_id = ? AND collected_at <= ? ORDER BY collected_at DESC LIMIT 1
            """, [.int(hostID), .text(bound)], table: "observations", { try Self.observation(hostname, $0, at: 0) }) else {
            throw StoreError.notFound("a snapshot of \(hostname) at or before \(bound)")
        }
        return found
    }

    /// The columns ``observation(_:_:at:)`` reads, in its order.
    static let observationColumns = "collected_at, snapshot_id, tool_version, source_kind, source_path"

    /// An observation read from ``observationColumns`` starting at column `first`.
    static func observation(_ hostname: String, _ row: any SQLRows, at first: Int) throws -> SnapshotRebuilder.Observation {
        .init(hostname: hostname, collectedAt: try row.string(first), snapshotID: try row.requiredInt64(first + 1),
              toolVersion: try row.string(first + 2), sourceKind: try row.string(first + 3), sourcePath: row.text(first + 4))
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
        try OrderedWorkers<Prepared>.run(
            count: batches.count, workers: workers, window: workers,
            makeWorker: {
                let connection = try self.openReader()
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
            try db.all("""
                SELECT h.hostname, o.collected_at, o.snapshot_id, o.tool_version, o.source_kind, o.source_path
                FROM hosts h
                JOIN observations o ON o.host_id = h.id
                 AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE host_id = h.id)
                ORDER BY h.hostname
                """, table: "observations") { row -> SnapshotRebuilder.Observation? in
                let name = try row.string(0)
                return wanted.contains(name) ? try Self.observation(name, row, at: 1) : nil
            }.compactMap { $0 }
        }
        return LatestPlan(observations: observations, labels: labels)
    }

    public func labels(of hostname: String) throws -> [String: String] {
        try read { db in
            let hostID = try requireHost(db, hostname)
            var labels: [String: String] = [:]
            try db.forEach("SELECT key, value FROM host_labels WHERE host_id = ?", [.int(hostID)], table: "host_labels") { row in
                labels[try row.string(0)] = try row.string(1)
            }
            return labels
        }
    }

    func requireHost(_ db: any SQLConnection, _ hostname: String) throws -> Int64 {
        guard let id = try db.integer("SELECT id FROM hosts WHERE hostname = ?", [.text(hostname)]) else {
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

    func snapshots(_ db: any SQLConnection, _ chunk: ArraySlice<SnapshotRebuilder.Observation>) throws -> [(snapshot: HostSnapshot, labels: [String: String])] {
        try SnapshotRebuilder.snapshots(db, observations: Array(chunk)).map { ($0, labels[$0.host.hostname] ?? [:]) }
    }
}
