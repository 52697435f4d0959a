/// The latest use of each (scope domain, MAC, VLAN) seen by a `mac-unique` check.
///
/// Why not a `Dictionary`: a fleet audit looks up every VF's and interface's MAC (1.4 million at
/// 10,000 hosts, once per rule), and Swift's per-lookup hasher seeding and rehashing were a fifth
/// of the audit's time. Ethernet MACs are numbers, so they live in an open-addressing table of
/// plain integers; other addresses (InfiniBand's 20 bytes) go to an ordinary dictionary.
struct MACIndex {
    struct Key: Hashable {
        var domain: Int32
        var mac: MACValue
        var vlan: Int32
    }

    /// One slot: a key and its latest use, in one cache line's worth of bytes (a probe touches
    /// one slot, not four arrays). `domain < 0` marks an empty slot.
    private struct Slot {
        var mac: UInt64 = 0
        var domain: Int32 = -1
        var vlan: Int32 = 0
        var value: Int32 = 0
    }

    private var slots: [Slot] = []
    private var used = 0
    private var others: [Key: Int32] = [:]

    /// Records `value` as the latest use of `key`; returns the previous latest, if any.
    mutating func updateValue(_ value: Int32, for key: Key) -> Int32? {
        guard case .ethernet(let mac) = key.mac, key.domain >= 0 else { return others.updateValue(value, forKey: key) }
        if (used + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        return slots.withUnsafeMutableBufferPointer { table -> Int32? in
            var i = Self.slot(mac, key.domain, key.vlan, mask: mask)
            while table[i].domain >= 0 {
                if table[i].mac == mac, table[i].domain == key.domain, table[i].vlan == key.vlan {
                    defer { table[i].value = value }
                    return table[i].value
                }
                i = (i + 1) & mask
            }
            table[i] = Slot(mac: mac, domain: key.domain, vlan: key.vlan, value: value)
            used += 1
            return nil
        }
    }

    /// Every key with its latest use, in no particular order.
    var entries: [(key: Key, value: Int32)] {
        var result: [(key: Key, value: Int32)] = others.map { ($0.key, $0.value) }
        for slot in slots where slot.domain >= 0 {
            result.append((Key(domain: slot.domain, mac: .ethernet(slot.mac), vlan: slot.vlan), slot.value))
        }
        return result
    }

    private mutating func grow() {
        let old = slots
        let capacity = max(1024, slots.count * 2)
        slots = Array(repeating: Slot(), count: capacity)
        for slot in old where slot.domain >= 0 {
            var i = Self.slot(slot.mac, slot.domain, slot.vlan, mask: capacity - 1)
            while slots[i].domain >= 0 { i = (i + 1) & (capacity - 1) }
            slots[i] = slot
        }
    }

    /// A multiplicative mix of the three parts (the table's size is a power of two, so the high
    /// bits pick the slot).
    private static func slot(_ mac: UInt64, _ domain: Int32, _ vlan: Int32, mask: Int) -> Int {
        var h = mac &* 0x9E37_79B9_7F4A_7C15
        h ^= (UInt64(UInt32(bitPattern: domain)) << 32 | UInt64(UInt32(bitPattern: vlan))) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 31
        h = h &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: h >> 32) & mask
    }
}

/// A 6-byte Ethernet address as a number (any letter case is the same address); anything
/// else (InfiniBand's 20-byte addresses) as its text.
enum MACValue: Hashable {
    case ethernet(UInt64)
    case other(String)

    init(_ text: String) {
        var value: UInt64 = 0
        var digits = 0
        var separators = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0")); digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10); digits += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt64(byte - UInt8(ascii: "A") + 10); digits += 1
            case UInt8(ascii: ":"), UInt8(ascii: "-"): separators += 1
            default: digits = 99
            }
        }
        self = digits == 12 && separators == 5 ? .ethernet(value) : .other(text)
    }

    var text: String {
        switch self {
        case .other(let text): return text
        case .ethernet(let value):
            let hex = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            for shift in stride(from: 40, through: 0, by: -8) {
                if !out.isEmpty { out.append(UInt8(ascii: ":")) }
                let byte = Int((value >> UInt64(shift)) & 0xff)
                out += [hex[byte >> 4], hex[byte & 0xf]]
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
