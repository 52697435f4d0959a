import Inventory

/// What compliance evidence needs beyond the checks' facts: the content hash that names each
/// audited snapshot (a signed manifest ties a report to exactly that content), and which PF
/// each VF belongs to (a waiver written for a PF covers the findings on its VFs).
extension InventoryStore {
    /// Each snapshot's content hash (`snapshots.content_hash`: the store's 128-bit digest of its
    /// rows, which names the content but is not a cryptographic commitment).
    public func contentHashes(of snapshotIDs: [Int64]) throws -> [Int64: String] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            let rows = try db.query("""
                SELECT id, content_hash FROM snapshots WHERE id IN \(db.dialect.integers("?"))
                """, [.text(FactSQL.idList(snapshotIDs))], table: "snapshots")
            var result: [Int64: String] = [:]
            while try rows.next() {
                if let id = try rows.int64(0), let hash = rows.text(1) { result[id] = hash }
            }
            return result
        }
    }

    /// Per snapshot, each VF's PCI address → its owner (the PF or netdev-only table it belongs
    /// to, as ``PFFact/owner`` names it).
    public func vfOwners(of snapshotIDs: [Int64]) throws -> [Int64: [String: AuditFacts.VF.Owner]] {
        guard !snapshotIDs.isEmpty else { return [:] }
        return try read { db in
            let rows = try db.query("""
                SELECT snapshot_id, address, owner FROM fact_vfs
                WHERE snapshot_id IN \(db.dialect.integers("?")) AND address IS NOT NULL
                """, [.text(FactSQL.idList(snapshotIDs))], table: "fact_vfs")
            var result: [Int64: [String: AuditFacts.VF.Owner]] = [:]
            while try rows.next() {
                guard let id = try rows.int64(0), let address = rows.text(1) else { continue }
                result[id, default: [:]][address] = FactOwner.owner(try rows.requiredInt(2))
            }
            return result
        }
    }
}
