import Inventory

/// One difference between two snapshots of a host, in an operator's words.
public struct Change: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case deviceAdded, deviceRemoved, driverChanged, firmwareChanged, driverVersionChanged
        case vfCountChanged, totalVFsChanged, vfAdded, vfRemoved, vfMACChanged, vfNetdevMACChanged, vfVLANChanged
        case vfSecurityChanged, vfLinkStateChanged, vfRateChanged, iommuGroupChanged, iommuStateChanged
        case linkChanged, kernelChanged, commandLineChanged, interfaceMACChanged
        case consumerAdded, consumerRemoved, consumerStateChanged, consumerSourcesChanged
        case poolChanged, deviceSpecChanged, declarationChanged, hugepagesChanged
        case featuresChanged, eswitchModeChanged, devlinkVersionChanged
    }

    public var kind: Kind
    /// The PCI address, interface or `host` the change is about.
    public var subject: String
    public var before: String?
    public var after: String?
    public var message: String
}

/// Compares two snapshots of one host. Devices are matched by PCI address, never by interface
/// name or IOMMU group number (both change across reboots).
public enum SnapshotDiff {
    public static func changes(from old: HostSnapshot, to new: HostSnapshot) -> [Change] {
        var out: [Change] = []
        func add(_ kind: Change.Kind, _ subject: String, _ before: String?, _ after: String?, _ message: String) {
            out.append(Change(kind: kind, subject: subject, before: before, after: after, message: message))
        }
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "none" }

        if old.host.kernelRelease != new.host.kernelRelease {
            add(.kernelChanged, "host", old.host.kernelRelease, new.host.kernelRelease,
                "kernel \(text(old.host.kernelRelease)) → \(text(new.host.kernelRelease))")
        }
        if old.host.kernelCommandLine != new.host.kernelCommandLine {
            add(.commandLineChanged, "host", old.host.kernelCommandLine, new.host.kernelCommandLine,
                "kernel command line changed: \(text(old.host.kernelCommandLine)) → \(text(new.host.kernelCommandLine))")
        }
        if old.iommu.enabled != new.iommu.enabled {
            add(.iommuStateChanged, "host", old.iommu.enabled.map(String.init), new.iommu.enabled.map(String.init),
                "IOMMU \(onOff(old.iommu.enabled)) → \(onOff(new.iommu.enabled))")
        }

