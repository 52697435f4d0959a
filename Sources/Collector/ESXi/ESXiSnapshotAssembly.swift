#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Inventory

// How one ESXi host's listings become a snapshot: PCI functions from `hardware pci list`,
// uplinks from `nic list`/`sriovnic list` with `nic get`'s driver and firmware, PFs and their
// VFs from `sriovnic vf list`, and each VF's owner world named from `vm process list`.
extension ListingSet {
    func assemble(hostname: String, now: Date) -> HostSnapshot {
        var warnings = self.warnings
        let pfNames = sriovNames.union(vfLists.keys).sorted(by: Self.vmnicOrder)

        // Uplinks: every vmnic any listing names.
        var interfaces: [NetworkInterface] = []
        for name in Set(nics.keys).union(nicInfo.keys).union(vfLists.keys).sorted(by: Self.vmnicOrder) {
            guard let address = nics[name]?.address ?? nicInfo[name]?.address else {
                warnings.append(CollectionWarning(.missing, subject: name, message: "no listing gives its PCI address (add nic-list or nic-get-\(name)); left out"))
                continue
            }
            interfaces.append(interface(name, address: address))
        }
        let addressOf = Dictionary(interfaces.map { ($0.name, $0.pciAddress) }, uniquingKeysWith: { a, _ in a })

        var pfs: [PhysicalFunction] = []
        var claims: [VFConsumer] = []
        var vfParent: [PCIAddress: PCIAddress] = [:]
        for name in pfNames {
            guard let address = addressOf[name] ?? nil else { continue }
            var pf = PhysicalFunction(address: address, source: "esxcli", interfaces: [name], driverInfo: interfaces.first { $0.name == name }?.driverInfo)
            if let list = vfLists[name] {
                // Every VF max_vfs made is listed, in use or not: the VFs listed (each once) are the PF's VF count.
                pf.numVFs = Set(list.vfs.map(\.id)).count
                for vf in list.vfs.sorted(by: { $0.id < $1.id }) {
                    // One VF ID, one address: a repeated row (two listings pasted together) is said, not doubled.
                    if pf.virtualFunctions.contains(where: { $0.index == vf.id }) || vfParent[vf.address] != nil {
                        warnings.append(CollectionWarning(.inconsistent, subject: list.file, message: "VF \(vf.id) (\(vf.address)) is listed twice; the first is kept"))
                        continue
                    }
                    pf.virtualFunctions.append(VirtualFunction(index: vf.id, address: vf.address, physicalFunction: address))
                    vfParent[vf.address] = address
                    if let world = vf.ownerWorldID { claims.append(claim(vf, world: world, vmnic: name, listFile: list.file, warnings: &warnings)) }
                }
            } else {
                warnings.append(CollectionWarning(.missing, subject: name, message: "no sriovnic-vf-list-\(name): its VFs and their owners are not known"))
            }
            pfs.append(pf)
        }
        pfs.sort { $0.address < $1.address }

        if pci.isEmpty {
            warnings.append(CollectionWarning(.missing, subject: "hardware-pci-list",
                                              message: "not given: PF models (vendor:device) are unknown, so firmware-aligned cannot group these PFs with other hosts'"))
        }
        var devices: [PCIDevice] = []
        for function in pci.values.sorted(by: { $0.address < $1.address }) {
            guard let device = device(function, physicalFunction: vfParent[function.address]) else {
                warnings.append(CollectionWarning(.malformed, subject: "hardware-pci-list", message: "\(function.address) has no Vendor ID, Device ID or Device Class; left out"))
                continue
            }
            devices.append(device)
        }

        var snapshot = HostSnapshot(
            toolVersion: SriovAuditVersion.current, collectedAt: collectedAt ?? now, source: SnapshotSource(kind: .esxi, path: folder),
            host: HostInfo(hostname: hostname, kernelRelease: version),
            iommu: IOMMUState(enabled: nil, units: nil, groupCount: 0, commandLineOptions: []), iommuGroups: [],
            pciDevices: devices, interfaces: interfaces, physicalFunctions: pfs, warnings: [])
        if collectedAt == nil {
            warnings.append(CollectionWarning(.missing, subject: "collected-at", message: "no collection time given: the import time is recorded"))
        }
        if !vfLists.isEmpty {
            var sources = vfLists.keys.sorted(by: Self.vmnicOrder).map { ConsumerSource(path: "esxcli network sriovnic vf list -n \($0)", kind: .esxiVFList) }
            if vms != nil { sources.append(ConsumerSource(path: "esxcli vm process list", kind: .esxiVMProcessList)) }
            ConsumerPlacement.place(claims: claims, declarations: [], inventory: ConsumerInventory(sources: sources), into: &snapshot)
        }
        snapshot.warnings = warnings
        return snapshot
    }

