/// A pool of devices an orchestrator hands out: a resource of the SR-IOV network device plugin,
/// or a libvirt `<forward mode='hostdev'>` network.
public struct DevicePool: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case devicePlugin = "device-plugin"
        case libvirtNetwork = "libvirt-network"
    }

    public var kind: Kind
    /// `PREFIX/NAME` for the device plugin (`intel.com/intel_sriov_netdevice`), the network name for libvirt.
    public var name: String
    /// The plugin's `deviceType` (`netDevice` when not given); nil for libvirt.
    public var deviceType: String?
    /// Evaluated in order; a device is in the pool when any selector takes it.
    public var selectors: [PoolSelector]
    /// Position in its file: the device plugin gives a device to the first pool that selects it.
    public var position: Int
    public var source: String

    public init(kind: Kind, name: String, deviceType: String? = nil, selectors: [PoolSelector], position: Int, source: String) {
        self.kind = kind
        self.name = name
        self.deviceType = deviceType
        self.selectors = selectors
        self.position = position
        self.source = source
    }
}

/// One selector object of a pool. Every given list must match; an absent list matches all.
public struct PoolSelector: Codable, Sendable, Hashable {
    public var vendors: [String]?
    public var devices: [String]?
    public var drivers: [String]?
    /// PF interface names, each with an optional `#0-3,5` VF index range.
    public var pfNames: [String]?
    /// PF PCI addresses, each with an optional VF index range.
    public var rootDevices: [String]?
    public var pciAddresses: [String]?
    public var linkTypes: [String]?
    public var isRdma: Bool?
    public var needVhostNet: Bool?
    /// Keys this selector selects by that the host view cannot evaluate (`isRdma: true`,
    /// `vdpaType`, `pKeys`, `acpiIndexes`, `ddpProfiles`, `auxTypes`): its pool's members are then
    /// only known to be among those the other keys take.
    public var unsupported: [String]?

    public init(vendors: [String]? = nil, devices: [String]? = nil, drivers: [String]? = nil, pfNames: [String]? = nil,
                rootDevices: [String]? = nil, pciAddresses: [String]? = nil, linkTypes: [String]? = nil,
                isRdma: Bool? = nil, needVhostNet: Bool? = nil, unsupported: [String]? = nil) {
        self.vendors = vendors
        self.devices = devices
        self.drivers = drivers
        self.pfNames = pfNames
        self.rootDevices = rootDevices
        self.pciAddresses = pciAddresses
        self.linkTypes = linkTypes
        self.isRdma = isRdma
        self.needVhostNet = needVhostNet
        self.unsupported = unsupported
    }
}

/// A device the kubelet's checkpoint lists as registered for a resource, or a device-info file
/// (`/var/run/k8s.cni.cncf.io/devinfo/`) naming a PCI function.
public struct DeviceReference: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// `RegisteredDevices` of the kubelet checkpoint.
        case registered
        /// A device-info file.
        case deviceInfo = "device-info"
    }

    public var kind: Kind
    /// The device ID as written (a PCI address for SR-IOV resources).
    public var id: String
    /// The resource it is registered under (checkpoint) or written for (device-info file name).
    public var resource: String?
    public var source: String

    public init(kind: Kind, id: String, resource: String?, source: String) {
        self.kind = kind
        self.id = id
        self.resource = resource
        self.source = source
    }
}

/// One entry of Nova's `[pci] device_spec` (formerly `passthrough_whitelist`) or `[pci] alias`.
public struct NovaPCISpec: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case deviceSpec = "device-spec"
        case alias
    }

    public var kind: Kind
    public var vendorID: String?
    public var productID: String?
    /// `address` as a glob (`*:0a:00.*`, `:0a:00.`).
    public var address: String?
    /// `address` as a dict of regular expressions, one per part.
    public var addressRegex: PCIAddressRegex?
    public var devname: String?
    public var physicalNetwork: String?
    public var trusted: Bool?
    public var remoteManaged: Bool?
    /// The alias name (aliases only).
    public var name: String?
    /// `type-PF`, `type-VF`, `type-PCI` (aliases).
    public var deviceType: String?
    /// The JSON text as written, for messages.
    public var text: String
    public var source: String
    public var line: Int

    public init(kind: Kind, vendorID: String? = nil, productID: String? = nil, address: String? = nil, addressRegex: PCIAddressRegex? = nil,
                devname: String? = nil, physicalNetwork: String? = nil, trusted: Bool? = nil, remoteManaged: Bool? = nil,
                name: String? = nil, deviceType: String? = nil, text: String, source: String, line: Int) {
        self.kind = kind
        self.vendorID = vendorID
        self.productID = productID
        self.address = address
        self.addressRegex = addressRegex
        self.devname = devname
        self.physicalNetwork = physicalNetwork
        self.trusted = trusted
        self.remoteManaged = remoteManaged
        self.name = name
        self.deviceType = deviceType
        self.text = text
        self.source = source
        self.line = line
    }
}

