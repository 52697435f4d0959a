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
    /// The operating system of the audited observation (where it was read from).
    public var platform: HostPlatform

    public init(seq: Int, snapshotID: Int64, hostname: String, labels: [String: String], collectedAt: Date, kernelRelease: String?,
                platform: HostPlatform = .linux) {
        self.seq = seq
        self.snapshotID = snapshotID
        self.hostname = hostname
        self.labels = labels
        self.collectedAt = collectedAt
        self.kernelRelease = kernelRelease
        self.platform = platform
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
            Int(try db.integer("""
                SELECT count(*) FROM snapshots s LEFT JOIN audit_facts f ON f.snapshot_id = s.id
                WHERE f.snapshot_id IS NULL OR f.version != ?
                """, [.int(Int64(AuditFacts.version))]) ?? 0)
        }
    }

    /// Derives the facts of every snapshot stored without them (a database from before facts
    /// existed, or facts of an older version), from the stored snapshot itself, in batches of
    /// `batchSize`, each batch in its own transaction, calling `progress(done, total)` after each.
    /// Runs once: a database whose facts are current costs one count.
    public func deriveMissingFacts(batchSize: Int = 200, progress: (Int, Int) -> Void = { _, _ in }) throws {
        let ids = try read { db in
            try db.all("""
                SELECT s.id FROM snapshots s LEFT JOIN audit_facts f ON f.snapshot_id = s.id
                WHERE f.snapshot_id IS NULL OR f.version != ? ORDER BY s.id
                """, [.int(Int64(AuditFacts.version))], table: "snapshots") { try $0.requiredInt64(0) }
        }
        guard !ids.isEmpty else { return }
        var done = 0
        for start in stride(from: 0, to: ids.count, by: batchSize) {
            let chunk = Array(ids[start..<min(start + batchSize, ids.count)])
            try write { db in
                let wanted = SQLValue.text(FactSQL.idList(chunk))
                let ids = db.dialect.integers("?")
                // Any observation of each snapshot: facts depend on the content alone.
                let observations = try db.all("""
                    SELECT h.hostname, o.collected_at, o.snapshot_id, o.tool_version, o.source_kind, o.source_path
                    FROM observations o JOIN hosts h ON h.id = o.host_id
                    WHERE o.snapshot_id IN \(ids)
                      AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE snapshot_id = o.snapshot_id)
                    """, [wanted], table: "observations") { row in
                    try Self.observation(try row.string(0), row, at: 1)
                }
                let byID = Dictionary(observations.map { ($0.snapshotID, $0) }, uniquingKeysWith: { a, _ in a })
                for table in ["audit_facts", "fact_pfs", "fact_vfs", "fact_interface_macs", "fact_macs"] {
                    try db.execute("DELETE FROM \(table) WHERE snapshot_id IN \(ids)", [wanted])
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
            let labels = try hostLabels(db)
            var subjects: [AuditSubject] = []
            // The newest observation fixes both the content and the time reported.
            try db.forEach("""
                SELECT h.id, h.hostname, o.snapshot_id, o.collected_at, s.kernel_release, o.source_kind FROM hosts h
                JOIN observations o ON o.host_id = h.id
                 AND o.collected_at = (SELECT max(collected_at) FROM observations WHERE host_id = h.id)
                JOIN snapshots s ON s.id = o.snapshot_id
                ORDER BY h.hostname
                """, table: "observations") { row in
                let hostLabels = labels[try row.requiredInt64(0)] ?? [:]
                guard selection.allSatisfy({ hostLabels[$0.key] == $0.value }) else { return }
                let time = try row.string(3)
                guard let collectedAt = Timestamp.parse(time) else { throw StoreError.corrupt("not a timestamp in the store: \(time)") }
                subjects.append(AuditSubject(seq: subjects.count, snapshotID: try row.requiredInt64(2), hostname: try row.string(1), labels: hostLabels,
                                             collectedAt: collectedAt, kernelRelease: row.text(4),
                                             platform: SnapshotSource(kind: try SnapshotSource.Kind.stored(try row.string(5))).platform))
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
            let rows = try db.query("""
                SELECT snapshot_id, version, body FROM audit_facts WHERE snapshot_id IN \(db.dialect.integers("?"))
                """, [.text(FactSQL.idList(snapshotIDs))], table: "audit_facts")
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
            let rows = try db.query("""
                SELECT * FROM fact_pfs WHERE snapshot_id IN \(db.dialect.integers("?")) ORDER BY snapshot_id, owner
                """, [.text(FactSQL.idList(snapshotIDs))], table: "fact_pfs")
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

    /// The guests and pods that claim devices (`consumer_claims`) in these snapshots, in
    /// canonical order: what reports list as "VFs by consumer".
    public func consumerClaims(of snapshotIDs: [Int64]) throws -> [Int64: [VFConsumer]] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            var result: [Int64: [VFConsumer]] = [:]
            // A snapshot whose consumer sources were read has a list, empty or not.
            let read = try db.query("""
                SELECT DISTINCT snapshot_id FROM consumer_sources WHERE snapshot_id IN \(db.dialect.integers("?"))
                """, [.text(FactSQL.idList(snapshotIDs))], table: "consumer_sources")
            while try read.next() { result[try read.int64(0) ?? 0] = [] }
            let rows = try db.query("""
                SELECT snapshot_id, seq, address, kind, name, uuid, running, instance_name FROM consumer_claims
                WHERE snapshot_id IN \(db.dialect.integers("?")) ORDER BY snapshot_id, seq
                """, [.text(FactSQL.idList(snapshotIDs))], table: "consumer_claims")
            let c = rows.columns
            let (id, address, kind, name, uuid, running, instance) = (try c.at("snapshot_id"), try c.at("address"), try c.at("kind"),
                                                                      try c.at("name"), try c.at("uuid"), try c.at("running"), try c.at("instance_name"))
            while try rows.next() {
                guard let k = VFConsumer.Kind(rawValue: try rows.string(kind)) else { continue }
                result[try rows.int64(id) ?? 0, default: []].append(VFConsumer(
                    address: try rows.requiredAddress(address), kind: k, name: try rows.string(name), uuid: rows.text(uuid),
                    running: try rows.bool(running), attachment: "", instanceName: rows.text(instance), sources: []))
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
            let rows = try db.query("""
                SELECT snapshot_id, labels, body FROM audit_results
                WHERE fingerprint = ? AND snapshot_id IN \(db.dialect.integers("?"))
                """, [.text(fingerprint), .text(FactSQL.idList(Array(Set(keys.map(\.snapshotID)))))], table: "audit_results")
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
            try db.insertRows(table: "audit_fingerprints", columns: ["fingerprint", "last_used"], prefix: [],
                              rows: [[.text(fingerprint), .text(Timestamp.storeText(Date()))]], onConflict: .replace(key: ["fingerprint"]))
            try db.insertRows(table: "audit_results", columns: ["snapshot_id", "fingerprint", "labels", "body"], prefix: [],
                              rows: Self.lastPerKey(results).map { key, body in [.int(key.snapshotID), .text(fingerprint), .text(key.labels), .blob(body)] },
                              onConflict: .replace(key: ["snapshot_id", "fingerprint", "labels"]))
            let stale = try db.all("SELECT fingerprint FROM audit_fingerprints ORDER BY last_used DESC, fingerprint", table: "audit_fingerprints") {
                try $0.string(0)
            }.dropFirst(max(0, keepFingerprints))
            for old in stale {
                try db.execute("DELETE FROM audit_results WHERE fingerprint = ?", [.text(old)])
                try db.execute("DELETE FROM audit_fingerprints WHERE fingerprint = ?", [.text(old)])
            }
        }
    }

    /// One result per key (the last given): one statement may not replace the same row twice.
    private static func lastPerKey(_ results: [(AuditResultKey, [UInt8])]) -> [(AuditResultKey, [UInt8])] {
        var seen = Set<AuditResultKey>()
        return results.reversed().filter { seen.insert($0.0).inserted }.reversed()
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