    /// An uplink as the audit sees a netdev: `ifindex` is the vmnic's number (ESXi has no
    /// ifindex; its uplinks are numbered in PCI order at boot).
    private func interface(_ name: String, address: PCIAddress) -> NetworkInterface {
        let row = nics[name], info = nicInfo[name]
        let link = (row?.link ?? info?.linkStatus).map { $0.trimming(" \t").uppercased() }
        // `Admin Status` is in `nic list` only; a link that is up is administratively up.
        let adminUp = row?.adminStatus.map { $0.trimming(" \t").lowercased() == "up" } ?? (link == "UP")
        var interface = NetworkInterface(
            name: name, ifindex: Int(name.drop { !$0.isNumber }) ?? 0, mac: row?.mac, mtu: row?.mtu, operState: link, adminUp: adminUp,
            carrier: link.map { $0 == "UP" }, speedMbps: link == "UP" ? row?.speed : nil, linkType: "ether",
            parentBus: "pci", parentDevice: address.description)
        interface.duplex = link == "UP" ? row?.duplex?.lowercased() : nil
        let driver = info?.driver ?? row?.driver
        if let driver {
            interface.driverInfo = DriverInfo(driver: driver, version: info?.driverVersion ?? "", firmwareVersion: info?.firmwareVersion ?? "",
                                              expansionROMVersion: nil, busInfo: address.description)
        }
        return interface
    }

    /// A PCI function of `hardware pci list`.
    private func device(_ f: ESXiPCIFunction, physicalFunction: PCIAddress?) -> PCIDevice? {
        guard let vendorID = f.vendorID, let deviceID = f.deviceID, let classCode = f.classCode else { return nil }
        return PCIDevice(address: f.address, vendorID: vendorID, deviceID: deviceID,
                  subsystemVendorID: f.subsystemVendorID, subsystemDeviceID: f.subsystemDeviceID,
                  vendorName: f.vendorName, deviceName: f.deviceName,
                  // ESXi prints the class and the programming interface apart; PCI joins them.
                  classCode: classCode + (f.programmingInterface ?? "00"), revision: f.revision,
                  driver: f.moduleName.flatMap { $0 == "None" || $0.isEmpty ? nil : $0 },
                  physicalFunction: physicalFunction, interfaces: f.vmkernelName.map { $0.hasPrefix("vmnic") ? [$0] : [] } ?? [])
    }

    /// The VM whose world (ESXi 8 and before) or VMX cartel (ESXi 9) holds a VF.
    private func claim(_ vf: ESXiVF, world: Int, vmnic: String, listFile: String, warnings: inout [CollectionWarning]) -> VFConsumer {
        let listCommand = "esxcli network sriovnic vf list -n \(vmnic)"
        guard let vms else {
            return VFConsumer(address: vf.address, kind: .esxiVM, name: "world \(world)", running: nil, attachment: "sriov-passthrough", sources: [listCommand])
        }
        guard let vm = vms.processes.first(where: { $0.worldID == world || $0.cartelID == world }) else {
            warnings.append(CollectionWarning(.inconsistent, subject: listFile,
                                              message: "VF \(vf.id) (\(vf.address)) is held by world \(world), which \(vms.file) does not list"))
            return VFConsumer(address: vf.address, kind: .esxiVM, name: "world \(world)", running: nil, attachment: "sriov-passthrough", sources: [listCommand])
        }
        return VFConsumer(address: vf.address, kind: .esxiVM, name: vm.displayName, uuid: vm.uuid.flatMap(Self.biosUUID), running: true,
                          attachment: "sriov-passthrough", sources: [listCommand, "esxcli vm process list"])
    }

    /// `56 4d 67 fa b9 f2 da 11-aa 79 47 50 07 db 8b 71` → `564d67fa-b9f2-da11-aa79-475007db8b71`,
    /// the form vCenter shows as the VM's BIOS UUID; nil when it is not 32 hex digits.
    static func biosUUID(_ text: String) -> String? {
        let hex = text.filter { $0 != " " && $0 != "-" }.lowercased()
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let h = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(h[$0]) }.joined(separator: "-")
    }

    /// vmnic2 before vmnic10.
    static func vmnicOrder(_ a: String, _ b: String) -> Bool {
        let na = Int(a.drop { !$0.isNumber }), nb = Int(b.drop { !$0.isNumber })
        if let na, let nb, na != nb { return na < nb }
        return a < b
    }
}
