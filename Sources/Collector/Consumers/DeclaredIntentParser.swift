import Inventory
import Yams

/// What network configuration tools declare for SR-IOV PFs: os-net-config's
/// `/var/lib/os-net-config/sriov_config.yaml` and nmstate state files (`ethernet.sr-iov`).
public enum DeclaredIntentParser {
    /// os-net-config: a list of `{device_type: pf, name, numvfs}` and `{device_type: vf, device:
    /// {name, vfid}, macaddr, vlan_id, qos, spoofcheck, trust, min_tx_rate, max_tx_rate}`.
    public static func osNetConfig(_ text: String, path: String) throws(ConsumerFileError) -> [SriovDeclaration] {
        guard case .sequence(let items)? = try load(text) else {
            throw ConsumerFileError(line: 1, reason: "not a list of PF and VF entries")
        }
        var byPF: [String: SriovDeclaration] = [:]
        var order: [String] = []
        func declaration(_ name: String) -> SriovDeclaration {
            if byPF[name] == nil { order.append(name) }
            return byPF[name] ?? SriovDeclaration(interface: name, numVFs: nil, vfs: [], source: path)
        }
        for item in items {
            guard case .mapping(let map) = item else { throw ConsumerFileError(line: line(item), reason: "an entry is not a mapping") }
            switch map["device_type"]?.string {
            case "pf"?:
                guard let name = map["name"]?.string else { throw ConsumerFileError(line: line(item), reason: "a pf entry without name") }
                var d = declaration(name)
                d.numVFs = try int(map["numvfs"], "numvfs")
                byPF[name] = d
            case "vf"?:
                guard case .mapping(let device)? = map["device"], let pf = device["name"]?.string,
                      let index = try int(device["vfid"], "device.vfid") else {
                    throw ConsumerFileError(line: line(item), reason: "a vf entry without device: {name, vfid}")
                }
                var d = declaration(pf)
                d.vfs.append(DeclaredVF(
                    index: index, mac: map["macaddr"]?.string?.lowercased(), vlan: try int(map["vlan_id"], "vlan_id"),
                    qos: try int(map["qos"], "qos"), spoofCheck: try onOff(map["spoofcheck"], "spoofcheck"),
                    trust: try onOff(map["trust"], "trust"), minTxRate: try int(map["min_tx_rate"], "min_tx_rate"),
                    maxTxRate: try int(map["max_tx_rate"], "max_tx_rate")))
                byPF[pf] = d
            default:
                continue
            }
        }
        return order.compactMap { byPF[$0] }
    }

    /// nmstate: `interfaces[]` with `ethernet.sr-iov.{total-vfs, vfs[{id, mac-address, vlan-id,
    /// qos, spoof-check, trust, min-tx-rate, max-tx-rate}]}`.
    public static func nmstate(_ text: String, path: String) throws(ConsumerFileError) -> [SriovDeclaration] {
        guard case .mapping(let top)? = try load(text) else { return [] }
        guard case .sequence(let interfaces)? = top["interfaces"] else { return [] }
        var out: [SriovDeclaration] = []
        for interface in interfaces {
            guard case .mapping(let map) = interface, let name = map["name"]?.string,
                  case .mapping(let ethernet)? = map["ethernet"], case .mapping(let sriov)? = ethernet["sr-iov"] else { continue }
            var vfs: [DeclaredVF] = []
            if case .sequence(let list)? = sriov["vfs"] {
                for vf in list {
                    guard case .mapping(let v) = vf, let id = try int(v["id"], "vfs[].id") else {
                        throw ConsumerFileError(line: line(vf), reason: "an sr-iov vfs entry without id")
                    }
                    vfs.append(DeclaredVF(
                        index: id, mac: v["mac-address"]?.string?.lowercased(), vlan: try int(v["vlan-id"], "vlan-id"),
                        qos: try int(v["qos"], "qos"), spoofCheck: try onOff(v["spoof-check"], "spoof-check"),
                        trust: try onOff(v["trust"], "trust"), minTxRate: try int(v["min-tx-rate"], "min-tx-rate"),
                        maxTxRate: try int(v["max-tx-rate"], "max-tx-rate")))
                }
            }
            out.append(SriovDeclaration(interface: name, numVFs: try int(sriov["total-vfs"], "total-vfs"), vfs: vfs, source: path))
        }
        return out
    }

