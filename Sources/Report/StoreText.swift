import Inventory
import Store

/// Text forms of what the store answers: hosts, history, drift, import and prune results.
public enum StoreText {
    public static func hosts(_ hosts: [HostSummary]) -> String {
        var rows = [["HOST", "PLATFORM", "LAST SEEN", "SNAPSHOTS", "SEEN", "PFS", "VFS", "LABELS"]]
        for h in hosts {
            rows.append([h.hostname, h.platform?.rawValue ?? "-", h.lastSeen, String(h.snapshots), String(h.observations), String(h.pfCount), String(h.vfCount),
                         h.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")])
        }
        return SnapshotText.table(rows).joined(separator: "\n") + "\n\(hosts.count) host(s)\n"
    }

    public static func history(_ hostname: String, _ entries: [HistoryEntry]) -> String {
        var rows = [["SNAPSHOT", "FIRST SEEN", "LAST SEEN", "SEEN", "KERNEL", "PFS", "VFS", "WARNINGS"]]
        for e in entries {
            rows.append([String(e.snapshotID), e.firstCollectedAt, e.lastCollectedAt, String(e.seenCount), e.kernelRelease ?? "-",
                         String(e.pfCount), String(e.vfCount), String(e.warningCount)])
        }
        return "History of \(hostname): \(entries.count) distinct snapshot(s)\n" + SnapshotText.table(rows).joined(separator: "\n") + "\n"
    }

    /// The history table, then each snapshot's changes since the one before.
    public static func history(_ hostname: String, _ history: [HistoryChanges]) -> String {
        var out = self.history(hostname, history.map(\.snapshot))
        for entry in history.dropFirst() {
            out += "\nSnapshot \(entry.snapshot.snapshotID), first seen \(entry.snapshot.firstCollectedAt): "
            out += entry.changes.isEmpty ? "no change in what is compared\n" : "\(entry.changes.count) change(s)\n"
            for change in entry.changes { out += "  \(change.message)\n" }
        }
        return out
    }

    public static func diff(_ hostname: String, from: HostSnapshot, to: HostSnapshot, _ changes: [Change]) -> String {
        var out = "Drift on \(hostname) from \(SnapshotText.iso8601(from.collectedAt)) to \(SnapshotText.iso8601(to.collectedAt)): "
        out += changes.isEmpty ? "no changes\n" : "\(changes.count) change(s)\n"
        for change in changes { out += "  \(change.message)\n" }
        return out
    }

    public static func importReport(_ report: ImportReport) -> String {
        var out = "imported \(report.total) snapshot(s): \(report.new) new, \(report.unchanged) unchanged, "
        out += "\(report.duplicate) already stored, \(report.rejected.count) rejected\n"
        for r in report.rejected { out += "  rejected \(r.source): \(r.reason)\n" }
        return out
    }
}
