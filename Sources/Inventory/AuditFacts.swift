/// What the checks read of a snapshot, and nothing more: the audit's narrow, typed view of a host.
///
/// Why: a fleet audit looks at a handful of fields per VF and PF. Rebuilding every host's whole
/// ``HostSnapshot`` to read them was most of a fleet audit's time, so the facts are derived once
/// per distinct snapshot content, when it is stored (``init(snapshot:)``), kept beside it (the
/// whole value as ``encoded()``, the cross-host fields also as narrow table rows), and every audit
/// — of a capture folder, a snapshot file or the fleet database — reads these facts only.
///
/// Derived, never edited: bump ``version`` whenever what is derived changes, and stored facts of
/// older versions are derived again from their snapshots.
public struct AuditFacts: Sendable, Hashable {
    /// The derivation's version; stored facts of another version are re-derived.
    public static let version = 6

    public var hostname: String
    public var kernelRelease: String?
    /// The operating system described: what it does not show, the checks cannot judge.
    public var platform: HostPlatform = .linux
    public var iommu: IOMMUState
    /// The PCI PFs, in the snapshot's order.
    public var pfs: [PF]
    /// Interfaces with a VF table but no PCI function (netdevsim, some SmartNICs).
    public var netdevPFs: [NetdevPF]
    /// Every VF of every PF in PF order, then every netdev-only VF table entry.
    public var vfs: [VF]
    /// The MACs of physical interfaces (PCI functions that are not VFs), non-zero only, in the
    /// snapshot's order: what `mac-unique` compares besides VF MACs.
    public var interfaceMACs: [InterfaceMAC]
    /// PF tables the snapshot holds only in part.
    public var incompleteTables: [IncompleteTable]
    /// What `iommu-isolation` reads.
    public var isolation: Isolation
    /// What the VF-consumer checks read; nil when the snapshot has no consumer inventory.
    public var consumers: ConsumerFacts?
    /// What the data-plane checks read (devlink, features, rates).
    public var health: HealthFacts?

    public init(hostname: String, kernelRelease: String?, iommu: IOMMUState, pfs: [PF], netdevPFs: [NetdevPF], vfs: [VF],
                interfaceMACs: [InterfaceMAC], incompleteTables: [IncompleteTable], isolation: Isolation) {
        self.hostname = hostname
        self.kernelRelease = kernelRelease
        self.iommu = iommu
        self.pfs = pfs
        self.netdevPFs = netdevPFs
        self.vfs = vfs
        self.interfaceMACs = interfaceMACs
        self.incompleteTables = incompleteTables
        self.isolation = isolation
    }

    /// The PCI identity of a PF's device (absent when the snapshot has no such device).
    public struct Device: Sendable, Hashable {
        public var vendorID: String
        public var deviceID: String
        public var subsystemVendorID: String?
        public var subsystemDeviceID: String?
        /// The pci.ids name (what `model:` globs match).
        public var deviceName: String?
        /// The device's driver.
        public var driver: String?

        public var vendorDevice: String { "\(vendorID):\(deviceID)" }
        public var modelKey: String { "\(vendorID):\(deviceID):\(subsystemVendorID ?? "????"):\(subsystemDeviceID ?? "????")" }
        public var modelName: String { "\(deviceName ?? "device") [\(vendorDevice)]" }

        public init(vendorID: String, deviceID: String, subsystemVendorID: String?, subsystemDeviceID: String?, deviceName: String?, driver: String?) {
            self.vendorID = vendorID
            self.deviceID = deviceID
            self.subsystemVendorID = subsystemVendorID
            self.subsystemDeviceID = subsystemDeviceID
            self.deviceName = deviceName
            self.driver = driver
        }
    }

