#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory

/// Reads a host's SR-IOV inventory into a ``HostSnapshot``: the live host or a capture folder.
///
/// Collection does not stop at the first problem: an unreadable file, a malformed value or a VF
/// that vanished mid-scan becomes a ``CollectionWarning`` inside the snapshot, and everything else
/// is still collected. Only a source that is not there at all is an error.
public struct Collector: Sendable {
    public struct Options: Sendable {
        /// Overrides the hostname found on the host or in the capture.
        public var hostname: String?
        /// A pci.ids file other than libpci's default.
        public var pciIDsPath: String?
        public var toolVersion: String
        public var now: @Sendable () -> Date

        public init(hostname: String? = nil, pciIDsPath: String? = nil, toolVersion: String = SriovAuditVersion.current,
                    now: @escaping @Sendable () -> Date = { Date() }) {
            self.hostname = hostname
            self.pciIDsPath = pciIDsPath
            self.toolVersion = toolVersion
            self.now = now
        }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notACapture(String)
        case cannotMirror(String)

        public var description: String {
            switch self {
            case .notACapture(let path): "\(path) is not a capture folder: it has no sysfs/sys (a capture) or sys/ (a copied file system tree) directory"
            case .cannotMirror(let why): "cannot restore the capture's symlinks: \(why)"
            }
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The running host, read-only: /sys, /proc, rtnetlink and the ethtool ioctl.
    public func collectLive() -> HostSnapshot {
        var log = WarningLog()
        let read = { (path: String) -> String? in
            guard case .contents(let bytes) = ReadOnlyFiles.read(path) else {
                log.add(.unreadable, path, "cannot read")
                return nil
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let hostname = read("/proc/sys/kernel/hostname").flatMap(HostIdentity.parseHostname)
        let release = read("/proc/sys/kernel/osrelease").flatMap(HostIdentity.parseHostname)
        let cmdline = read("/proc/cmdline").map(HostIdentity.parseCommandLine)
        let host = HostInfo(hostname: options.hostname ?? hostname ?? "localhost", kernelRelease: release, kernelCommandLine: cmdline)
        return assemble(
            sysfs: Sysfs(root: "/sys"), network: LiveNetworkSource(), host: host,
            source: SnapshotSource(kind: .live), log: log, consumerRoot: ""
        )
    }

    /// A capture folder (see ``CaptureLayout``). Missing pieces become warnings.
    public func collectCapture(at path: String) throws -> HostSnapshot {
        let layout = CaptureLayout(root: path)
        guard ReadOnlyFiles.kind(layout.sysfsRoot) == .directory || ReadOnlyFiles.exists(layout.sysfsRoot) else {
            throw Failure.notACapture(path)
        }
        var log = WarningLog()
        var sysfsRoot = layout.sysfsRoot
        var mirror: FlattenedLinks.Mirror?
        if FlattenedLinks.isFlattened(sysfsRoot: sysfsRoot) {
            do { mirror = try FlattenedLinks.mirror(sysfsRoot: sysfsRoot) } catch {
                throw Failure.cannotMirror("\(error)")
            }
            if let mirror {
                sysfsRoot = mirror.sysfsRoot
                log.add(.inconsistent, layout.sysfsRoot,
                        "\(mirror.restoredLinks) symlinks were stored as files holding their target; read as links")
            }
        }
        defer { mirror?.remove() }

        let text = { (file: String, what: String, log: inout WarningLog) -> String? in
            switch ReadOnlyFiles.read(file) {
            case .contents(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .missing: log.add(.missing, file, "no \(what) in the capture")
            case .failed(let code): log.add(.unreadable, file, ReadOnlyFiles.describe(errno: code))
            }
            return nil
        }
        let host: HostInfo
        switch layout.form {
        case .capture:
            let uname = text(layout.uname, "uname -a output", &log).flatMap { raw -> (nodename: String?, release: String?)? in
                guard let parsed = HostIdentity.parseUname(raw) else {
                    log.add(.malformed, layout.uname, "not `uname -a` output")
                    return nil
                }
                return parsed
            }
            let cmdline = text(layout.cmdline, "kernel command line", &log).map(HostIdentity.parseCommandLine)
            var hostname: String?
            if case .contents(let bytes) = ReadOnlyFiles.read(layout.hostname) {
                hostname = HostIdentity.parseHostname(String(decoding: bytes, as: UTF8.self))
            }
            host = HostInfo(
                hostname: options.hostname ?? hostname ?? uname?.nodename ?? layout.folderName,
                kernelRelease: uname?.release, kernelCommandLine: cmdline
            )
        case .fileSystemTree:
            // The tree's own /proc and /etc, when it kept them; the folder's name otherwise.
            let release = text(layout.procRoot + "/sys/kernel/osrelease", "kernel release", &log).flatMap(HostIdentity.parseHostname)
            let cmdline = text(layout.procRoot + "/cmdline", "kernel command line", &log).map(HostIdentity.parseCommandLine)
            let hostname = [layout.procRoot + "/sys/kernel/hostname", layout.etcRoot + "/hostname"].lazy.compactMap { path -> String? in
                guard case .contents(let bytes) = ReadOnlyFiles.read(path) else { return nil }
                return HostIdentity.parseHostname(String(decoding: bytes, as: UTF8.self))
            }.first
            host = HostInfo(hostname: options.hostname ?? hostname ?? layout.folderName, kernelRelease: release, kernelCommandLine: cmdline)
        }
        var capturedAt: Date?
        switch ReadOnlyFiles.read(layout.capturedAt) {
        case .contents(let bytes):
            let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            capturedAt = Timestamp.parse(line)
            if capturedAt == nil { log.add(.malformed, layout.capturedAt, "not an ISO 8601 time: \(line.prefix(64)); the time of reading is used") }
        case .missing: break  // captures from before the file existed, and copied trees
        case .failed(let code): log.add(.unreadable, layout.capturedAt, ReadOnlyFiles.describe(errno: code))
        }
        var snapshot = assemble(
            sysfs: Sysfs(root: sysfsRoot), network: CaptureNetworkSource(layout: layout), host: host,
            source: SnapshotSource(kind: .capture, path: path), log: log, collectedAt: capturedAt,
            consumerRoot: layout.consumerFilesRoot
        )
        if let mirror {
            // Warnings name the capture's own files, not the temporary mirror.
            for i in snapshot.warnings.indices where snapshot.warnings[i].subject.hasPrefix(mirror.sysfsRoot) {
                snapshot.warnings[i].subject = layout.sysfsRoot + snapshot.warnings[i].subject.dropFirst(mirror.sysfsRoot.count)
            }
        }
        return snapshot
    }

    private func assemble(
        sysfs: Sysfs, network: some NetworkSource, host: HostInfo, source: SnapshotSource, log: WarningLog,
        collectedAt: Date? = nil, consumerRoot: String
    ) -> HostSnapshot {
        var log = log
        // Milliseconds: the JSON form and the store keep no more, and both must give back the same value.
        let collectedAt = Timestamp.truncated(collectedAt ?? options.now())
        var pci: PCILibrary?
        do { pci = try PCILibrary(sysfsBusPCI: sysfs.path("bus/pci"), idsPath: options.pciIDsPath) } catch {
            log.add(.unavailable, sysfs.path("bus/pci"), "\(error); PCI names and config space unknown")
        }
        let scanned = PCIScanner(sysfs: sysfs, pci: pci).scan(log: &log)
        pci = nil  // release libpci (and pci.ids) before the network part
        let iommu = IOMMUScanner(sysfs: sysfs)
        let groups = iommu.groups(log: &log)
        let state = iommu.state(groups: groups, live: source.kind == .live, commandLine: host.kernelCommandLine, log: &log)
        var interfaces = network.interfaces(log: &log)
        InterfaceDetails(sysfs: sysfs).complete(&interfaces, devices: scanned.map(\.device), network: network, log: &log)
        let functions = FunctionAssembler.physicalFunctions(scanned: scanned, interfaces: interfaces, log: &log)
        let counters = CounterAssembler(sysfs: sysfs).observation(netlink: network.counters(log: &log), interfaces: interfaces,
                                                                  functions: functions, log: &log)
        let devlink = network.devlink(log: &log)
        let dpdkVFs = functions.contains { $0.virtualFunctions.contains { AuditFacts.dpdkDrivers.contains($0.driver ?? "") } }
        let consumers = ConsumerCollector(root: consumerRoot).collect(dpdkVFs: dpdkVFs, log: &log)
        var snapshot = HostSnapshot(
            toolVersion: options.toolVersion, collectedAt: collectedAt, source: source, host: host, iommu: state,
            iommuGroups: groups ?? [], pciDevices: scanned.map(\.device), interfaces: interfaces,
            physicalFunctions: functions, warnings: log.items
        )
        ConsumerPlacement.place(claims: consumers.claims, declarations: consumers.declarations, inventory: consumers.inventory, into: &snapshot)
        snapshot.devlink = devlink
        snapshot.counters = counters
        return snapshot
    }
}
