/// Derives variants of a real rtnetlink RTM_GETLINK dump (a capture's `rtnetlink-getlink.bin`):
/// a VF list cut short, a VF list whose nest claims more than its message. The real dump is
/// never changed; each variant is a new byte array, with every length fixed up the way the
/// kernel would have written it (so only the planted fault differs).
///
/// It walks the VF list by its entries, not by the nest's 16-bit length, because that length
/// wraps on the large PFs these variants are made from.
public enum NetlinkDumpBuilder {
    public struct BuildError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where one link's VF list lies in the dump.
    struct VFList {
        var messageStart: Int
        var messageLength: Int
        /// The IFLA_VFINFO_LIST attribute header.
        var nestStart: Int
        /// The start of each IFLA_VF_INFO entry, then the end of the last.
        var entries: [Int]
    }

    static let ifName = 3, vfInfoList = 22, vfInfo = 1, newLink = 16, done = 3

    /// The dump with the VF list of `interface` cut to its first `keep` entries: what a kernel
    /// that stops at the nest's limit, or a short read, would give. IFLA_NUM_VF is left as it was.
    public static func cuttingVFList(_ dump: [UInt8], interface: String, keep: Int) throws -> [UInt8] {
        let list = try vfList(dump, interface: interface)
        guard keep < list.entries.count - 1 else { throw BuildError(description: "\(interface) has only \(list.entries.count - 1) entries") }
        let cutFrom = list.entries[keep], cutTo = list.entries[list.entries.count - 1]
        var result = Array(dump[..<cutFrom]) + Array(dump[cutTo...])
        let removed = cutTo - cutFrom
        put16(&result, list.nestStart, UInt16((list.entries[keep] - list.nestStart) & 0xffff))
        put32(&result, list.messageStart, UInt32(list.messageLength - removed))
        return result
    }

    /// The dump with the VF list of `interface` claiming `extra` bytes more than its message
    /// holds after it: a nest whose length disagrees with its message.
    public static func overclaimingVFList(_ dump: [UInt8], interface: String, extra: Int = 64) throws -> [UInt8] {
        let list = try vfList(dump, interface: interface)
        let claim = list.messageStart + list.messageLength - list.nestStart + extra
        guard claim < 65_536 else { throw BuildError(description: "\(interface)'s message is too long for a 16-bit claim") }
        var result = dump
        put16(&result, list.nestStart, UInt16(claim))
        return result
    }

    /// The number of VF entries of `interface`'s list, counted by walking them.
    public static func vfEntryCount(_ dump: [UInt8], interface: String) throws -> Int {
        try vfList(dump, interface: interface).entries.count - 1
    }

    static func vfList(_ b: [UInt8], interface: String) throws -> VFList {
        var offset = 0
        while offset + 16 <= b.count {
            let length = Int(u32(b, offset)), type = Int(u16(b, offset + 4))
            guard length >= 16, offset + length <= b.count else { break }
            if type == done { break }
            if type == newLink {
                var name = "", nest: Int?
                var a = offset + 32
                let end = offset + length
                while a + 4 <= end {
                    let alen = Int(u16(b, a)), atype = Int(u16(b, a + 2)) & 0x3fff
                    if atype == vfInfoList {
                        nest = a
                        break
                    }
                    guard alen >= 4 else { break }
                    if atype == ifName { name = String(decoding: b[(a + 4)..<(a + alen)].prefix { $0 != 0 }, as: UTF8.self) }
                    a += (alen + 3) & ~3
                }
                if name == interface, let nest {
                    var entries: [Int] = []
                    var p = nest + 4
                    while p + 8 <= end, Int(u16(b, p + 2)) & 0x3fff == vfInfo, Int(u16(b, p + 6)) & 0x3fff == 1 {
                        entries.append(p)
                        p += (Int(u16(b, p)) + 3) & ~3
                    }
                    entries.append(p)
                    return VFList(messageStart: offset, messageLength: length, nestStart: nest, entries: entries)
                }
            }
            offset += (length + 3) & ~3
        }
        throw BuildError(description: "no VF list of \(interface) in the dump")
    }

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16 }
    static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) {
        b[o] = UInt8(v & 0xff)
        b[o + 1] = UInt8(v >> 8)
    }
    static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        put16(&b, o, UInt16(v & 0xffff))
        put16(&b, o + 2, UInt16(v >> 16))
    }
}