    public struct PF: Sendable, Hashable {
        public var address: PCIAddress
        public var interfaces: [String]
        public var device: Device?
        /// Whether ethtool reported driver information (versions may still be blank).
        public var hasDriverInfo: Bool
        /// The driver ethtool reported (the device's driver is preferred where there is one).
        public var reportedDriver: String?
        public var firmware: String?
        public var driverVersion: String?
        public var numVFs: Int?
        public var totalVFs: Int?
        /// VFs present (PCI functions found), against `numVFs` announced.
        public var presentVFs: Int

        public var driver: String? { device?.driver ?? reportedDriver }
        public var model: String { device?.modelKey ?? address.description }
        public var modelName: String { device?.modelName ?? "unknown model" }

        public init(address: PCIAddress, interfaces: [String], device: Device?, hasDriverInfo: Bool, reportedDriver: String?, firmware: String?, driverVersion: String?, numVFs: Int?, totalVFs: Int?, presentVFs: Int) {
            self.address = address
            self.interfaces = interfaces
            self.device = device
            self.hasDriverInfo = hasDriverInfo
            self.reportedDriver = reportedDriver
            self.firmware = firmware
            self.driverVersion = driverVersion
            self.numVFs = numVFs
            self.totalVFs = totalVFs
            self.presentVFs = presentVFs
        }
    }

    public struct NetdevPF: Sendable, Hashable {
        public var name: String
        public var driver: String?

        public init(name: String, driver: String?) {
            self.name = name
            self.driver = driver
        }
    }

    /// A VF: a PCI VF of a PF, or an entry of a netdev-only PF's VF table.
    public struct VF: Sendable, Hashable {
        public enum Owner: Sendable, Hashable {
            /// Position in ``AuditFacts/pfs``.
            case pf(Int)
            /// Position in ``AuditFacts/netdevPFs``.
            case netdev(Int)
        }

        public var owner: Owner
        public var index: Int
        /// The VF's PCI function; nil for a netdev-only table entry.
        public var address: PCIAddress?
        public var driver: String?
        public var hasNetdev: Bool
        /// The MAC its netdev runs with.
        public var netdevMAC: String?
        /// The PF's VF table entry (the administrator's settings); nil when the driver gave none.
        public var config: Config?

        public init(owner: Owner, index: Int, address: PCIAddress?, driver: String?, hasNetdev: Bool, netdevMAC: String?, config: Config?) {
            self.owner = owner
            self.index = index
            self.address = address
            self.driver = driver
            self.hasNetdev = hasNetdev
            self.netdevMAC = netdevMAC
            self.config = config
        }
    }

    /// A VF table entry's settings.
    public struct Config: Sendable, Hashable {
        public var mac: String
        public var vlan: Int
        public var qos: Int
        public var spoofCheck: Bool?
        public var trust: Bool?

        public init(mac: String, vlan: Int, qos: Int, spoofCheck: Bool?, trust: Bool?) {
            self.mac = mac
            self.vlan = vlan
            self.qos = qos
            self.spoofCheck = spoofCheck
            self.trust = trust
        }
    }

    public struct InterfaceMAC: Sendable, Hashable {
        public var name: String
        public var address: PCIAddress
        public var mac: String

        public init(name: String, address: PCIAddress, mac: String) {
            self.name = name
            self.address = address
            self.mac = mac
        }
    }

    public struct IncompleteTable: Sendable, Hashable {
        public var owner: VF.Owner
        public var interface: String
        public var shortfall: VFTableShortfall

        public init(owner: VF.Owner, interface: String, shortfall: VFTableShortfall) {
            self.owner = owner
            self.interface = interface
            self.shortfall = shortfall
        }
    }

    /// The devices `iommu-isolation` may judge (VFs and devices on a VFIO driver), the IOMMU groups
    /// they are in, and the drivers of those groups' members.
    public struct Isolation: Sendable, Hashable {
        public struct Subject: Sendable, Hashable {
            public var address: PCIAddress
            public var physicalFunction: PCIAddress?
            public var driver: String?
            public var group: Int?

