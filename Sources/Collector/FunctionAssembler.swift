import Inventory

/// Joins PFs with their VFs: sysfs `virtfnN` links give index and address, each VF's own device
/// gives driver, IOMMU group and netdev, and the PF's VF table (rtnetlink) gives the admin settings.
enum FunctionAssembler {
    static func physicalFunctions(
        scanned: [ScannedDevice], interfaces: [NetworkInterface], log: inout WarningLog
    ) -> [PhysicalFunction] {
        let devices = Dictionary(scanned.map { ($0.device.address, $0.device) }, uniquingKeysWith: { a, _ in a })
        let byName = Dictionary(interfaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var childrenOf: [PCIAddress: [PCIAddress]] = [:]
        for device in devices.values {
            if let pf = device.physicalFunction { childrenOf[pf, default: []].append(device.address) }
        }

        var result: [PhysicalFunction] = []
        for entry in scanned where entry.sriov != nil || entry.device.sriovCapability != nil {
            let device = entry.device
            var pf = PhysicalFunction(address: device.address, interfaces: device.interfaces)
            if let sysfs = entry.sriov {
                pf.totalVFs = sysfs.totalVFs
                pf.numVFs = sysfs.numVFs
                pf.vfOffset = sysfs.offset
                pf.vfStride = sysfs.stride
                pf.vfDeviceID = sysfs.vfDeviceID
                pf.driversAutoprobe = sysfs.driversAutoprobe
                pf.vfTotalMSIX = sysfs.vfTotalMSIX
            } else if let cap = device.sriovCapability {
                pf.source = "config-space"
                pf.totalVFs = cap.totalVFs
                pf.numVFs = cap.numVFs
                pf.vfOffset = cap.firstVFOffset
                pf.vfStride = cap.vfStride
                pf.vfDeviceID = cap.vfDeviceID
            }
            let pfInterfaces = device.interfaces.compactMap { byName[$0] }
            pf.driverInfo = pfInterfaces.lazy.compactMap(\.driverInfo).first
            let table = pfInterfaces.first { !$0.vfs.isEmpty }?.vfs ?? []
            let vfTable = Dictionary(table.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })

            var links = entry.sriov?.virtfnLinks ?? []
            // VFs whose physfn names this PF but that have no virtfn link (a partial capture):
            // derive the index from the routing ID, as the kernel assigns it.
            let linked = Set(links.map(\.address))
            for orphan in (childrenOf[device.address] ?? []).sorted() where !linked.contains(orphan) {
                if let offset = pf.vfOffset, let stride = pf.vfStride, stride > 0 {
                    let distance = orphan.routingID - device.address.routingID - offset
                    if distance >= 0, distance % stride == 0 {
                        links.append((distance / stride, orphan))
                        log.add(.inconsistent, orphan.description, "VF of \(device.address) has no virtfn link; index \(distance / stride) derived from its routing ID")
                    }
                }
            }
            links.sort { $0.index < $1.index }

            for (index, address) in links {
                guard let vfDevice = devices[address] else {
                    log.add(.vanished, address.description, "virtfn\(index) of \(device.address) points to a device that is gone")
                    continue
                }
                let effectiveMAC = vfDevice.interfaces.lazy.compactMap { byName[$0]?.mac }.first
                pf.virtualFunctions.append(VirtualFunction(
                    index: index, address: address, physicalFunction: device.address, driver: vfDevice.driver,
                    iommuGroup: vfDevice.iommuGroup, interfaces: vfDevice.interfaces, effectiveMAC: effectiveMAC,
                    config: vfTable[index]
                ))
            }
            if let numVFs = pf.numVFs, numVFs != pf.virtualFunctions.count {
                log.add(.inconsistent, device.address.description,
                        "sriov_numvfs is \(numVFs) but \(pf.virtualFunctions.count) VFs were found")
            }
            // A table shorter than numvfs is a VFTableShortfall on the interface, said there.
            if !table.isEmpty, let numVFs = pf.numVFs, table.count > numVFs {
                log.add(.inconsistent, device.address.description,
                        "the PF driver's VF table has \(table.count) entries, sriov_numvfs is \(numVFs)")
            }
            result.append(pf)
        }
        return result
    }
}
