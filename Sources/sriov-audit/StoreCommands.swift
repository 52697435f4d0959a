import ArgumentParser
import Inventory
import Report
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load snapshot JSON made with `collect --format json` on other hosts into the database.",
        discussion: """
            SOURCE is a file (one snapshot, or JSON lines: one compact snapshot per line), a folder of \
            .json/.jsonl files, or - for standard input. Importing the same snapshot twice stores it once. \
            A broken or hostile document is rejected with its reason; the rest is still imported.
            Exit status: 0 all imported, 1 some documents were rejected, 2 usage or database error.
            """
    )

    @Argument(help: ArgumentHelp("File, folder, or - for standard input.", valueName: "SOURCE"))
    var source: String

    @OptionGroup var store: StoreOptions
    @OptionGroup var labels: LabelOptions

    @Option(name: .long, help: "Output format: table or json.")
    var format: SnapshotFormat = .table

    @OptionGroup var progress: ProgressOption

    func run() throws {
        var importer = SnapshotImporter(store: try store.open(), labels: try labels.parsed())
        let report = try progress.showing("import", unit: "snapshots") { line in
            // The total is estimated from the bytes read until the whole input is read.
            importer.progress = { line.update($0.documents, of: $0.estimatedTotal, approximate: $0.bytesRead < ($0.totalBytes ?? 0)) }
            return try importer.importSnapshots(from: source)
        }
        Console.out(format == .json ? try jsonText(report) : StoreText.importReport(report))
        if !report.rejected.isEmpty { throw ExitCode(1) }
    }
}

struct HostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts", abstract: "List the hosts in the database: labels, last seen, PF/VF counts.")

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("select"), help: ArgumentHelp("Only hosts with this label (repeatable).", valueName: "KEY=VALUE"))
    var select: [String] = []

    @Option(name: .long, help: "Output format: table or json.")
    var format: SnapshotFormat = .table

    func run() throws {
        let hosts = try store.open(readOnly: true).hosts(matching: try LabelOptions.parse(select, option: "--select"))
        Console.out(format == .json ? try jsonText(hosts) : StoreText.hosts(hosts))
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List the distinct snapshots of a host over time.")

    @Argument(help: "The host name.") var host: String
    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table
    @Flag(name: .long, help: "Under the table, what changed at each snapshot since the one before, as `diff` says it (a VF now used by a guest, firmware, VLANs, ...).")
    var changes = false

    @OptionGroup var policy: PolicyOptions

    func validate() throws {
        try policy.validatePolicy()
        if changes, policy.compliance { throw ValidationError("--changes and --compliance are two views; pick one") }
    }

    func run() throws {
        let db = try store.open(readOnly: true)
        if policy.compliance {
            let snapshots = try db.contentTimeline(of: host).map { span in (at: span.from, snapshot: try db.snapshot(of: host, at: span.from)) }
            let timeline = try policy.timeline(host: host, snapshots: snapshots, labels: try db.labels(of: host))
            Console.out(format == .json ? try jsonText(timeline) : timeline.text())
        } else if changes {
            let history = try db.historyWithChanges(of: host)
            Console.out(format == .json ? try jsonText(history) : StoreText.history(host, history))
        } else {
            let entries = try db.history(of: host)
            Console.out(format == .json ? try jsonText(entries) : StoreText.history(host, entries))
        }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a stored snapshot of a host, in the same forms as `collect`.")

    @Argument(help: "The host name.") var host: String
    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The snapshot as collected at or before this time (default: the latest).", valueName: "TIME"))
    var at: String?

    @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table

    func run() throws {
        let time = try at.map { try parseTime($0, option: "--at") }
        let snapshot = try store.open(readOnly: true).snapshot(of: host, at: time)
        if format == .json {
            SnapshotJSONWriter.write(snapshot) { Console.out(bytes: $0) }
        } else {
            Console.out(SnapshotText.render(snapshot))
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed on a host between two snapshots (devices matched by PCI address).",
        discussion: "Without --from: the snapshot before the one at --to (default: the latest)."
    )

    @Argument(help: "The host name.") var host: String
    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: ArgumentHelp("Compare from the snapshot at or before this time.", valueName: "TIME")) var from: String?
    @Option(name: .long, help: ArgumentHelp("Compare to the snapshot at or before this time.", valueName: "TIME")) var to: String?
    @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table

    @OptionGroup var policy: PolicyOptions

    struct Output: Encodable {
        var host: String
        var from: Date
        var to: Date
        var changes: [Change]
    }

    func validate() throws {
        try policy.validatePolicy()
    }

    func run() throws {
        let db = try store.open(readOnly: true)
        let toTime = try to.map { try parseTime($0, option: "--to") }
        var (older, newer) = try db.driftPair(of: host, to: toTime)
        if let from { older = try db.snapshot(of: host, at: try parseTime(from, option: "--from")) }
        if policy.compliance {
            let timeline = try policy.timeline(host: host, snapshots: [(older.collectedAt, older), (newer.collectedAt, newer)], labels: try db.labels(of: host))
            Console.out(format == .json ? try jsonText(timeline) : StoreText.complianceDiff(timeline))
            return
        }
        let changes = SnapshotDiff.changes(from: older, to: newer)
        if format == .json {
            Console.out(try jsonText(Output(host: host, from: older.collectedAt, to: newer.collectedAt, changes: changes)))
        } else {
            Console.out(StoreText.diff(host, from: older, to: newer, changes))
        }
    }
}

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Remove old snapshots, keeping the latest of every host whatever its age.")

    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "Keep what was collected in the last N days.") var keepDays: Int

    func validate() throws {
        guard keepDays >= 0 else { throw ValidationError("--keep-days must be 0 or more") }
    }

    @OptionGroup var progress: ProgressOption

    func run() throws {
        let result = try progress.showing("prune", unit: "snapshots removed") { line in
            try store.open().prune(keepDays: keepDays) { line.update($0, of: $1) }
        }
        Console.out("pruned \(result.observationsRemoved) observation(s) and \(result.snapshotsRemoved) snapshot(s) older than \(keepDays) day(s)\n")
    }
}

/// Pretty, sorted JSON for any result.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try HostSnapshot.makeEncoder().encode(value), as: UTF8.self) + "\n"
}
