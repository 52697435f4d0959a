import GRDB
import GRDBSQLite
import Inventory
#if canImport(Glibc)
import Glibc
#endif

/// The rows of one SQLite query, read straight from SQLite's C API by column position.
///
/// Why not GRDB's `Row`: a fleet audit reads millions of rows back into snapshots, and going
/// through `Row` and `DatabaseValue` for every value cost several times SQLite's own stepping.
/// Why the last-value cache: consecutive rows repeat vendors, drivers, names and MACs' owners, and
/// handing back the String already built for the same bytes saves building it again.
final class SQLiteRows: SQLRows {
    let columns: ColumnMap
    private let statement: Statement
    private let handle: SQLiteStatement
    /// The last String each column produced (a fixed buffer: one per column, for the query's life).
    private let lastText: UnsafeMutableBufferPointer<String?>

    init(_ db: Database, table: String, sql: String, arguments: [SQLValue]) throws {
        // A statement of its own, not a cached one: two queries with the same text may be open at once.
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        try SQLiteConnection.bind(arguments, to: handle, db: db)
        columns = ColumnMap(table: table, names: statement.columnNames)
        lastText = .allocate(capacity: statement.columnCount)
        lastText.initialize(repeating: nil)
    }

    deinit {
        lastText.deinitialize()
        lastText.deallocate()
    }

    func next() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
        }
    }

    /// A text column's UTF-8 bytes, valid until the next step; nil for NULL.
    private func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        let c = Int32(column)
        guard let pointer = sqlite3_column_text(handle, c) else { return nil }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, c)))
    }

    func withUTF8<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        try body(bytes(column))
    }

    func text(_ column: Int) -> String? {
        guard let bytes = bytes(column) else { return nil }
        if let last = lastText[column], last.utf8.count == bytes.count,
           last.utf8.withContiguousStorageIfAvailable({ stored in
               guard let base = stored.baseAddress, let new = bytes.baseAddress else { return bytes.isEmpty }
               return memcmp(base, new, bytes.count) == 0
           }) == true {
            return last
        }
        let value = String(decoding: bytes, as: UTF8.self)
        lastText[column] = value
        return value
    }

    func int64(_ column: Int) throws -> Int64? {
        let c = Int32(column)
        switch sqlite3_column_type(handle, c) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return sqlite3_column_int64(handle, c)
        default: throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) holds \(text(column).map { "\"\($0)\"" } ?? "a blob") where an integer belongs")
        }
    }

    func value(_ column: Int) throws -> SQLValue {
        switch sqlite3_column_type(handle, Int32(column)) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .int(sqlite3_column_int64(handle, Int32(column)))
        case SQLITE_TEXT: .text(text(column) ?? "")
        case SQLITE_BLOB: .blob(blob(column) ?? [])
        default: throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) holds a floating-point number, which the schema never stores")
        }
    }

    func blob(_ column: Int) -> [UInt8]? {
        let c = Int32(column)
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, c))
        guard count > 0, let pointer = sqlite3_column_blob(handle, c) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count).bindMemory(to: UInt8.self))
    }
}
