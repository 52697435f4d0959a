import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `prune` removed.
public struct PruneResult: Codable, Sendable, Equatable {
    public var observationsRemoved: Int
    public var snapshotsRemoved: Int
}

extension InventoryStore {
    /// Removes observations older than `days` days, keeping every host's latest whatever its age,
    /// then the contents no observation refers to any more (with their device rows), in chunks of
    /// `chunk` snapshots: `progress(done, total)` after each. All of it is one transaction: an
    /// interrupted prune removes nothing.
    public func prune(keepDays days: Int, now: Date = Date(), chunk: Int = 200,
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> PruneResult {
        let cutoff = Timestamp.storeText(now.addingTimeInterval(-Double(days) * 86_400))
        return try write { db in
            let observations = try db.execute("""
                DELETE FROM observations WHERE collected_at < ?
                  AND collected_at < (SELECT max(o2.collected_at) FROM observations o2 WHERE o2.host_id = observations.host_id)
                """, [.text(cutoff)])
            let orphans = try db.all(
                "SELECT id FROM snapshots WHERE id NOT IN (SELECT DISTINCT snapshot_id FROM observations) ORDER BY id",
                table: "snapshots") { try $0.requiredInt64(0) }
            var done = 0
            for start in stride(from: 0, to: orphans.count, by: max(1, chunk)) {
                let ids = Array(orphans[start..<min(start + max(1, chunk), orphans.count)])
                try db.execute("DELETE FROM snapshots WHERE id IN \(db.dialect.integers("?"))", [.text(FactSQL.idList(ids))])
                done += ids.count
                progress(done, orphans.count)
            }
            // Seen counts and first/last times now describe what is left.
            if observations > 0 {
                try db.execute("""
                    UPDATE snapshots SET
                      seen_count = (SELECT count(*) FROM observations o WHERE o.snapshot_id = snapshots.id),
                      first_collected_at = (SELECT min(collected_at) FROM observations o WHERE o.snapshot_id = snapshots.id),
                      last_collected_at = (SELECT max(collected_at) FROM observations o WHERE o.snapshot_id = snapshots.id)
                    """)
            }
            return PruneResult(observationsRemoved: observations, snapshotsRemoved: orphans.count)
        }
    }
}
