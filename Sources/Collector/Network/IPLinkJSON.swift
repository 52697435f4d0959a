import Inventory

/// Parses `ip -d -j link show` (iproute2's JSON), the form a capture folder stores netlink in.
///
/// Pure, and the only reader of that format. Fields iproute2 omits stay nil: iproute2 prints
/// `spoofchk`, `trust` and `query_rss_en` only when the driver reports them, and `tx_rate` only
/// when it is not zero. Read with ``JSONReader`` (a 1,000-VF host's output is over a megabyte).
public enum IPLinkJSON {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ bytes: [UInt8]) throws -> [NetworkInterface] {
        var reader = JSONReader(bytes)
        do {
            let links = try reader.array { try link(&$0) }
            try reader.end()
            return links.sorted { $0.ifindex < $1.ifindex }
        } catch let failure as JSONReader.Failure {
            throw ParseError(description: failure.description)
        }
    }

    private static func link(_ r: inout JSONReader) throws -> NetworkInterface {
        var ifindex: Int?, name: String?, flags: [String]?, vfs: [VFConfig]?, numVFs: Int?
        var i = NetworkInterface(name: "", ifindex: 0)
        try r.object { r, key in
            switch key {
            case "ifindex": ifindex = try r.int()
            case "ifname": name = try r.string()
            case "flags": flags = try r.array { try $0.string() }
            case "mtu": i.mtu = try r.optionalInt()
            case "operstate": i.operState = try r.optionalString()
            case "link_type": i.linkType = try r.optionalString()
            case "address": i.mac = try r.optionalString()?.lowercased()
            case "parentbus": i.parentBus = try r.optionalString()
            case "parentdev": i.parentDevice = try r.optionalString()
            case "phys_port_name": i.physPortName = try r.optionalString()
            case "phys_switch_id": i.physSwitchID = try r.optionalString()
            case "num_vf": numVFs = try r.optionalInt()
            case "vfinfo_list": vfs = try r.array { try vf(&$0) }
            default: try r.skipValue()
            }
        }
        guard let ifindex else { throw r.fail("missing ifindex") }
        guard let name else { throw r.fail("missing ifname") }
        i.ifindex = ifindex
        i.name = name
        i.adminUp = flags?.contains("UP") ?? false
        i.carrier = flags.map { $0.contains("LOWER_UP") }
        i.vfs = (vfs ?? []).sorted { $0.index < $1.index }
        i.numVFs = numVFs ?? vfs?.count
        return i
    }

    private static func vf(_ r: inout JSONReader) throws -> VFConfig {
        var index: Int?, mac: String?, vlans: [(vlan: Int?, qos: Int?, proto: String?)]?
        var plainVLAN: Int?, plainQoS: Int?, txRate: Int?
        var c = VFConfig(index: 0, mac: "")
        try r.object { r, key in
            switch key {
            case "vf": index = try r.int()
            case "address": mac = try r.string().lowercased()
            case "vlan_list":
                vlans = try r.array { r in
                    var entry: (vlan: Int?, qos: Int?, proto: String?) = (nil, nil, nil)
                    try r.object { r, key in
                        switch key {
                        case "vlan": entry.vlan = try r.int()
                        case "qos": entry.qos = try r.int()
                        case "protocol": entry.proto = try r.string()
                        default: try r.skipValue()
                        }
                    }
                    return entry
                }
            case "vlan": plainVLAN = try r.int()
            case "qos": plainQoS = try r.int()
            case "tx_rate": txRate = try r.int()
            case "rate":
                try r.object { r, key in
                    switch key {
                    case "max_tx": c.maxTxRate = try r.int()
                    case "min_tx": c.minTxRate = try r.int()
                    default: try r.skipValue()
                    }
                }
            case "spoofchk": c.spoofCheck = try r.optionalBool()
            case "link_state": c.linkState = try r.optionalString()
            case "trust": c.trust = try r.optionalBool()
            case "query_rss_en": c.rssQuery = try r.optionalBool()
            default: try r.skipValue()
            }
        }
        guard let index else { throw r.fail("missing vf") }
        c.index = index
        c.mac = mac ?? "00:00:00:00:00:00"
        let first = vlans?.first
        c.vlan = first?.vlan ?? plainVLAN ?? 0
        c.qos = first?.qos ?? plainQoS ?? 0
        c.vlanProtocol = first.map { $0.proto ?? "802.1Q" }
        // The kernel always sends IFLA_VF_TX_RATE; iproute2 prints it only when it is not zero.
        c.txRate = txRate ?? 0
        return c
    }
}
