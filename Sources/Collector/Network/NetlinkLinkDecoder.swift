import CKernel
import Inventory

/// Decodes an rtnetlink RTM_NEWLINK dump (the kernel's answer to RTM_GETLINK with
/// IFLA_EXT_MASK = RTEXT_FILTER_VF) into ``NetworkInterface`` values.
///
/// Pure, over raw bytes, the only reader of that format: the live collector feeds it what the
/// socket returned, and tests feed it dumps captured from real kernels. Bounds are checked on
/// every attribute; a truncated message is an error, never a partial interface.
public enum NetlinkLinkDecoder {
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The messages of one receive buffer.
    public struct Batch: Equatable {
        public var interfaces: [NetworkInterface]
        /// True when the buffer held NLMSG_DONE: the dump is complete.
        public var done: Bool
    }

    public static func decode(_ buffer: [UInt8]) throws -> Batch {
        var batch = Batch(interfaces: [], done: false)
        var offset = 0
        while offset + 16 <= buffer.count {
            let length = Int(u32(buffer, offset))
            let type = Int(u16(buffer, offset + 4))
            guard length >= 16, offset + length <= buffer.count else {
                throw DecodeError(description: "netlink message at byte \(offset) claims \(length) bytes, buffer has \(buffer.count - offset)")
            }
            switch type {
            case Int(NLMSG_DONE):
                batch.done = true
                return batch
            case Int(NLMSG_ERROR):
                let code = length >= 20 ? Int32(bitPattern: u32(buffer, offset + 16)) : 0
                if code != 0 { throw DecodeError(description: "kernel answered the link dump with error \(-code)") }
            case Int(RTM_NEWLINK):
                batch.interfaces.append(try link(buffer, start: offset + 16, end: offset + length))
            default:
                break
            }
            offset += Int(ckernel_nl_align(UInt32(length)))
        }
        return batch
    }

    private static func link(_ b: [UInt8], start: Int, end: Int) throws -> NetworkInterface {
        guard start + 16 <= end else { throw DecodeError(description: "RTM_NEWLINK shorter than ifinfomsg") }
        let arphrd = Int(u16(b, start + 2))
        let index = Int(Int32(bitPattern: u32(b, start + 4)))
        let flags = u32(b, start + 8)
        var interface = NetworkInterface(
            name: "", ifindex: index, adminUp: flags & UInt32(IFF_UP) != 0,
            carrier: nil, linkType: linkTypeName(arphrd)
        )
        var vfList: (start: Int, end: Int)?
        for (type, s, e) in try attributes(b, start: start + 16, end: end) {
            switch type {
            case Int(IFLA_IFNAME): interface.name = string(b, s, e)
            case Int(IFLA_ADDRESS): interface.mac = macString(b[s..<e])
            case Int(IFLA_MTU): interface.mtu = e - s >= 4 ? Int(u32(b, s)) : nil
            case Int(IFLA_OPERSTATE): interface.operState = e > s ? operStateName(Int(b[s])) : nil
            case Int(IFLA_CARRIER): interface.carrier = e > s ? b[s] != 0 : nil
            case Int(IFLA_NUM_VF): interface.numVFs = e - s >= 4 ? Int(u32(b, s)) : nil
            case Int(IFLA_PHYS_PORT_NAME): interface.physPortName = string(b, s, e)
            case Int(IFLA_PHYS_SWITCH_ID): interface.physSwitchID = b[s..<e].map { hex(Int($0), width: 2) }.joined()
            case Int(IFLA_PARENT_DEV_NAME): interface.parentDevice = string(b, s, e)
            case Int(IFLA_PARENT_DEV_BUS_NAME): interface.parentBus = string(b, s, e)
            case Int(IFLA_VFINFO_LIST): vfList = (s, e)
            default: break
            }
        }
        guard !interface.name.isEmpty else { throw DecodeError(description: "link \(index) has no IFLA_IFNAME") }
        if let vfList {
            let macLength = interface.mac.map { ($0.count + 1) / 3 } ?? 6
            interface.vfs = try vfInfos(b, vfList.start, vfList.end, macLength: macLength).sorted { $0.index < $1.index }
        }
        return interface
    }

