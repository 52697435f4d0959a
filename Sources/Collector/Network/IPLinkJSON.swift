#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif
import Inventory

/// Parses `ip -d -j link show` (iproute2's JSON), the form a capture folder stores netlink in.
///
/// Pure, and the only reader of that format. Fields iproute2 omits stay nil: iproute2 prints
/// `spoofchk`, `trust` and `query_rss_en` only when the driver reports them, and `tx_rate` only
/// when it is not zero.
public enum IPLinkJSON {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ data: Data) throws -> [NetworkInterface] {
        let links: [Link]
        do {
            links = try JSONDecoder().decode([Link].self, from: data)
        } catch let error as DecodingError {
            throw ParseError(description: describe(error))
        }
        return links.map(\.interface).sorted { $0.ifindex < $1.ifindex }
    }

    private struct Link: Decodable {
        var ifindex: Int
        var ifname: String
        var flags: [String]?
        var mtu: Int?
        var operstate: String?
        var link_type: String?
        var address: String?
        var parentbus: String?
        var parentdev: String?
        var phys_port_name: String?
        var phys_switch_id: String?
        var num_vf: Int?
        var vfinfo_list: [VF]?

        var interface: NetworkInterface {
            NetworkInterface(
                name: ifname, ifindex: ifindex, mac: address?.lowercased(), mtu: mtu, operState: operstate,
                adminUp: flags?.contains("UP") ?? false, carrier: flags.map { $0.contains("LOWER_UP") },
                linkType: link_type, parentBus: parentbus, parentDevice: parentdev,
                physPortName: phys_port_name, physSwitchID: phys_switch_id,
                vfs: (vfinfo_list ?? []).map(\.config).sorted { $0.index < $1.index },
                numVFs: num_vf ?? vfinfo_list.map(\.count)
            )
        }
    }

    private struct VF: Decodable {
        struct VLAN: Decodable {
            var vlan: Int?
            var qos: Int?
            var `protocol`: String?
        }

        struct Rate: Decodable {
            var max_tx: Int?
            var min_tx: Int?
        }

        var vf: Int
        var address: String?
        var vlan_list: [VLAN]?
        var vlan: Int?
        var qos: Int?
        var tx_rate: Int?
        var rate: Rate?
        var spoofchk: Bool?
        var link_state: String?
        var trust: Bool?
        var query_rss_en: Bool?

        var config: VFConfig {
            let first = vlan_list?.first
            return VFConfig(
                index: vf, mac: address?.lowercased() ?? "00:00:00:00:00:00",
                vlan: first?.vlan ?? vlan ?? 0, qos: first?.qos ?? qos ?? 0,
                vlanProtocol: first.map { $0.protocol ?? "802.1Q" },
                spoofCheck: spoofchk, trust: trust, linkState: link_state,
                minTxRate: rate?.min_tx, maxTxRate: rate?.max_tx, txRate: tx_rate ?? 0,
                rssQuery: query_rss_en
            )
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return "not valid JSON: \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
