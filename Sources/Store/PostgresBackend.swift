import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
#if canImport(Glibc)
import Glibc
#endif

/// A statement's parameter: a value, or a column of rows as an array.
enum PostgresArgument {
    case value(SQLValue)
    case array(PostgresArrayParameter)
}

/// The fleet database: PostgreSQL through postgres-nio, for fleets that outgrow one file and for
/// several ingest servers sharing one database.
///
/// Why one connection, used synchronously: the store's operations are synchronous and each holds
/// one transaction, as with SQLite; a store value is one connection, and the readers that work
/// in parallel open stores of their own. Queries go through postgres-nio's EventLoopFuture
/// interface and are waited for on the caller's thread, never on an event loop, so a caller
/// blocking for its answer cannot starve the loop that brings it.
final class PostgresBackend: StoreBackend, @unchecked Sendable {
    let name: String
    let dialect = SQLDialect.postgres
    private let url: PostgresURL
    private let password: String?
    /// Opened read-only: every write transaction is refused by the server.
    private let readOnly: Bool
    private let logger = Logger(label: "sriov-audit.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var connection: PostgresConnection?
    private var translated: [String: String] = [:]
    private var columnTypes: [String: [String: String]] = [:]

    /// Connects at once, so that a wrong URL, password or TLS setting is reported when the store
    /// is opened, before anything else runs.
    init(url: PostgresURL, password: String?, readOnly: Bool) throws {
        self.url = url
        self.readOnly = readOnly
        self.password = url.password ?? password
        name = url.description
        try lock.withLock { _ = try self.connected() }
    }

    deinit {
        try? connection?.close().wait()
    }

    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try lock.withLock {
            var attempt = 0
            while true {
                do {
                    return try transaction(readOnly ? "BEGIN READ ONLY" : "BEGIN", body)
                } catch let error as PSQLError where Self.isRace(error) && attempt < 20 {
                    // Another transaction won: start again and see what it committed.
                    attempt += 1
                    usleep(useconds_t(UInt32.random(in: 2_000...10_000) * UInt32(min(attempt, 10))))
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError.cannotWrite(path: name, reason: reason(error))
                }
            }
        }
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try lock.withLock {
            do {
                return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.cannotOpen(path: name, reason: reason(error))
            }
        }
    }

    /// Runs `body` between `begin` and COMMIT; on any error the transaction is rolled back (or
    /// the connection dropped, which rolls it back on the server) and the error rethrown.
    private func transaction<T>(_ begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        let connection = try connected()
        let session = PostgresSession(backend: self, connection: connection)
        _ = try run(connection, begin, [SQLValue]())
        do {
            let result = try body(session)
            _ = try run(connection, "COMMIT", [SQLValue]())
            return result
        } catch {
            if (try? run(connection, "ROLLBACK", [SQLValue]())) == nil {
                // The connection is in an unknown state: the next use opens a new one.
                try? connection.close().wait()
                self.connection = nil
            }
            throw error
        }
    }

