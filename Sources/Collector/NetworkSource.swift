#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory

/// Where interface and VF-table data come from: the kernel (netlink + ethtool ioctl) or the
/// command outputs of a capture folder.
protocol NetworkSource {
    func interfaces(log: inout WarningLog) -> [NetworkInterface]
    func driverInfo(_ interface: String, log: inout WarningLog) -> DriverInfo?
    /// The interface's offload features; nil when the driver does not answer or none were kept.
    func features(_ interface: String, log: inout WarningLog) -> NetdevFeatures?
    /// IFLA_STATS64 per link and IFLA_VF_STATS per VF; nil when no counters were read.
    func counters(log: inout WarningLog) -> (links: [LinkCounters], vfs: [VFCounters])?
    /// The devlink instances; nil when devlink could not be read.
    func devlink(log: inout WarningLog) -> [DevlinkDevice]?
}

/// The running kernel: one RTM_GETLINK dump and ETHTOOL_GDRVINFO per interface.
struct LiveNetworkSource: NetworkSource {
    let ethtool = EthtoolIoctl()

    func interfaces(log: inout WarningLog) -> [NetworkInterface] {
        do {
            let dump = try NetlinkSocket.dumpLinks()
            log.add(dump.problems)
            return dump.interfaces
        } catch {
            log.add(.unavailable, "rtnetlink", "\(error); no interface or VF settings collected")
            return []
        }
    }

    func driverInfo(_ interface: String, log: inout WarningLog) -> DriverInfo? {
        guard let ethtool else {
            log.add(.unavailable, "ethtool", "cannot open a socket for SIOCETHTOOL")
            return nil
        }
        switch ethtool.driverInfo(interface) {
        case .info(let info): return info
        case .unsupported: return nil
        case .failed(let code):
            log.add(code == ENODEV ? .vanished : .unreadable, interface, "ETHTOOL_GDRVINFO: \(ReadOnlyFiles.describe(errno: code))")
            return nil
        }
    }

    func features(_ interface: String, log: inout WarningLog) -> NetdevFeatures? {
        guard let ethtool else { return nil }
        switch ethtool.features(interface) {
        case .features(let features): return features
        case .unsupported: return nil
        case .failed(let code):
            log.add(code == ENODEV ? .vanished : .unreadable, interface, "ETHTOOL_GFEATURES: \(ReadOnlyFiles.describe(errno: code))")
            return nil
        }
    }

    func counters(log: inout WarningLog) -> (links: [LinkCounters], vfs: [VFCounters])? {
        do {
            let dump = try NetlinkSocket.dumpCounters()
            log.add(dump.problems)
            return (dump.links, dump.vfs)
        } catch {
            log.add(.unavailable, "rtnetlink", "\(error); no traffic counters collected")
            return nil
        }
    }

    func devlink(log: inout WarningLog) -> [DevlinkDevice]? {
        do {
            return try DevlinkDecoder.decode(try DevlinkSocket.replies())
        } catch let failure as DevlinkSocket.Failure where failure.unavailable {
            log.add(.unavailable, "devlink", "\(failure); eswitch modes and devlink versions unknown")
        } catch {
            log.add(.unavailable, "devlink", "\(error); eswitch modes and devlink versions unknown")
        }
        return nil
    }
}

/// A capture folder: the raw netlink dump when present, else `ip -d -j link`; `ethtool -i` files.
struct CaptureNetworkSource: NetworkSource {
    let layout: CaptureLayout

