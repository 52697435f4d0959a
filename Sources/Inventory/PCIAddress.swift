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

    /// Parses `DDDD:BB:DD.F` (the sysfs form, domain of 4 to 8 hex digits) or `BB:DD.F` (domain 0).
    /// Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { PCIAddress(utf8: $0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { PCIAddress(utf8: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The same over UTF-8 bytes, without allocating: it runs for every sysfs entry and link and
    /// for every address a fleet audit reads back from the store.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // Up to four hex runs (domain, bus, device, function) and the separators between them.
        var v0: UInt32 = 0, v1: UInt32 = 0, v2: UInt32 = 0
        var l0 = 0, l1 = 0, l2 = 0
        var separators: UInt32 = 0  // the separators seen, one byte each, the first in the high bits
        var run = 0, current: UInt32 = 0, length = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): current = current << 4 | UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): current = current << 4 | UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): current = current << 4 | UInt32(byte - 55)
            case UInt8(ascii: ":"), UInt8(ascii: "."):
                guard length > 0, run < 3 else { return nil }
                switch run {
                case 0: (v0, l0) = (current, length)
                case 1: (v1, l1) = (current, length)
                default: (v2, l2) = (current, length)
                }
                separators = separators << 8 | UInt32(byte)
                run += 1
                current = 0
                length = 0
                continue
            default: return nil
            }
            length += 1
            if length > 8 { return nil }
        }
        guard length > 0 else { return nil }
        let colon = UInt32(UInt8(ascii: ":")), dot = UInt32(UInt8(ascii: "."))
        let domain, bus, device: UInt32
        if run == 3, separators == colon << 16 | colon << 8 | dot {
            guard l0 >= 4, l1 == 2, l2 == 2 else { return nil }
            (domain, bus, device) = (v0, v1, v2)
        } else if run == 2, separators == colon << 8 | dot {
            guard l0 == 2, l1 == 2 else { return nil }
            (domain, bus, device) = (0, v0, v1)
        } else {
            return nil
        }
        guard length == 1, device < 32, current < 8 else { return nil }
        self.init(domain: domain, bus: UInt8(bus), device: UInt8(device), function: UInt8(current))
    }

    /// The routing ID (bus << 8 | devfn) that SR-IOV's VF offset and stride are defined on.
    public var routingID: Int { Int(bus) << 8 | Int(device) << 3 | Int(function) }

    /// The address with the given routing ID in the same domain, if it fits on a bus.
    public func withRoutingID(_ rid: Int) -> PCIAddress? {
        guard (0...0xffff).contains(rid) else { return nil }
        return PCIAddress(domain: domain, bus: UInt8(rid >> 8), device: UInt8((rid >> 3) & 0x1f), function: UInt8(rid & 7))
    }

    /// `DDDD:BB:DD.F`, lower-case hex, written straight into one string: the store writes an
    /// address per device and VF row, and the four-part concatenation was a twentieth of what
    /// the fleet server spent on a snapshot.
    public var description: String {
        // Domains above 0xffff are printed in full, as lspci does; they are not written here.
        guard domain <= 0xffff, function <= 9 else {
            return hex(Int(domain), width: 4) + ":" + hex(Int(bus), width: 2) + ":" + hex(Int(device), width: 2) + "." + String(function)
        }
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 12) { out in
            digits.withUTF8Buffer { d in
                let d4 = Int(domain), b = Int(bus), s = Int(device)
                out[0] = d[(d4 >> 12) & 0xf]; out[1] = d[(d4 >> 8) & 0xf]; out[2] = d[(d4 >> 4) & 0xf]; out[3] = d[d4 & 0xf]
                out[4] = UInt8(ascii: ":")
                out[5] = d[(b >> 4) & 0xf]; out[6] = d[b & 0xf]
                out[7] = UInt8(ascii: ":")
                out[8] = d[(s >> 4) & 0xf]; out[9] = d[s & 0xf]
                out[10] = UInt8(ascii: ".")
                out[11] = d[Int(function)]
            }
            return 12
        }
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
