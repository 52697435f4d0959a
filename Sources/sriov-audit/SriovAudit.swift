import ArgumentParser
import Collector

/// The command-line tool: parse, call the library, print.
@main
struct SriovAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sriov-audit",
        abstract: "Collect and audit the SR-IOV state of Linux hosts.",
        discussion: """
            Collects PCIe topology, IOMMU groups, NIC drivers and firmware, and every PF and VF with \
            its MAC, VLAN, spoofchk, trust and link state, from the live host or a capture folder.
            """,
        version: SriovAuditVersion.current,
        subcommands: [CollectCommand.self, CaptureCommand.self],
        defaultSubcommand: nil
    )
}
