/// A devlink instance (`devlink dev show`): the eswitch mode and the versions `devlink dev info`
/// reports, read over the devlink generic-netlink family.
///
/// Why: some NICs report their firmware only here (`ethtool -i` says nothing or `N/A`), and only
/// here is a flashed firmware that waits for a reset visible, as a stored version that differs
/// from the running one. Keyed by the handle's bus and device name: `pci/0000:3b:00.0` is the PF
/// at that address, `netdevsim/netdevsim10` a simulated one.
public struct DevlinkDevice: Codable, Sendable, Hashable {
    /// `pci`, `netdevsim`, `auxiliary`, ...
    public var bus: String
    /// The device's name on that bus: a BDF for PCI.
    public var device: String
    /// DEVLINK_ATTR_INFO_DRIVER_NAME.
    public var driver: String?
    /// DEVLINK_ATTR_INFO_SERIAL_NUMBER.
    public var serialNumber: String?
    /// DEVLINK_ATTR_INFO_BOARD_SERIAL_NUMBER.
    public var boardSerialNumber: String?
    /// `legacy` or `switchdev`; nil when the driver has no eswitch (EOPNOTSUPP) or it was not read.
    public var eswitchMode: String?
    /// `none`, `link`, `network`, `transport`; nil when not reported.
    public var eswitchInlineMode: String?
    /// `none` or `basic`; nil when not reported.
    public var eswitchEncapMode: String?
    /// Versions of what cannot change (`board.id`, `asic.id`, `fw.psid`), in the kernel's order.
    public var fixed: [DevlinkVersion]
    /// Versions running now (`fw`, `fw.mgmt`, `fw.app`, `fw.bundle_id`, ...).
    public var running: [DevlinkVersion]
    /// Versions in flash, run after the next reset; absent on drivers that do not report them.
    public var stored: [DevlinkVersion]

    public init(bus: String, device: String, driver: String? = nil, serialNumber: String? = nil, boardSerialNumber: String? = nil,
                eswitchMode: String? = nil, eswitchInlineMode: String? = nil, eswitchEncapMode: String? = nil,
                fixed: [DevlinkVersion] = [], running: [DevlinkVersion] = [], stored: [DevlinkVersion] = []) {
        self.bus = bus
        self.device = device
        self.driver = driver
        self.serialNumber = serialNumber
        self.boardSerialNumber = boardSerialNumber
        self.eswitchMode = eswitchMode
        self.eswitchInlineMode = eswitchInlineMode
        self.eswitchEncapMode = eswitchEncapMode
        self.fixed = fixed
        self.running = running
        self.stored = stored
    }

    /// `bus/device`, as `devlink` prints the handle.
    public var handle: String { "\(bus)/\(device)" }

    /// The PCI address when the instance sits on the PCI bus.
    public var pciAddress: PCIAddress? { bus == "pci" ? PCIAddress(device) : nil }

    /// The components whose stored version is not the running one: a flashed firmware that
    /// waits for a reset (or a reset that went back to an older image).
    public var pendingVersions: [(name: String, running: String, stored: String)] {
        stored.compactMap { s in
            guard let r = running.first(where: { $0.name == s.name }), r.value != s.value else { return nil }
            return (s.name, r.value, s.value)
        }
    }

    /// The names tried, in order, for the firmware version when ethtool has none: the generic
    /// `fw` (the whole image), then the management firmware, the bundle and the application.
    public static let firmwareComponents = ["fw", "fw.mgmt", "fw.bundle_id", "fw.app"]

    /// The running firmware version devlink reports, and the component it was read from.
    public var runningFirmware: (component: String, version: String)? {
        for name in Self.firmwareComponents {
            if let v = running.first(where: { $0.name == name }), !v.value.isEmpty { return (name, v.value) }
        }
        return nil
    }
}

/// One `name value` pair of `devlink dev info`.
public struct DevlinkVersion: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
