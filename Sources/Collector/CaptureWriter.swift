#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory

/// Writes a capture folder of the live host (``CaptureLayout``), for a support engineer to audit a
/// host they cannot run the tool on.
///
/// Reads the same sources as live collection and nothing else; writes only below the output
/// folder, which may not lie under /sys or /proc.
public struct CaptureWriter {
    public struct Summary: Sendable {
        public var files: Int
        public var links: Int
        public var skipped: [CollectionWarning]
    }

    public enum Failure: Error, CustomStringConvertible {
        case forbiddenDestination(String)
        case cannotWrite(String, String)

        public var description: String {
            switch self {
            case .forbiddenDestination(let path): "refusing to write a capture into \(path): it lies under /sys or /proc"
            case .cannotWrite(let path, let why): "cannot write \(path): \(why)"
            }
        }
    }

    /// PCI device attributes worth keeping: what the collector reads plus what `lspci -vvv` needs.
    static let pciAttributes = [
        "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "config", "resource",
        "irq", "numa_node", "local_cpulist", "modalias", "enable", "msi_bus", "d3cold_allowed", "driver_override",
        "current_link_speed", "current_link_width", "max_link_speed", "max_link_width", "ari_enabled", "reset_method",
        "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device",
        "sriov_drivers_autoprobe", "sriov_vf_total_msix", "sriov_vf_msix_count",
        "driver", "iommu_group", "physfn", "label", "index", "acpi_index",
    ]

    /// errno values with which sysfs says "no value at the moment", not "broken".
    static let notAvailableNow: Set<Int32> = [EINVAL, EOPNOTSUPP, ENODATA, ENOTSUP, ENOENT]

    let sysRoot: String
    /// Prefix of the VF consumers' files (``ConsumerFiles``): "" for the running host.
    let fileRoot: String
    let output: String
    private var files = 0
    private var links = 0
    private var log = WarningLog()

    public init(output: String, sysRoot: String = "/sys", fileRoot: String = "") {
        self.output = output
        self.sysRoot = sysRoot
        self.fileRoot = fileRoot
    }

