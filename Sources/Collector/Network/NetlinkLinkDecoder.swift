import CKernel
import Inventory

/// Decodes an rtnetlink RTM_NEWLINK dump (the kernel's answer to RTM_GETLINK with
/// IFLA_EXT_MASK = RTEXT_FILTER_VF) into ``NetworkInterface`` values.
///
/// Pure, over raw bytes, the only reader of that format: the live collector feeds it what the
/// socket returned, and tests feed it dumps captured from real kernels. Bounds are checked on
/// every attribute.
///
/// Each link message is decoded on its own: a message whose attributes cannot be read costs that
/// interface's unread part (named in ``Batch/problems``), never the other interfaces. The VF list
/// (`IFLA_VFINFO_LIST`) gets special care because its 16-bit length overflows on large PFs (at
/// about 335 VFs without per-VF stats): the kernel still sends every entry, so the decoder walks
/// the entries themselves and reads past a wrapped length, and a list that holds fewer entries
/// than `IFLA_NUM_VF` says is marked with a ``VFTableShortfall``.
public enum NetlinkLinkDecoder {
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Something in one link message the decoder could not read or did not believe.
    public struct Problem: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// Bytes that cannot be read as attributes: the rest of that message is lost.
            case malformed
            /// Readable, but one part disagrees with another (a wrapped nest length, a short list).
            case inconsistent
        }

        public var kind: Kind
        /// The interface's name, or `ifindex N` when the name was not reached.
        public var subject: String
        public var message: String
    }

    /// The messages of one receive buffer.
    public struct Batch: Equatable {
        public var interfaces: [NetworkInterface]
        /// True when the buffer held NLMSG_DONE: the dump is complete.
        public var done: Bool
        public var problems: [Problem] = []
        /// IFLA_STATS64 of each link that carried it (requests that skip stats get none).
        public var linkCounters: [LinkCounters] = []
        /// IFLA_VF_STATS of each VF entry that carried it, by PF interface and VF index.
        public var vfCounters: [VFCounters] = []
    }

    /// Decodes one receive buffer. Throws only when the buffer's message framing itself is
    /// broken (a message longer than the buffer) or the kernel answered with an error; damage
    /// inside one link message is a ``Problem`` and the other messages are still decoded.
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
                var problems: [Problem] = []
                var counters: (link: LinkCounters?, vfs: [VFCounters]) = (nil, [])
                if let interface = link(buffer, start: offset + 16, end: offset + length, problems: &problems, counters: &counters) {
                    batch.interfaces.append(interface)
                    if let link = counters.link { batch.linkCounters.append(link) }
                    batch.vfCounters += counters.vfs
                }
                batch.problems += problems
            default:
                break
            }
            offset += Int(ckernel_nl_align(UInt32(length)))
        }
        return batch
    }

    /// One link message; nil when not even its name could be read (the problem says why).
    private static func link(_ b: [UInt8], start: Int, end: Int, problems: inout [Problem],
                             counters: inout (link: LinkCounters?, vfs: [VFCounters])) -> NetworkInterface? {
        guard start + 16 <= end else {
            problems.append(Problem(kind: .malformed, subject: "link message at byte \(start - 16)", message: "RTM_NEWLINK shorter than ifinfomsg"))
            return nil
        }
        let arphrd = Int(u16(b, start + 2))
        let index = Int(Int32(bitPattern: u32(b, start + 4)))
        let flags = u32(b, start + 8)
        var interface = NetworkInterface(
            name: "", ifindex: index, adminUp: flags & UInt32(IFF_UP) != 0,
            carrier: nil, linkType: linkTypeName(arphrd)
        )
        var notes: [Problem] = []  // subjects filled in once the name is known
        var vfList: VFListExtent?
        var offset = start + 16
        while offset + 4 <= end {
            let length = Int(u16(b, offset))
            let type = Int(u16(b, offset + 2)) & 0x3fff  // NLA_TYPE_MASK: drop NESTED / NET_BYTEORDER
            if type == Int(IFLA_VFINFO_LIST) {
                let extent = vfListExtent(b, at: offset, claimed: length, end: end)
                vfList = extent
                offset += Int(ckernel_nl_align(UInt32(extent.end - offset)))
                continue
            }
            guard length >= 4, offset + length <= end else {
                notes.append(Problem(kind: .malformed, subject: "", message: "attribute \(type) at byte \(offset) overruns its message; the rest of this link's attributes are not read"))
                break
            }
            let (s, e) = (offset + 4, offset + length)
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
            case Int(IFLA_STATS64) where e - s >= 16 * 8:
                // struct rtnl_link_stats64: 64-bit counters in the kernel's order.
                let v = { (n: Int) in u64(b, s + 8 * n) }
                counters.link = LinkCounters(interface: "", rxPackets: v(0), txPackets: v(1), rxBytes: v(2), txBytes: v(3),
                                             rxErrors: v(4), txErrors: v(5), rxDropped: v(6), txDropped: v(7),
                                             multicast: v(8), rxMissed: v(15))
            default: break
            }
            offset += Int(ckernel_nl_align(UInt32(length)))
        }
        guard !interface.name.isEmpty else {
            problems.append(Problem(kind: .malformed, subject: "ifindex \(index)",
                                    message: "link message without a readable IFLA_IFNAME" + (notes.first.map { ": " + $0.message } ?? "")))
            return nil
        }
        if let vfList {
            if let note = vfList.note { notes.append(Problem(kind: vfList.entriesEnd == nil ? .malformed : .inconsistent, subject: "", message: note)) }
            let macLength = interface.mac.map { ($0.count + 1) / 3 } ?? 6
            do {
                var stats: [VFCounters] = []
                interface.vfs = try vfInfos(b, vfList.start, vfList.entriesEnd ?? vfList.start, macLength: macLength, stats: &stats).sorted { $0.index < $1.index }
                counters.vfs = stats.map { var c = $0; c.interface = interface.name; return c }.sorted { $0.index < $1.index }
            } catch {
                notes.append(Problem(kind: .malformed, subject: "", message: "VF list: \(error); no VF settings read"))
            }
            // The kernel's own count, in the same message: fewer entries means a partial table.
            if let numVFs = interface.numVFs, interface.vfs.count < numVFs {
                interface.vfTableShortfall = VFTableShortfall(expected: numVFs, expectedSource: "IFLA_NUM_VF", received: interface.vfs.count)
            }
        }
        counters.link?.interface = interface.name
        for var note in notes {
            note.subject = interface.name
            problems.append(note)
        }
        return interface
    }

    /// Where an `IFLA_VFINFO_LIST` really ends.
    struct VFListExtent: Equatable {
        /// The first byte of the first entry.
        var start: Int
        /// The end of the last whole entry; nil when the list cannot be trusted at all.
        var entriesEnd: Int?
        /// The end of the attribute: where the next attribute of the message starts.
        var end: Int
        /// What was wrong with the claimed length, if anything.
        var note: String?
    }

    /// Walks the list's `IFLA_VF_INFO` entries themselves instead of trusting the nest's 16-bit
    /// length: `nla_nest_end` stores the nest size modulo 65,536, so a list of 100,000 bytes
    /// claims 34,464 and its tail would otherwise be read as the message's next attributes. The
    /// walk stops at the first attribute that is not a VF entry (the entries are followed by
    /// other link attributes, never by another IFLA_VF_INFO); the claimed length must then equal
    /// the walked one modulo 65,536, or the list is cut at its claimed end and said to disagree.
    static func vfListExtent(_ b: [UInt8], at offset: Int, claimed: Int, end: Int) -> VFListExtent {
        var position = offset + 4
        var withinClaim = position  // the end of the last whole entry inside the claimed length
        while position + 8 <= end {
            let length = Int(u16(b, position))
            let type = Int(u16(b, position + 2)) & 0x3fff
            let firstInner = Int(u16(b, position + 6)) & 0x3fff
            guard type == Int(IFLA_VF_INFO), length >= 8, position + length <= end, firstInner == Int(IFLA_VF_MAC) else { break }
            position += Int(ckernel_nl_align(UInt32(length)))
            if position <= offset + claimed { withinClaim = position }
        }
        let walked = min(position, end) - offset
        if walked == claimed { return VFListExtent(start: offset + 4, entriesEnd: offset + walked, end: offset + walked) }
        if walked > claimed, (walked - claimed) % 65_536 == 0 {
            return VFListExtent(start: offset + 4, entriesEnd: offset + walked, end: offset + walked,
                                note: "IFLA_VFINFO_LIST claims \(claimed) bytes but its entries fill \(walked): its 16-bit length wrapped past 65,535; the entries were read past the claimed end")
        }
        // The claimed length is not the walked one, wrapped or not: trust only what lies within
        // the claim (and within the message).
        guard claimed >= 4, offset + claimed <= end else {
            return VFListExtent(start: offset + 4, entriesEnd: nil, end: end,
                                note: "IFLA_VFINFO_LIST at byte \(offset) claims \(claimed) bytes, the message has \(end - offset); no VF settings read and the rest of this link's attributes are not read")
        }
        return VFListExtent(start: offset + 4, entriesEnd: withinClaim, end: offset + claimed,
                            note: "IFLA_VFINFO_LIST claims \(claimed) bytes but its entries fill \(walked); only the entries within the claim were read")
    }

    private static func vfInfos(_ b: [UInt8], _ start: Int, _ end: Int, macLength: Int, stats: inout [VFCounters]) throws -> [VFConfig] {
        var result: [VFConfig] = []
        for (type, s, e) in try attributes(b, start: start, end: end) where type == Int(IFLA_VF_INFO) {
            var vf: VFConfig?
            var vlanFromList: (vlan: Int, qos: Int, proto: String)?
            var vfStats: VFCounters?
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
                case Int(IFLA_VF_STATS):
                    var c = VFCounters(source: "netlink", interface: "", index: -1)
                    for (stat, ss, se) in try attributes(b, start: fs, end: fe) where se - ss >= 8 {
                        let value = u64(b, ss)
                        switch stat {
                        case Int(IFLA_VF_STATS_RX_PACKETS): c.rxPackets = value
                        case Int(IFLA_VF_STATS_TX_PACKETS): c.txPackets = value
                        case Int(IFLA_VF_STATS_RX_BYTES): c.rxBytes = value
                        case Int(IFLA_VF_STATS_TX_BYTES): c.txBytes = value
                        case Int(IFLA_VF_STATS_BROADCAST): c.broadcast = value
                        case Int(IFLA_VF_STATS_MULTICAST): c.multicast = value
                        case Int(IFLA_VF_STATS_RX_DROPPED): c.rxDropped = value
                        case Int(IFLA_VF_STATS_TX_DROPPED): c.txDropped = value
                        default: break
                        }
                    }
                    vfStats = c
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
            if var vfStats {
                vfStats.index = config.index
                stats.append(vfStats)
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
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32 }

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
