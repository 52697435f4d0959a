import Inventory
import Rules

/// The checks that look at one host at a time.
enum HostChecks {
    static func run(_ rule: Rule, _ host: OracleHost) -> [Finding] {
        let name = host.name
        switch (rule.check, rule.parameters) {
        case (.iommuEnabled, _):
            guard rule.selector.matchesHost(host) else { return [] }
            let iommu = host.snapshot.iommu
            switch iommu.enabled {
            case true?:
                return [rule.pass(host: name, "IOMMU is enabled (\(iommu.units.map { $0.joined(separator: ",") } ?? "units unknown"); \(iommu.groupCount) groups)")]
            case false?:
                return [rule.violation(host: name, "IOMMU is not enabled: no IOMMU groups or no IOMMU unit",
                                       hint: "enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on iommu=pt (Intel) or amd_iommu=on iommu=pt (AMD)",
                                       evidence: ["groups": String(iommu.groupCount), "cmdline": iommu.commandLineOptions.joined(separator: " ")])]
            case nil:
                return [rule.violation(host: name, "IOMMU state unknown: the snapshot has no IOMMU groups to judge from",
                                       hint: "collect again with `sriov-audit capture` or live, which include /sys/kernel/iommu_groups")]
            }
        case (.iommuIsolation, _):
            return isolation(rule, host)
        case (.vfCapacity, .vfCapacity(let perPF, let perHost, let fraction)):
            return capacity(rule, host, perPF, perHost, fraction)
        case (.vfDriver, .vfDriver(let allowed)):
            // A netdev-only VF table entry has no PCI function to bind.
            return perVF(rule, host, what: "VFs bound to an allowed driver", applies: { $0.vf != nil }) { vf in
                guard let v = vf.vf else { return nil }
                guard let driver = v.driver else {
                    return ("VF \(v.index) of \(vf.pfAddress.map { "\($0)" } ?? "?") has no driver", "bind it: echo \(v.address) > /sys/bus/pci/drivers/DRIVER/bind (or enable sriov_drivers_autoprobe)", ["driver": "none"])
                }
                return allowed.contains(driver) ? nil
                    : ("VF \(v.index) is bound to \(driver), not one of \(allowed.joined(separator: ", "))", "rebind it to an allowed driver", ["driver": driver])
            }
        case (.macValid, .macValid(let zeroPolicy, let local)):
            // VFs with no MAC at all (NVMe, accelerators) are not counted as checked.
            return perVF(rule, host, what: "VF MACs valid", applies: { $0.config != nil || $0.vf?.effectiveMAC != nil }, readsTable: { _ in true }) { vf in
                for (kind, mac) in [("admin", vf.config?.mac), ("netdev", vf.vf?.effectiveMAC)] {
                    guard let mac, let first = firstOctet(mac) else { continue }
                    if first & 1 == 1 {
                        return ("\(vf.subject) has a \(mac == "ff:ff:ff:ff:ff:ff" ? "broadcast" : "multicast") \(kind) MAC \(mac)",
                                "set a unicast MAC: ip link set PF vf \(vf.index) mac 02:…", ["mac": mac])
                    }
                }
                if let admin = vf.config?.mac, isZero(admin) {
                    let flagged = switch zeroPolicy {
                    case .always: true
                    case .netdev: vf.hasNetdev
                    case .never: false
                    }
                    if flagged {
                        return ("\(vf.subject) has no admin MAC (00:00:00:00:00:00)\(vf.hasNetdev ? "; its netdev picks a random one at every boot" : "")",
                                "set a stable MAC: ip link set \(vf.pfInterface ?? "PF") vf \(vf.index) mac 02:…", ["mac": admin])
                    }
                } else if local, let admin = vf.config?.mac, let first = firstOctet(admin), first & 2 == 0 {
                    return ("\(vf.subject) admin MAC \(admin) is not locally administered", "use a MAC with the 0x02 bit set (02:…)", ["mac": admin])
                }
                return nil
            }
        case (.vlanAllowed, .vlanAllowed(let ranges, let maxQoS)):
            return perVF(rule, host, what: "VF VLANs allowed", applies: { $0.config != nil }, readsTable: { _ in true }) { vf in
                guard let c = vf.config else { return nil }
                if c.vlan == 4095 { return ("\(vf.subject) uses the reserved VLAN 4095", "choose a VLAN from 1 to 4094", ["vlan": "4095"]) }
                if !ranges.contains(where: { $0.contains(c.vlan) }) {
                    return ("\(vf.subject) uses VLAN \(c.vlan), outside \(ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ","))",
                            "move it to an allowed VLAN", ["vlan": String(c.vlan)])
                }
                if let maxQoS, c.qos > maxQoS { return ("\(vf.subject) uses QoS \(c.qos) (at most \(maxQoS))", nil, ["qos": String(c.qos)]) }
                return nil
            }
        case (.vfSecurity, .vfSecurity(let exempt)):
            // Exempted VFs and VFs whose driver reports no settings are not counted as checked.
            let isExempt = { (pfAddress: PCIAddress?, pfInterface: String?) -> Bool in
                if let pf = pfAddress, let view = host.pfByAddress[pf], exempt.contains(where: { $0.matches(view) }) { return true }
                if pfAddress == nil, let name = pfInterface, let interface = host.snapshot.interface(named: name),
                   exempt.contains(where: { $0.matches(interface: interface, host: host) }) { return true }
                return false
            }
            let applies = { (vf: VFView) -> Bool in !isExempt(vf.pfAddress, vf.pfInterface) && vf.config != nil }
            return perVF(rule, host, what: "VFs with spoofchk on and trust off", applies: applies,
                         readsTable: { !isExempt($0.pfAddress, $0.interface) }) { vf in
                guard let c = vf.config else { return nil }
                var problems: [String] = []
                switch c.spoofCheck {
                case false?: problems.append("spoofchk off")
                case nil: problems.append("spoofchk not reported by the driver")
                default: break
                }
                switch c.trust {
                case true?: problems.append("trust on")
                case nil: problems.append("trust not reported by the driver")
                default: break
                }
                guard !problems.isEmpty else { return nil }
                return ("\(vf.subject): \(problems.joined(separator: ", "))",
                        "ip link set \(vf.pfInterface ?? "PF") vf \(vf.index) spoofchk on trust off (or exempt it in the rule)",
                        ["spoofchk": c.spoofCheck.map { $0 ? "on" : "off" } ?? "unknown", "trust": c.trust.map { $0 ? "on" : "off" } ?? "unknown"])
            }
        case (.firmwareMinimum, .versionMinimum(let range)), (.driverMinimum, .versionMinimum(let range)):
            let firmware = rule.check == .firmwareMinimum
            return perPF(rule, host, what: firmware ? "PF firmware at or above the floor" : "PF drivers at or above the floor") { view in
                guard let text = firmware ? view.firmware : view.driverVersion else {
                    return view.pf.driverInfo == nil ? nil : ("\(view.modelName) reports no \(firmware ? "firmware" : "driver") version", nil, [:])
                }
                let context = view.versionContext
                guard let version = firmware ? VendorVersion.firmware(text, context) : VendorVersion.driver(text, context) else {
                    let family = firmware ? VersionFamily.firmware(driver: context.driver) : .generic
                    return ("\(firmware ? "firmware" : "driver") version \"\(text)\" cannot be parsed as \(family.rawValue) (expected \(family.expectedFormat))",
                            "check `ethtool -i \(view.pf.interfaces.first ?? "IFACE")`", ["version": text, "family": family.rawValue])
                }
                switch range.contains(version) {
                case .inside: return nil
                case .outside: return ("\(firmware ? "firmware" : "driver") \(text) is not \(range)", firmware ? "update the NIC firmware" : "update the driver", ["version": text, "required": range.description])
                case .undecidable(let why): return ("\(firmware ? "firmware" : "driver") \(text) cannot be checked against \(range): \(why)", nil, ["version": text, "required": range.description])
                }
            }
        case (.driverFirmwareCompat, .compatibility(let matrix)):
            return perPF(rule, host, what: "PFs with a validated driver/firmware pair") { view in
                guard let fwText = view.firmware, let drvText = view.driverVersion else { return nil }
                guard let fw = VendorVersion.firmware(fwText, view.versionContext), let drv = VendorVersion.driver(drvText, view.versionContext) else {
                    let family = VersionFamily.firmware(driver: view.versionContext.driver)
                    return ("driver \(drvText) / firmware \(fwText) cannot be parsed (firmware expected as \(family.rawValue): \(family.expectedFormat))",
                            "check `ethtool -i \(view.pf.interfaces.first ?? "IFACE")`", ["driver": drvText, "firmware": fwText, "family": family.rawValue])
                }
                if matrix.contains(where: { $0.driver.contains(drv) == .inside && $0.firmware.contains(fw) == .inside }) { return nil }
                return ("driver \(drvText) with firmware \(fwText) is not a validated pair", "move to a pair listed in rule \(rule.id)", ["driver": drvText, "firmware": fwText])
            }
        default:
            return []
        }
    }

