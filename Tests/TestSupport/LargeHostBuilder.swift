import Foundation

/// Derives a large SR-IOV host from the real igb capture: `pfs` copies of the 82576 PF, each with
/// `vfsPerPF` VFs (ARI routing: offset 1, stride 1), every VF in its own IOMMU group, with netdevs,
/// an `ip -d -j link` VF table of varied MACs and VLANs, `ethtool -i` files and `resource` files
/// (so `lspci -vvv` can read the same tree). For the collector benchmark and scale tests.
public struct LargeHostBuilder {
    public var pfs = 8
    public var vfsPerPF = 128

    public init(pfs: Int = 8, vfsPerPF: Int = 128) {
        self.pfs = pfs
        self.vfsPerPF = vfsPerPF
    }

    /// Builds the tree into `root` (created; must not exist).
    public func build(at root: String) throws {
        let fm = FileManager.default
        let source = Fixtures.path("qemu/igb-nvme-netdevsim/after")
        try FixtureBuilder.copyRestoringLinks(from: source, to: root)
        let sys = root + "/sysfs/sys"
        let pfTemplate = sys + "/devices/pci0000:00/0000:00:05.0/0000:04:00.0"
        let vfTemplate = sys + "/devices/pci0000:00/0000:00:05.0/0000:04:10.0"
        let hostBridge = sys + "/devices/pci0000:80"
        try fm.createDirectory(atPath: hostBridge, withIntermediateDirectories: true)
        let resource = String(repeating: "0x0000000000000000 0x0000000000000000 0x0000000000000000\n", count: 13)
        var links = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/cmd/ip-d-j-link.json"))) as! [[String: Any]]
        var ifindex = (links.compactMap { $0["ifindex"] as? Int }.max() ?? 0) + 1
        var group = 1000

        for p in 0..<pfs {
            let bus = 0x20 + p * 2
            let pfBDF = String(format: "0000:%02x:00.0", bus)
            let pfDir = hostBridge + "/" + pfBDF
            try copyAttributes(from: pfTemplate, to: pfDir)
            try write(pfDir + "/resource", resource)
            try write(pfDir + "/sriov_totalvfs", "\(vfsPerPF)\n")
            try write(pfDir + "/sriov_numvfs", "\(vfsPerPF)\n")
            try write(pfDir + "/sriov_offset", "1\n")
            try write(pfDir + "/sriov_stride", "1\n")
            try patchSRIOVCapability(pfDir + "/config")
            try fm.createSymbolicLink(atPath: pfDir + "/driver", withDestinationPath: "../../../bus/pci/drivers/igb")
            try addToGroup(group, bdf: pfBDF, device: pfDir, sys: sys)
            group += 1
            let pfName = "enp\(bus)s0f0"
            try addNetdev(pfName, device: pfDir, sys: sys, mac: mac(0x10 + p, 0))
            var vfTable: [[String: Any]] = []
            for v in 0..<vfsPerPF {
                let rid = (bus << 8) + 1 + v
                let vfBDF = String(format: "0000:%02x:%02x.%d", rid >> 8, (rid >> 3) & 0x1f, rid & 7)
                let vfDir = hostBridge + "/" + vfBDF
                try copyAttributes(from: vfTemplate, to: vfDir)
                try write(vfDir + "/resource", resource)
                try fm.createSymbolicLink(atPath: pfDir + "/virtfn\(v)", withDestinationPath: "../" + vfBDF)
                try fm.createSymbolicLink(atPath: vfDir + "/physfn", withDestinationPath: "../" + pfBDF)
                let driver = v % 4 == 3 ? "vfio-pci" : "igbvf"
                try fm.createSymbolicLink(atPath: vfDir + "/driver", withDestinationPath: "../../../bus/pci/drivers/" + driver)
                try addToGroup(group, bdf: vfBDF, device: vfDir, sys: sys)
                group += 1
                let adminMAC = mac(0x10 + p, v + 1)
                if driver == "igbvf" {
                    let name = "\(pfName)v\(v)"
                    try addNetdev(name, device: vfDir, sys: sys, mac: adminMAC)
                    links.append(link(name, &ifindex, mac: adminMAC, parent: vfBDF, driver: "igbvf", root: root))
                }
                vfTable.append([
                    "vf": v, "link_type": "ether", "address": adminMAC, "broadcast": "ff:ff:ff:ff:ff:ff",
                    "vlan_list": [v % 3 == 0 ? [:] : ["vlan": 100 + v % 50, "qos": v % 8]],
                    "rate": ["max_tx": v % 5 == 0 ? 1000 : 0, "min_tx": 0],
                    "spoofchk": v % 7 != 0, "link_state": ["auto", "enable", "disable"][v % 3], "trust": v % 11 == 0,
                ] as [String: Any])
            }
            var pfLink = link(pfName, &ifindex, mac: mac(0x10 + p, 0), parent: pfBDF, driver: "igb", root: root)
            pfLink["vfinfo_list"] = vfTable
            links.append(pfLink)
        }
        let json = try JSONSerialization.data(withJSONObject: links, options: [.prettyPrinted])
        try json.write(to: URL(fileURLWithPath: root + "/cmd/ip-d-j-link.json"))
        // lspci -vvv needs resource files on every device of the tree.
        for entry in try fm.contentsOfDirectory(atPath: sys + "/bus/pci/devices") {
            let dir = try fm.destinationOfSymbolicLink(atPath: sys + "/bus/pci/devices/" + entry)
            let path = sys + "/bus/pci/devices/" + dir + "/resource"
            if !fm.fileExists(atPath: path) { try write(path, resource) }
        }
    }

