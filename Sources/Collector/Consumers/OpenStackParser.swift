import Inventory

/// oslo.config INI files: Nova's PCI device specs and aliases, the Neutron SR-IOV agent's
/// device mappings.
public enum OpenStackParser {
    /// One `key = value` of an INI file; a key given several times (Nova's `device_spec`) is
    /// several entries.
    public struct Entry: Sendable, Equatable {
        public var section: String
        public var key: String
        public var value: String
        public var line: Int
    }

    /// oslo.config's INI dialect: `[section]`, `key = value` or `key: value`, `#`/`;` comments on
    /// their own line, a value continued on following lines that start with blanks (joined here
    /// with one space: the values read are JSON or lists, where that changes nothing).
    public static func ini(_ text: String) throws(ConsumerFileError) -> [Entry] {
        var entries: [Entry] = []
        var section: String?
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if let first = line.first, first == " " || first == "\t", !entries.isEmpty {
                entries[entries.count - 1].value += " " + trimmed
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw ConsumerFileError(line: n + 1, reason: "malformed section header \(trimmed)")
                }
                section = String(trimmed.dropFirst().dropLast()).trimmingWhitespace
                continue
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConsumerFileError(line: n + 1, reason: "neither a section, a comment nor key = value")
            }
            guard let section else { throw ConsumerFileError(line: n + 1, reason: "a value before the first [section]") }
            entries.append(Entry(section: section, key: trimmed[..<separator].trimmingWhitespace,
                                 value: trimmed[trimmed.index(after: separator)...].trimmingWhitespace, line: n + 1))
        }
        return entries
    }

    /// `[pci] device_spec`, `[pci] passthrough_whitelist` and the older `[DEFAULT]
    /// pci_passthrough_whitelist`, and `[pci] alias`: each value a JSON object or a list of them.
    public static func novaSpecs(_ text: String, path: String) throws(ConsumerFileError) -> [NovaPCISpec] {
        var specs: [NovaPCISpec] = []
        for entry in try ini(text) {
            let section = entry.section.lowercased()
            let kind: NovaPCISpec.Kind
            switch (section, entry.key) {
            case ("pci", "device_spec"), ("pci", "passthrough_whitelist"), ("default", "pci_passthrough_whitelist"): kind = .deviceSpec
            case ("pci", "alias"), ("default", "pci_alias"): kind = .alias
            default: continue
            }
            guard !entry.value.isEmpty else { continue }
            let value: JSONValue
            do { value = try JSONValue.parse(entry.value) } catch {
                throw ConsumerFileError(line: entry.line, reason: "[\(entry.section)] \(entry.key): \(error.reason)")
            }
            for object in value.array ?? [value] {
                specs.append(try spec(object, kind: kind, text: entry.value, path: path, line: entry.line))
            }
        }
        return specs
    }

    private static func spec(_ o: JSONValue, kind: NovaPCISpec.Kind, text: String, path: String, line: Int) throws(ConsumerFileError) -> NovaPCISpec {
        guard o.members != nil else { throw ConsumerFileError(line: line, reason: "a PCI spec must be a JSON object: \(text)") }
        func string(_ key: String) -> String? {
            guard let v = o[key] else { return nil }
            return v.string ?? v.int.map(String.init)
        }
        func flag(_ key: String) throws(ConsumerFileError) -> Bool? {
            guard let v = o[key] else { return nil }
            if let b = v.bool { return b }
            // Nova reads these tags as strings through oslo's bool_from_string.
            switch v.string?.lowercased() {
            case "true", "yes", "1", "on"?: return true
            case "false", "no", "0", "off"?: return false
            default: throw ConsumerFileError(line: line, reason: "\(key) is not a boolean: \(text)")
            }
        }
        var address: String?
        var regex: PCIAddressRegex?
        switch o["address"] {
        case .string(let glob)?: address = glob
        case let dict? where dict.members != nil:
            let field = { (k: String) in dict[k]?.string ?? ".*" }
            regex = PCIAddressRegex(domain: field("domain"), bus: field("bus"), slot: field("slot"), function: field("function"))
            for part in [regex?.domain, regex?.bus, regex?.slot, regex?.function].compactMap({ $0 }) where (try? Regex(part)) == nil {
                throw ConsumerFileError(line: line, reason: "address regex '\(part)' is not a regular expression: \(text)")
            }
        case nil: break
        default: throw ConsumerFileError(line: line, reason: "address is neither a string nor a regex dict: \(text)")
        }
        let hex = { (s: String?) in s.map { ($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0).lowercased() } }
        return NovaPCISpec(kind: kind, vendorID: hex(string("vendor_id")), productID: hex(string("product_id")), address: address,
                           addressRegex: regex, devname: string("devname"), physicalNetwork: string("physical_network"),
                           trusted: try flag("trusted"), remoteManaged: try flag("remote_managed"), name: string("name"),
                           deviceType: string("device_type"), text: text, source: path, line: line)
    }

    /// `[sriov_nic] physical_device_mappings = physnet:dev,…` and `exclude_devices = dev:addr;addr,…`.
    public static func neutronAgent(_ text: String, path: String) throws(ConsumerFileError) -> [NeutronDevice] {
        var networks: [String: [String]] = [:]
        var excluded: [String: [PCIAddress]] = [:]
        var order: [String] = []
        let note = { (device: String) in if networks[device] == nil && excluded[device] == nil { order.append(device) } }
        for entry in try ini(text) where entry.section.lowercased() == "sriov_nic" {
            switch entry.key {
            case "physical_device_mappings":
                for pair in entry.value.split(separator: ",").map(\.trimmingWhitespace) where !pair.isEmpty {
                    let parts = pair.split(separator: ":", maxSplits: 1).map(\.trimmingWhitespace)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        throw ConsumerFileError(line: entry.line, reason: "physical_device_mappings entry '\(pair)' is not PHYSNET:DEVICE")
                    }
                    note(parts[1])
                    networks[parts[1], default: []].append(parts[0])
                }
            case "exclude_devices":
                for item in entry.value.split(separator: ",").map(\.trimmingWhitespace) where !item.isEmpty {
                    guard let colon = item.firstIndex(of: ":") else {
                        throw ConsumerFileError(line: entry.line, reason: "exclude_devices entry '\(item)' is not DEVICE:ADDRESS;ADDRESS")
                    }
                    let device = item[..<colon].trimmingWhitespace
                    var addresses: [PCIAddress] = []
                    for text in item[item.index(after: colon)...].split(separator: ";").map(\.trimmingWhitespace) where !text.isEmpty {
                        guard let address = PCIAddress(text) else {
                            throw ConsumerFileError(line: entry.line, reason: "exclude_devices: '\(text)' is not a PCI address")
                        }
                        addresses.append(address)
                    }
                    note(device)
                    excluded[device, default: []] += addresses
                }
            default: continue
            }
        }
        return order.map { NeutronDevice(device: $0, physicalNetworks: networks[$0] ?? [], excludedVFs: excluded[$0] ?? [], source: path) }
    }
}
