#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Collector
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory
import Report
import Store
import Transport

enum SnapshotFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect this host's SR-IOV inventory (or a capture folder's) and print it.",
        discussion: """
            Read-only: nothing under /sys or /proc is written. Problems (unreadable files, malformed \
            values, VFs that vanish mid-scan) are printed as warnings and kept in the snapshot.
            Who uses each VF is read too (libvirt guests, Kubernetes pods through the device plugin, \
            Nova and Neutron, os-net-config, nmstate and NetworkManager, huge pages for DPDK): the \
            table then has an OWNER column and a Consumers section.
            The data plane is read as well: offload features and link duplex per netdev, traffic \
            counters (per netdev and per VF, an observation that never makes a new snapshot), and \
            devlink's eswitch mode and running/stored versions (a flashed firmware waiting for a reset).
            With --push URL the snapshot JSON is POSTed to a central receiver; what cannot be \
            delivered is spooled and re-sent by `push --flush` or the next run with --push.
            Exit status: 0 collected (even with warnings), 2 usage or input error, 3 collected but \
            a push was not delivered (spooled).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Read a capture folder instead of the live host.", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: "Use this hostname instead of the one found on the host or in the capture.")
    var host: String?

    @Option(name: .long, help: "Output format: table (default) or json (the snapshot).")
    var format: SnapshotFormat = .table

    @Option(name: .customLong("pci-ids"), help: ArgumentHelp("A pci.ids file other than libpci's default.", valueName: "FILE"))
    var pciIDs: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the output to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Store the snapshot in the inventory database (implied by --db).")
    var store = false

    @OptionGroup var database: StoreOptions
    @OptionGroup var labels: LabelOptions
    @OptionGroup var pushOptions: PushOptions

    func run() throws {
        if !pushOptions.push.isEmpty || pushOptions.spool != nil { pushOptions.flushEarlierRuns(database: database) }
        let collector = Collector(options: .init(hostname: host, pciIDsPath: pciIDs))
        let snapshot: HostSnapshot
        if let root {
            snapshot = try collector.collectCapture(at: root)
        } else {
            snapshot = collector.collectLive()
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

/// Writes `text` to a file (atomically) or to standard output.
func emit(_ text: String, to path: String?) throws {
    guard let path else {
        Console.out(text)
        return
    }
    try AtomicFile.write(text, to: path)
}

/// An error the CLI reports as `sriov-audit: error: MESSAGE` with exit status 2.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
