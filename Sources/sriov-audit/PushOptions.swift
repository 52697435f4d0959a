import ArgumentParser
import Inventory
import Store
import Transport

/// `--push URL` and how to reach it, shared by `audit`, `collect` and `push --flush`.
struct PushOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.", valueName: "URL"))
    var push: [String] = []

    @Option(name: .customLong("token-file"), help: ArgumentHelp("Read the bearer token from FILE (re-read by every later re-send).", valueName: "FILE"))
    var tokenFile: String?

    @Option(name: .customLong("token-env"), help: ArgumentHelp("Read the bearer token from this environment variable when no --token-file is given.", valueName: "NAME"))
    var tokenEnv: String = "SRIOV_AUDIT_TOKEN"

    @Option(name: .long, help: ArgumentHelp("CA bundle (PEM) to verify the receiver with; default: the system's. Verification is always on.", valueName: "FILE"))
    var cacert: String?

    @Option(name: .long, help: ArgumentHelp("Client certificate (PEM) for mutual TLS.", valueName: "FILE"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("Client private key (PEM) for mutual TLS.", valueName: "FILE"))
    var key: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for a connection.", valueName: "SECONDS"))
    var connectTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("Seconds one attempt may take in all.", valueName: "SECONDS"))
    var timeout: Double = 60

    @Option(name: .long, help: "Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).")
    var retries: Int = 4

    @Option(name: .customLong("retry-wait"), help: ArgumentHelp("The first backoff in seconds (doubled per retry).", valueName: "SECONDS"))
    var retryWait: Double = 1

    @Option(name: .customLong("max-retry-wait"), help: ArgumentHelp("The longest single wait, Retry-After included; longer asks spool instead.", valueName: "SECONDS"))
    var maxRetryWait: Double = 120

    @Option(name: .long, help: ArgumentHelp("The spool folder for undelivered payloads (default: `spool` beside the database).", valueName: "DIR"))
    var spool: String?

    func validate() throws {
        guard timeout > 0, connectTimeout > 0 else { throw ValidationError("--timeout and --connect-timeout must be positive") }
        guard retries >= 0, retries <= 20 else { throw ValidationError("--retries must be between 0 and 20") }
        guard retryWait >= 0, maxRetryWait >= 0 else { throw ValidationError("--retry-wait and --max-retry-wait must not be negative") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together (mutual TLS needs both)") }
    }

    func targets() -> [PushTarget] {
        push.map {
            PushTarget(url: $0, caFile: cacert, clientCertificate: cert, clientKey: key, tokenFile: tokenFile,
                       tokenEnvironment: tokenFile == nil ? tokenEnv : nil, connectTimeout: connectTimeout, totalTimeout: timeout)
        }
    }

    func spoolDirectory(database: StoreOptions) -> String {
        if let spool { return spool }
        return database.stateDirectory + "/spool"
    }

    func pusher(database: StoreOptions) -> Pusher {
        Pusher(policy: RetryPolicy(retries: retries, baseDelay: retryWait, maxDelay: maxRetryWait),
               spool: Spool(directory: spoolDirectory(database: database)),
               notify: { Console.error("sriov-audit: \($0)\n") })
    }

    /// Re-sends what earlier runs spooled, before this run adds anything: one attempt per item,
    /// stopping at the first receiver that is still down (this run's own push retries properly).
    func flushEarlierRuns(database: StoreOptions) {
        let pusher = pusher(database: database)
        guard let pending = try? pusher.spool.pending(), !pending.isEmpty else { return }
        do {
            let summary = try pusher.flush(policy: RetryPolicy(retries: 0, baseDelay: 0, maxDelay: maxRetryWait))
            if summary.remaining > 0 {
                Console.error("sriov-audit: \(summary.remaining) earlier payload(s) still spooled in \(pusher.spool.directory)\n")
            }
        } catch {
            Console.error("sriov-audit: warning: could not re-send the spool \(pusher.spool.directory): \(error)\n")
        }
    }

    /// Pushes `payload` to every `--push` URL; returns false when any was not delivered.
    func deliver(_ payload: Payload, database: StoreOptions) throws -> Bool {
        let pusher = pusher(database: database)
        var allDelivered = true
        for target in targets() {
            switch try pusher.push(payload, to: target) {
            case .delivered(let status, let attempts):
                Console.error("sriov-audit: pushed \(payload.kind) \(payload.idempotencyKey) to \(target.displayURL) (HTTP \(status)\(attempts > 1 ? ", after \(attempts) attempts" : ""))\n")
            case .spooled(let item, let reason):
                allDelivered = false
                Console.error("sriov-audit: push to \(target.displayURL) failed: \(reason)\nsriov-audit: spooled as \(pusher.spool.directory)/\(item).body; `sriov-audit push --flush` or the next run re-sends it\n")
            case .rejected(let reason):
                allDelivered = false
                Console.error("sriov-audit: push to \(target.displayURL) refused: \(reason)\nsriov-audit: kept in \(pusher.spool.directory)/rejected (not re-sent)\n")
            }
        }
        return allDelivered
    }
}

