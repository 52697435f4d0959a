#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Inventory

/// Turns one ESXi host's saved `esxcli` outputs (a folder `contrib/esxi/collect.sh` writes)
/// into a ``HostSnapshot`` with `source.kind` `esxi`, stored and audited like any other.
///
/// What ESXi does not show stays absent: no IOMMU state or groups, no VF settings (MAC, VLAN,
/// spoof check, trust live on the VM's port group), no VF host driver, no supported-VF count.
/// The audit reads ``HostPlatform/unexposed(_:)`` and says it could not judge those checks;
/// nothing here fills them with `false` or `0`.
///
/// Each file is recognised by its name (any extension, any `esxcli` formatter):
///
/// | file | command |
/// |---|---|
/// | `hostname` | `hostname` (or give `hostname:` to ``snapshot(files:folder:hostname:now:)``) |
/// | `version` | `vmware -v` |
/// | `collected-at` | `date -u +%Y-%m-%dT%H:%M:%SZ` |
/// | `collect-errors` | what collect.sh could not run (each line a warning) |
/// | `nic-list` | `esxcli network nic list` |
/// | `sriovnic-list` | `esxcli network sriovnic list` |
/// | `sriovnic-vf-list-vmnicN` | `esxcli network sriovnic vf list -n vmnicN` |
/// | `nic-get-vmnicN` | `esxcli network nic get -n vmnicN` |
/// | `hardware-pci-list` | `esxcli hardware pci list` |
/// | `vm-process-list` | `esxcli vm process list` |
///
/// A file that cannot be read, or holds another command's output, is a warning naming it (and
/// the line), carried in the snapshot; the rest is imported.
public enum ESXiHostImport {
    /// A saved listing: its file name inside the folder and its text.
    public struct File: Sendable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// Reads the folder's regular files (each up to 16 MiB) and imports them.
    public static func snapshot(folder: String, hostname: String?, now: Date) throws(ESXiInputError) -> HostSnapshot {
        let (entries, code) = ReadOnlyFiles.list(folder)
        guard let entries else { throw ESXiInputError(file: folder, line: nil, "cannot list the folder: \(ReadOnlyFiles.describe(errno: code))") }
        var files: [File] = []
        var unreadable: [CollectionWarning] = []
        for name in entries.sorted() where !name.hasPrefix(".") && ReadOnlyFiles.regularFileStatus(folder + "/" + name) == 0 {
            switch ReadOnlyFiles.read(folder + "/" + name, limit: 16 << 20) {
            case .contents(let bytes): files.append(File(name: name, text: String(decoding: bytes, as: UTF8.self)))
            case .missing: continue
            case .failed(let errno): unreadable.append(CollectionWarning(.unreadable, subject: name, message: ReadOnlyFiles.describe(errno: errno)))
            }
        }
        var snapshot = try snapshot(files: files, folder: folder, hostname: hostname, now: now)
        snapshot.warnings = unreadable + snapshot.warnings
        return snapshot
    }

    /// Imports listings given in memory; `folder` is recorded as the snapshot's source path.
    public static func snapshot(files: [File], folder: String, hostname: String?, now: Date) throws(ESXiInputError) -> HostSnapshot {
        var reader = ListingSet(folder: folder)
        for file in files.sorted(by: { $0.name < $1.name }) { reader.add(file) }
        guard reader.readsNetwork else {
            throw ESXiInputError(file: folder, line: nil, "no `esxcli network` listing found (expected nic-list, sriovnic-list or sriovnic-vf-list-vmnicN files; see contrib/esxi/collect.sh)")
        }
        guard let name = hostname ?? reader.hostname else {
            throw ESXiInputError(file: folder, line: nil, "no hostname file: give the host's name with --hostname")
        }
        return reader.assemble(hostname: name, now: now)
    }
}

/// The parsed listings of one folder, and how they become a snapshot.
struct ListingSet {
    let folder: String
    var hostname: String?
    var version: String?
    var collectedAt: Date?
    /// `nic list` and `sriovnic list` rows by vmnic name (the SR-IOV list's rows win).
    var nics: [String: ESXiSriovNic] = [:]
    var sriovNames = Set<String>()
    var nicInfo: [String: ESXiNicInfo] = [:]
    var vfLists: [String: (file: String, vfs: [ESXiVF])] = [:]
    var pci: [PCIAddress: ESXiPCIFunction] = [:]
    var vms: (file: String, processes: [ESXiVMProcess])?
    var warnings: [CollectionWarning] = []

    init(folder: String) {
        self.folder = folder
    }

    var readsNetwork: Bool { !nics.isEmpty || !vfLists.isEmpty }

