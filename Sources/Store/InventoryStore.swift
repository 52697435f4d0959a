import Inventory

/// The inventory database: hosts, their snapshots over time, labels.
///
/// One SQLite file (the embedded default) or one PostgreSQL database (a fleet's, shared by
/// several ingest servers), behind the same operations: every snapshot is written in one
/// transaction, so a crash leaves it whole or absent, and the schema is the same on both.
public final class InventoryStore: @unchecked Sendable {
    /// The database for messages: the file path, or the URL with its password masked.
    public let path: String
    public let location: DatabaseLocation
    let backend: any StoreBackend
    /// Kept to open more connections like this one (parallel readers); never shown.
    private let password: String?

    /// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
    public convenience init(path: String, readOnly: Bool = false, factsProgress: (Int, Int) -> Void = { _, _ in }) throws {
        try self.init(location: .sqlite(path: path), readOnly: readOnly, factsProgress: factsProgress)
    }

    /// Opens the database at `location` and brings its schema up to date. `readOnly` opens an
    /// existing database without creating or migrating it. Opened writable, a database from
    /// before audit facts existed gets them derived once, `factsProgress(done, total)` telling
    /// how far that is. `password` is used when a PostgreSQL URL carries none.
    public init(location: DatabaseLocation, password: String? = nil, readOnly: Bool = false,
                factsProgress: (Int, Int) -> Void = { _, _ in }) throws {
        self.location = location
        self.password = password
        switch location {
        case .sqlite(let path): backend = try SQLiteBackend(path: path, readOnly: readOnly)
        case .postgres(let url): backend = try PostgresBackend(url: url, password: password, readOnly: readOnly)
        }
        path = backend.name
        try StoreMigrations.check(backend, migrate: !readOnly)
        if !readOnly { try deriveMissingFacts(progress: factsProgress) }
    }

    /// A private database in memory, gone with the value: audits of capture folders and snapshot
    /// files store their hosts here and are audited exactly as a fleet database is.
    public static func inMemory() throws -> InventoryStore {
        try InventoryStore(backend: SQLiteBackend(inMemory: ()))
    }

    private init(backend: any StoreBackend) throws {
        self.backend = backend
        path = backend.name
        location = .sqlite(path: backend.name)
        password = nil
        try StoreMigrations.check(backend, migrate: true)
    }

    /// Another connection to the same database, read-only (a parallel reader of a fleet audit).
    func openReader() throws -> InventoryStore {
        try InventoryStore(location: location, password: password, readOnly: true)
    }

    /// A write in one transaction; any failure rolls it back and is reported naming the database.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try backend.write(body)
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try backend.read(body)
    }
}