/// `sriov-audit push --flush`: re-send the spool; `push --snapshot FILE --push URL`: send saved snapshots.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Re-send payloads that earlier runs could not deliver (the spool), or push saved snapshots.",
        discussion: """
            --flush: each payload goes to the URL it was meant for, with the token source, CA and timeouts \
            given when it was spooled (the token is re-read now). An item leaves the spool only after \
            a 2xx answer. --snapshot FILE --push URL: the snapshots in FILE (`collect --format json` \
            output, or JSON lines, e.g. from hosts that cannot reach the server) are checked and pushed \
            like `collect --push` pushes, undelivered ones spooled. Exit status: 0 all delivered and the \
            spool empty, 3 payloads remain spooled or were refused, 2 usage or input error.
            """
    )

    @Flag(name: .long, help: "Re-send everything spooled.") var flush = false
    @Option(name: .customLong("snapshot"), help: ArgumentHelp("Push the snapshots in FILE (JSON or JSON lines) to every --push URL (repeatable).", valueName: "FILE"))
    var snapshots: [String] = []
    @OptionGroup var pushOptions: PushOptions
    @OptionGroup var database: StoreOptions

    func validate() throws {
        guard flush != !snapshots.isEmpty else { throw ValidationError("say --flush to re-send the spool, or --snapshot FILE --push URL to push saved snapshots") }
        if flush, !pushOptions.push.isEmpty { throw ValidationError("push --flush sends what is spooled; --push URL goes with --snapshot (or audit and collect)") }
        if !snapshots.isEmpty, pushOptions.push.isEmpty { throw ValidationError("--snapshot needs --push URL") }
    }

    func run() throws {
        if !snapshots.isEmpty { return try pushSnapshots() }
        let pusher = pushOptions.pusher(database: database)
        let summary = try pusher.flush()
        if summary.busy {
            Console.error("sriov-audit: another process is flushing \(pusher.spool.directory); \(summary.remaining) item(s) left to it\n")
        }
        Console.out("spool \(pusher.spool.directory): \(summary.delivered) delivered, \(summary.rejected) refused (moved to rejected/), \(summary.remaining) remaining\n")
        if summary.remaining > 0 { throw ExitCode(3) }
    }
}

extension PushCommand {
    /// Every document is checked before anything is sent (a broken file sends nothing), then each
    /// is pushed with its digest as the Idempotency-Key, as `collect --push` sends it.
    func pushSnapshots() throws {
        var payloads: [Payload] = []
        for file in snapshots {
            for (n, snapshot) in try snapshotDocuments(in: file).enumerated() {
                if let why = SnapshotValidator.check(snapshot) { throw CLIError("\(file): snapshot \(n + 1) (\(snapshot.host.hostname)): \(why)") }
                let body = SnapshotJSONWriter.encode(snapshot)
                payloads.append(Payload(body: body, idempotencyKey: SHA256.hex(body), kind: "snapshot"))
            }
        }
        pushOptions.flushEarlierRuns(database: database)
        var undelivered = 0
        for payload in payloads where !(try pushOptions.deliver(payload, database: database)) { undelivered += 1 }
        Console.out("pushed \(payloads.count - undelivered) of \(payloads.count) snapshot(s)\n")
        if undelivered > 0 { throw ExitCode(3) }
    }
}
