import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Collector
import Inventory
import Report
import Rules
import Store
import Transport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Severity: ExpressibleByArgument {}

/// Where the hosts to audit come from, shared by `audit` and `check-upgrade`.
struct AuditSources: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Audit a capture folder (repeatable).", valueName: "DIR"))
    var root: [String] = []

    @Option(name: .long, help: ArgumentHelp("Audit snapshot JSON made by `collect --format json` (a file, or JSON lines; repeatable).", valueName: "FILE"))
    var snapshot: [String] = []

    @Flag(name: .long, help: "Audit the latest snapshot of every host in the database (implied by --db or --select without --root/--snapshot).")
    var fleet = false

    @Option(name: .customLong("select"), help: ArgumentHelp("With --fleet: only hosts with this label (repeatable).", valueName: "KEY=VALUE"))
    var select: [String] = []

    @OptionGroup var database: StoreOptions
    @OptionGroup var labels: LabelOptions

    /// `--db PATH` alone names a fleet to audit, as `audit --db inventory.db --select site=par1` reads.
    var fromDatabase: Bool { fleet || (root.isEmpty && snapshot.isEmpty && (database.db != nil || !select.isEmpty)) }
    var live: Bool { root.isEmpty && snapshot.isEmpty && !fromDatabase }

    /// The fleet database's hosts to audit: each one's latest snapshot, `--select`ed. An
    /// audit that selects nothing is an error, never a compliant run of zero hosts: a scheduled
    /// audit with a mistyped selector must not report compliance forever.
    func fleetSubjects(_ db: InventoryStore) throws -> [AuditSubject] {
        let selection = try LabelOptions.parse(select, option: "--select")
        let subjects = try db.latestSubjects(matching: selection)
        guard subjects.isEmpty else { return subjects }
        let known = try db.hosts().count
        if known == 0 { throw CLIError("no host to audit: \(db.path) holds no host yet (store some with `collect --store`, `import` or `serve`)") }
        let wanted = selection.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        throw CLIError("no host to audit: none of the \(known) host(s) in \(db.path) has the labels --select \(wanted)")
    }

    /// The report of the chosen hosts: the fleet database's (audited where they are stored,
    /// per-host results kept for the next run) or those given in memory.
    func report(_ builder: ReportBuilder, store storeLive: Bool, progress line: ProgressLine) throws -> AuditReport {
        if fromDatabase {
            let started = ContinuousClock.now
            let db = try database.openForAudit()
            let subjects = try fleetSubjects(db)
            // SRIOV_AUDIT_TIMING=1: where a fleet audit's time goes, phase by phase, on standard error.
            let timing = ProcessInfo.processInfo.environment["SRIOV_AUDIT_TIMING"] == "1"
            if timing { Console.error("timing: open and select \(subjects.count) host(s): \(seconds(since: started)) s\n") }
            return try builder.fleet(store: db, subjects: subjects, workers: ProcessorCount.online,
                                     progress: { line.update($0, of: $1) }) { phase, seconds in
                if timing { Console.error("timing: \(phase): \((seconds * 1000).rounded() / 1000) s\n") }
            }
        }
        var builder = builder
        builder.add(try load(store: storeLive))
        return try builder.finish()
    }

    /// What a planned roll-out would do to the chosen hosts.
    func upgradeImpact(_ plan: UpgradePlan, rules: RuleSet) throws -> UpgradeImpact {
        if fromDatabase {
            let db = try database.openForAudit()
            return try UpgradeImpact.evaluate(plan, rules: rules, store: db, subjects: try fleetSubjects(db))
        }
        return try UpgradeImpact.evaluate(plan, rules: rules, hosts: try load(store: false))
    }

    private func load(store storeLive: Bool) throws -> [AuditHost] {
        let given = try labels.parsed()
        var hosts: [AuditHost] = []
        for dir in root {
            hosts.append(AuditHost(snapshot: try Collector().collectCapture(at: dir), labels: given))
        }
        for file in snapshot {
            hosts += try snapshotDocuments(in: file).map { AuditHost(snapshot: $0, labels: given) }
        }
        if live {
            let snapshot = Collector().collectLive()
            var labels = given
            if storeLive {
                let db = try database.open()
                try db.store(snapshot, labels: given)
                labels = try db.labels(of: snapshot.host.hostname)
            }
            hosts.append(AuditHost(snapshot: snapshot, labels: labels))
        }
        return hosts
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit hosts against a rules file: this host (collected and stored), captures, snapshot files or the fleet database.",
        discussion: """
            Prints PASS / WARN / FAIL per host and rule, with the device and a reason. With several \
            formats (--format junit,sarif,json,prom,html,md) the reports are written to --out \
            (default reports/): HOST-or-fleet-TIME-RUN.EXT plus latest.EXT, each replaced atomically.
            Exit status: 0 nothing at or above --fail-on failed, 1 something did, 2 usage or input \
            error, 3 the audit passed but a --push could not be delivered (the report is spooled).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The rules file (default: the built-in rules/default.yaml).", valueName: "FILE"))
    var rules: String?

    @OptionGroup var sources: AuditSources

    @Flag(name: .long, help: "When auditing this host, do not store the snapshot in the database.")
    var noStore = false

    @Option(name: .long, help: "Lowest severity that makes the exit status 1 (info, low, medium, high, critical).")
    var failOn: Severity = .high

    @Option(name: .long, help: ArgumentHelp("Formats, comma-separated: table, json, junit, sarif, prom, html, md.", valueName: "LIST"))
    var format: String = "table"

    @Option(name: .long, help: ArgumentHelp("Folder for the report files (default: reports/); `-` prints the one format to standard output.", valueName: "DIR"))
    var out: String?

    @OptionGroup var compliance: ComplianceOptions

    @Option(name: .customLong("keep-runs"), help: ArgumentHelp("Keep the report files of only the newest N runs of this host (or fleet) in --out; latest.* always stays.", valueName: "N"))
    var keepRuns: Int?

    @OptionGroup var pushOptions: PushOptions
    @OptionGroup var color: ColorOption
    @OptionGroup var progress: ProgressOption

    func validate() throws {
        if let keepRuns, keepRuns < 1 { throw ValidationError("--keep-runs wants 1 or more") }
        try compliance.validateOptions()
        let formats = try parsedFormats()
        if out == "-", formats.count != 1 { throw ValidationError("--out - prints one format; got \(formats.count)") }
        if out == "-", compliance.sign != nil { throw ValidationError("--sign signs report files: give a folder with --out, not -") }
    }

    private func parsedFormats() throws -> [ReportFormat] {
        do { return try ReportFormat.parseList(format) } catch { throw ValidationError("--format: \(error)") }
    }

    /// One table or JSON report with no --out goes to standard output, as before; anything else to files.
    private func directory(for formats: [ReportFormat]) -> String? {
        if out == "-" { return nil }
        if out == nil, compliance.sign == nil, formats.count == 1, formats[0] == .table || formats[0] == .json { return nil }
        return out ?? "reports"
    }

    func run() throws {
        let formats = try parsedFormats()
        let directory = directory(for: formats)
        let signer = try compliance.signer()  // a bad key fails before the audit, not after it
        if !pushOptions.push.isEmpty || pushOptions.spool != nil { pushOptions.flushEarlierRuns(database: sources.database) }
        let report: AuditReport
        do {
            let (ruleSet, source) = try loadRules(rules)
            var builder = ReportBuilder(rules: ruleSet, rulesSource: source, failOn: failOn)
            try compliance.applyWaivers(to: &builder)
            report = try progress.showing("audit", unit: "hosts checked") { line in
                try sources.report(builder, store: !noStore, progress: line)
            }
        } catch {
            // node_exporter should see a run that could not audit, not the last good one's metrics.
            if formats.contains(.prom), let directory {
                try? AtomicFile.makeDirectories(directory)
                try? AtomicFile.write(PrometheusText.failedRun(at: Date()), to: directory + "/latest.prom")
            }
            throw error
        }

        // The JSON a push sends is rendered once, and the JSON report file or output is that same text.
        let pushedJSON = pushOptions.push.isEmpty ? nil : try AuditJSON.render(report)
        // A report folder that cannot be written must not also cost the push: remember, push, then fail.
        var writeFailure: (any Error)?
        // The table printed to standard output carries them itself; every other output is for files or machines.
        if directory != nil || formats[0] != .table {
            for warning in AuditText.waiverWarnings(report) { Console.error("warning: \(warning)\n") }
        }
        if let directory {
            Console.out(AuditText.summary(report, style: color.style) + "\n")
            do {
                let written = try ReportDirectory(path: directory).write(report, formats: formats, renderedJSON: pushedJSON)
                for path in written where !path.contains("/latest.") || path.hasSuffix("/latest.prom") {
                    Console.out("wrote \(path)\n")
                }
                if let signer {
                    let manifest = try signer.sign(report, files: written.filter { !$0.contains("/latest.") }, directory: directory,
                                                   prometheus: formats.contains(.prom))
                    Console.out("signed \(manifest.files.count) report file(s); evidence manifest \(manifest.path)\n")
                }
                if let keepRuns {
                    let removed = try ReportDirectory(path: directory).prune(subject: report.subject, keep: keepRuns)
                    if !removed.isEmpty { Console.out("removed \(removed.count) report file(s) of older runs (--keep-runs \(keepRuns))\n") }
                }
            } catch {
                writeFailure = error
            }
        } else if formats[0] == .json {
            let started = ContinuousClock.now
            if let pushedJSON { Console.out(pushedJSON) } else { try AuditJSON.write(report, to: Console.out) }
            if ProcessInfo.processInfo.environment["SRIOV_AUDIT_TIMING"] == "1" { Console.error("timing: write the JSON report: \(seconds(since: started)) s\n") }
        } else if formats[0] == .table {
            Console.out(AuditText.render(report, style: color.style))
        } else {
            Console.out(try ReportDirectory.text(report, as: formats[0]))
        }

        var delivered = true
        if let pushedJSON {
            let body = Array(pushedJSON.utf8)
            delivered = try pushOptions.deliver(Payload(body: body, idempotencyKey: report.runId, kind: "audit-report"), database: sources.database)
        }
        if let writeFailure { throw writeFailure }
        if !report.summary.compliant { throw ExitCode(1) }
        if !delivered { throw ExitCode(3) }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Work with rules files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a rules file; every mistake is printed as FILE:LINE:COL: message.")

        @Argument(help: "The rules file (default: the built-in rules).") var file: String?

        @Option(name: .long, help: ArgumentHelp("Also validate a waivers file against these rules.", valueName: "FILE"))
        var waivers: String?

        @Option(name: .customLong("max-waiver-days"), help: ArgumentHelp("A waiver may expire at most this many days ahead.", valueName: "DAYS"))
        var maxWaiverDays: Int = WaiverFileParser.defaultMaxDaysAhead

        func run() throws {
            let (set, _) = try loadRules(file)
            Console.out("\(file ?? "built-in rules"): \(set.rules.count) rule(s), OK\n")
            guard let waivers else { return }
            let today = CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970)
            let (waiverSet, _) = try loadWaivers(waivers, today: today, maxDays: maxWaiverDays)
            // A waiver naming no rule of this file would never match: say so with the likely one.
            let ids = set.rules.map(\.id)
            var unknown = 0
            for w in waiverSet.waivers {
                for pattern in w.unmatchedRulePatterns(among: ids) {
                    unknown += 1
                    Console.error("\(waivers):\(w.position.line):\(w.position.column): warning: waiver \(w.id) names `\(pattern)`, which matches no rule of \(file ?? "the built-in rules")\(Suggestion.phrase(for: pattern, among: ids))\n")
                }
            }
            let expired = waiverSet.waivers.filter { !$0.isActive(on: today) }.count
            Console.out("\(waivers): \(waiverSet.waivers.count) waiver(s), \(expired) expired, OK\n")
        }
    }
}

/// The rules file at `path`, or the built-in defaults, with the bytes it was parsed from (reports carry their hash).
func loadRules(_ path: String?) throws -> (RuleSet, [UInt8]) {
    guard let path else { return (try DefaultRules.ruleSet(), Array(DefaultRules.yaml.utf8)) }
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the rules file \(path)") }
    return (try RuleFileParser.parse(String(decoding: data, as: UTF8.self), path: path), [UInt8](data))
}

struct CheckUpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-upgrade",
        abstract: "List the hosts a planned firmware/driver/kernel roll-out would make non-compliant. Nothing on any host changes.",
        discussion: "Exit status: 0 no host would fail at or above --fail-on, 1 some would, 2 usage or input error."
    )

    @Option(name: .long, help: ArgumentHelp("The NIC model: VENDOR:DEVICE (15b3:101d), with :SUBVENDOR:SUBDEVICE, or a glob on its name.", valueName: "SELECTOR"))
    var model: String

    @Option(name: .long, help: "The planned firmware version, as ethtool -i will report it.") var firmware: String?
    @Option(name: .long, help: "The planned driver version.") var driver: String?
    @Option(name: .long, help: "The planned kernel release (in-tree drivers report it as their version).") var kernel: String?
    @Option(name: .long, help: ArgumentHelp("The rules file (default: the built-in rules).", valueName: "FILE")) var rules: String?
    @OptionGroup var sources: AuditSources
    @Option(name: .long, help: "Lowest severity that counts as non-compliant.") var failOn: Severity = .high
    @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table
    @OptionGroup var color: ColorOption

    func validate() throws {
        guard firmware != nil || driver != nil || kernel != nil else {
            throw ValidationError("say what the roll-out installs: --firmware, --driver and/or --kernel")
        }
    }

    func run() throws {
        let plan = UpgradePlan(model: model, firmware: firmware, driver: driver, kernel: kernel)
        let impact = try sources.upgradeImpact(plan, rules: try loadRules(rules).0)
        if format == .json {
            Console.out(try jsonText(impact))
        } else {
            Console.out(AuditText.upgrade(impact, plan: plan, failOn: failOn, style: color.style))
        }
        if impact.hosts.contains(where: { $0.newFindings.contains { $0.severity >= failOn } }) { throw ExitCode(1) }
    }
}

/// The processors this process may run on, for sizing worker pools (at least 1).
enum ProcessorCount {
    static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

/// The snapshots in a file `collect --format json` wrote (one pretty document) or JSON lines (one
/// compact document a line); a document that is not a snapshot is named by file and line.
func snapshotDocuments(in file: String) throws -> [HostSnapshot] {
    guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
    let bytes = [UInt8](data)
    let documents = bytes.first == UInt8(ascii: "{") && bytes.dropFirst().first == 0x0a ? [bytes[...]] : bytes.split(separator: 0x0a)
    var snapshots: [HostSnapshot] = []
    for (n, document) in documents.enumerated() where !document.allSatisfy({ $0 == 0x20 || $0 == 0x0d }) {
        do {
            snapshots.append(try HostSnapshot(jsonBytes: Array(document)))
        } catch {
            throw CLIError("\(file)\(documents.count > 1 ? ":\(n + 1)" : ""): not a snapshot: \(error)")
        }
    }
    return snapshots
}

/// Seconds since `start`, to the millisecond.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = (ContinuousClock.now - start).components
    return ((Double(d.seconds) + Double(d.attoseconds) / 1e18) * 1000).rounded() / 1000
}
