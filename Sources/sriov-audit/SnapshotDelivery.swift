import ArgumentParser
import Inventory
import Report
import Store
import Transport

/// What `collect` and `import-esxi` do with a snapshot once they have it — print or write it,
/// store it, push it — and the options that say so. One place, so an imported ESXi host is
/// stored and shipped exactly as a collected Linux host is.
struct SnapshotDelivery: ParsableArguments {
    @Option(name: .long, help: "Output format: table (default) or json (the snapshot).")
    var format: SnapshotFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the output to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Store the snapshot in the inventory database (implied by --db).")
    var store = false

    @OptionGroup var database: StoreOptions
    @OptionGroup var labels: LabelOptions
    @OptionGroup var pushOptions: PushOptions

    /// Re-sends what earlier runs spooled, before this run's snapshot is made.
    func flushEarlierRuns() {
        if !pushOptions.push.isEmpty || pushOptions.spool != nil { pushOptions.flushEarlierRuns(database: database) }
    }

    func deliver(_ snapshot: HostSnapshot) throws {
        // What is stored or pushed must be a snapshot the store and the server take (a host name
        // that can be a key and a file name): refused here, before anything is printed or written,
        // as `import` and the server refuse it.
        if store || database.db != nil || !pushOptions.push.isEmpty, let why = SnapshotValidator.check(snapshot) {
            throw CLIError(why)
        }
        switch format {
        case .table:
            try emit(SnapshotText.render(snapshot), to: output)
        case .json:
            // Streamed: the document is never held whole on its way to standard output.
            if let output {
                try AtomicFile.write(bytes: SnapshotJSONWriter.encode(snapshot) + [0x0a], to: output)
            } else {
                SnapshotJSONWriter.write(snapshot) { Console.out(bytes: $0) }
            }
        }
        if store || database.db != nil {
            let outcome = try database.open().store(snapshot, labels: try labels.parsed())
            let what = switch outcome {
            case .new(let id): "stored as new snapshot \(id)"
            case .unchanged(let id): "unchanged since snapshot \(id); recorded as seen again"
            case .duplicate(let id): "already stored as snapshot \(id)"
            }
            Console.error("sriov-audit: \(snapshot.host.hostname) \(what) in \(database.path)\n")
        } else if !labels.labels.isEmpty {
            throw CLIError("--label only applies when storing (--store or --db)")
        }
        if format == .json, !snapshot.warnings.isEmpty {
            Console.error("sriov-audit: \(snapshot.warnings.count) collection warning(s); see \"warnings\" in the snapshot\n")
        }
        if !pushOptions.push.isEmpty {
            // The key is the document's digest: a re-send of the same collection is recognisably the same.
            let body = SnapshotJSONWriter.encode(snapshot)
            let payload = Payload(body: body, idempotencyKey: SHA256.hex(body), kind: "snapshot")
            if !(try pushOptions.deliver(payload, database: database)) { throw ExitCode(3) }
        }
    }
}