    /// Copies the host's SR-IOV sources into the capture folder. `progress(done, total)` counts
    /// the PCI functions, IOMMU groups and netdevs copied (thousands on a host with many VFs).
    public mutating func write(hostname: String?, progress: (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        let absolute = absolutePath(output)
        for forbidden in ["/sys", "/proc"] where absolute == forbidden || absolute.hasPrefix(forbidden + "/") {
            throw Failure.forbiddenDestination(absolute)
        }
        let layout = CaptureLayout(root: output)
        try makeDirectory(layout.sysfsRoot)
        try makeDirectory(layout.commandDirectory)

        let devices = (ReadOnlyFiles.list(sysRoot + "/bus/pci/devices").entries ?? []).sorted()
        let groups = ReadOnlyFiles.list(sysRoot + "/kernel/iommu_groups").entries
        let netdevs = ReadOnlyFiles.list(sysRoot + "/class/net").entries ?? []
        let total = devices.count + (groups?.count ?? 0) + netdevs.count
        var done = 0
        func step() {
            done += 1
            progress(done, total)
        }
        for name in devices {
            defer { step() }
            let entry = "bus/pci/devices/" + name
            try copy(entry)
            let device = Sysfs(root: sysRoot).resolvedLink(entry) ?? entry
            let children = ReadOnlyFiles.list(sysRoot + "/" + device).entries ?? []
            for attribute in Self.pciAttributes where children.contains(attribute) { try copy(device + "/" + attribute) }
            for child in children where child.hasPrefix("virtfn") { try copy(device + "/" + child) }
            // Per-VF counters some drivers keep under the PF: a file of lines, or a folder.
            if children.contains("sriov") {
                for vf in ReadOnlyFiles.list(sysRoot + "/" + device + "/sriov").entries ?? [] {
                    let stats = device + "/sriov/" + vf + "/stats"
                    switch ReadOnlyFiles.kind(sysRoot + "/" + stats) {
                    case .regular: try copy(stats)
                    case .directory: try copyFlat(stats)
                    default: break
                    }
                }
            }
            for netdev in ReadOnlyFiles.list(sysRoot + "/" + device + "/net").entries ?? [] {
                try copyFlat(device + "/net/" + netdev)
            }
        }
        if let groups {
            // Kept even when empty: an empty group directory means "IOMMU off", a missing one "unknown".
            try makeDirectory(layout.sysfsRoot + "/kernel/iommu_groups")
            for group in groups {
                try copyGroup(group)
                step()
            }
        }
        try makeDirectory(layout.sysfsRoot + "/class/iommu")

        for unit in ReadOnlyFiles.list(sysRoot + "/class/iommu").entries ?? [] { try copy("class/iommu/" + unit) }
        for netdev in netdevs {
            defer { step() }
            let entry = "class/net/" + netdev
            try copy(entry)
            guard let target = Sysfs(root: sysRoot).resolvedLink(entry) else { continue }
            try copyFlat(target)
            // A netdev-only PF (netdevsim, some SmartNICs) keeps its VF count on its parent device,
            // outside the PCI tree: the count a partial VF table is measured against.
            if let parent = Sysfs(root: sysRoot).resolvedLink(target + "/device") {
                for attribute in ["sriov_numvfs", "sriov_totalvfs"] where ReadOnlyFiles.kind(output + "/sysfs/sys/" + parent + "/" + attribute) == .missing {
                    if ReadOnlyFiles.kind(sysRoot + "/" + parent + "/" + attribute) == .regular { try copy(parent + "/" + attribute) }
                }
            }
        }

        try writeCommands(layout: layout, hostname: hostname, netdevs: netdevs)
        try copyConsumerFiles(layout: layout)
        return Summary(files: files, links: links, skipped: log.items)
    }

    /// The VF consumers' files, verbatim (NetworkManager keyfiles: their SR-IOV part only), at
    /// their host paths under `files/`; libvirt's status directory is kept even when empty (it
    /// says "no guest runs", its absence "unknown").
    private mutating func copyConsumerFiles(layout: CaptureLayout) throws {
        let destination = layout.consumerFilesRoot
        let found = ConsumerFiles.present(root: fileRoot)
        for (path, code) in found.unreadable { log.add(.unreadable, path, "\(ReadOnlyFiles.describe(errno: code)); not captured") }
        let keyfiles = Set(found.sources.filter { $0.kind == .networkManager }.map(\.path))
        let sources = found.sources.map(\.path) + ConsumerFiles.hugepageFiles(root: fileRoot)
        for path in sources {
            switch ReadOnlyFiles.read(fileRoot + path, limit: 16 << 20) {
            case .contents(let bytes) where keyfiles.contains(path):
                // NetworkManager keyfiles may hold secrets: only their SR-IOV part is kept.
                try store(Array(DeclaredIntentParser.networkManagerExcerpt(String(decoding: bytes, as: UTF8.self)).utf8), at: destination + path)
            case .contents(let bytes): try store(bytes, at: destination + path)
            case .missing: log.add(.vanished, path, "disappeared during the capture")
            case .failed(let code): log.add(.unreadable, path, ReadOnlyFiles.describe(errno: code))
            }
        }
        if ReadOnlyFiles.kind(fileRoot + "/run/libvirt/qemu") == .directory { try makeDirectory(destination + "/run/libvirt/qemu") }
    }

    private mutating func writeCommands(layout: CaptureLayout, hostname: String?, netdevs: [String]) throws {
        var raw: [UInt8] = []
        var linkNames: [String] = []
        do {
            let dump = try NetlinkSocket.dumpLinks { _, buffer in raw += buffer }
            linkNames = dump.interfaces.map(\.name)
            log.add(dump.problems)
        } catch {
            log.add(.unavailable, "rtnetlink", "\(error)")
        }
        // Whatever the kernel sent is kept, even a dump that could not be decoded: it is the evidence.
        if !raw.isEmpty { try store(raw, at: layout.rawNetlinkDump) }
        var counters: [UInt8] = []
        do {
            _ = try NetlinkSocket.dumpCounters { _, buffer in counters += buffer }
        } catch {
            log.add(.unavailable, "rtnetlink", "counters: \(error)")
        }
        if !counters.isEmpty { try store(counters, at: layout.rawCounterDump) }
        do {
            try store(try DevlinkSocket.replies(), at: layout.rawDevlink)
        } catch {
            log.add(.unavailable, "devlink", "\(error)")
        }
        // The netdevs sysfs lists too: a dump that failed must not cost the ethtool files.
        linkNames += netdevs.filter { !linkNames.contains($0) }
        let ethtool = EthtoolIoctl()
        defer { ethtool?.close() }
        for name in linkNames {
            let text: String
            switch ethtool?.driverInfo(name) {
            case .info(let info)?: text = EthtoolInfoText.render(info)
            case .unsupported?: text = "Cannot get driver information: Operation not supported\n"
            case .failed(let code)?: text = "Cannot get driver information: \(ReadOnlyFiles.describe(errno: code))\n"
            case nil: continue
            }
            try store(Array(text.utf8), at: layout.ethtoolInfo(name))
            if case .features(let features)? = ethtool?.features(name) {
                try store(Array(EthtoolFeaturesText.render(name, features).utf8), at: layout.ethtoolFeatures(name))
            }
        }
        try store(Array((Timestamp.storeText(Date()) + "\n").utf8), at: layout.capturedAt)
        try storeFile("/proc/cmdline", at: layout.cmdline)
        var names = utsname()
        uname(&names)
        let unameText = [names.sysname, names.nodename, names.release, names.version].map(fixedCString).joined(separator: " ") + " \(fixedCString(names.machine)) GNU/Linux\n"
        try store(Array(unameText.utf8), at: layout.uname)
        if let hostname {
            try store(Array((hostname + "\n").utf8), at: layout.hostname)
        } else {
            try storeFile("/proc/sys/kernel/hostname", at: layout.hostname)
        }
        // The tools' own views, when they are installed: for people reading the capture.
        // `ip`'s standard error is kept beside its JSON: iproute2 reports a cut VF list there alone.
        let tools: [(String, [String], String, String?)] = [
            ("/usr/sbin/ip", ["-d", "-j", "link", "show"], layout.ipLinkJSON, layout.ipLinkStderr),
            ("/usr/sbin/ip", ["-d", "link", "show"], layout.commandDirectory + "/ip-d-link.txt", nil),
            ("/usr/bin/lspci", ["-vvv"], layout.commandDirectory + "/lspci-vvv.txt", nil),
            ("/usr/bin/lspci", ["-nnD"], layout.commandDirectory + "/lspci-nnD.txt", nil),
            ("/usr/bin/lspci", ["-xxxx"], layout.commandDirectory + "/lspci-xxxx.txt", nil),
        ]
        for (tool, arguments, destination, errors) in tools {
            let candidates = [tool, "/" + tool.split(separator: "/").suffix(2).joined(separator: "/")]
            guard let executable = candidates.first(where: { access($0, X_OK) == 0 }) else { continue }
            try makeDirectory(parent(destination))
            let status = ToolRunner.run(executable, arguments, stdoutTo: destination, stderrTo: errors)
            if let errors {
                if case .contents(let bytes) = ReadOnlyFiles.read(errors), !bytes.isEmpty { files += 1 } else { unlink(errors) }
            }
            if status == 0 {
                files += 1
            } else {
                unlink(destination)
                log.add(.unavailable, executable, "\(arguments.joined(separator: " ")) failed; its output is not in the capture")
            }
        }
    }

    /// Copies one sysfs entry: a link as a link (same relative target), a file by content.
    private mutating func copy(_ relative: String) throws {
        let source = sysRoot + "/" + relative
        let destination = output + "/sysfs/sys/" + relative
        switch ReadOnlyFiles.kind(source) {
        case .symlink:
            guard let target = ReadOnlyFiles.linkTarget(source) else { return }
            try makeDirectory(parent(destination))
            if ReadOnlyFiles.kind(destination) != .missing { return }
            guard symlink(target, destination) == 0 else {
                throw Failure.cannotWrite(destination, ReadOnlyFiles.describe(errno: errno))
            }
            links += 1
        case .regular:
            switch ReadOnlyFiles.read(source, limit: 1 << 20) {
            case .contents(let bytes): try store(bytes, at: destination)
            case .missing: log.add(.vanished, source, "disappeared during the capture")
            case .failed(let code) where Self.notAvailableNow.contains(code):
                return  // e.g. `speed` of a link that is down: the kernel has no value to give
            case .failed(let code): log.add(.unreadable, source, ReadOnlyFiles.describe(errno: code))
            }
        case .directory:
            try makeDirectory(destination)
        case .other, .missing:
            return
        }
    }

    private mutating func copyGroup(_ group: String) throws {
        let base = "kernel/iommu_groups/" + group
        try copyFlat(base)
        try copyFlat(base + "/devices")
    }

    /// Copies a directory's files and links, one level deep.
    private mutating func copyFlat(_ relative: String) throws {
        try makeDirectory(output + "/sysfs/sys/" + relative)
        for name in ReadOnlyFiles.list(sysRoot + "/" + relative).entries ?? [] {
            let kind = ReadOnlyFiles.kind(sysRoot + "/" + relative + "/" + name)
            if kind == .regular || kind == .symlink { try copy(relative + "/" + name) }
        }
    }

    private mutating func storeFile(_ source: String, at destination: String) throws {
        switch ReadOnlyFiles.read(source) {
        case .contents(let bytes): try store(bytes, at: destination)
        case .missing, .failed: log.add(.unreadable, source, "not captured")
        }
    }

    private mutating func store(_ bytes: [UInt8], at destination: String) throws {
        try makeDirectory(parent(destination))
        guard FileManager.default.createFile(atPath: destination, contents: Data(bytes)) else {
            throw Failure.cannotWrite(destination, "create failed")
        }
        files += 1
    }

    private func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure.cannotWrite(path, "\(error)")
        }
    }

    private func parent(_ path: String) -> String {
        String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }
}
