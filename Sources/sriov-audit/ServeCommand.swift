import ArgumentParser
import Logging
import Report
import Rules
import Server
import Store
import Transport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `sriov-audit serve`: the fleet server (see ``FleetServer``).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive every host's snapshots and reports, audit the fleet on a schedule, serve the results.",
        discussion: """
            Hosts push with `collect --push https://SERVER/v1/snapshots --token-file F` (a token from \
            `sriov-audit token issue HOST`). The server stores into --db, the same database `hosts`, \
            `history`, `diff` and `audit --db` read. Plain HTTP is only allowed on loopback unless \
            --insecure-http is given. SIGTERM or SIGINT: requests under way finish, then exit 0.
            """
    )

    @OptionGroup var database: StoreOptions

    @Option(name: .long, help: ArgumentHelp("Address and port to listen on; port 0 picks a free one (see --port-file).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Server certificate chain (PEM).", valueName: "FILE")) var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("Server private key (PEM).", valueName: "FILE")) var tlsKey: String?
    @Option(name: .customLong("client-ca"), help: ArgumentHelp("Require client certificates signed by this CA (mutual TLS).", valueName: "FILE"))
    var clientCA: String?
    @Flag(name: .customLong("insecure-http"), help: "Allow plain HTTP on a non-loopback address.") var insecureHTTP = false

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body, also once inflated (bytes, or with K/M/G).", valueName: "SIZE"))
    var maxBody = "16M"
    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Time a request body may take to arrive.", valueName: "DURATION"))
    var bodyTimeout = "30s"
    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close keep-alive connections idle this long.", valueName: "DURATION"))
    var idleTimeout = "75s"
    @Option(name: .customLong("max-connections"), help: "Most connections open at once.") var maxConnections = 1024
    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per second per token, sustained.", valueName: "N")) var rateLimit: Double = 2
    @Option(name: .customLong("rate-burst"), help: ArgumentHelp("Requests per token at once.", valueName: "N")) var rateBurst: Double = 20
    @Option(name: .customLong("stale-after"), help: ArgumentHelp("A host not seen for this long counts as stale in /metrics.", valueName: "DURATION"))
    var staleAfter = "2h"
    @Option(name: .customLong("keep-host-reports"), help: "Reports kept per host (audit --push from the hosts).") var keepHostReports = 50
    @Flag(name: .customLong("read-without-token"), help: "Serve the read API without a reader token (behind an authenticating proxy only).")
    var readWithoutToken = false
    @Option(name: .customLong("enroll-secret-file"), help: ArgumentHelp("Let new hosts obtain a token with this shared secret (POST /v1/enroll).", valueName: "FILE"))
    var enrollSecretFile: String?
    @Option(name: .customLong("enroll-label"), help: ArgumentHelp("Label given to enrolled hosts (repeatable).", valueName: "KEY=VALUE"))
    var enrollLabels: [String] = []
    @Option(name: .customLong("port-file"), help: ArgumentHelp("Write the bound port here once listening.", valueName: "FILE")) var portFile: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    @Option(name: .customLong("audit-every"), help: ArgumentHelp("Audit the fleet this often (e.g. 15m, 1h); none when not given.", valueName: "DURATION"))
    var auditEvery: String?
    @Option(name: .long, help: ArgumentHelp("Rules for the scheduled audit (default: the built-in rules).", valueName: "FILE")) var rules: String?
    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes a scheduled audit non-compliant.") var failOn: Severity = .high
    @Option(name: .long, help: ArgumentHelp("Accepted risks for the scheduled audit (YAML), read again at every run.", valueName: "FILE"))
    var waivers: String?
    @Option(name: .customLong("max-waiver-days"), help: ArgumentHelp("A waiver may expire at most this many days ahead.", valueName: "DAYS"))
    var maxWaiverDays: Int = WaiverFileParser.defaultMaxDaysAhead
    @Option(name: .long, help: ArgumentHelp("Sign every scheduled audit's report files and write its evidence manifest with this Ed25519 private key (PEM, from `keygen`).", valueName: "KEY"))
    var sign: String?
    @Option(name: .long, help: ArgumentHelp("Report folder of the scheduled audit (default: reports/ beside the database).", valueName: "DIR"))
    var out: String?
    @Option(name: .long, help: ArgumentHelp("Formats the scheduled audit writes.", valueName: "LIST")) var format = "json,junit,sarif,prom,html,md"
    @Option(name: .customLong("keep-runs"), help: "Report files of the newest N scheduled audits are kept.") var keepRuns = 48
    @OptionGroup var pushOptions: PushOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if clientCA != nil, tlsCert == nil { throw ValidationError("--client-ca needs TLS (--tls-cert and --tls-key)") }
        if auditEvery == nil, rules != nil || waivers != nil || sign != nil || !pushOptions.push.isEmpty {
            throw ValidationError("--rules, --waivers, --sign and --push belong to the scheduled audit: give --audit-every too")
        }
        if maxWaiverDays < 1 { throw ValidationError("--max-waiver-days wants 1 or more") }
        if keepRuns < 1 || keepHostReports < 1 { throw ValidationError("--keep-runs and --keep-host-reports want 1 or more") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: \(logLevel) is not a level") }
    }

    func run() async throws {
        var options = ServerOptions(database: try database.location, password: try database.password())
        do { try options.setListen(listen) } catch { throw ValidationError(error.description) }
        if let tlsCert, let tlsKey { options.tls = .init(certificate: tlsCert, key: tlsKey, clientCA: clientCA) }
        options.insecureHTTP = insecureHTTP
        options.maxBody = try size(maxBody, "--max-body")
        options.bodyTimeout = try duration(bodyTimeout, "--body-timeout")
        options.idleTimeout = try duration(idleTimeout, "--idle-timeout")
        options.maxConnections = maxConnections
        options.ratePerSecond = rateLimit
        options.rateBurst = rateBurst
        options.staleAfter = try duration(staleAfter, "--stale-after")
        options.keepHostReports = keepHostReports
        options.readWithoutToken = readWithoutToken
        options.portFile = portFile
        if let enrollSecretFile {
            guard let data = FileManager.default.contents(atPath: enrollSecretFile) else { throw CLIError("cannot read the enrolment secret file \(enrollSecretFile)") }
            let secret = Array(String(decoding: data, as: UTF8.self).trimmingWhitespace.utf8)
            guard secret.count >= 16 else { throw CLIError("the enrolment secret in \(enrollSecretFile) is shorter than 16 bytes") }
            options.enrollSecret = secret
            options.enrollLabels = try LabelOptions.parse(enrollLabels, option: "--enroll-label")
        }
        if let auditEvery {
            let (ruleSet, source) = try loadRules(rules)
            let formats: [ReportFormat]
            do { formats = try ReportFormat.parseList(format) } catch { throw ValidationError("--format: \(error)") }
            let besideDatabase = database.stateDirectory
            options.audit = .init(every: try duration(auditEvery, "--audit-every"), rules: ruleSet, rulesSource: source, failOn: failOn,
                                  out: out ?? besideDatabase + "/reports", formats: formats, keepRuns: keepRuns, push: pushOptions.targets(),
                                  pushPolicy: RetryPolicy(retries: pushOptions.retries, baseDelay: pushOptions.retryWait, maxDelay: pushOptions.maxRetryWait),
                                  spool: pushOptions.spoolDirectory(database: database))
            // The key is read (and its mode checked) now: a server that cannot sign does not start.
            options.audit?.signer = try sign.map { try EvidenceSigner(keyPath: $0) }
            if let waivers {
                // Checked now, so that a mistake stops the server at start rather than failing every run.
                _ = try ServerOptions.ScheduledAudit.readWaivers(waivers, today: CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970), maxDays: maxWaiverDays)
                options.audit?.waivers = waivers
                options.audit?.maxWaiverDays = maxWaiverDays
            }
        }
        do { try options.validate() } catch { throw ValidationError(error.description) }
        var logger = Logger(label: "sriov-audit.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        try await FleetServer(options: options, logger: logger).run()
    }

    /// `30s`, `15m`, `2h`, `1d`, or whole seconds.
    private func duration(_ text: String, _ option: String) throws -> Duration {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = text.last.flatMap { units[$0] }
        let number = unit == nil ? text : String(text.dropLast())
        guard let value = Int64(number), value > 0 else { throw ValidationError("\(option) wants a duration like 30s, 15m, 2h or 1d, not \"\(text)\"") }
        return .seconds(value * (unit ?? 1))
    }

    /// Bytes, or with K, M or G (powers of 1024).
    private func size(_ text: String, _ option: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        let unit = upper.last.flatMap { units[$0] }
        guard let value = Int(unit == nil ? upper : String(upper.dropLast())), value > 0 else {
            throw ValidationError("\(option) wants a size like 16M or 1048576, not \"\(text)\"")
        }
        return value * (unit ?? 1)
    }
}