    mutating func add(_ file: ESXiHostImport.File) {
        let name = file.name
        let stem = String(name.split(separator: ".", maxSplits: 1).first ?? Substring(name))
        do throws(ESXiInputError) {
            switch stem {
            case "hostname":
                hostname = firstLine(file.text)
            case "version":
                version = firstLine(file.text)
            case "collect-errors":
                // What collect.sh could not run: each line is the command's own message.
                for line in file.text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
                    warnings.append(CollectionWarning(.unavailable, subject: name, message: String(line).trimming(" \t\r")))
                }
            case "collected-at":
                guard let line = firstLine(file.text), let time = Timestamp.parse(line) else {
                    throw ESXiInputError(file: name, line: 1, "not a UTC time such as 2026-12-03T09:00:00Z; the import time is used")
                }
                collectedAt = time
            case "nic-list":
                let listing = try ESXiListings.sriovNics(file.text, file: name)
                note(listing.warnings)
                for nic in listing.items {
                    checkAddress(nic.name, nic.address, name)
                    nics[nic.name] = nics[nic.name].map { merged($0, nic) } ?? nic
                }
            case "sriovnic-list":
                let listing = try ESXiListings.sriovNics(file.text, file: name)
                note(listing.warnings)
                for nic in listing.items {
                    checkAddress(nic.name, nic.address, name)
                    nics[nic.name] = merged(nic, nics[nic.name])
                    sriovNames.insert(nic.name)
                }
            case "hardware-pci-list":
                let listing = try ESXiListings.pciFunctions(file.text, file: name)
                note(listing.warnings)
                for function in listing.items { pci[function.address] = function }
            case "vm-process-list":
                let listing = try ESXiListings.vmProcesses(file.text, file: name)
                note(listing.warnings)
                vms = (name, listing.items)
            default:
                if let vmnic = suffix(stem, "sriovnic-vf-list-") {
                    let listing = try ESXiListings.vfs(file.text, file: name)
                    note(listing.warnings)
                    vfLists[vmnic] = (name, listing.items)
                } else if let vmnic = suffix(stem, "nic-get-") {
                    let listing = try ESXiListings.nicInfo(file.text, file: name)
                    note(listing.warnings)
                    guard let info = listing.items.first else { return }
                    if info.name != vmnic {
                        warnings.append(CollectionWarning(.inconsistent, subject: name, message: "the file is named for \(vmnic) but shows \(info.name); read as \(info.name)"))
                    }
                    if let address = info.address { checkAddress(info.name, address, name) }
                    nicInfo[info.name] = info
                } else {
                    warnings.append(CollectionWarning(.unavailable, subject: name, message: "not a listing import-esxi reads (see contrib/esxi/collect.sh); ignored"))
                }
            }
        } catch {
            warnings.append(CollectionWarning(.malformed, subject: error.position, message: error.reason + "; the file is not used"))
        }
    }

    /// Two listings that put one uplink at two addresses are not of one host, or one is stale.
    /// Said once; the address used is `sriovnic list`'s, else `nic list`'s, else `nic get`'s.
    private mutating func checkAddress(_ vmnic: String, _ address: PCIAddress, _ file: String) {
        guard let known = nics[vmnic]?.address ?? nicInfo[vmnic]?.address, known != address else { return }
        warnings.append(CollectionWarning(.inconsistent, subject: file,
                                          message: "\(vmnic) is at \(address) here but at \(known) in another listing: are both of this host, and current?"))
    }

    private mutating func note(_ problems: [ESXiInputError]) {
        for p in problems { warnings.append(CollectionWarning(.malformed, subject: p.position, message: p.reason)) }
    }

    /// One row from two listings: `first`'s values, the other's where `first` has none.
    private func merged(_ first: ESXiSriovNic, _ other: ESXiSriovNic?) -> ESXiSriovNic {
        guard let other else { return first }
        var out = first
        out.driver = out.driver ?? other.driver
        out.link = out.link ?? other.link
        out.adminStatus = out.adminStatus ?? other.adminStatus
        out.speed = out.speed ?? other.speed
        out.duplex = out.duplex ?? other.duplex
        out.mac = out.mac ?? other.mac
        out.mtu = out.mtu ?? other.mtu
        out.description = out.description ?? other.description
        return out
    }

    private func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).first.map { String($0).trimming(" \t\r") }.flatMap { $0.isEmpty ? nil : $0 }
    }

    private func suffix(_ stem: String, _ prefix: String) -> String? {
        guard stem.hasPrefix(prefix), stem.count > prefix.count else { return nil }
        return String(stem.dropFirst(prefix.count))
    }
}