    /// Runs `check` on every VF the rule selects and `applies` to; a host with no violation gets
    /// one PASS that counts the VFs actually checked. A check that reads the VF table's settings
    /// (`readsTable` given) also reports each selected PF whose table is partial and that
    /// `readsTable` accepts as "cannot judge", which rules out that PASS.
    private static func perVF(_ rule: Rule, _ host: OracleHost, what: String, applies: (VFView) -> Bool = { _ in true },
                              readsTable: ((IncompleteVFTable) -> Bool)? = nil,
                              _ check: (VFView) -> (String, String?, [String: String])?) -> [Finding] {
        let vfs = host.vfViews(rule.selector).filter(applies)
        var findings: [Finding] = []
        for vf in vfs {
            if let (message, hint, evidence) = check(vf) {
                findings.append(rule.violation(host: host.name, bdf: vf.bdf, message, hint: hint, evidence: evidence))
            }
        }
        if let readsTable {
            for table in host.incompleteVFTables(rule.selector) where readsTable(table) {
                findings.append(rule.cannotJudge(host: host.name, table))
            }
        }
        if findings.isEmpty, !vfs.isEmpty { findings.append(rule.pass(host: host.name, "\(vfs.count) \(what)")) }
        return findings
    }

    private static func perPF(_ rule: Rule, _ host: OracleHost, what: String,
                              _ check: (PFView) -> (String, String?, [String: String])?) -> [Finding] {
        let pfs = host.pfViews.filter { rule.selector.matches($0) }
        var findings: [Finding] = []
        for pf in pfs {
            if let (message, hint, evidence) = check(pf) {
                findings.append(rule.violation(host: host.name, bdf: pf.pf.address.description, message, hint: hint, evidence: evidence))
            }
        }
        if findings.isEmpty, !pfs.isEmpty { findings.append(rule.pass(host: host.name, "\(pfs.count) \(what)")) }
        return findings
    }

