import GRDB
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One host of an audit: which stored content is audited, as whom, with which labels.
public struct AuditSubject: Sendable, Hashable {
    /// The host's place in the report (hosts are reported in this order).
    public var seq: Int
    public var snapshotID: Int64
    public var hostname: String
    public var labels: [String: String]
    /// When this content was last seen (the observation the audit reports).
    public var collectedAt: Date
    public var kernelRelease: String?

    public init(seq: Int, snapshotID: Int64, hostname: String, labels: [String: String], collectedAt: Date, kernelRelease: String?) {
        self.seq = seq
        self.snapshotID = snapshotID
        self.hostname = hostname
        self.labels = labels
        self.collectedAt = collectedAt
        self.kernelRelease = kernelRelease
    }
}

/// A PF as `fact_pfs` keeps it: what reports list per host and what rule selectors match on.
public struct PFFact: Sendable, Hashable {
    public var owner: AuditFacts.VF.Owner
    public var pf: AuditFacts.PF?
    /// A netdev-only PF's interface and driver.
    public var netdev: AuditFacts.NetdevPF?
}

extension InventoryStore {
    /// Snapshots whose audit facts are missing or of another ``AuditFacts/version``.
    public func snapshotsLackingFacts() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM snapshots s LEFT JOIN audit_facts f ON f.snapshot_id = s.id
                WHERE f.snapshot_id IS NULL OR f.version != ?
                """, arguments: [AuditFacts.version]) ?? 0
        }
    }

    /// Derives the facts of every snapshot stored without them (a database from before facts
    /// existed, or facts of an older version), from the stored snapshot itself, in batches of
    /// `batchSize`, each batch in its own transaction, calling `progress(done, total)` after each.
    /// Runs once: a database whose facts are current costs one count.
    public func deriveMissingFacts(batchSize: Int = 200, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let ids = try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT s.id FROM snapshots s LEFT JOIN audit_facts f ON f.snapshot_id = s.id
                WHERE f.snapshot_id IS NULL OR f.version != ? ORDER BY s.id
                """, arguments: [AuditFacts.version])
        }
        guard !ids.isEmpty else { return }
        var done = 0
        for start in stride(from: 0, to: ids.count, by: batchSize) {
            let chunk = Array(ids[start..<min(start + batchSize, ids.count)])
            try write { db in
                let wanted = FactSQL.idList(chunk)
                // Any observation of each snapshot: facts depend on the content alone.
                let observations = try Row.fetchAll(db, sql: """
                    SELECT h.hostname, o.* FROM observations o JOIN hosts h ON h.id = o.host_id
                    WHERE o.snapshot_id IN (SELECT value FROM json_each(?))
                      AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE snapshot_id = o.snapshot_id)
                    """, arguments: [wanted]).map { row in
                    SnapshotRebuilder.Observation(hostname: row["hostname"], collectedAt: row["collected_at"], snapshotID: row["snapshot_id"],
                                                  toolVersion: row["tool_version"], sourceKind: row["source_kind"], sourcePath: row["source_path"])
                }
                let byID = Dictionary(observations.map { ($0.snapshotID, $0) }, uniquingKeysWith: { a, _ in a })
                for table in ["audit_facts", "fact_pfs", "fact_vfs", "fact_interface_macs", "fact_macs"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE snapshot_id IN (SELECT value FROM json_each(?))", arguments: [wanted])
                }
                let snapshots = try SnapshotRebuilder.snapshots(db, observations: chunk.compactMap { byID[$0] })
                for (id, snapshot) in zip(chunk.filter { byID[$0] != nil }, snapshots) {
                    try writeFacts(db, FactRows(AuditFacts(snapshot: snapshot)), snapshotID: id)
                }
            }
            done += chunk.count
            progress(done, ids.count)
        }
    }

    /// The latest stored content of every host whose labels match `selection`, in host-name order.
    public func latestSubjects(matching selection: [String: String] = [:]) throws -> [AuditSubject] {
        try read { db in
            var labels: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT host_id, key, value FROM host_labels") {
                labels[row["host_id"], default: [:]][row["key"]] = row["value"] as String
            }
            var subjects: [AuditSubject] = []
            // The newest observation fixes both the content and the time reported.
            let rows = try Row.fetchAll(db, sql: """
                SELECT h.id, h.hostname, o.snapshot_id, o.collected_at, s.kernel_release FROM hosts h
                JOIN observations o ON o.host_id = h.id
                 AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE host_id = h.id)
                JOIN snapshots s ON s.id = o.snapshot_id
                ORDER BY h.hostname
                """)
            for row in rows {
                let hostLabels = labels[row["id"]] ?? [:]
                guard selection.allSatisfy({ hostLabels[$0.key] == $0.value }) else { continue }
                let time: String = row["collected_at"]
                guard let collectedAt = Timestamp.parse(time) else { throw StoreError.corrupt("not a timestamp in the store: \(time)") }
                subjects.append(AuditSubject(seq: subjects.count, snapshotID: row["snapshot_id"], hostname: row["hostname"], labels: hostLabels,
                                             collectedAt: collectedAt, kernelRelease: row["kernel_release"]))
            }
            return subjects
        }
    }

    /// The whole facts of these snapshots.
    public func facts(of snapshotIDs: [Int64]) throws -> [Int64: AuditFacts] {
        var result: [Int64: AuditFacts] = [:]
        for (id, body) in try encodedFacts(of: snapshotIDs) { result[id] = try Self.decodeFacts(body, snapshotID: id, path: path) }
        return result
    }

    /// Decodes stored facts, naming the snapshot and database when they cannot be read.
    public static func decodeFacts(_ body: [UInt8], snapshotID: Int64, path: String) throws -> AuditFacts {
        do { return try AuditFacts(encoded: body) } catch {
            throw StoreError.corrupt("the audit facts of snapshot \(snapshotID) in \(path): \(error)")
        }
    }

    /// The stored facts of these snapshots, still encoded (decoding is left to the caller's
    /// threads); every snapshot must have facts of this build's version.
    public func encodedFacts(of snapshotIDs: [Int64]) throws -> [Int64: [UInt8]] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            let rows = try StatementRows(db, table: "audit_facts", sql: """
                SELECT snapshot_id, version, body FROM audit_facts WHERE snapshot_id IN (SELECT value FROM json_each(?))
                """, arguments: [FactSQL.idList(snapshotIDs)])
            var result: [Int64: [UInt8]] = [:]
            while try rows.next() {
                let id = try rows.int64(0) ?? 0
                guard try rows.int(1) == AuditFacts.version, let body = rows.blob(2) else { continue }
                result[id] = body
            }
            let missing = Set(snapshotIDs).subtracting(result.keys)
            if let first = missing.min() {
                throw StoreError.corrupt("\(missing.count) snapshot(s) (first: \(first)) in \(path) have no audit facts of version \(AuditFacts.version); open the database writable once (any `sriov-audit … --db` run by its owner) to derive them")
            }
            return result
        }
    }

    /// The PFs (`fact_pfs`) of these snapshots, in owner order.
    public func pfFacts(of snapshotIDs: [Int64]) throws -> [Int64: [PFFact]] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            let rows = try StatementRows(db, table: "fact_pfs", sql: """
                SELECT * FROM fact_pfs WHERE snapshot_id IN (SELECT value FROM json_each(?)) ORDER BY snapshot_id, owner
                """, arguments: [FactSQL.idList(snapshotIDs)])
            let c = rows.columns
            let (id, owner, address, interfaces, vendor, device, subVendor, subDevice, name, driver, hasInfo) = (
                try c.at("snapshot_id"), try c.at("owner"), try c.at("address"), try c.at("interfaces"), try c.at("vendor_id"),
                try c.at("device_id"), try c.at("subsystem_vendor_id"), try c.at("subsystem_device_id"), try c.at("device_name"),
                try c.at("driver"), try c.at("has_driver_info"))
            let (firmware, driverVersion, numVFs, totalVFs, present) = (
                try c.at("firmware"), try c.at("driver_version"), try c.at("num_vfs"), try c.at("total_vfs"), try c.at("present_vfs"))
            var result: [Int64: [PFFact]] = [:]
            while try rows.next() {
                let code = FactOwner.owner(try rows.requiredInt(owner))
                let snapshot = try rows.int64(id) ?? 0
                let names = try rows.list(interfaces)
                guard case .pf = code, let bdf = try rows.address(address) else {
                    result[snapshot, default: []].append(PFFact(owner: code, pf: nil, netdev: AuditFacts.NetdevPF(name: names.first ?? "", driver: rows.text(driver))))
                    continue
                }
                var dev: AuditFacts.Device?
                if let vendorID = rows.text(vendor), let deviceID = rows.text(device) {
                    dev = AuditFacts.Device(vendorID: vendorID, deviceID: deviceID, subsystemVendorID: rows.text(subVendor),
                                            subsystemDeviceID: rows.text(subDevice), deviceName: rows.text(name), driver: rows.text(driver))
                }
                let pf = AuditFacts.PF(address: bdf, interfaces: names, device: dev, hasDriverInfo: try rows.requiredBool(hasInfo),
                                       reportedDriver: rows.text(driver), firmware: rows.text(firmware), driverVersion: rows.text(driverVersion),
                                       numVFs: try rows.int(numVFs), totalVFs: try rows.int(totalVFs), presentVFs: try rows.requiredInt(present))
                result[snapshot, default: []].append(PFFact(owner: code, pf: pf, netdev: nil))
            }
            return result
        }
    }

    // MARK: - per-host results

    /// Cached per-host results of the rules `fingerprint` for these (snapshot, labels) keys.
    public func cachedResults(fingerprint: String, for keys: [AuditResultKey]) throws -> [AuditResultKey: [UInt8]] {
        guard !keys.isEmpty else { return [:] }
        let wanted = Set(keys)
        return try read { db in
            guard try db.tableExists("audit_results") else { return [:] }
            let rows = try StatementRows(db, table: "audit_results", sql: """
                SELECT snapshot_id, labels, body FROM audit_results
                WHERE fingerprint = ? AND snapshot_id IN (SELECT value FROM json_each(?))
                """, arguments: [fingerprint, FactSQL.idList(Array(Set(keys.map(\.snapshotID))))])
            var result: [AuditResultKey: [UInt8]] = [:]
            while try rows.next() {
                let key = AuditResultKey(snapshotID: try rows.int64(0) ?? 0, labels: try rows.string(1))
                if wanted.contains(key), let body = rows.blob(2) { result[key] = body }
            }
            return result
        }
    }

    /// Keeps per-host results for the next audit with the same rules. Results of rules files not
    /// used for a while go: the `keepFingerprints` most recently used stay.
    public func saveResults(fingerprint: String, _ results: [(AuditResultKey, [UInt8])], keepFingerprints: Int = 8) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO audit_fingerprints (fingerprint, last_used) VALUES (?1, ?2)
                ON CONFLICT (fingerprint) DO UPDATE SET last_used = ?2
                """, arguments: [fingerprint, Timestamp.storeText(Date())])
            for (key, body) in results {
                try insertRows(db, table: "audit_results", columns: ["snapshot_id", "fingerprint", "labels", "body"], prefix: [],
                               rows: [[.int(key.snapshotID), .text(fingerprint), .text(key.labels), .blob(body)]], orReplace: true)
            }
            let stale = try String.fetchAll(db, sql: "SELECT fingerprint FROM audit_fingerprints ORDER BY last_used DESC LIMIT -1 OFFSET ?",
                                            arguments: [keepFingerprints])
            for old in stale {
                try db.execute(sql: "DELETE FROM audit_results WHERE fingerprint = ?", arguments: [old])
                try db.execute(sql: "DELETE FROM audit_fingerprints WHERE fingerprint = ?", arguments: [old])
            }
        }
    }
}

/// Which per-host result: a snapshot's content audited with a host's labels.
public struct AuditResultKey: Sendable, Hashable {
    public var snapshotID: Int64
    /// The labels as one canonical text (`key=value` lines, sorted).
    public var labels: String

    public init(snapshotID: Int64, labels: [String: String]) {
        self.snapshotID = snapshotID
        self.labels = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    }

    init(snapshotID: Int64, labels: String) {
        self.snapshotID = snapshotID
        self.labels = labels
    }
}
