import Inventory

/// One open connection to the inventory database, inside a read or a write transaction: what
/// every store operation is written against, whichever backend holds the data.
///
/// Why a seam this narrow: the store's SQL is one text for both backends (placeholders `?` and
/// `?N`; the few differences between SQLite and PostgreSQL are ``SQLDialect``'s), so a backend
/// only has to run statements, hand rows back by position and insert many rows fast.
protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs one statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Runs several statements without parameters (a migration's DDL).
    func executeScript(_ sql: String) throws

    /// Runs a query; `table` names what is read in messages about a damaged value.
    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> any SQLRows

    /// Inserts `rows` (each `prefix` + row, in `columns` order) the fastest way the backend has:
    /// one prepared statement stepped per row (SQLite), one UNNEST of arrays (PostgreSQL).
    func insertRows(table: String, columns: [String], prefix: [SQLValue], rows: [[SQLValue]], onConflict: SQLConflict) throws

    /// Inserts one row and returns the id the database gave it.
    func insertReturningID(table: String, columns: [String], values: [SQLValue]) throws -> Int64

    /// Inserts one row and the rows that belong to it, each child row given the new id in
    /// `parentKey`; returns the id. PostgreSQL sends it all as one statement.
    func insertTree(table: String, columns: [String], values: [SQLValue], children: [SQLChildRows], parentKey: String) throws -> Int64

    func tableExists(_ name: String) throws -> Bool
}

/// Rows of one table that belong to a row being inserted (``SQLConnection/insertTree``).
struct SQLChildRows {
    var table: String
    /// The columns of `rows`, without the parent's key.
    var columns: [String]
    var rows: [[SQLValue]]
}

/// What an insert does with a row whose key is already stored.
enum SQLConflict: Equatable {
    /// The statement fails (the transaction is rolled back).
    case fail
    /// The stored row stays; the new one is dropped.
    case ignore
    /// The new row replaces the stored one, found by these key columns.
    case replace(key: [String])
}

extension SQLConnection {
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    func insertRows(table: String, columns: [String], prefix: [SQLValue], rows: [[SQLValue]]) throws {
        try insertRows(table: table, columns: columns, prefix: prefix, rows: rows, onConflict: .fail)
    }

    /// The parent, then each table of children through ``insertRows``.
    func insertTreeInSteps(table: String, columns: [String], values: [SQLValue], children: [SQLChildRows], parentKey: String) throws -> Int64 {
        let id = try insertReturningID(table: table, columns: columns, values: values)
        for child in children where !child.rows.isEmpty {
            try insertRows(table: child.table, columns: [parentKey] + child.columns, prefix: [.int(id)], rows: child.rows)
        }
        return id
    }

    /// Calls `body` for every row of a query.
    func forEach(_ sql: String, _ arguments: [SQLValue] = [], table: String = "query", _ body: (any SQLRows) throws -> Void) throws {
        let rows = try query(sql, arguments, table: table)
        while try rows.next() { try body(rows) }
    }

    /// The rows of a query, each mapped by `body`.
    func all<T>(_ sql: String, _ arguments: [SQLValue] = [], table: String = "query", _ body: (any SQLRows) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEach(sql, arguments, table: table) { result.append(try body($0)) }
        return result
    }

    /// The first row of a query mapped by `body`; nil when there is none.
    func first<T>(_ sql: String, _ arguments: [SQLValue] = [], table: String = "query", _ body: (any SQLRows) throws -> T) throws -> T? {
        let rows = try query(sql, arguments, table: table)
        guard try rows.next() else { return nil }
        return try body(rows)
    }

    /// The first column of the first row as an integer (counts, ids, EXISTS).
    func integer(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? {
        try first(sql, arguments) { try $0.int64(0) } ?? nil
    }
}

/// The rows of one query, read by column position.
///
/// A value of the wrong type or a NULL where the schema forbids one is reported with its table
/// and column, never read as something else.
protocol SQLRows: AnyObject {
    var columns: ColumnMap { get }
    /// Moves to the next row; false after the last.
    func next() throws -> Bool
    /// A text column; nil for NULL.
    func text(_ column: Int) -> String?
    /// An integer column (a PostgreSQL boolean reads as 0 or 1); nil for NULL.
    func int64(_ column: Int) throws -> Int64?
    /// A blob column's bytes; nil for NULL.
    func blob(_ column: Int) -> [UInt8]?
    /// Calls `body` with a text column's UTF-8 bytes (nil for NULL), without building a String.
    func withUTF8<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T
    /// A column's value as it is stored, whatever its type (copying rows between databases).
    func value(_ column: Int) throws -> SQLValue
}

extension SQLRows {
    func string(_ column: Int) throws -> String {
        guard let value = text(column) else { throw missing(column) }
        return value
    }

    func int(_ column: Int) throws -> Int? {
        try int64(column).map { Int(truncatingIfNeeded: $0) }
    }

    func requiredInt(_ column: Int) throws -> Int {
        guard let value = try int(column) else { throw missing(column) }
        return value
    }

    func requiredInt64(_ column: Int) throws -> Int64 {
        guard let value = try int64(column) else { throw missing(column) }
        return value
    }

    func bool(_ column: Int) throws -> Bool? {
        try int64(column).map { $0 != 0 }
    }

    func requiredBool(_ column: Int) throws -> Bool {
        guard let value = try bool(column) else { throw missing(column) }
        return value
    }

    /// A PCI address column, parsed from its bytes without building a String first.
    func address(_ column: Int) throws -> PCIAddress? {
        try withUTF8(column) { bytes in
            guard let bytes else { return nil }
            guard let value = PCIAddress(utf8: bytes) else {
                throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) holds \"\(String(decoding: bytes, as: UTF8.self))\", not a PCI address")
            }
            return value
        }
    }

    func requiredAddress(_ column: Int) throws -> PCIAddress {
        guard let value = try address(column) else { throw missing(column) }
        return value
    }

    /// A space-separated list column (interface names, IOMMU units); empty for "".
    func list(_ column: Int) throws -> [String] {
        try withUTF8(column) { bytes in
            guard let bytes else { throw missing(column) }
            return bytes.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// A space-separated list of PCI addresses (IOMMU group members, parent bridges).
    func addressList(_ column: Int) throws -> [PCIAddress] {
        try withUTF8(column) { bytes in
            guard let bytes else { throw missing(column) }
            return try bytes.split(separator: UInt8(ascii: " ")).map { word in
                guard let value = PCIAddress(utf8: UnsafeBufferPointer(rebasing: word)) else {
                    throw StoreError.corrupt("\(columns.table).\(columns.name(at: column)) lists \"\(String(decoding: word, as: UTF8.self))\", not a PCI address")
                }
                return value
            }
        }
    }

    func missing(_ column: Int) -> StoreError {
        .corrupt("\(columns.table).\(columns.name(at: column)) is NULL where a value is required")
    }
}