        let before = Dictionary(old.pciDevices.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.pciDevices.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let oldPeers = peers(old), newPeers = peers(new)
        for address in Set(before.keys).union(after.keys).sorted() {
            let bdf = address.description
            switch (before[address], after[address]) {
            case (nil, let d?):
                add(.deviceAdded, bdf, nil, d.vendorDevice, "device added on \(bdf): \(describe(d))")
            case (let d?, nil):
                add(.deviceRemoved, bdf, d.vendorDevice, nil, "device removed from \(bdf): \(describe(d))")
            case (let a?, let b?):
                if a.driver != b.driver {
                    let what = a.isVirtualFunction ? "VF" : "device"
                    add(.driverChanged, bdf, a.driver, b.driver, "\(what) \(bdf) rebound \(a.driver ?? "(unbound)") → \(b.driver ?? "(unbound)")")
                }
                if a.link != b.link, let la = a.link, let lb = b.link {
                    add(.linkChanged, bdf, linkText(la), linkText(lb), "PCIe link on \(bdf) \(linkText(la)) → \(linkText(lb))")
                }
                if oldPeers[address] != newPeers[address] {
                    let was = (oldPeers[address] ?? []).map(\.description).joined(separator: ",")
                    let now = (newPeers[address] ?? []).map(\.description).joined(separator: ",")
                    add(.iommuGroupChanged, bdf, was, now,
                        "IOMMU group members of \(bdf) changed: shared with [\(was)] → [\(now)]")
                }
            case (nil, nil):
                break
            }
        }

        let oldPFs = Dictionary(old.physicalFunctions.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        for pf in new.physicalFunctions {
            guard let was = oldPFs[pf.address] else { continue }
            let bdf = pf.address.description
            if was.driverInfo?.firmwareVersion != pf.driverInfo?.firmwareVersion {
                add(.firmwareChanged, bdf, was.driverInfo?.firmwareVersion, pf.driverInfo?.firmwareVersion,
                    "firmware \(text(was.driverInfo?.firmwareVersion)) → \(text(pf.driverInfo?.firmwareVersion)) on \(bdf)")
            }
            if was.driverInfo?.version != pf.driverInfo?.version {
                add(.driverVersionChanged, bdf, was.driverInfo?.version, pf.driverInfo?.version,
                    "driver version \(text(was.driverInfo?.version)) → \(text(pf.driverInfo?.version)) on \(bdf)")
            }
            if was.numVFs != pf.numVFs {
                add(.vfCountChanged, bdf, was.numVFs.map(String.init), pf.numVFs.map(String.init),
                    "numvfs \(text(was.numVFs)) → \(text(pf.numVFs)) on \(bdf)")
            }
            if was.totalVFs != pf.totalVFs {
                add(.totalVFsChanged, bdf, was.totalVFs.map(String.init), pf.totalVFs.map(String.init),
                    "totalvfs \(text(was.totalVFs)) → \(text(pf.totalVFs)) on \(bdf)")
            }
            let oldVFs = Dictionary(was.virtualFunctions.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
            let newVFs = Dictionary(pf.virtualFunctions.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
            for index in Set(oldVFs.keys).union(newVFs.keys).sorted() {
                let subject = "\(bdf) VF \(index)"
                guard let a = oldVFs[index], let b = newVFs[index] else {
                    if let b = newVFs[index] { add(.vfAdded, subject, nil, b.address.description, "VF \(index) added on \(bdf) (\(b.address): \(settings(b)))") }
                    if let a = oldVFs[index] { add(.vfRemoved, subject, a.address.description, nil, "VF \(index) removed from \(bdf) (\(a.address): \(settings(a)))") }
                    continue
                }
                vfChanges(a, b, subject: subject, pf: bdf, add: add)
            }
        }
        let oldInterfaces = Dictionary(old.interfaces.compactMap { i in i.pciAddress.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
        for i in new.interfaces {
            guard let address = i.pciAddress, let was = oldInterfaces[address], was.mac != i.mac,
                  !new.virtualFunctions.contains(where: { $0.address == address }) else { continue }
            add(.interfaceMACChanged, address.description, was.mac, i.mac, "MAC of \(i.name) on \(address) \(text(was.mac)) → \(text(i.mac))")
        }
        ConsumerDiff.changes(from: old, to: new, add: add)
        HealthDiff.changes(from: old, to: new, add: add)
        return out
    }

    private static func vfChanges(
        _ a: VirtualFunction, _ b: VirtualFunction, subject: String, pf: String,
        add: (Change.Kind, String, String?, String?, String) -> Void
    ) {
        let ca = a.config, cb = b.config
        if ca?.mac != cb?.mac {
            add(.vfMACChanged, subject, ca?.mac, cb?.mac, "VF \(a.index) MAC changed on \(pf): \(ca?.mac ?? "unknown") → \(cb?.mac ?? "unknown")")
        }
        if a.effectiveMAC != b.effectiveMAC, a.effectiveMAC != nil, b.effectiveMAC != nil {
            add(.vfNetdevMACChanged, subject, a.effectiveMAC, b.effectiveMAC,
                "VF \(a.index) netdev MAC changed on \(pf): \(a.effectiveMAC ?? "") → \(b.effectiveMAC ?? "")")
        }
        if ca?.vlan != cb?.vlan || ca?.qos != cb?.qos || ca?.vlanProtocol != cb?.vlanProtocol {
            add(.vfVLANChanged, subject, ca.map(vlanText), cb.map(vlanText),
                "VF \(a.index) VLAN changed on \(pf): \(ca.map(vlanText) ?? "unknown") → \(cb.map(vlanText) ?? "unknown")")
        }
        if ca?.spoofCheck != cb?.spoofCheck {
            add(.vfSecurityChanged, subject, onOff(ca?.spoofCheck), onOff(cb?.spoofCheck),
                "VF \(a.index) spoofchk \(onOff(ca?.spoofCheck)) → \(onOff(cb?.spoofCheck)) on \(pf)")
        }
        if ca?.trust != cb?.trust {
            add(.vfSecurityChanged, subject, onOff(ca?.trust), onOff(cb?.trust),
                "VF \(a.index) trust \(onOff(ca?.trust)) → \(onOff(cb?.trust)) on \(pf)")
        }
        if ca?.linkState != cb?.linkState {
            add(.vfLinkStateChanged, subject, ca?.linkState, cb?.linkState,
                "VF \(a.index) link state \(ca?.linkState ?? "unknown") → \(cb?.linkState ?? "unknown") on \(pf)")
        }
        if ca?.maxTxRate != cb?.maxTxRate || ca?.minTxRate != cb?.minTxRate {
            let r = { (c: VFConfig?) in c.map { "min \($0.minTxRate ?? 0) max \($0.maxTxRate ?? 0) Mb/s" } ?? "unknown" }
            add(.vfRateChanged, subject, r(ca), r(cb), "VF \(a.index) rate \(r(ca)) → \(r(cb)) on \(pf)")
        }
    }

    /// For each device, the other members of its IOMMU group (group numbers are not compared).
    private static func peers(_ snapshot: HostSnapshot) -> [PCIAddress: [PCIAddress]] {
        var result: [PCIAddress: [PCIAddress]] = [:]
        for group in snapshot.iommuGroups {
            for member in group.members { result[member] = group.members.filter { $0 != member } }
        }
        return result
    }

    private static func describe(_ d: PCIDevice) -> String {
        "\(d.deviceName ?? "device") [\(d.vendorDevice)]" + (d.driver.map { ", \($0)" } ?? "")
    }

    private static func linkText(_ l: PCIeLink) -> String {
        "\(l.currentSpeed ?? "?") x\(l.currentWidth.map(String.init) ?? "?")"
    }

    /// What a VF that came or went was: `MAC 02:00:00:00:10:03, VLAN 100, driver igbvf`.
    private static func settings(_ vf: VirtualFunction) -> String {
        let mac = vf.config?.mac ?? vf.effectiveMAC ?? "unknown"
        return "MAC \(mac), VLAN \(vf.config.map(vlanText) ?? "unknown"), driver \(vf.driver ?? "none")"
    }

    private static func vlanText(_ c: VFConfig) -> String {
        c.vlan == 0 ? "untagged" : "\(c.vlan)" + (c.qos != 0 ? " qos \(c.qos)" : "") + (c.vlanProtocol == "802.1ad" ? " 802.1ad" : "")
    }

    private static func onOff(_ value: Bool?) -> String {
        value.map { $0 ? "on" : "off" } ?? "unknown"
    }
}