            public init(address: PCIAddress, physicalFunction: PCIAddress?, driver: String?, group: Int?) {
                self.address = address
                self.physicalFunction = physicalFunction
                self.driver = driver
                self.group = group
            }
        }

        public struct Group: Sendable, Hashable {
            public var id: Int
            public var members: [PCIAddress]
            public var otherMembers: [String]

            public init(id: Int, members: [PCIAddress], otherMembers: [String]) {
                self.id = id
                self.members = members
                self.otherMembers = otherMembers
            }
        }

        public var subjects: [Subject]
        public var groups: [Group]
        /// The driver of each member of those groups that the snapshot has a device for.
        public var memberDrivers: [PCIAddress: String]

        public init(subjects: [Subject], groups: [Group], memberDrivers: [PCIAddress: String]) {
            self.subjects = subjects
            self.groups = groups
            self.memberDrivers = memberDrivers
        }
    }
}

extension AuditFacts {
    /// The facts of `snapshot`.
    public init(snapshot: HostSnapshot) {
        var deviceIndex: [PCIAddress: Int] = [:]
        deviceIndex.reserveCapacity(snapshot.pciDevices.count)
        for (position, device) in snapshot.pciDevices.enumerated() where deviceIndex[device.address] == nil { deviceIndex[device.address] = position }
        let device = { (address: PCIAddress) -> PCIDevice? in deviceIndex[address].map { snapshot.pciDevices[$0] } }

        var pfs: [PF] = []
        var vfs: [VF] = []
        var vfNetdevs = Set<String>()
        for (p, pf) in snapshot.physicalFunctions.enumerated() {
            let d = device(pf.address)
            pfs.append(PF(
                address: pf.address, interfaces: pf.interfaces,
                device: d.map { Device(vendorID: $0.vendorID, deviceID: $0.deviceID, subsystemVendorID: $0.subsystemVendorID,
                                       subsystemDeviceID: $0.subsystemDeviceID, deviceName: $0.deviceName, driver: $0.driver) },
                hasDriverInfo: pf.driverInfo != nil, reportedDriver: pf.driverInfo?.driver,
                firmware: pf.reportedFirmware ?? snapshot.devlink(pf.address)?.runningFirmware.flatMap { VendorVersion.reported($0.version) },
                driverVersion: pf.reportedDriverVersion,
                numVFs: pf.numVFs, totalVFs: pf.totalVFs, presentVFs: pf.virtualFunctions.count))
            for vf in pf.virtualFunctions {
                vfNetdevs.formUnion(vf.interfaces)
                vfs.append(VF(owner: .pf(p), index: vf.index, address: vf.address, driver: vf.driver, hasNetdev: !vf.interfaces.isEmpty,
                              netdevMAC: vf.effectiveMAC, config: vf.config.map(Config.init)))
            }
        }
        var netdevPFs: [NetdevPF] = []
        var netdevPosition: [Int: Int] = [:]
        for (i, interface) in snapshot.interfaces.enumerated() where interface.pciAddress == nil && (!interface.vfs.isEmpty || interface.vfTableShortfall != nil) {
            netdevPosition[i] = netdevPFs.count
            netdevPFs.append(NetdevPF(name: interface.name, driver: interface.driverInfo?.driver))
            for config in interface.vfs {
                vfs.append(VF(owner: .netdev(netdevPFs.count - 1), index: config.index, address: nil, driver: nil, hasNetdev: false,
                              netdevMAC: nil, config: Config(config)))
            }
        }
        var incomplete: [IncompleteTable] = []
        var macs: [InterfaceMAC] = []
        for (i, interface) in snapshot.interfaces.enumerated() {
            if let shortfall = interface.vfTableShortfall {
                if interface.pciAddress == nil, let n = netdevPosition[i] {
                    incomplete.append(IncompleteTable(owner: .netdev(n), interface: interface.name, shortfall: shortfall))
                } else if interface.pciAddress != nil, let p = snapshot.physicalFunctions.firstIndex(where: { $0.interfaces.contains(interface.name) }) {
                    incomplete.append(IncompleteTable(owner: .pf(p), interface: interface.name, shortfall: shortfall))
                }
            }
            // Physical interfaces only: bonds, VLAN devices and bridges take a port's MAC by design.
            if let address = interface.pciAddress, !vfNetdevs.contains(interface.name), let mac = interface.mac, !Self.isZeroMAC(mac) {
                macs.append(InterfaceMAC(name: interface.name, address: address, mac: mac))
            }
        }

        let subjects = snapshot.pciDevices.filter { $0.physicalFunction != nil || Self.isVFIO($0.driver) }.map {
            Isolation.Subject(address: $0.address, physicalFunction: $0.physicalFunction, driver: $0.driver, group: $0.iommuGroup)
        }
        let wanted = Set(subjects.compactMap(\.group))
        var groups: [Isolation.Group] = []
        var seen = Set<Int>()
        var drivers: [PCIAddress: String] = [:]
        for group in snapshot.iommuGroups where wanted.contains(group.id) && seen.insert(group.id).inserted {
            groups.append(Isolation.Group(id: group.id, members: group.members, otherMembers: group.otherMembers))
            for member in group.members { if let driver = device(member)?.driver { drivers[member] = driver } }
        }
        self.init(hostname: snapshot.host.hostname, kernelRelease: snapshot.host.kernelRelease, iommu: snapshot.iommu, pfs: pfs,
                  netdevPFs: netdevPFs, vfs: vfs, interfaceMACs: macs, incompleteTables: incomplete,
                  isolation: Isolation(subjects: subjects, groups: groups, memberDrivers: drivers))
        platform = snapshot.source.platform
        consumers = ConsumerFacts(snapshot: snapshot)
        health = HealthFacts(snapshot: snapshot)
    }

