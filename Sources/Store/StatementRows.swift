import GRDB
import GRDBSQLite
import Inventory
#if canImport(Glibc)
import Glibc
#endif

/// The rows of one query, read straight from SQLite's C API by column position.
///
/// Why not GRDB's `Row`: a fleet audit reads millions of rows back into snapshots, and going
/// through `Row` and `DatabaseValue` for every value cost several times SQLite's own stepping.
/// Why the last-value cache: consecutive rows repeat vendors, drivers, names and MACs' owners, and
/// handing back the String already built for the same bytes saves building it again.
/// A value of the wrong type or a NULL where the schema forbids one is reported with its table and
/// column, never read as something else.
final class StatementRows {
    let columns: ColumnMap
    private let statement: Statement
    private let handle: SQLiteStatement
    /// The last String each column produced (a fixed buffer: one per column, for the query's life).
    private let lastText: UnsafeMutableBufferPointer<String?>

    init(_ db: Database, table: String, sql: String, arguments: StatementArguments = []) throws {
        statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        handle = statement.sqliteStatement
        columns = ColumnMap(table: table, names: statement.columnNames)
        lastText = .allocate(capacity: statement.columnCount)
        lastText.initialize(repeating: nil)
    }

    deinit {
        lastText.deinitialize()
        lastText.deallocate()
    }

    /// Moves to the next row; false after the last.
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

    func string(_ column: Int) throws -> String {
        guard let value = text(column) else { throw missing(column) }
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

    func int(_ column: Int) throws -> Int? {
        try int64(column).map { Int(truncatingIfNeeded: $0) }
    }

    func requiredInt(_ column: Int) throws -> Int {
        guard let value = try int(column) else { throw missing(column) }
        return value
    }

    func bool(_ column: Int) throws -> Bool? {
        try int64(column).map { $0 != 0 }
    }

    func requiredBool(_ column: Int) throws -> Bool {
        guard let value = try bool(column) else { throw missing(column) }
        return value
    }

    /// A blob column's bytes; nil for NULL.
    func blob(_ column: Int) -> [UInt8]? {
        let c = Int32(column)
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, c))
        guard count > 0, let pointer = sqlite3_column_blob(handle, c) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count).bindMemory(to: UInt8.self))
    }

    /// A PCI address column, parsed from its bytes without building a String first.
    func address(_ column: Int) throws -> PCIAddress? {
        guard let bytes = bytes(column) else { return nil }
        guard let value = PCIAddress(utf8: bytes) else {
            throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) holds \"\(String(decoding: bytes, as: UTF8.self))\", not a PCI address")
        }
        return value
    }

    func requiredAddress(_ column: Int) throws -> PCIAddress {
        guard let value = try address(column) else { throw missing(column) }
        return value
    }

    /// A space-separated list column (interface names, IOMMU units); empty for "" .
    func list(_ column: Int) throws -> [String] {
        guard let bytes = bytes(column) else { throw missing(column) }
        return bytes.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A space-separated list of PCI addresses (IOMMU group members, parent bridges).
    func addressList(_ column: Int) throws -> [PCIAddress] {
        guard let bytes = bytes(column) else { throw missing(column) }
        return try bytes.split(separator: UInt8(ascii: " ")).map { word in
            guard let value = PCIAddress(utf8: UnsafeBufferPointer(rebasing: word)) else {
                throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) lists \"\(String(decoding: word, as: UTF8.self))\", not a PCI address")
            }
            return value
        }
    }

    private func missing(_ column: Int) -> StoreError {
        .corrupt("\(columns.table).\(columns.name(at: column)) is NULL where a value is required")
    }
}