/// Nova's regex form of a PCI address: each part a regular expression that must match the whole
/// part (`domain` as four hex digits, `bus` and `slot` two, `function` one); `.*` when not given.
public struct PCIAddressRegex: Codable, Sendable, Hashable {
    public var domain: String
    public var bus: String
    public var slot: String
    public var function: String

    public init(domain: String = ".*", bus: String = ".*", slot: String = ".*", function: String = ".*") {
        self.domain = domain
        self.bus = bus
        self.slot = slot
        self.function = function
    }
}

/// The Neutron SR-IOV agent's view of one PF: `physical_device_mappings` and `exclude_devices`.
public struct NeutronDevice: Codable, Sendable, Hashable {
    /// The PF interface name.
    public var device: String
    /// The physical networks mapped to it (none when it is only named in `exclude_devices`).
    public var physicalNetworks: [String]
    /// VFs the agent must leave alone.
    public var excludedVFs: [PCIAddress]
    public var source: String

    public init(device: String, physicalNetworks: [String], excludedVFs: [PCIAddress], source: String) {
        self.device = device
        self.physicalNetworks = physicalNetworks
        self.excludedVFs = excludedVFs
        self.source = source
    }
}

/// What a network configuration tool says a PF should have: os-net-config's `sriov_config.yaml`
/// or an nmstate state file (`ethernet.sr-iov`).
public struct SriovDeclaration: Codable, Sendable, Hashable {
    /// The PF interface name as the tool names it.
    public var interface: String
    /// `total-vfs` / `numvfs`.
    public var numVFs: Int?
    public var vfs: [DeclaredVF]
    public var source: String

    public init(interface: String, numVFs: Int?, vfs: [DeclaredVF], source: String) {
        self.interface = interface
        self.numVFs = numVFs
        self.vfs = vfs
        self.source = source
    }
}

/// The settings declared for one VF index. Absent means "not declared", never "off".
public struct DeclaredVF: Codable, Sendable, Hashable {
    public var index: Int
    public var mac: String?
    public var vlan: Int?
    public var qos: Int?
    public var spoofCheck: Bool?
    public var trust: Bool?
    public var minTxRate: Int?
    public var maxTxRate: Int?

    public init(index: Int, mac: String? = nil, vlan: Int? = nil, qos: Int? = nil, spoofCheck: Bool? = nil, trust: Bool? = nil,
                minTxRate: Int? = nil, maxTxRate: Int? = nil) {
        self.index = index
        self.mac = mac
        self.vlan = vlan
        self.qos = qos
        self.spoofCheck = spoofCheck
        self.trust = trust
        self.minTxRate = minTxRate
        self.maxTxRate = maxTxRate
    }
}

/// Huge pages of one size, host-wide (`node` nil) or on one NUMA node.
public struct HugepagePool: Codable, Sendable, Hashable {
    public var node: Int?
    public var sizeKB: Int
    public var total: Int
    public var free: Int
    /// Reserved and surplus pages (host-wide only: the per-node directories have no `resv_hugepages`).
    public var reserved: Int?
    public var surplus: Int?

    public init(node: Int?, sizeKB: Int, total: Int, free: Int, reserved: Int? = nil, surplus: Int? = nil) {
        self.node = node
        self.sizeKB = sizeKB
        self.total = total
        self.free = free
        self.reserved = reserved
        self.surplus = surplus
    }
}

/// `NAME#0-3,5`: a PF (by interface name or PCI address) with the VF indexes a device-plugin
/// selector takes from it; no `#` takes every VF.
public struct VFRange: Sendable, Equatable {
    public var device: String
    /// nil: every VF.
    public var indexes: Set<Int>?

    public init(device: String, indexes: Set<Int>?) {
        self.device = device
        self.indexes = indexes
    }

    public static func parse(_ text: String) -> VFRange? {
        let parts = text.split(separator: "#", omittingEmptySubsequences: false)
        guard let device = parts.first, !device.isEmpty, parts.count <= 2 else { return nil }
        guard parts.count == 2 else { return VFRange(device: String(device), indexes: nil) }
        var indexes = Set<Int>()
        for piece in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = bounds.first.flatMap({ Int($0) }), low >= 0 else { return nil }
            switch bounds.count {
            case 1: indexes.insert(low)
            case 2:
                guard let high = Int(bounds[1]), high >= low, high - low < 4096 else { return nil }
                indexes.formUnion(low...high)
            default: return nil
            }
        }
        return VFRange(device: String(device), indexes: indexes)
    }
}
