import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Inventory
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--db`, shared by every command that uses the inventory database.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db).",
        valueName: "PATH"))
    var db: String?

    /// A URL is never taken for a file name, and an unknown scheme is an error (exit 2) before
    /// anything is created.
    func validate() throws {
        if case .postgres(let url) = try DatabaseLocation.parse(db ?? StoreLocation.defaultPath()) {
            throw CLIError("--db \(url): this build stores inventories in SQLite files only; PostgreSQL is not supported yet")
        }
    }

    /// The SQLite file (`sqlite:///PATH` read as PATH); ``validate()`` has refused anything else.
    var path: String {
        let text = db ?? StoreLocation.defaultPath()
        if case .sqlite(let path)? = try? DatabaseLocation.parse(text) { return path }
        return text
    }

    /// Opened writable, a database from before audit facts gets them derived once; that says
    /// how far it is on standard error (a 10,000-host database takes a while).
    func open(readOnly: Bool = false) throws -> InventoryStore {
        let path = self.path
        var reported = 0
        return try InventoryStore(path: path, readOnly: readOnly) { done, total in
            if done == total || done - reported >= 1000 {
                Console.error("deriving audit facts for the snapshots stored in \(path): \(done)/\(total)\n")
                reported = done
            }
        }
    }

    /// For a fleet audit: writable when this user may write the database (it is migrated, facts
    /// are derived, per-host results are kept for the next run), read-only otherwise, which
    /// audits all the same as long as the database's facts are current.
    func openForAudit() throws -> InventoryStore {
        let path = self.path
        if access(path, W_OK) == 0, access(parentDirectory(path), W_OK) == 0 { return try open() }
        let store = try open(readOnly: true)
        let lacking: Int
        do { lacking = try store.snapshotsLackingFacts() } catch {
            throw CLIError("\(path) was written by an older sriov-audit and has no audit facts yet, and this user may not write it: run `sriov-audit audit --db \(path)` once as its owner to migrate it")
        }
        if lacking > 0 {
            throw CLIError("\(lacking) snapshot(s) in \(path) have no current audit facts, and this user may not write the database: run `sriov-audit audit --db \(path)` once as its owner to derive them")
        }
        return store
    }

    private func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// `--label key=value`, repeatable.
struct LabelOptions: ParsableArguments {
    @Option(name: .customLong("label"), help: ArgumentHelp(
        "Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...", valueName: "KEY=VALUE"))
    var labels: [String] = []

    func parsed() throws -> [String: String] {
        try Self.parse(labels, option: "--label")
    }

    static func parse(_ items: [String], option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("\(option) wants KEY=VALUE (letters, digits, - _ . in the key), not \"\(item)\"")
            }
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }
}

/// A time on the command line: `2026-11-25T10:15:00Z`, or a date meaning the end of that day (UTC).
func parseTime(_ text: String, option: String) throws -> Date {
    if let date = Timestamp.parse(text) { return date }
    if text.count == 10, let date = try? Date(text + "T23:59:59Z", strategy: .iso8601) { return date }
    throw ValidationError("\(option) wants a time like 2026-11-25T10:15:00Z or a date like 2026-11-25, not \"\(text)\"")
}
