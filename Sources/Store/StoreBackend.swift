/// Where the inventory lives: an SQLite file or a PostgreSQL database. The store's operations
/// are written once, against ``SQLConnection``; a backend opens transactions and maps its
/// errors to ``StoreError`` naming the database (a URL's password masked).
protocol StoreBackend: AnyObject, Sendable {
    /// The database for messages: the file path, or the URL with its password masked.
    var name: String { get }
    var dialect: SQLDialect { get }

    /// Runs `body` in one write transaction: all of it is committed or none. A transaction that
    /// lost a race with another writer (PostgreSQL's serialization failures, deadlocks, a key
    /// another transaction inserted first) is run again from the start.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T

    /// Runs `body` in one read transaction: every query sees the same committed state.
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
}