    /// The open connection, opened again when the server closed it (a restart, a failover).
    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: try tls())
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", url.applicationName ?? "sriov-audit")]
        do {
            let opened = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger).wait()
            connection = opened
            return opened
        } catch {
            throw StoreError.cannotOpen(path: name, reason: reason(error))
        }
    }

    /// TLS as `sslmode` asks, with certificate verification on unless the URL turns it off:
    /// `disable` none; `allow`/`prefer` (the default) TLS when the server offers it, verified;
    /// `require` and `verify-full` TLS or no connection, verified against the host name;
    /// `verify-ca` verified without the host name.
    private func tls() throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if url.sslMode == .verifyCA { tls.certificateVerification = .noHostnameVerification }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw StoreError.cannotOpen(path: name, reason: "cannot set up TLS: \(error)")
        }
        switch url.sslMode {
        case .disable?: return .disable
        case .allow?, .prefer?, nil: return .prefer(context)
        case .require?, .verifyCA?, .verifyFull?: return .require(context)
        }
    }

    // MARK: - running statements (inside `lock`)

    func run(_ connection: PostgresConnection, _ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        try run(connection, sql, arguments.map(PostgresArgument.value))
    }

    func run(_ connection: PostgresConnection, _ sql: String, _ arguments: [PostgresArgument]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .value(.null): bindings.appendNull()
            case .value(.int(let value)): bindings.append(value)
            case .value(.text(let value)): bindings.append(value)
            case .value(.blob(let bytes)): bindings.append(ByteBuffer(bytes: bytes))
            case .array(let array): try bindings.append(array)
            }
        }
        let query = PostgresQuery(unsafeSQL: postgresSQL(sql), binds: bindings)
        return try connection.query(query, logger: logger).wait()
    }

    /// Several statements, one at a time (postgres-nio speaks only the extended protocol, which
    /// takes one statement per message).
    func script(_ connection: PostgresConnection, _ sql: String) throws {
        for statement in SQLDialect.statements(sql) { _ = try run(connection, statement, [SQLValue]()) }
    }

    /// The statement with PostgreSQL's placeholders, translated once per text.
    private func postgresSQL(_ sql: String) -> String {
        if let done = translated[sql] { return done }
        let done = SQLDialect.numberedPlaceholders(sql)
        translated[sql] = done
        return done
    }

    /// Each column's type (`bigint`, `text`, `bytea`), for typed UNNEST arrays; read once per table.
    func columnTypes(_ connection: PostgresConnection, table: String) throws -> [String: String] {
        if let known = columnTypes[table] { return known }
        var types: [String: String] = [:]
        let result = try run(connection, """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ?
            """, [.text(table)])
        for row in result.rows {
            let cells = Array(row)
            guard cells.count == 2, let name = try? cells[0].decode(String.self), let type = try? cells[1].decode(String.self) else { continue }
            types[name] = type
        }
        guard !types.isEmpty else { throw StoreError.corrupt("\(name) has no table \(table)") }
        columnTypes[table] = types
        return types
    }

    // MARK: - errors

    /// A serialization failure, a deadlock or a unique key another transaction inserted first.
    static func isRace(_ error: PSQLError) -> Bool {
        ["40001", "40P01", "23505"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// Why a connection could not be made, in words (NIO's own text nests three errors deep).
    static func connectionProblem(_ underlying: (any Error)?) -> String {
        let detail = underlying.map { "\($0)" } ?? ""
        let lower = detail.lowercased()
        if lower.contains("connection refused") { return "connection refused (is PostgreSQL running and listening there?)" }
        if lower.contains("timeout") || lower.contains("timed out") { return "no answer within 10 s" }
        if lower.contains("resolve") || lower.contains("getaddrinfo") || lower.contains("no such host") { return "the host name does not resolve" }
        if lower.contains("unreachable") { return "the network or host is unreachable" }
        return detail.isEmpty ? "the connection failed" : detail
    }

    /// An error in one line, naming the server and never the password.
    func reason(_ error: any Error) -> String {
        var text: String
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                let state = error.serverInfo?[.sqlState] ?? "?"
                text = (error.serverInfo?[.message] ?? "the server refused") + " (SQLSTATE \(state))"
                if state == "3D000" { text += "; create it first (createdb) or fix the URL" }
                if state == "28P01" || state == "28000" { text += "; check the user and PGPASSWORD or --db-password-file" }
            case .connectionError:
                text = "cannot connect to \(url.host):\(url.port): " + Self.connectionProblem(error.underlying)
            case .sslUnsupported:
                text = "the server does not offer TLS, and sslmode=\(url.sslMode?.rawValue ?? "require") asks for it"
            case .authMechanismRequiresPassword:
                text = "the server asks for a password: set PGPASSWORD or give --db-password-file"
            case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                text = "the connection to \(url.host):\(url.port) was closed" + (error.underlying.map { ": \($0)" } ?? "")
            case .failedToAddSSLHandler:
                text = "TLS could not be set up" + (error.underlying.map { ": \($0)" } ?? "")
            default:
                text = "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
            }
        } else if let error = error as? StoreError {
            text = error.description
        } else {
            text = "\(error)"
        }
        if let password, !password.isEmpty { text = text.replacing(password, with: "****") }
        return text
    }
}
