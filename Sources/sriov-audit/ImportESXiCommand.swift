import ArgumentParser
import Collector
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct ImportESXiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-esxi",
        abstract: "Read a VMware ESXi host's saved esxcli listings into a snapshot (print, store, push).",
        discussion: """
            DIR holds one host's outputs as contrib/esxi/collect.sh saves them: nic-list, \
            sriovnic-list, sriovnic-vf-list-vmnicN, nic-get-vmnicN, hardware-pci-list, \
            vm-process-list, plus hostname, version (`vmware -v`) and collected-at; any \
            `esxcli --formatter` (xml, keyvalue) or the plain table. The snapshot's source is \
            `esxi`: what ESXi does not show (IOMMU state and groups, VF MAC/VLAN/spoof check/trust, \
            VF host driver, supported VF count) stays absent, and audits report those checks as \
            not judged. A file that cannot be read, or holds another command's output, is a warning \
            naming it and its line; the rest is imported.
            Exit status: 0 imported (even with warnings), 2 usage or input error, 3 imported but \
            a push was not delivered (spooled).
            """
    )

    @Argument(help: ArgumentHelp("The folder of one host's saved listings.", valueName: "DIR"))
    var folder: String

    @Option(name: .long, help: "The host's name (required when DIR has no hostname file).")
    var hostname: String?

    @OptionGroup var delivery: SnapshotDelivery

    func run() throws {
        delivery.flushEarlierRuns()
        let snapshot: HostSnapshot
        do {
            snapshot = try ESXiHostImport.snapshot(folder: folder, hostname: hostname, now: Date())
        } catch {
            throw CLIError(error.description)
        }
        try delivery.deliver(snapshot)
    }
}