    private func mac(_ a: Int, _ b: Int) -> String {
        String(format: "02:5a:%02x:%02x:%02x:%02x", a & 0xff, (b >> 16) & 0xff, (b >> 8) & 0xff, b & 0xff)
    }

    private func link(_ name: String, _ ifindex: inout Int, mac: String, parent: String, driver: String, root: String) -> [String: Any] {
        defer { ifindex += 1 }
        let ethtool = "driver: \(driver)\nversion: 6.1.0-56-amd64\nfirmware-version: \(driver == "igb" ? "2.1.0" : "")\nexpansion-rom-version: \nbus-info: \(parent)\n"
        try? write(root + "/cmd/ethtool-i-\(name).txt", ethtool)
        return [
            "ifindex": ifindex, "ifname": name, "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "mtu": 1500,
            "operstate": "UP", "link_type": "ether", "address": mac, "parentbus": "pci", "parentdev": parent,
        ]
    }

    /// Sets TotalVFs, NumVFs, First VF Offset and VF Stride in the SR-IOV capability at 0x160.
    private func patchSRIOVCapability(_ path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func put(_ offset: Int, _ value: Int) { bytes[offset] = UInt8(value & 0xff); bytes[offset + 1] = UInt8(value >> 8) }
        put(0x160 + 0x0c, vfsPerPF); put(0x160 + 0x0e, vfsPerPF); put(0x160 + 0x10, vfsPerPF)
        put(0x160 + 0x14, 1); put(0x160 + 0x16, 1)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func copyAttributes(from template: String, to directory: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: template) {
            let attributes = try fm.attributesOfItem(atPath: template + "/" + name)
            guard attributes[.type] as? FileAttributeType == .typeRegular, !name.hasPrefix("sriov_") else { continue }
            try fm.copyItem(atPath: template + "/" + name, toPath: directory + "/" + name)
        }
    }

    private func addToGroup(_ group: Int, bdf: String, device: String, sys: String) throws {
        let fm = FileManager.default
        let groupDir = sys + "/kernel/iommu_groups/\(group)"
        try fm.createDirectory(atPath: groupDir + "/devices", withIntermediateDirectories: true)
        try write(groupDir + "/type", "identity\n")
        try fm.createSymbolicLink(atPath: groupDir + "/devices/" + bdf, withDestinationPath: "../../../../devices/pci0000:80/" + bdf)
        try fm.createSymbolicLink(atPath: device + "/iommu_group", withDestinationPath: "../../../kernel/iommu_groups/\(group)")
        try fm.createSymbolicLink(atPath: sys + "/bus/pci/devices/" + bdf, withDestinationPath: "../../../devices/pci0000:80/" + bdf)
    }

    private func addNetdev(_ name: String, device: String, sys: String, mac: String) throws {
        let fm = FileManager.default
        let dir = device + "/net/" + name
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try write(dir + "/address", mac + "\n")
        try write(dir + "/speed", "1000\n")
        try write(dir + "/operstate", "up\n")
        try fm.createSymbolicLink(atPath: sys + "/class/net/" + name, withDestinationPath: "../../devices/pci0000:80/" + (device as NSString).lastPathComponent + "/net/" + name)
    }

    private func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