    /// vfio-pci and its vendor variants (mlx5_vfio_pci, hisi_acc_vfio_pci, pds_vfio_pci, ...).
    public static func isVFIO(_ driver: String?) -> Bool {
        guard let driver else { return false }
        return driver == "vfio-pci" || driver.hasSuffix("vfio_pci") || driver.hasSuffix("vfio-pci")
    }

    /// The drivers a DPDK (or SPDK) application binds a VF to, in the order `dpdk-hugepages`
    /// lists them by default: the one list the collector, the checks and the rules parser use.
    public static let dpdkDrivers = ["vfio-pci", "igb_uio", "uio_pci_generic"]

    public static func isZeroMAC(_ mac: String) -> Bool {
        mac.utf8.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ":") }
    }
}

extension AuditFacts.Config {
    init(_ config: VFConfig) {
        self.init(mac: config.mac, vlan: config.vlan, qos: config.qos, spoofCheck: config.spoofCheck, trust: config.trust)
    }
}

/// MAC addresses as numbers: the one place their text is read and written for comparison.
public enum MACNumber {
    /// `aa:bb:cc:dd:ee:ff` (either case, `:` or `-`) as a number; nil for anything else
    /// (InfiniBand's 20-byte addresses), which is compared as text.
    public static func value(_ text: String) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        var separators = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0")); digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10); digits += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt64(byte - UInt8(ascii: "A") + 10); digits += 1
            case UInt8(ascii: ":"), UInt8(ascii: "-"): separators += 1
            default: return nil
            }
        }
        return digits == 12 && separators == 5 ? value : nil
    }

    /// The text a MAC number stands for: `aa:bb:cc:dd:ee:ff`.
    public static func text(_ value: UInt64) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(17)
        for shift in stride(from: 40, through: 0, by: -8) {
            if !out.isEmpty { out.append(UInt8(ascii: ":")) }
            let byte = Int((value >> UInt64(shift)) & 0xff)
            out += [hex[byte >> 4], hex[byte & 0xf]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
