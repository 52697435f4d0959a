import CKernel
import Inventory

/// Decodes the devlink generic-netlink replies sriov-audit asks for — `DEVLINK_CMD_GET` (the
/// instances), `DEVLINK_CMD_INFO_GET` (`devlink dev info`) and `DEVLINK_CMD_ESWITCH_GET`
/// (`devlink dev eswitch show`) — into ``DevlinkDevice`` values.
///
/// Pure, over raw bytes, the only reader of that format: the live collector feeds it what the
/// socket returned and `capture` keeps the same bytes (`cmd/devlink.bin`). The family's message
/// type is not needed: each message says its command in its generic-netlink header, and error
/// messages (a driver without an eswitch answers EOPNOTSUPP) leave the value absent.
public enum DevlinkDecoder {
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The instances the messages describe, in the order they first appear.
    public static func decode(_ bytes: [UInt8]) throws -> [DevlinkDevice] {
        var devices: [DevlinkDevice] = []
        var index: [String: Int] = [:]
        var offset = 0
        while offset + 16 <= bytes.count {
            let length = Int(NetlinkLinkDecoder.u32(bytes, offset))
            let type = Int(NetlinkLinkDecoder.u16(bytes, offset + 4))
            guard length >= 16, offset + length <= bytes.count else {
                throw DecodeError(description: "netlink message at byte \(offset) claims \(length) bytes, \(bytes.count - offset) remain")
            }
            defer { offset += Int(ckernel_nl_align(UInt32(length))) }
            // NLMSG_ERROR, NLMSG_DONE and the other control messages carry no instance.
            guard type >= Int(NLMSG_MIN_TYPE), length >= 20 else { continue }
            let command = Int(bytes[offset + 16])
            guard [Int(DEVLINK_CMD_NEW.rawValue), Int(DEVLINK_CMD_GET.rawValue), Int(DEVLINK_CMD_INFO_GET.rawValue), Int(DEVLINK_CMD_ESWITCH_GET.rawValue)].contains(command) else { continue }
            let attributes: [(Int, Int, Int)]
            do {
                attributes = try NetlinkLinkDecoder.attributes(bytes, start: offset + 20, end: offset + length)
            } catch {
                throw DecodeError(description: "devlink message at byte \(offset): \(error)")
            }
            var bus: String?, name: String?
            for (t, s, e) in attributes {
                if t == Int(DEVLINK_ATTR_BUS_NAME.rawValue) { bus = string(bytes, s, e) }
                if t == Int(DEVLINK_ATTR_DEV_NAME.rawValue) { name = string(bytes, s, e) }
            }
            guard let bus, let name else {
                throw DecodeError(description: "devlink message at byte \(offset) names no bus or device")
            }
            let handle = "\(bus)/\(name)"
            let at: Int
            if let known = index[handle] { at = known } else {
                at = devices.count
                index[handle] = at
                devices.append(DevlinkDevice(bus: bus, device: name))
            }
            for (t, s, e) in attributes {
                switch t {
                case Int(DEVLINK_ATTR_INFO_DRIVER_NAME.rawValue): devices[at].driver = string(bytes, s, e)
                case Int(DEVLINK_ATTR_INFO_SERIAL_NUMBER.rawValue): devices[at].serialNumber = string(bytes, s, e)
                case Int(DEVLINK_ATTR_INFO_BOARD_SERIAL_NUMBER.rawValue): devices[at].boardSerialNumber = string(bytes, s, e)
                case Int(DEVLINK_ATTR_INFO_VERSION_FIXED.rawValue): devices[at].fixed.append(try version(bytes, s, e))
                case Int(DEVLINK_ATTR_INFO_VERSION_RUNNING.rawValue): devices[at].running.append(try version(bytes, s, e))
                case Int(DEVLINK_ATTR_INFO_VERSION_STORED.rawValue): devices[at].stored.append(try version(bytes, s, e))
                case Int(DEVLINK_ATTR_ESWITCH_MODE.rawValue) where e - s >= 2:
                    devices[at].eswitchMode = enumName(Int(NetlinkLinkDecoder.u16(bytes, s)), ["legacy", "switchdev"])
                case Int(DEVLINK_ATTR_ESWITCH_INLINE_MODE.rawValue) where e > s:
                    devices[at].eswitchInlineMode = enumName(Int(bytes[s]), ["none", "link", "network", "transport"])
                case Int(DEVLINK_ATTR_ESWITCH_ENCAP_MODE.rawValue) where e > s:
                    devices[at].eswitchEncapMode = enumName(Int(bytes[s]), ["none", "basic"])
                default: break
                }
            }
        }
        return devices
    }

    private static func version(_ b: [UInt8], _ s: Int, _ e: Int) throws -> DevlinkVersion {
        var name: String?, value: String?
        for (t, vs, ve) in try NetlinkLinkDecoder.attributes(b, start: s, end: e) {
            if t == Int(DEVLINK_ATTR_INFO_VERSION_NAME.rawValue) { name = string(b, vs, ve) }
            if t == Int(DEVLINK_ATTR_INFO_VERSION_VALUE.rawValue) { value = string(b, vs, ve) }
        }
        guard let name, let value else { throw DecodeError(description: "a devlink version without a name or value") }
        return DevlinkVersion(name: name, value: value)
    }

    /// devlink's own words for an enum value (what `devlink` prints), or the number.
    private static func enumName(_ value: Int, _ names: [String]) -> String {
        names.indices.contains(value) ? names[value] : String(value)
    }

    private static func string(_ b: [UInt8], _ s: Int, _ e: Int) -> String {
        String(decoding: b[s..<e].prefix { $0 != 0 }, as: UTF8.self)
    }
}
