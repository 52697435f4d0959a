#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Report
import Rules
import Store
import Transport

/// Everything `sriov-audit serve` is told on its command line, checked before anything listens.
public struct ServerOptions: Sendable {
    /// The address to listen on and its port (0: any free port, see `portFile`).
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var tls: TLSFiles?
    /// Listening on a non-loopback address without TLS must be asked for by name.
    public var insecureHTTP = false
    /// The inventory database the pushes are stored in (the CLI's `--db`): an SQLite file, or a
    /// PostgreSQL database several servers share.
    public var database: DatabaseLocation
    /// The PostgreSQL password when the URL carries none (`PGPASSWORD`, `--db-password-file`).
    public var databasePassword: String?
    /// The largest request body accepted, compressed or not (`413` beyond).
    public var maxBody = 16 << 20
    /// How long a request body may take to arrive (`408` beyond): a client that stops sending
    /// mid-body cannot hold a connection.
    public var bodyTimeout: Duration = .seconds(30)
    /// Keep-alive connections idle this long are closed.
    public var idleTimeout: Duration = .seconds(75)
    public var maxConnections = 1024
    /// Per-token request rate (token bucket): sustained requests per second and burst.
    public var ratePerSecond: Double = 2
    public var rateBurst: Double = 20
    /// A host not seen for this long counts as stale in `/metrics`.
    public var staleAfter: Duration = .seconds(2 * 3600)
    /// The reports a host pushes about itself: how many are kept per host.
    public var keepHostReports = 50
    /// Reads of the API without a reader token (for a server behind an authenticating proxy).
    public var readWithoutToken = false
    /// A shared secret with which a new host may obtain its own token (`POST /v1/enroll`).
    public var enrollSecret: [UInt8]?
    /// Labels given to hosts that enrol.
    public var enrollLabels: [String: String] = [:]
    /// The scheduled fleet audit; nil: none.
    public var audit: ScheduledAudit?
    /// Written with the bound port once the server listens (for `--listen 127.0.0.1:0`).
    public var portFile: String?

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        /// Clients must present a certificate signed by this CA (mutual TLS).
        public var clientCA: String?

        public init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }
    }

    public struct ScheduledAudit: Sendable {
        public var every: Duration
        public var rules: RuleSet
        /// The rules file's bytes, whose SHA-256 every report carries.
        public var rulesSource: [UInt8]
        public var failOn: Severity
        public var out: String
        public var formats: [ReportFormat]
        /// Report files of the newest N runs are kept in `out`.
        public var keepRuns: Int
        /// Where the fleet report is forwarded (the push machinery: retries, spool).
        public var push: [PushTarget]
        public var pushPolicy: RetryPolicy
        public var spool: String
        /// Accepted risks applied to every run: the file is read again at each run (edits take
        /// effect, expiry is judged on the run's day); a file that no longer parses fails the run.
        public var waivers: String?
        public var maxWaiverDays = WaiverFileParser.defaultMaxDaysAhead
        /// Signs every run's report files and writes its evidence manifest (`audit --sign`).
        public var signer: EvidenceSigner?

        public init(every: Duration, rules: RuleSet, rulesSource: [UInt8], failOn: Severity, out: String, formats: [ReportFormat],
                    keepRuns: Int, push: [PushTarget], pushPolicy: RetryPolicy, spool: String) {
            self.every = every
            self.rules = rules
            self.rulesSource = rulesSource
            self.failOn = failOn
            self.out = out
            self.formats = formats
            self.keepRuns = keepRuns
            self.push = push
            self.pushPolicy = pushPolicy
            self.spool = spool
        }
    }

    /// Options storing into the SQLite file `database`.
    public init(database: String) {
        self.database = .sqlite(path: database)
    }

    public init(database: DatabaseLocation, password: String?) {
        self.database = database
        self.databasePassword = password
    }

    /// Opens the inventory database as the options say.
    func openStore(readOnly: Bool = false) throws -> InventoryStore {
        try InventoryStore(location: database, password: databasePassword, readOnly: readOnly)
    }

    /// `HOST:PORT`, `[V6]:PORT` or `:PORT`.
    public mutating func setListen(_ text: String) throws(ServerError) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .invalidOption("--listen \(text): expected [ADDRESS]:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .invalidOption("--listen \(text): expected HOST:PORT") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { throw .invalidOption("--listen \(text): \(portText) is not a port") }
        self.host = host.isEmpty ? "0.0.0.0" : String(host)
        self.port = port
    }

    /// Loopback addresses: the only ones plain HTTP is allowed on by default.
    public var listensOnLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public func validate() throws(ServerError) {
        if tls == nil, !listensOnLoopbackOnly, !insecureHTTP {
            throw .invalidOption("refusing to listen on \(host) without TLS: tokens and inventories would cross the network in clear text; give --tls-cert and --tls-key, or --insecure-http to accept that")
        }
        if maxBody < 1024 { throw .invalidOption("--max-body \(maxBody) is below 1 KiB") }
        if ratePerSecond <= 0 || rateBurst < 1 { throw .invalidOption("--rate-limit must be positive") }
        if maxConnections < 1 { throw .invalidOption("--max-connections must be at least 1") }
    }
}

/// What the server refuses to start with, or fails at, in words.
public enum ServerError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case cannotStart(String)

    public var description: String {
        switch self {
        case .invalidOption(let why): why
        case .cannotStart(let why): "cannot start the server: \(why)"
        }
    }
}

extension ServerOptions.ScheduledAudit {
    /// The waivers file, parsed against `today`; an unreadable or invalid file is an error that
    /// names it (the run fails rather than audit without the accepted risks, or with stale ones).
    public static func readWaivers(_ path: String, today: CalendarDay, maxDays: Int) throws -> (WaiverSet, [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ServerError.invalidOption("cannot read the waivers file \(path)") }
        let set = try WaiverFileParser.parse(String(decoding: data, as: UTF8.self), path: path, today: today, maxDaysAhead: maxDays)
        return (set, [UInt8](data))
    }
}