    /// A NetworkManager keyfile (`*.nmconnection`): `[connection] interface-name` and the
    /// `[sriov]` section, `total-vfs=N` and `vf.N=mac=… spoof-check=… trust=… min-tx-rate=…
    /// max-tx-rate=… vlans=ID[.PRIORITY[.PROTO]];…` as NetworkManager documents and writes them.
    /// nil for a connection without SR-IOV settings.
    public static func networkManager(_ text: String, path: String) throws(ConsumerFileError) -> SriovDeclaration? {
        let entries = try OpenStackParser.ini(text)
        let sriov = entries.filter { $0.section == "sriov" }
        guard !sriov.isEmpty else { return nil }
        guard let interface = entries.first(where: { $0.section == "connection" && $0.key == "interface-name" })?.value, !interface.isEmpty else {
            throw ConsumerFileError(line: sriov[0].line, reason: "an [sriov] section without [connection] interface-name")
        }
        var numVFs: Int?
        var vfs: [DeclaredVF] = []
        for entry in sriov {
            if entry.key == "total-vfs" {
                guard let n = Int(entry.value), n >= 0 else { throw ConsumerFileError(line: entry.line, reason: "total-vfs '\(entry.value)' is not a count") }
                numVFs = n
            } else if entry.key.hasPrefix("vf."), let index = Int(entry.key.dropFirst(3)), index >= 0 {
                var vf = DeclaredVF(index: index)
                for attribute in entry.value.split(separator: " ") {
                    let pair = attribute.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { throw ConsumerFileError(line: entry.line, reason: "VF attribute '\(attribute)' is not NAME=VALUE") }
                    let bool = { () throws(ConsumerFileError) -> Bool in
                        switch pair[1] {
                        case "true", "yes", "1": return true
                        case "false", "no", "0": return false
                        default: throw ConsumerFileError(line: entry.line, reason: "\(pair[0]) '\(pair[1])' is not true or false")
                        }
                    }
                    let count = { () throws(ConsumerFileError) -> Int in
                        guard let n = Int(pair[1]), n >= 0 else { throw ConsumerFileError(line: entry.line, reason: "\(pair[0]) '\(pair[1])' is not a number") }
                        return n
                    }
                    switch pair[0] {
                    case "mac": vf.mac = pair[1].lowercased()
                    case "spoof-check": vf.spoofCheck = try bool()
                    case "trust": vf.trust = try bool()
                    case "min-tx-rate": vf.minTxRate = try count()
                    case "max-tx-rate": vf.maxTxRate = try count()
                    case "vlans":
                        // The first VLAN descriptor is the VF's VLAN (the kernel takes one): ID[.QOS[.PROTO]].
                        let first = pair[1].split(separator: ";").first?.split(separator: ".") ?? []
                        guard let id = first.first.flatMap({ Int($0) }), (0...4095).contains(id) else {
                            throw ConsumerFileError(line: entry.line, reason: "vlans '\(pair[1])' does not start with a VLAN ID")
                        }
                        vf.vlan = id
                        if first.count > 1 { vf.qos = Int(first[1]) }
                    default: continue
                    }
                }
                vfs.append(vf)
            }
        }
        return SriovDeclaration(interface: interface, numVFs: numVFs, vfs: vfs.sorted { $0.index < $1.index }, source: path)
    }

    /// What a capture keeps of a keyfile: `[connection]`'s identity and the `[sriov]` section. The
    /// rest (Wi-Fi keys, 802.1X passwords) never leaves the host.
    public static func networkManagerExcerpt(_ text: String) -> String {
        var out = "# sriov-audit capture: only [connection] id, uuid, type, interface-name and [sriov] of this keyfile are kept\n"
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingWhitespace
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                if section == "connection" || section == "sriov" { out += line + "\n" }
                continue
            }
            let key = line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingWhitespace } ?? ""
            if section == "sriov" || (section == "connection" && ["id", "uuid", "type", "interface-name"].contains(key)) {
                out += line + "\n"
            }
        }
        return out
    }

    private static func load(_ text: String) throws(ConsumerFileError) -> Node? {
        do { return try Yams.compose(yaml: text) } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw ConsumerFileError(line: mark.line, reason: "not valid YAML: \(problem)")
            default:
                throw ConsumerFileError(line: nil, reason: "not valid YAML: \(error)")
            }
        } catch {
            throw ConsumerFileError(line: nil, reason: "not valid YAML: \(error)")
        }
    }

    private static func line(_ node: Node) -> Int? { node.mark.map { $0.line } }

    private static func int(_ node: Node?, _ name: String) throws(ConsumerFileError) -> Int? {
        guard let node else { return nil }
        guard let value = node.int, value >= 0 else {
            throw ConsumerFileError(line: line(node), reason: "\(name) '\(node.string ?? "")' is not a whole number")
        }
        return value
    }

    /// os-net-config writes `"on"`/`"off"`; nmstate booleans. YAML 1.1 reads bare on/off as booleans.
    private static func onOff(_ node: Node?, _ name: String) throws(ConsumerFileError) -> Bool? {
        guard let node else { return nil }
        if let b = node.bool { return b }
        switch node.string?.lowercased() {
        case "on", "true", "yes"?: return true
        case "off", "false", "no"?: return false
        default: throw ConsumerFileError(line: line(node), reason: "\(name) '\(node.string ?? "")' is not on/off")
        }
    }
}
