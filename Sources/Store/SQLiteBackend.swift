import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The embedded default: one SQLite file in WAL mode with a busy timeout, through GRDB, so that
/// several collectors (cron on the host, an import on the same machine) can write at once.
final class SQLiteBackend: StoreBackend, @unchecked Sendable {
    let name: String
    let dialect = SQLDialect.sqlite
    let queue: DatabaseQueue

    /// Opens (creating if needed, unless `readOnly`) the file at `path`.
    init(path: String, readOnly: Bool) throws {
        name = path
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
    }

    /// A private database in memory, gone with the value.
    init(inMemory: Void) throws {
        name = ":memory:"
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        do {
            queue = try DatabaseQueue(configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: ":memory:", reason: Self.reason(error))
        }
    }

    /// IMMEDIATE, not deferred: a deferred transaction that has read and then finds another
    /// process committed in between fails at once with SQLITE_BUSY (the busy timeout does not
    /// apply to it); taking the write lock first makes concurrent writers wait their turn.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteConnection(db))
                    return .commit
                }
                guard let result else { throw StoreError.corrupt("transaction ended without a result") }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotWrite(path: name, reason: Self.reason(error))
        }
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            return try queue.read { try body(SQLiteConnection($0)) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.mapOpen(error, path: name)
        }
    }

    /// Moves the write-ahead log into the file and empties it (tests measure the file's growth).
    func checkpoint() throws {
        try queue.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
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

/// A GRDB `Database` inside one of ``SQLiteBackend``'s transactions.
final class SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    init(_ db: Database) { self.db = db }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        try Self.bind(arguments, to: handle, db: db)
        let rc = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        return db.changesCount
    }

    func executeScript(_ sql: String) throws {
        try db.execute(sql: sql)
    }

    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> any SQLRows {
        try SQLiteRows(db, table: table, sql: sql, arguments: arguments)
    }

    /// One prepared statement stepped per row, binding with SQLite's C API: the store's hot path
    /// (a 64-VF host is some 300 rows).
    func insertRows(table: String, columns: [String], prefix: [SQLValue], rows: [[SQLValue]], onConflict: SQLConflict) throws {
        guard !rows.isEmpty else { return }
        let verb = switch onConflict {
        case .fail: "INSERT"
        case .ignore: "INSERT OR IGNORE"
        case .replace: "INSERT OR REPLACE"
        }
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
        let statement = try db.cachedStatement(sql: "\(verb) INTO \(table) (\(columns.joined(separator: ","))) VALUES (\(placeholders))")
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for row in rows {
            sqlite3_reset(handle)
            try Self.bind(prefix + row, to: handle, db: db)
            let rc = sqlite3_step(handle)
            guard rc == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "\(table): \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
            }
        }
    }

    func insertReturningID(table: String, columns: [String], values: [SQLValue]) throws -> Int64 {
        try insertRows(table: table, columns: columns, prefix: [], rows: [values])
        return db.lastInsertedRowID
    }

    func insertTree(table: String, columns: [String], values: [SQLValue], children: [SQLChildRows], parentKey: String) throws -> Int64 {
        try insertTreeInSteps(table: table, columns: columns, values: values, children: children, parentKey: parentKey)
    }

    func tableExists(_ name: String) throws -> Bool {
        try db.tableExists(name)
    }

    /// Binds `values` to `?1`… of the statement; values past the statement's last parameter are
    /// left out (statements of one step may use fewer of a shared argument list, as
    /// ``SQLDialect/observationAndLatest()``'s do).
    static func bind(_ values: [SQLValue], to handle: SQLiteStatement, db: Database) throws {
        var index: Int32 = 1
        for value in values.prefix(Int(sqlite3_bind_parameter_count(handle))) {
            let rc: Int32 = switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .int(let v): sqlite3_bind_int64(handle, index, v)
            case .text(let s): sqlite3_bind_text(handle, index, s, -1, sqliteTransient)
            case .blob(let bytes) where bytes.isEmpty: sqlite3_bind_zeroblob(handle, index, 0)
            case .blob(let bytes): bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
            }
            guard rc == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            index += 1
        }
    }
}

/// SQLITE_TRANSIENT: SQLite copies the bound text before the Swift string goes away.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The folder part of a path ("" for a bare file name).
func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return String(path[..<slash])
}
