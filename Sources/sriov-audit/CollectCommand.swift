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
            Who uses each VF is read too (libvirt guests, Xen domains' xl configurations, Kubernetes pods through the device plugin, \
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

    @Option(name: .customLong("pci-ids"), help: ArgumentHelp("A pci.ids file other than libpci's default.", valueName: "FILE"))
    var pciIDs: String?

    @OptionGroup var delivery: SnapshotDelivery

    func run() throws {
        delivery.flushEarlierRuns()
        let collector = Collector(options: .init(hostname: host, pciIDsPath: pciIDs))
        let snapshot: HostSnapshot
        if let root {
            snapshot = try collector.collectCapture(at: root)
        } else {
            snapshot = collector.collectLive()
        }
        try delivery.deliver(snapshot)
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
