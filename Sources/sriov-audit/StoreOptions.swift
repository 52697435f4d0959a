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
        "The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....",
        valueName: "PATH|URL"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.", valueName: "FILE"))
    var dbPasswordFile: String?

    /// A URL is never taken for a file name, and an unknown scheme is an error (exit 2) before
    /// anything is created.
    func validate() throws {
        let location = try self.location
        if dbPasswordFile != nil, case .sqlite = location {
            throw ValidationError("--db-password-file applies to a PostgreSQL --db only")
        }
    }

    /// What `--db` names.
    var location: DatabaseLocation {
        get throws { try DatabaseLocation.parse(db ?? StoreLocation.defaultPath()) }
    }

    /// The database for messages: the SQLite file, or the URL with its password masked.
    var path: String {
        (try? location.description) ?? (db ?? StoreLocation.defaultPath())
    }

    /// The folder for files kept beside the database (the push spool, the server's reports):
    /// the SQLite file's folder, or for a PostgreSQL database the default database's folder.
    var stateDirectory: String {
        var file = StoreLocation.defaultPath()
        if case .sqlite(let path)? = try? location { file = path }
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    /// The PostgreSQL password when the URL has none: the first line of --db-password-file, else
    /// PGPASSWORD. Never printed.
    func password() throws -> String? {
        try Self.password(file: dbPasswordFile, option: "--db-password-file")
    }

    static func password(file: String?, option: String) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(option) \(file): cannot be read")
            }
            var line = Substring(String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            if line.hasSuffix("\r") { line = line.dropLast() }
            return String(line)
        }
        let environment = ProcessInfo.processInfo.environment["PGPASSWORD"]
        return environment?.isEmpty == false ? environment : nil
    }

    /// Opens `location` as `--db` would, with the password of `passwordFile` or PGPASSWORD.
    static func open(_ location: DatabaseLocation, passwordFile: String?, readOnly: Bool) throws -> InventoryStore {
        try InventoryStore(location: location, password: try password(file: passwordFile, option: "the password file"), readOnly: readOnly)
    }

    /// Opened writable, a database from before audit facts gets them derived once; that says
    /// how far it is on standard error (a 10,000-host database takes a while).
    func open(readOnly: Bool = false) throws -> InventoryStore {
        let path = self.path
        var reported = 0
        return try InventoryStore(location: try location, password: try password(), readOnly: readOnly) { done, total in
            if done == total || done - reported >= 1000 {
                Console.error("deriving audit facts for the snapshots stored in \(path): \(done)/\(total)\n")
                reported = done
            }
        }
    }

    /// For a fleet audit: writable when this user may write the database (it is migrated, facts
    /// are derived, per-host results are kept for the next run), read-only otherwise, which
    /// audits all the same as long as the database's facts are current. A PostgreSQL database
    /// is opened writable: its server decides what this user may do.
    func openForAudit() throws -> InventoryStore {
        guard case .sqlite(let path) = try location else { return try open() }
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
