import Foundation
import Inventory
import XCTest

/// The fidelity comparison shared by the capture tests and the VM test: every collected field
/// against what the kernel's own tools printed at the same moment.
public enum FidelityCheck {
    /// Compares `snapshot` with the tools' outputs in `tools` (lspci-nnD.txt, lspci-vvv.txt,
    /// ip-d-j-link.json, ethtool-i-*.txt, uname.txt, cmdline.txt) and with the sysfs tree of the
    /// capture folder `capture`, read independently of the collector.
    public static func assertAgrees(_ snapshot: HostSnapshot, tools: String, capture: String, name: String) throws {
        let cmd = tools
        let stage = capture
        // lspci -nnD: the same functions, IDs, class, revision and pci.ids names.
        let numeric = LspciOracle.numeric(try XCTUnwrap(Fixtures.read(cmd + "/lspci-nnD.txt")))
        XCTAssertEqual(numeric.map(\.address), snapshot.pciDevices.map(\.address.description), name)
        for line in numeric {
            let device = try XCTUnwrap(snapshot.pciDevices.first { $0.address.description == line.address }, name)
            let context = "\(name) \(line.address)"
            XCTAssertEqual(device.vendorID, line.vendorID, context)
            XCTAssertEqual(device.deviceID, line.deviceID, context)
            XCTAssertEqual(String(device.classCode.prefix(4)), line.classID, context)
            XCTAssertEqual(device.className, line.className, context)
            XCTAssertEqual(device.revision == "00" ? nil : device.revision, line.revision, context)
            if let vendor = device.vendorName, let model = device.deviceName {
                XCTAssertEqual("\(vendor) \(model)", line.names, context)
            }
        }
        // lspci -vvv: driver, IOMMU group, SR-IOV capability, link, ACS.
        let blocks = LspciOracle.blocks(try XCTUnwrap(Fixtures.read(cmd + "/lspci-vvv.txt")))
        XCTAssertEqual(blocks.count, snapshot.pciDevices.count, name)
        for device in snapshot.pciDevices {
            let short = String(device.address.description.dropFirst(5))
            let block = try XCTUnwrap(blocks[short], "\(name) \(short)")
            let context = "\(name) \(short)"
            XCTAssertEqual(device.driver, block.value(after: "Kernel driver in use:"), context)
            XCTAssertEqual(device.iommuGroup.map(String.init), block.value(after: "IOMMU group:"), context)
            if block.line("Single Root I/O Virtualization") != nil {
                let cap = try XCTUnwrap(device.sriovCapability, context)
                XCTAssertEqual(String(cap.totalVFs), block.value(after: "Total VFs:"), context)
                XCTAssertEqual(String(cap.numVFs), block.value(after: "Number of VFs:"), context)
                XCTAssertEqual(String(cap.firstVFOffset), block.value(after: "VF offset:"), context)
                XCTAssertEqual(String(cap.vfStride), block.value(after: "stride:"), context)
            } else {
                XCTAssertNil(device.sriovCapability, context)
            }
            if let status = block.line("LnkSta:"), let range = status.range(of: "Speed [0-9.]+GT/s", options: .regularExpression) {
                let link = try XCTUnwrap(device.link, context)
                XCTAssertEqual(link.currentSpeed.flatMap { Double($0.split(separator: " ")[0]) },
                               Double(status[range].dropFirst(6).dropLast(4)), context)
            }
            XCTAssertEqual(device.acsCapability != nil, block.line("ACSCap:") != nil, context)
        }
        // sysfs, read independently: sriov_* values and the virtfn links, in index order.
        for pf in snapshot.physicalFunctions {
            let dir = try sysfsDeviceDirectory(stage, pf.address.description)
            XCTAssertEqual(pf.totalVFs.map(String.init), attribute(dir + "/sriov_totalvfs"), name)
            XCTAssertEqual(pf.numVFs.map(String.init), attribute(dir + "/sriov_numvfs"), name)
            XCTAssertEqual(pf.vfOffset.map(String.init), attribute(dir + "/sriov_offset"), name)
            XCTAssertEqual(pf.vfStride.map(String.init), attribute(dir + "/sriov_stride"), name)
            let links = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("virtfn") }
                .sorted { Int($0.dropFirst(6))! < Int($1.dropFirst(6))! }
            XCTAssertEqual(pf.virtualFunctions.map(\.address.description), links.map { linkTarget(dir + "/" + $0).components(separatedBy: "/").last! }, name)
            XCTAssertEqual(pf.virtualFunctions.map(\.index), Array(0..<links.count), name)
        }
        // IOMMU groups, listed independently.
        let groupsDir = stage + "/sysfs/sys/kernel/iommu_groups"
        let groupNames = (try? FileManager.default.contentsOfDirectory(atPath: groupsDir)) ?? []
        XCTAssertEqual(snapshot.iommuGroups.map(\.id), groupNames.compactMap { Int($0) }.sorted(), name)
        for group in snapshot.iommuGroups {
            let members = try FileManager.default.contentsOfDirectory(atPath: "\(groupsDir)/\(group.id)/devices").sorted()
            XCTAssertEqual(group.members.map(\.description), members, "\(name) group \(group.id)")
        }
        // ip -d -j link: interfaces and every VF table entry, decoded independently.
        let ipLinks = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cmd + "/ip-d-j-link.json"))) as? [[String: Any]])
        XCTAssertEqual(snapshot.interfaces.map(\.name), ipLinks.map { $0["ifname"] as! String }, name)
        for link in ipLinks {
            let ifname = link["ifname"] as! String
            let interface = try XCTUnwrap(snapshot.interface(named: ifname), name)
            let context = "\(name) \(ifname)"
            XCTAssertEqual(interface.mac, link["address"] as? String, context)
            XCTAssertEqual(interface.mtu, link["mtu"] as? Int, context)
            XCTAssertEqual(interface.operState, link["operstate"] as? String, context)
            XCTAssertEqual(interface.parentDevice, link["parentdev"] as? String, context)
            XCTAssertEqual(interface.carrier, (link["flags"] as? [String])?.contains("LOWER_UP"), context)
            // The VF whose PCI device owns this netdev has it as effective MAC.
            if let parent = link["parentdev"] as? String, let vf = snapshot.virtualFunctions.first(where: { $0.address.description == parent }) {
                XCTAssertEqual(vf.effectiveMAC, link["address"] as? String, context)
            }
            let table = link["vfinfo_list"] as? [[String: Any]] ?? []
            let pf = (link["parentdev"] as? String).flatMap { bdf in snapshot.physicalFunctions.first { $0.address.description == bdf } }
            for entry in table {
                let index = entry["vf"] as! Int
                let config = try XCTUnwrap(pf?.virtualFunctions.first { $0.index == index }?.config ?? interface.vfs.first { $0.index == index }, context)
                let vlan = (entry["vlan_list"] as? [[String: Any]])?.first
                XCTAssertEqual(config.mac, entry["address"] as? String, "\(context) vf \(index)")
                XCTAssertEqual(config.vlan, vlan?["vlan"] as? Int ?? 0, "\(context) vf \(index)")
                XCTAssertEqual(config.qos, vlan?["qos"] as? Int ?? 0, "\(context) vf \(index)")
                XCTAssertEqual(config.spoofCheck, entry["spoofchk"] as? Bool, "\(context) vf \(index)")
                XCTAssertEqual(config.trust, entry["trust"] as? Bool, "\(context) vf \(index)")
                XCTAssertEqual(config.linkState, entry["link_state"] as? String, "\(context) vf \(index)")
                XCTAssertEqual(config.rssQuery, entry["query_rss_en"] as? Bool, "\(context) vf \(index)")
                let rate = entry["rate"] as? [String: Int]
                XCTAssertEqual(config.maxTxRate, rate?["max_tx"], "\(context) vf \(index)")
                XCTAssertEqual(config.minTxRate, rate?["min_tx"], "\(context) vf \(index)")
            }
            if let pf { XCTAssertEqual(pf.virtualFunctions.filter { $0.config != nil }.count, table.count, context) }
        }
        // ethtool -i, line by line.
        for file in try FileManager.default.contentsOfDirectory(atPath: cmd) where file.hasPrefix("ethtool-i-") {
            let ifname = String(file.dropFirst(10).dropLast(4))
            let text = try XCTUnwrap(Fixtures.read(cmd + "/" + file))
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let colon = line.range(of: ": ") ?? line.range(of: ":") else { continue }
                fields[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
            }
            let info = snapshot.interface(named: ifname)?.driverInfo
            XCTAssertEqual(info?.driver, fields["driver"], "\(name) \(file)")
            XCTAssertEqual(info?.version, fields["version"], "\(name) \(file)")
            XCTAssertEqual(info?.firmwareVersion, fields["firmware-version"], "\(name) \(file)")
            XCTAssertEqual(info?.busInfo, fields["bus-info"], "\(name) \(file)")
            if let bus = fields["bus-info"], let pf = snapshot.physicalFunctions.first(where: { $0.address.description == bus }) {
                XCTAssertEqual(pf.driverInfo?.firmwareVersion, fields["firmware-version"], "\(name) \(file)")
            }
        }
        // Host identity.
        let uname = try XCTUnwrap(Fixtures.read(cmd + "/uname.txt")).split(separator: " ")
        XCTAssertEqual(snapshot.host.kernelRelease, String(uname[2]), name)
        XCTAssertEqual(snapshot.host.kernelCommandLine.map { $0 + "\n" }, Fixtures.read(cmd + "/cmdline.txt"), name)
    }

    /// A link's target, whether it is a real link or a file holding the target.
    private static func linkTarget(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? Fixtures.read(path) ?? ""
    }

    private static func sysfsDeviceDirectory(_ stage: String, _ bdf: String) throws -> String {
        let target = linkTarget(stage + "/sysfs/sys/bus/pci/devices/" + bdf)
        return stage + "/sysfs/sys/" + target.replacingOccurrences(of: "../../../", with: "")
    }

    private static func attribute(_ path: String) -> String? {
        Fixtures.read(path).map { $0.trimmingCharacters(in: .newlines) }
    }
}
