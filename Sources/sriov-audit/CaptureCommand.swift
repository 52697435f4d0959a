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

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write this host's SR-IOV sources into a capture folder, to audit elsewhere.",
        discussion: """
            The folder holds the sysfs subset the collector reads (symlinks kept, config and resource \
            files included, so `lspci -A linux-sysfs -O sysfs.path=OUTDIR/sysfs/sys/bus/pci -vvv` works), \
            the raw rtnetlink link dump and counter dump, the raw devlink replies, `ethtool -i` and \
            the offload features (`ethtool -k` lines) per interface, uname, cmdline and hostname, \
            `ip`/`lspci` outputs when those tools are installed, and under files/ the VF consumers' \
            files at their paths (libvirt guests, the SR-IOV device plugin and kubelet, Nova and \
            Neutron, os-net-config, nmstate, huge page counters; of NetworkManager keyfiles only \
            their SR-IOV part). Read it with `collect --root OUTDIR`.
            """
    )

    @Argument(help: ArgumentHelp("The folder to create (must not exist or be empty).", valueName: "OUTDIR"))
    var outdir: String

    @Option(name: .long, help: "Record this hostname instead of the kernel's.")
    var host: String?

    @OptionGroup var progress: ProgressOption

    func run() throws {
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: outdir), !existing.isEmpty {
            throw CLIError("\(outdir) exists and is not empty; choose a new folder")
        }
        var writer = CaptureWriter(output: outdir)
        let summary = try progress.showing("capture", unit: "devices") { line in
            try writer.write(hostname: host) { line.update($0, of: $1) }
        }
        print("captured \(summary.files) files and \(summary.links) links into \(outdir)")
        for warning in summary.skipped {
            Console.error("warning: \(warning)\n")
        }
    }
}
