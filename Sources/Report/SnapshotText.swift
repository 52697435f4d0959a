#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory

/// The human-readable form of a snapshot: the table `collect` prints by default.
///
/// Why this layout: an operator checks it against `lspci`, `ip link` and `ethtool -i`, so each PF
/// line carries what those tools show, and each VF line the settings `ip link` prints for it.
public enum SnapshotText {
    public static func render(_ snapshot: HostSnapshot) -> String {
        var out: [String] = []
        let host = snapshot.host
        var head = "Host \(host.hostname)"
        if let release = host.kernelRelease { head += "  kernel \(release)" }
        head += "  collected \(iso8601(snapshot.collectedAt))"
        let origin = switch snapshot.source.kind {
        case .live: "  (live)"
        case .capture: "  (capture \(snapshot.source.path ?? "?"))"
        case .esxi: "  (\(snapshot.source.platform.displayName) listings \(snapshot.source.path ?? "?"))"
        }
        head += origin
        out.append(head)
        out.append("IOMMU " + iommuLine(snapshot.iommu))
        out.append("PCI functions \(snapshot.pciDevices.count), interfaces \(snapshot.interfaces.count), SR-IOV PFs \(snapshot.physicalFunctions.count), VFs \(snapshot.virtualFunctions.count)")

        let hidesVFDriver = snapshot.source.platform.unexposed(.vfDriver) != nil
        for pf in snapshot.physicalFunctions {
            out.append("")
            out.append(pfLine(pf, device: snapshot.device(pf.address), devlink: snapshot.devlink(pf.address)))
            guard !pf.virtualFunctions.isEmpty else { continue }
            // OWNER only when the consumer sources were read: without them "-" would read as "unused".
            let owners = snapshot.consumers != nil
            var header = ["VF", "BDF", "DRIVER", "ADMIN MAC", "NETDEV MAC", "VLAN", "SPOOFCHK", "TRUST", "STATE", "MAX TX", "IFACE", "IOMMU"]
            if owners { header.append("OWNER") }
            var rows = [header]
            for vf in pf.virtualFunctions {
                let c = vf.config
                var row: [String] = [
                    // "(none)" is an unbound VF; where the platform shows no VF driver, "-".
                    String(vf.index), vf.address.description, vf.driver ?? (hidesVFDriver ? "-" : "(none)"), c?.mac ?? "-",
                    vf.effectiveMAC ?? "-", c.map(vlanText) ?? "-", onOff(c?.spoofCheck), onOff(c?.trust),
                    c?.linkState ?? "-", c?.maxTxRate.map { $0 == 0 ? "-" : "\($0)M" } ?? "-",
                    vf.interfaces.isEmpty ? "-" : vf.interfaces.joined(separator: ","),
                    vf.iommuGroup.map(String.init) ?? "-",
                ]
                if owners { row.append(ConsumerText.owner(vf)) }
                rows.append(row)
            }
            out.append(contentsOf: table(rows).map { "  " + $0 })
        }
        let netOnly = snapshot.interfaces.filter { !$0.vfs.isEmpty && $0.pciAddress == nil }
        for interface in netOnly {
            out.append("")
            out.append("Non-PCI PF \(interface.name) (\(interface.parentBus ?? "?") \(interface.parentDevice ?? "?"))  driver \(interface.driverInfo?.driver ?? "?")  fw \(firmware(interface.driverInfo))  VFs \(interface.vfs.count)")
            var rows = [["VF", "ADMIN MAC", "VLAN", "SPOOFCHK", "TRUST", "STATE", "MAX TX"]]
            for c in interface.vfs {
                rows.append([String(c.index), c.mac, vlanText(c), onOff(c.spoofCheck), onOff(c.trust), c.linkState ?? "-",
                             c.maxTxRate.map { $0 == 0 ? "-" : "\($0)M" } ?? "-"])
            }
            out.append(contentsOf: table(rows).map { "  " + $0 })
        }
        out.append(contentsOf: ConsumerText.render(snapshot))
        if !snapshot.warnings.isEmpty {
            out.append("")
            out.append("Warnings (\(snapshot.warnings.count)):")
            out.append(contentsOf: snapshot.warnings.map { "  \($0)" })
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func iommuLine(_ iommu: IOMMUState) -> String {
        var line = iommu.enabled.map { $0 ? "enabled" : "NOT enabled" } ?? "unknown (not in this source)"
        var details: [String] = []
        if let units = iommu.units { details.append("units: " + (units.isEmpty ? "none" : units.joined(separator: ","))) }
        details.append("\(iommu.groupCount) groups")
        if !iommu.commandLineOptions.isEmpty { details.append("cmdline: " + iommu.commandLineOptions.joined(separator: " ")) }
        line += " (" + details.joined(separator: "; ") + ")"
        return line
    }

    static func pfLine(_ pf: PhysicalFunction, device: PCIDevice?, devlink: DevlinkDevice? = nil) -> String {
        var line = "PF \(pf.address)"
        if let device {
            line += "  \(device.modelName)"
        }
        line += "  driver \(device?.driver ?? pf.driverInfo?.driver ?? "(none)")"
        if let info = pf.driverInfo { line += "  fw \(firmware(info))" }
        let num = pf.numVFs.map(String.init) ?? "?"
        let total = pf.totalVFs.map(String.init) ?? "?"
        line += "  VFs \(num)/\(total)"
        if !pf.interfaces.isEmpty { line += "  " + pf.interfaces.joined(separator: ",") }
        if pf.source != "sysfs" { line += "  (from \(pf.source))" }
        if let devlink {
            if pf.driverInfo.flatMap({ VendorVersion.reported($0.firmwareVersion) }) == nil, let fw = devlink.runningFirmware {
                line += "  fw \(fw.version) (devlink \(fw.component))"
            }
            if let mode = devlink.eswitchMode { line += "  eswitch \(mode)" }
            for p in devlink.pendingVersions { line += "  \(p.name) \(p.stored) flashed, \(p.running) running (reset pending)" }
        }
        return line
    }

    static func firmware(_ info: DriverInfo?) -> String {
        guard let fw = info?.firmwareVersion.trimmingBlanks, !fw.isEmpty else { return "-" }
        return fw
    }

    static func vlanText(_ c: VFConfig) -> String {
        guard c.vlan != 0 else { return "-" }
        var text = String(c.vlan)
        if c.qos != 0 { text += " qos \(c.qos)" }
        if let proto = c.vlanProtocol, proto != "802.1Q" { text += " \(proto)" }
        return text
    }

    static func onOff(_ value: Bool?) -> String {
        value.map { $0 ? "on" : "off" } ?? "-"
    }

    public static func iso8601(_ date: Date) -> String {
        Timestamp.text(date)
    }

    /// Left-aligned columns separated by two blanks.
    public static func table(_ rows: [[String]]) -> [String] {
        guard let width = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
    }
}
