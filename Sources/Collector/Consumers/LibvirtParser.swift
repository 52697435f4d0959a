import Inventory

/// libvirt's domain and network XML: the host PCI functions a guest claims, and the hostdev pools
/// of `<forward mode='hostdev'>` networks.
public enum LibvirtParser {
    /// A domain file: a persistent definition (`<domain>`) or a live status (`<domstatus>`
    /// wrapping the running `<domain>`).
    public struct Domain: Sendable, Equatable {
        public var name: String
        public var uuid: String?
        /// True when the file is a live status.
        public var isStatus: Bool
        public var claims: [VFConsumer]
    }

    /// The claims of one domain file. `path` is the file's path on the host.
    public static func domain(_ text: String, path: String) throws(ConsumerFileError) -> Domain {
        let root: XMLElement
        do { root = try XMLReader.parse(text) } catch { throw ConsumerFileError(line: error.line, reason: "not well-formed XML: \(error.reason)") }
        let isStatus = root.name == "domstatus"
        guard let domain = isStatus ? root.child("domain") : (root.name == "domain" ? root : nil) else {
            throw ConsumerFileError(line: root.line, reason: "not a libvirt domain: the root element is <\(root.name)>, not <domain> or <domstatus>")
        }
        guard let name = domain.child("name")?.text, !name.isEmpty else {
            throw ConsumerFileError(line: domain.line, reason: "the domain has no <name>")
        }
        let uuid = domain.child("uuid")?.text
        let instanceName = domain.child("metadata")?.children.first { $0.localName == "instance" }?
            .children.first { $0.localName == "name" }?.text
        var claims: [VFConsumer] = []
        for device in domain.child("devices")?.children ?? [] {
            let attachment: String
            var source: XMLElement?
            switch (device.name, device.attributes["type"]) {
            case ("hostdev", "pci"):
                guard device.attributes["mode"] ?? "subsystem" == "subsystem" else { continue }
                attachment = "hostdev"
                source = device.child("source")
            case ("interface", "hostdev"):
                attachment = "interface"
                source = device.child("source")
            case ("interface", "network"):
                // The VF is chosen from the network's pool at start; only the status names it, in <actual>.
                guard let actual = device.child("actual"), actual.attributes["type"] == "hostdev" else { continue }
                attachment = "interface"
                source = actual.child("source") ?? actual.child("hostdev")?.child("source")
            default:
                continue
            }
            guard let addressElement = source?.child("address") else {
                throw ConsumerFileError(line: device.line, reason: "<\(device.name)> has no <source><address>")
            }
            let address = try pciAddress(addressElement)
            let vlan: Int?
            if let tag = device.child("vlan")?.child("tag")?.attributes["id"] {
                guard let id = Int(tag.trimmingWhitespace), (0...4095).contains(id) else {
                    throw ConsumerFileError(line: device.line, reason: "VLAN tag id '\(tag)' is not a number from 0 to 4095")
                }
                vlan = id
            } else {
                vlan = nil
            }
            let managed = device.attributes["managed"].map { $0 == "yes" } ?? (attachment == "interface" ? nil : false)
            claims.append(VFConsumer(
                address: address, kind: .libvirtDomain, name: name, uuid: uuid, running: isStatus ? true : nil, managed: managed,
                attachment: attachment, mac: device.child("mac")?.attributes["address"]?.trimmingWhitespace.lowercased(),
                vlan: vlan, teaming: device.child("teaming")?.attributes["type"], instanceName: instanceName, sources: [path]))
        }
        return Domain(name: name, uuid: uuid, isStatus: isStatus, claims: claims)
    }

    /// A network file's hostdev pool; nil for networks of other forward modes.
    public static func network(_ text: String, path: String, position: Int) throws(ConsumerFileError) -> DevicePool? {
        let root: XMLElement
        do { root = try XMLReader.parse(text) } catch { throw ConsumerFileError(line: error.line, reason: "not well-formed XML: \(error.reason)") }
        guard root.name == "network" else {
            throw ConsumerFileError(line: root.line, reason: "not a libvirt network: the root element is <\(root.name)>")
        }
        guard let forward = root.child("forward"), forward.attributes["mode"] == "hostdev" else { return nil }
        let name = root.child("name")?.text ?? ""
        var addresses: [String] = []
        for element in forward.children("address") { addresses.append(try pciAddress(element).description) }
        let pfs = forward.children("pf").compactMap { $0.attributes["dev"] }
        var selectors: [PoolSelector] = []
        if !addresses.isEmpty { selectors.append(PoolSelector(pciAddresses: addresses)) }
        if !pfs.isEmpty { selectors.append(PoolSelector(pfNames: pfs)) }
        return DevicePool(kind: .libvirtNetwork, name: name, selectors: selectors, position: position, source: path)
    }

    /// `<address domain bus slot function>`: libvirt reads each as C's strtol with base 0, so
    /// `0x1b`, `27` and `033` are all bus 27.
    static func pciAddress(_ element: XMLElement) throws(ConsumerFileError) -> PCIAddress {
        if let type = element.attributes["type"], type != "pci" {
            throw ConsumerFileError(line: element.line, reason: "address type '\(type)' is not a PCI address")
        }
        func number(_ field: String, max: UInt32, required: Bool = true) throws(ConsumerFileError) -> UInt32 {
            guard let raw = element.attributes[field]?.trimmingWhitespace else {
                if required { throw ConsumerFileError(line: element.line, reason: "the PCI address has no \(field)") }
                return 0
            }
            let value: UInt32?
            if raw.hasPrefix("0x") || raw.hasPrefix("0X") { value = UInt32(raw.dropFirst(2), radix: 16) }
            else if raw.count > 1 && raw.hasPrefix("0") { value = UInt32(raw.dropFirst(), radix: 8) }
            else { value = UInt32(raw, radix: 10) }
            guard let value, value <= max else {
                throw ConsumerFileError(line: element.line, reason: "\(field)='\(raw)' is not a PCI \(field) number (at most \(max))")
            }
            return value
        }
        return PCIAddress(domain: try number("domain", max: 0xffff_ffff, required: false), bus: UInt8(try number("bus", max: 0xff)),
                          device: UInt8(try number("slot", max: 0x1f)), function: UInt8(try number("function", max: 7)))
    }
}
