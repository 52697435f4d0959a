import NIOCore
import PostgresNIO

/// A PostgreSQL connection inside one of ``PostgresBackend``'s transactions.
final class PostgresSession: SQLConnection {
    private let backend: PostgresBackend
    private let connection: PostgresConnection
    var dialect: SQLDialect { .postgres }

    init(backend: PostgresBackend, connection: PostgresConnection) {
        self.backend = backend
        self.connection = connection
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try backend.run(connection, sql, arguments).metadata.rows ?? 0
    }

    func executeScript(_ sql: String) throws {
        try backend.script(connection, sql)
    }

    func query(_ sql: String, _ arguments: [SQLValue], table: String) throws -> any SQLRows {
        PostgresRows(try backend.run(connection, sql, arguments).rows, table: table)
    }

    /// One statement per call whatever the number of rows: each column travels as one typed
    /// array and UNNEST zips them back into rows on the server.
    func insertRows(table: String, columns: [String], prefix: [SQLValue], rows: [[SQLValue]], onConflict: SQLConflict) throws {
        guard !rows.isEmpty else { return }
        let conflict: String = switch onConflict {
        case .fail: ""
        case .ignore: " ON CONFLICT DO NOTHING"
        case .replace(let key):
            " ON CONFLICT (\(key.joined(separator: ","))) DO UPDATE SET "
                + columns.filter { !key.contains($0) }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        }
        if rows.count == 1 {
            let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ",")
            _ = try backend.run(connection, "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES (\(placeholders))\(conflict)",
                                prefix + rows[0])
            return
        }
        var arguments: [PostgresArgument] = []
        let source = try unnest(table: table, columns: columns, rows: rows.map { prefix + $0 }, into: &arguments)
        _ = try backend.run(connection, "INSERT INTO \(table) (\(columns.joined(separator: ","))) SELECT * FROM \(source)\(conflict)", arguments)
    }

    func insertReturningID(table: String, columns: [String], values: [SQLValue]) throws -> Int64 {
        let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ",")
        return try returnedID(table, try backend.run(connection, "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES (\(placeholders)) RETURNING id",
                                                     values))
    }

    /// One statement: the parent inserted in a data-modifying WITH, each child table an UNNEST
    /// of typed arrays joined to the parent's new id — a snapshot and its some 550 rows in one
    /// round trip.
    func insertTree(table: String, columns: [String], values: [SQLValue], children: [SQLChildRows], parentKey: String) throws -> Int64 {
        var arguments = values.map(PostgresArgument.value)
        let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ",")
        var sql = "WITH parent AS (INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES (\(placeholders)) RETURNING id)"
        for (n, child) in children.enumerated() where !child.rows.isEmpty {
            let source = try unnest(table: child.table, columns: child.columns, rows: child.rows, into: &arguments)
            sql += ", c\(n) AS (INSERT INTO \(child.table) (\(parentKey),\(child.columns.joined(separator: ",")))"
                + " SELECT parent.id, u.* FROM parent, \(source) AS u)"
        }
        return try returnedID(table, try backend.run(connection, sql + " SELECT id FROM parent", arguments))
    }

    /// `unnest($n::type[], …)` over `rows`, one array parameter per column (typed as the
    /// column is declared), appended to `arguments`.
    private func unnest(table: String, columns: [String], rows: [[SQLValue]], into arguments: inout [PostgresArgument]) throws -> String {
        let types = try backend.columnTypes(connection, table: table)
        var casts: [String] = []
        for (index, column) in columns.enumerated() {
            guard let type = types[column] else { throw StoreError.corrupt("table \(table) has no column \(column)") }
            var array = try PostgresArrayParameter(element: type)
            array.values = rows.map { index < $0.count ? $0[index] : .null }
            arguments.append(.array(array))
            casts.append("$\(arguments.count)::\(type)[]")
        }
        return "unnest(\(casts.joined(separator: ",")))"
    }

    /// The id an INSERT … RETURNING id gave back.
    private func returnedID(_ table: String, _ result: PostgresQueryResult) throws -> Int64 {
        let rows = PostgresRows(result.rows, table: table)
        guard try rows.next(), let id = try rows.int64(0) else { throw StoreError.corrupt("\(table): an insert returned no id") }
        return id
    }

    func tableExists(_ name: String) throws -> Bool {
        let rows = PostgresRows(try backend.run(connection, "SELECT to_regclass(current_schema() || '.' || ?) IS NOT NULL", [.text(name)]).rows,
                                table: "pg_class")
        return try rows.next() && (try rows.bool(0) ?? false)
    }
}

