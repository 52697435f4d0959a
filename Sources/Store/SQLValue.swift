/// A value bound to or read from a column: what SQLite stores, nothing more.
enum SQLValue: Hashable, Sendable {
    case null
    case int(Int64)
    case text(String)
    /// Bytes: only the stored audit facts, which never enter a content digest.
    case blob([UInt8])

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    init(_ value: Bool?) { self = value.map { .int($0 ? 1 : 0) } ?? .null }
}

/// A stable 128-bit content digest (two FNV-1a lanes) of a sequence of values.
///
/// Why not Swift's Hasher: it is seeded per process, and the digest is stored and compared across
/// runs and hosts. Why not a cryptographic hash: it only detects change; nobody gains by forging it.
struct ContentHasher {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142

    mutating func add(_ value: SQLValue) {
        switch value {
        case .null: byte(0)
        case .int(let v):
            byte(1)
            var x = UInt64(bitPattern: v)
            for _ in 0..<8 { byte(UInt8(x & 0xff)); x >>= 8 }
        case .text(let s):
            byte(2)
            for c in s.utf8 { byte(c) }
            byte(0xff)
        case .blob(let bytes):
            byte(4)
            for c in bytes { byte(c) }
            byte(0xff)
        }
    }

    mutating func add(_ values: [SQLValue]) {
        byte(3)
        for value in values { add(value) }
    }

    mutating func add(tag: String) {
        add(.text(tag))
    }

    private mutating func byte(_ c: UInt8) {
        a = (a ^ UInt64(c)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(c)) &* 0x0000_0100_0000_01b3 ^ (b >> 29)
    }

    var hex: String {
        func h(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return h(a) + h(b)
    }
}
