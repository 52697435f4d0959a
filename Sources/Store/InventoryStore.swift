import GRDB
#if canImport(Glibc)
import Glibc
#endif
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The inventory database: hosts, their snapshots over time, labels.
///
/// One SQLite file in WAL mode with a busy timeout, so that several collectors (cron on the host,
/// an import on the same machine) can write at once; every snapshot is written in one
/// transaction, so a crash leaves it whole or absent.
public final class InventoryStore: @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// `readOnly` opens an existing file without creating or migrating it. Opened writable, a
    /// database from before audit facts existed gets them derived once, `factsProgress(done,
    /// total)` telling how far that is.
    public init(path: String, readOnly: Bool = false, factsProgress: (Int, Int) -> Void = { _, _ in }) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.journalMode = readOnly ? .default : .wal
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit is durable against a crash of the process, and a
            // power loss can only lose the last commits, never corrupt the file.
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000") }
        }
        if !readOnly {
            let directory = parentDirectory(of: path)
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw StoreError.cannotOpen(path: path, reason: "cannot create \(directory): \(Self.reason(error))")
                }
            }
        } else if !FileManager.default.fileExists(atPath: path) {
            throw StoreError.cannotOpen(path: path, reason: "no such file (run `sriov-audit collect --store` or `import` first)")
        }
        // Switching a new file to WAL takes an exclusive lock that the busy timeout does not
        // cover: a process opening it while another creates it gets SQLITE_BUSY and tries again.
        var attempt = 0
        while true {
            do {
                queue = try DatabaseQueue(path: path, configuration: configuration)
                break
            } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && attempt < 20 {
                attempt += 1
                usleep(useconds_t(25_000 * attempt))
            } catch {
                throw Self.mapOpen(error, path: path)
            }
        }
        try checkSchema(migrate: !readOnly)
        if !readOnly { try deriveMissingFacts(progress: factsProgress) }
    }

    /// A private database in memory, gone with the value: audits of capture folders and snapshot
    /// files store their hosts here and are audited exactly as a fleet database is.
    public static func inMemory() throws -> InventoryStore {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        do {
            return try InventoryStore(path: ":memory:", queue: DatabaseQueue(configuration: configuration))
        } catch {
            throw StoreError.cannotOpen(path: ":memory:", reason: Self.reason(error))
        }
    }

    private init(path: String, queue: DatabaseQueue) throws {
        self.path = path
        self.queue = queue
        try checkSchema(migrate: true)
    }

    private func checkSchema(migrate: Bool) throws {
        let migrator = StoreSchema.migrator
        do {
            let applied = try queue.read { db -> [String] in
                guard try db.tableExists("grdb_migrations") else { return [] }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            let unknown = applied.filter { !StoreSchema.migrations.contains($0) }
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
            if migrate { try migrateRacingOthers(migrator) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.mapOpen(error, path: path)
        }
    }

    /// Two processes creating the same new database both try to migrate it; the loser fails
    /// ("table hosts already exists") after the winner committed, and then finds it done.
    private func migrateRacingOthers(_ migrator: DatabaseMigrator) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(queue)
                return
            } catch {
                attempt += 1
                if try queue.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if attempt >= 5 { throw error }
                usleep(useconds_t(50_000 * attempt))
            }
        }
    }

    /// A write in one transaction; any failure rolls it back and is reported naming the file.
    ///
    /// IMMEDIATE, not deferred: a deferred transaction that has read and then finds another
    /// process committed in between fails at once with SQLITE_BUSY (the busy timeout does not
    /// apply to it); taking the write lock first makes concurrent writers wait their turn.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError.corrupt("transaction ended without a result") }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotWrite(path: path, reason: Self.reason(error))
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.mapOpen(error, path: path)
        }
    }

    static func mapOpen(_ error: any Error, path: String) -> StoreError {
        if let db = error as? DatabaseError {
            switch db.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt("\(path): \(db.message ?? "not a database")")
            default: return .cannotOpen(path: path, reason: reason(error))
            }
        }
        return .cannotOpen(path: path, reason: reason(error))
    }

    static func reason(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            switch db.resultCode {
            case .SQLITE_FULL: return "the disk is full"
            case .SQLITE_READONLY: return "the database is read-only"
            case .SQLITE_CANTOPEN: return "the file cannot be opened (missing folder or no permission)"
            case .SQLITE_BUSY: return "another process held the database for too long"
            default: return db.message ?? "\(db.resultCode)"
            }
        }
        return "\(error)"
    }
}

/// The folder part of a path ("" for a bare file name).
func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return String(path[..<slash])
}