    private static func isolation(_ rule: Rule, _ host: OracleHost) -> [Finding] {
        let snapshot = host.snapshot
        let groups = Dictionary(snapshot.iommuGroups.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let pfs = Set(host.pfViews.filter { rule.selector.matches($0) }.map(\.pf.address))
        let subjects = snapshot.pciDevices.filter { device in
            device.physicalFunction.map { pfs.contains($0) } ?? false || (isVFIO(device.driver) && rule.selector.matchesHost(host))
        }
        // A source without IOMMU groups (a partial sysfs copy) says nothing about isolation: one
        // finding that says so, not a "no group" per device that may well have one.
        if snapshot.iommu.enabled == nil, !subjects.isEmpty {
            return [rule.violation(host: host.name, "IOMMU groups are not in this snapshot: the isolation of \(subjects.count) VFs and vfio-pci devices cannot be judged",
                                   hint: "collect live or with `sriov-audit capture`, which include /sys/kernel/iommu_groups")]
        }
        // With the IOMMU off (or VFIO in no-IOMMU mode) nothing is isolated, whatever the groups say.
        if snapshot.iommu.enabled == false, !subjects.isEmpty {
            return [rule.violation(host: host.name, "the IOMMU is off: \(subjects.count) VFs and vfio-pci devices have no DMA isolation at all",
                                   hint: "enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on before giving VFs to guests")]
        }
        var checked = 0
        var findings: [Finding] = []
        for device in subjects {
            checked += 1
            let bdf = device.address.description
            guard let number = device.iommuGroup else {
                if snapshot.iommu.enabled == true {
                    findings.append(rule.violation(host: host.name, bdf: bdf, "\(bdf) has no IOMMU group although the IOMMU is on",
                                                   hint: "check dmesg for DMAR/AMD-Vi errors about this device"))
                }
                continue
            }
            guard let group = groups[number] else { continue }
            let others = group.members.filter { $0 != device.address }
            let unsafe = others.filter { !isHarmlessGroupPeer(host.device(at: $0)?.driver) }
            if !unsafe.isEmpty || !group.otherMembers.isEmpty {
                let members = (others.map { "\($0) (\(host.device(at: $0)?.driver ?? "unbound"))" } + group.otherMembers).joined(separator: ", ")
                findings.append(rule.violation(
                    host: host.name, bdf: bdf, "\(bdf) shares IOMMU group \(number) with \(members)",
                    hint: "a guest given \(bdf) can reach its group peers: enable ACS on the upstream bridges, move the device, or give the whole group to vfio-pci",
                    evidence: ["group": String(number), "members": group.members.map(\.description).joined(separator: " ")]))
            }
        }
        if findings.isEmpty, checked > 0 { findings.append(rule.pass(host: host.name, "\(checked) VFs and vfio-pci devices isolated in their IOMMU groups")) }
        return findings
    }

    private static func capacity(_ rule: Rule, _ host: OracleHost, _ perPF: Int?, _ perHost: Int?, _ fraction: Double?) -> [Finding] {
        let pfs = host.pfViews.filter { rule.selector.matches($0) }
        var findings: [Finding] = []
        var total = 0
        var judged = 0
        for view in pfs {
            let pf = view.pf
            let bdf = pf.address.description
            // A VF count nobody read (no sriov_numvfs, no VF listing) is not zero: not judged.
            guard let num = pf.numVFs else {
                findings.append(Finding(rule: rule, status: .warn, host: host.name, bdf: bdf,
                                        message: "PF \(bdf): its VF count is not known, so its capacity cannot be judged",
                                        hint: "collect again with the PF's VF count (sriov_numvfs, or esxcli network sriovnic vf list)",
                                        evidence: ["numvfs": "unknown"]))
                continue
            }
            judged += 1
            total += num
            func add(_ message: String, _ hint: String?, _ evidence: [String: String] = [:]) {
                findings.append(rule.violation(host: host.name, bdf: bdf, message, hint: hint,
                                               evidence: evidence.merging(["numvfs": String(num), "totalvfs": pf.totalVFs.map(String.init) ?? "unknown"]) { a, _ in a }))
            }
            if let totalVFs = pf.totalVFs, num > totalVFs {
                add("numvfs \(num) exceeds totalvfs \(totalVFs)", "lower sriov_numvfs; the firmware caps this PF at \(totalVFs)")
            }
            if pf.virtualFunctions.count != num {
                add("\(num) VFs announced but \(pf.virtualFunctions.count) present (partial creation)",
                    "write 0 to sriov_numvfs, then \(num) again; check dmesg for ENOMEM (pci=realloc) or ENOSPC (MSI-X)",
                    ["present": String(pf.virtualFunctions.count)])
            }
            if let perPF, num > perPF { add("\(num) VFs exceed the policy ceiling of \(perPF) per PF", "lower sriov_numvfs") }
            if let fraction, let totalVFs = pf.totalVFs, totalVFs > 0, Double(num) > fraction * Double(totalVFs) {
                add("\(num) of \(totalVFs) VFs exceed \(Int(fraction * 100))% of the PF's capacity", "lower sriov_numvfs")
            }
        }
        if let perHost, total > perHost {
            findings.append(rule.violation(host: host.name, "\(total) VFs on the host exceed the ceiling of \(perHost)", hint: "spread VFs over more hosts",
                                           evidence: ["vfs": String(total)]))
        }
        if findings.isEmpty, judged > 0 { findings.append(rule.pass(host: host.name, "\(judged) PFs within their VF capacity (\(total) VFs)")) }
        return findings
    }

    /// vfio-pci and its vendor variants (mlx5_vfio_pci, hisi_acc_vfio_pci, pds_vfio_pci, ...).
    static func isVFIO(_ driver: String?) -> Bool {
        guard let driver else { return false }
        return driver == "vfio-pci" || driver.hasSuffix("vfio_pci") || driver.hasSuffix("vfio-pci")
    }

    /// A group peer that cannot be used to reach an assigned device: unbound, given to VFIO as
    /// well, or bound to a driver the kernel lets share a group with a VFIO user because it does
    /// no DMA of its own (`driver_managed_dma`: the PCIe port driver and pci-stub). This is the
    /// same test the kernel makes before it lets VFIO take the group.
    static func isHarmlessGroupPeer(_ driver: String?) -> Bool {
        guard let driver else { return true }
        return isVFIO(driver) || driver == "pcieport" || driver == "pci-stub"
    }

    static func firstOctet(_ mac: String) -> UInt8? {
        UInt8(mac.prefix(2), radix: 16)
    }

    static func isZero(_ mac: String) -> Bool {
        mac.utf8.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ":") }
    }
}