/// One column of rows as an array parameter, sent in PostgreSQL's binary array form: the server
/// copies the elements instead of parsing a text literal element by element (which cost a
/// 64-VF snapshot some 7 ms of server time).
struct PostgresArrayParameter: PostgresThrowingDynamicTypeEncodable {
    /// The element type: `bigint`, `text` or `bytea`, as the column is declared.
    let element: String
    var values: [SQLValue] = []

    init(element: String) throws {
        guard ["bigint", "text", "bytea"].contains(element) else {
            throw StoreError.corrupt("a column of type \(element), which the schema never declares")
        }
        self.element = element
    }

    var psqlType: PostgresDataType {
        switch element {
        case "bigint": .int8Array
        case "bytea": .byteaArray
        default: .textArray
        }
    }

    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        let elementType: PostgresDataType = switch element {
        case "bigint": .int8
        case "bytea": .bytea
        default: .text
        }
        buffer.writeInteger(Int32(1))  // dimensions
        buffer.writeInteger(Int32(values.contains(.null) ? 1 : 0))  // has NULLs
        buffer.writeInteger(elementType.rawValue)
        buffer.writeInteger(Int32(values.count))  // length of the dimension
        buffer.writeInteger(Int32(1))  // its lower bound
        for value in values {
            switch (value, element) {
            case (.null, _):
                buffer.writeInteger(Int32(-1))
            case (.int(let v), "bigint"):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(v)
            case (.text(let s), "text"):
                buffer.writeInteger(Int32(s.utf8.count))
                buffer.writeString(s)
            case (.blob(let bytes), "bytea"):
                buffer.writeInteger(Int32(bytes.count))
                buffer.writeBytes(bytes)
            case (.int(let v), "text"):
                let s = String(v)
                buffer.writeInteger(Int32(s.utf8.count))
                buffer.writeString(s)
            default:
                throw StoreError.corrupt("a \(value) in a column of type \(element)")
            }
        }
    }
}

/// The rows of one PostgreSQL query, collected, read by position from their binary form.
final class PostgresRows: SQLRows {
    let columns: ColumnMap
    private let rows: [PostgresRow]
    private var index = -1
    private var cells: [PostgresCell] = []

    init(_ rows: [PostgresRow], table: String) {
        self.rows = rows
        if let first = rows.first {
            columns = ColumnMap(table: table, names: first.map(\.columnName))
        } else {
            columns = ColumnMap(table: table, names: [], unknown: true)
        }
    }

    func next() throws -> Bool {
        index += 1
        guard index < rows.count else { return false }
        cells = Array(rows[index])
        return true
    }

    private func cell(_ column: Int) -> PostgresCell? {
        cells.indices.contains(column) ? cells[column] : nil
    }

    func withUTF8<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        guard let bytes = cell(column)?.bytes else { return try body(nil) }
        return try bytes.withUnsafeReadableBytes { raw in try body(raw.bindMemory(to: UInt8.self)) }
    }

    func text(_ column: Int) -> String? {
        guard let bytes = cell(column)?.bytes else { return nil }
        return String(buffer: bytes)
    }

    func int64(_ column: Int) throws -> Int64? {
        guard let cell = cell(column), var bytes = cell.bytes else { return nil }
        if cell.format == .text {
            guard let value = Int64(String(buffer: bytes)) ?? (String(buffer: bytes) == "t" ? 1 : String(buffer: bytes) == "f" ? 0 : nil) else {
                throw wrongType(column, cell)
            }
            return value
        }
        let value: Int64? = switch cell.dataType {
        case .int8: bytes.readInteger(as: Int64.self)
        case .int4: bytes.readInteger(as: Int32.self).map(Int64.init)
        case .int2: bytes.readInteger(as: Int16.self).map(Int64.init)
        case .bool: bytes.readInteger(as: UInt8.self).map { $0 == 0 ? 0 : 1 }
        default: nil
        }
        guard let value else { throw wrongType(column, cell) }
        return value
    }

    func value(_ column: Int) throws -> SQLValue {
        guard let cell = cell(column), cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2, .bool: return .int(try int64(column) ?? 0)
        case .bytea: return .blob(blob(column) ?? [])
        default: return .text(text(column) ?? "")
        }
    }

    func blob(_ column: Int) -> [UInt8]? {
        guard let bytes = cell(column)?.bytes else { return nil }
        return Array(bytes.readableBytesView)
    }

    private func wrongType(_ column: Int, _ cell: PostgresCell) -> StoreError {
        .corrupt("\(columns.table).\(columns.name(at: column)) holds a \(cell.dataType) where an integer belongs")
    }
}