    private static func vfInfos(_ b: [UInt8], _ start: Int, _ end: Int, macLength: Int) throws -> [VFConfig] {
        var result: [VFConfig] = []
        for (type, s, e) in try attributes(b, start: start, end: end) where type == Int(IFLA_VF_INFO) {
            var vf: VFConfig?
            var vlanFromList: (vlan: Int, qos: Int, proto: String)?
            for (field, fs, fe) in try attributes(b, start: s, end: e) {
                let size = fe - fs
                switch field {
                case Int(IFLA_VF_MAC) where size >= 4 + macLength:
                    vf = VFConfig(index: Int(u32(b, fs)), mac: macString(b[(fs + 4)..<(fs + 4 + macLength)]) ?? "")
                case Int(IFLA_VF_VLAN) where size >= 12:
                    vf?.vlan = Int(u32(b, fs + 4))
                    vf?.qos = Int(u32(b, fs + 8))
                case Int(IFLA_VF_VLAN_LIST):
                    for (_, ls, le) in try attributes(b, start: fs, end: fe) where le - ls >= 14 && vlanFromList == nil {
                        let proto = Int(b[ls + 12]) << 8 | Int(b[ls + 13])
                        vlanFromList = (Int(u32(b, ls + 4)), Int(u32(b, ls + 8)), proto == 0x88a8 ? "802.1ad" : "802.1Q")
                    }
                case Int(IFLA_VF_TX_RATE) where size >= 8: vf?.txRate = Int(u32(b, fs + 4))
                case Int(IFLA_VF_RATE) where size >= 12:
                    vf?.minTxRate = Int(u32(b, fs + 4))
                    vf?.maxTxRate = Int(u32(b, fs + 8))
                case Int(IFLA_VF_SPOOFCHK) where size >= 8: vf?.spoofCheck = setting(u32(b, fs + 4))
                case Int(IFLA_VF_TRUST) where size >= 8: vf?.trust = setting(u32(b, fs + 4))
                case Int(IFLA_VF_RSS_QUERY_EN) where size >= 8: vf?.rssQuery = setting(u32(b, fs + 4))
                case Int(IFLA_VF_LINK_STATE) where size >= 8:
                    vf?.linkState = ["auto", "enable", "disable"].indices.contains(Int(u32(b, fs + 4)))
                        ? ["auto", "enable", "disable"][Int(u32(b, fs + 4))] : "unknown"
                default: break
                }
            }
            guard var config = vf else { throw DecodeError(description: "IFLA_VF_INFO without IFLA_VF_MAC") }
            if let vlanFromList {
                (config.vlan, config.qos, config.vlanProtocol) = vlanFromList
            }
            result.append(config)
        }
        return result
    }

    /// (type, payload start, payload end) of each attribute in [start, end).
    static func attributes(_ b: [UInt8], start: Int, end: Int) throws -> [(Int, Int, Int)] {
        var result: [(Int, Int, Int)] = []
        var offset = start
        while offset + 4 <= end {
            let length = Int(u16(b, offset))
            let type = Int(u16(b, offset + 2)) & 0x3fff  // NLA_TYPE_MASK: drop NESTED / NET_BYTEORDER
            guard length >= 4, offset + length <= end else {
                throw DecodeError(description: "attribute \(type) at byte \(offset) overruns its message")
            }
            result.append((type, offset + 4, offset + length))
            offset += Int(ckernel_nl_align(UInt32(length)))
        }
        return result
    }

    /// Kernel "setting" words: 0 off, 1 on, 0xffffffff (-1) not supported by the driver.
    private static func setting(_ value: UInt32) -> Bool? {
        value == UInt32.max ? nil : value != 0
    }

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16 }

    private static func string(_ b: [UInt8], _ s: Int, _ e: Int) -> String {
        let bytes = b[s..<e].prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func macString(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.isEmpty ? nil : bytes.map { hex(Int($0), width: 2) }.joined(separator: ":")
    }

    private static func operStateName(_ code: Int) -> String {
        let names = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"]
        return names.indices.contains(code) ? names[code] : "UNKNOWN"
    }

    /// iproute2's names for the common ARPHRD types (`ll_type_n2a`).
    static func linkTypeName(_ arphrd: Int) -> String {
        switch arphrd {
        case 1: "ether"
        case 32: "infiniband"
        case 772: "loopback"
        case 776: "sit"
        case 768: "ipip"
        case 778: "gre"
        case 65534: "none"
        default: "[\(arphrd)]"
        }
    }
}
