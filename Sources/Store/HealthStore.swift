import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Two observations of one host's counters: what `vf-counters` compares.
public struct CounterHistory: Sendable, Hashable {
    public var current: CounterObservation?
    public var currentAt: Date
    /// The host's observation before `currentAt`, with its counters; nil on a first observation.
    public var previous: CounterObservation?
    public var previousAt: Date?
    /// The VFs of the current snapshot, by PF: what ties a VF netdev's link counters to a PF.
    public var vfsOfPF: [PCIAddress: [PCIAddress]]
}

extension InventoryStore {
    /// The offload features of each interface of these snapshots (`interface_features`).
    public func interfaceFeatures(of snapshotIDs: [Int64]) throws -> [Int64: [String: NetdevFeatures]] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            let rows = try db.query("""
                SELECT snapshot_id, interface, features_on, features_off, features_fixed FROM interface_features
                WHERE snapshot_id IN \(db.dialect.integers("?")) AND features_on IS NOT NULL
                """, [.text(FactSQL.idList(snapshotIDs))], table: "interface_features")
            var result: [Int64: [String: NetdevFeatures]] = [:]
            while try rows.next() {
                result[try rows.requiredInt64(0), default: [:]][try rows.string(1)] =
                    NetdevFeatures(on: try rows.list(2), off: try rows.list(3), fixed: try rows.list(4))
            }
            return result
        }
    }

    /// For each (snapshot, time) given, the host's counters at that observation, in one query:
    /// what reports show. Keyed by the position in `subjects`.
    public func currentCounters(_ subjects: [(snapshotID: Int64, collectedAt: Date)]) throws -> [Int: CounterObservation] {
        guard !subjects.isEmpty else { return [:] }
        return try read { db in
            var names: [Int64: String] = [:]
            let rows = try db.query("""
                SELECT s.id, h.hostname FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.id IN \(db.dialect.integers("?"))
                """, [.text(FactSQL.idList(Array(Set(subjects.map(\.snapshotID)))))], table: "snapshots")
            while try rows.next() { names[try rows.requiredInt64(0)] = try rows.string(1) }
            let wanted = subjects.compactMap { s in names[s.snapshotID].map { ($0, Timestamp.storeText(s.collectedAt)) } }
            let counters = try HealthRows.counters(db, observations: wanted)
            var result: [Int: CounterObservation] = [:]
            for (n, s) in subjects.enumerated() {
                if let name = names[s.snapshotID], let c = counters[name + "\u{0}" + Timestamp.storeText(s.collectedAt)] { result[n] = c }
            }
            return result
        }
    }

    /// For each (snapshot, time) given, the host's counters at that observation and at the one
    /// before it. Keyed by the position in `subjects`.
    public func counterHistories(_ subjects: [(snapshotID: Int64, collectedAt: Date)]) throws -> [Int: CounterHistory] {
        guard !subjects.isEmpty else { return [:] }
        return try read { db in
            var times: [Int: (hostname: String, current: String, previous: String?)] = [:]
            for (n, s) in subjects.enumerated() {
                let at = Timestamp.storeText(s.collectedAt)
                let rows = try db.all("""
                    SELECT h.hostname, o.collected_at FROM snapshots s JOIN hosts h ON h.id = s.host_id
                    JOIN observations o ON o.host_id = s.host_id AND o.collected_at <= ?2
                    WHERE s.id = ?1 ORDER BY o.collected_at DESC LIMIT 2
                    """, [.int(s.snapshotID), .text(at)], table: "observations") { (try $0.string(0), try $0.string(1)) }
                guard let first = rows.first else { continue }
                times[n] = (first.0, first.1, rows.count > 1 ? rows[1].1 : nil)
            }
            var wanted: [(hostname: String, collectedAt: String)] = []
            for t in times.values {
                wanted.append((t.hostname, t.current))
                if let p = t.previous { wanted.append((t.hostname, p)) }
            }
            let counters = try HealthRows.counters(db, observations: wanted)
            let vfRows = try db.query("""
                SELECT snapshot_id, address, pf_address FROM virtual_functions WHERE snapshot_id IN \(db.dialect.integers("?"))
                """, [.text(FactSQL.idList(Array(Set(subjects.map(\.snapshotID)))))], table: "virtual_functions")
            var vfs: [Int64: [PCIAddress: [PCIAddress]]] = [:]
            while try vfRows.next() {
                vfs[try vfRows.requiredInt64(0), default: [:]][try vfRows.requiredAddress(2), default: []].append(try vfRows.requiredAddress(1))
            }
            var result: [Int: CounterHistory] = [:]
            for (n, t) in times {
                result[n] = CounterHistory(
                    current: counters[t.hostname + "\u{0}" + t.current], currentAt: Timestamp.parse(t.current) ?? subjects[n].collectedAt,
                    previous: t.previous.flatMap { counters[t.hostname + "\u{0}" + $0] }, previousAt: t.previous.flatMap(Timestamp.parse),
                    vfsOfPF: vfs[subjects[n].snapshotID] ?? [:])
            }
            return result
        }
    }
}
