/// A PCI function address (BDF with domain), e.g. `0000:3b:00.1`.
///
/// Devices are keyed by this address everywhere in sriov-audit: interface names and IOMMU group
/// numbers change across reboots, the address of a slot does not.
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var domain: UInt32
    public var bus: UInt8
    public var device: UInt8
    public var function: UInt8

    public init(domain: UInt32 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device & 0x1f
        self.function = function & 0x07
    }

    /// Parses `DDDD:BB:DD.F` (the sysfs form) or `BB:DD.F` (domain 0). Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let domainText: Substring
        let busText: Substring
        let slotText: Substring
        switch parts.count {
        case 3: (domainText, busText, slotText) = (Substring(parts[0]), Substring(parts[1]), Substring(parts[2]))
        case 2: (domainText, busText, slotText) = ("0", Substring(parts[0]), Substring(parts[1]))
        default: return nil
        }
        let slot = slotText.split(separator: ".", omittingEmptySubsequences: false)
        guard slot.count == 2, busText.count == 2, slot[0].count == 2, slot[1].count == 1,
              (1...8).contains(domainText.count),
              let domain = UInt32(domainText, radix: 16), let bus = UInt8(busText, radix: 16),
              let device = UInt8(slot[0], radix: 16), device < 32,
              let function = UInt8(slot[1], radix: 16), function < 8
        else { return nil }
        self.init(domain: domain, bus: bus, device: device, function: function)
    }

    /// The routing ID (bus << 8 | devfn) that SR-IOV's VF offset and stride are defined on.
    public var routingID: Int { Int(bus) << 8 | Int(device) << 3 | Int(function) }

    /// The address with the given routing ID in the same domain, if it fits on a bus.
    public func withRoutingID(_ rid: Int) -> PCIAddress? {
        guard (0...0xffff).contains(rid) else { return nil }
        return PCIAddress(domain: domain, bus: UInt8(rid >> 8), device: UInt8((rid >> 3) & 0x1f), function: UInt8(rid & 7))
    }

    public var description: String {
        hex(Int(domain), width: 4) + ":" + hex(Int(bus), width: 2) + ":" + hex(Int(device), width: 2) + "." + String(function)
    }

    public static func < (lhs: PCIAddress, rhs: PCIAddress) -> Bool {
        (lhs.domain, lhs.bus, lhs.device, lhs.function) < (rhs.domain, rhs.bus, rhs.device, rhs.function)
    }
}

extension PCIAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = PCIAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a PCI address: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Lower-case, zero-padded hexadecimal: the form lspci and sysfs print IDs in.
public func hex(_ value: Int, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