    func interfaces(log: inout WarningLog) -> [NetworkInterface] {
        if case .contents(let raw) = ReadOnlyFiles.read(layout.rawNetlinkDump, limit: 256 << 20) {
            do {
                let batch = try NetlinkLinkDecoder.decode(raw)
                log.add(batch.problems, in: layout.rawNetlinkDump)
                if !batch.done { log.add(.malformed, layout.rawNetlinkDump, "dump has no NLMSG_DONE; it may be cut short") }
                return batch.interfaces
            } catch {
                log.add(.malformed, layout.rawNetlinkDump, "\(error); falling back to ip-d-j-link.json")
            }
        }
        switch ReadOnlyFiles.read(layout.ipLinkJSON, limit: 256 << 20) {
        case .contents(let bytes):
            do {
                return try IPLinkJSON.parse(bytes)
            } catch {
                log.add(.malformed, layout.ipLinkJSON, "\(error)")
            }
        case .missing:
            log.add(.missing, layout.ipLinkJSON, "no interface list in the capture; interfaces and VF settings unknown")
        case .failed(let code):
            log.add(.unreadable, layout.ipLinkJSON, ReadOnlyFiles.describe(errno: code))
        }
        return []
    }

    func driverInfo(_ interface: String, log: inout WarningLog) -> DriverInfo? {
        let path = layout.ethtoolInfo(interface)
        switch ReadOnlyFiles.read(path) {
        case .contents(let bytes):
            switch EthtoolInfoText.parse(String(decoding: bytes, as: UTF8.self)) {
            case .info(let info): return info
            case .unsupported: return nil
            case .malformed(let why):
                log.add(.malformed, path, why)
                return nil
            }
        case .missing:
            log.add(.missing, path, "no ethtool -i output for \(interface); driver and firmware unknown")
            return nil
        case .failed(let code):
            log.add(.unreadable, path, ReadOnlyFiles.describe(errno: code))
            return nil
        }
    }
}

extension CaptureNetworkSource {
    func features(_ interface: String, log: inout WarningLog) -> NetdevFeatures? {
        let path = layout.ethtoolFeatures(interface)
        switch ReadOnlyFiles.read(path) {
        case .contents(let bytes):
            switch EthtoolFeaturesText.parse(String(decoding: bytes, as: UTF8.self)) {
            case .features(let features): return features
            case .unsupported: return nil
            case .malformed(let why):
                log.add(.malformed, path, why)
                return nil
            }
        case .missing: return nil  // captures from before features were read
        case .failed(let code):
            log.add(.unreadable, path, ReadOnlyFiles.describe(errno: code))
            return nil
        }
    }

    func counters(log: inout WarningLog) -> (links: [LinkCounters], vfs: [VFCounters])? {
        switch ReadOnlyFiles.read(layout.rawCounterDump, limit: 256 << 20) {
        case .contents(let raw):
            do {
                let batch = try NetlinkLinkDecoder.decode(raw)
                log.add(batch.problems.filter { $0.kind == .malformed }, in: layout.rawCounterDump)
                return (batch.linkCounters, batch.vfCounters)
            } catch {
                log.add(.malformed, layout.rawCounterDump, "\(error); no traffic counters read")
            }
        case .missing: break
        case .failed(let code): log.add(.unreadable, layout.rawCounterDump, ReadOnlyFiles.describe(errno: code))
        }
        return nil
    }

    func devlink(log: inout WarningLog) -> [DevlinkDevice]? {
        switch ReadOnlyFiles.read(layout.rawDevlink, limit: 64 << 20) {
        case .contents(let raw):
            do {
                return try DevlinkDecoder.decode(raw)
            } catch {
                log.add(.malformed, layout.rawDevlink, "\(error); eswitch modes and devlink versions unknown")
            }
        case .missing: break
        case .failed(let code): log.add(.unreadable, layout.rawDevlink, ReadOnlyFiles.describe(errno: code))
        }
        return nil
    }
}

extension WarningLog {
    /// What the netlink decoder could not read or did not believe, one warning each, named by
    /// interface (and by the capture file the bytes came from, when they came from one).
    mutating func add(_ problems: [NetlinkLinkDecoder.Problem], in file: String? = nil) {
        for problem in problems {
            let kind: CollectionWarning.Kind = problem.kind == .malformed ? .malformed : .inconsistent
            add(kind, problem.subject, file.map { "\($0): \(problem.message)" } ?? problem.message)
        }
    }
}
