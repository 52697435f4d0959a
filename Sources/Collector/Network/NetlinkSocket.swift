#if canImport(Glibc)
import Glibc
#endif
import CKernel
import Inventory

/// A NETLINK_ROUTE socket that performs one RTM_GETLINK dump with VF information.
///
/// Read-only by construction: it sends dump and get requests only, which change nothing in the
/// kernel.
struct NetlinkSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one dump gave: the interfaces, and what could not be read inside single messages.
    struct LinkDump {
        var interfaces: [NetworkInterface]
        var problems: [NetlinkLinkDecoder.Problem]
    }

    /// Every link of the current network namespace, with IFLA_VFINFO_LIST for PFs.
    /// `rawCapture`, when given, receives each buffer the kernel sent (for `capture`), before it
    /// is decoded: a buffer the decoder chokes on is still kept.
    ///
    /// A PF whose VF list came back shorter than its IFLA_NUM_VF is asked for again on its own
    /// (RTM_GETLINK by ifindex, without stats, which the kernel sizes for that one link); the
    /// longer answer wins, and a list that is still short keeps its ``VFTableShortfall``.
    static func dumpLinks(rawCapture: ((Int, [UInt8]) -> Void)? = nil) throws -> LinkDump {
        try withSocket { fd in
            var dump = LinkDump(interfaces: [], problems: [])
            try dumpAll(fd, mask: UInt32(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS), what: "netlink dump", rawCapture: rawCapture) { batch in
                dump.interfaces += batch.interfaces
                dump.problems += batch.problems
            }
            for i in dump.interfaces.indices where dump.interfaces[i].vfTableShortfall != nil {
                let again = try? getLink(fd, ifindex: dump.interfaces[i].ifindex, sequence: UInt32(2 + i))
                if let again, again.name == dump.interfaces[i].name, again.vfs.count > dump.interfaces[i].vfs.count {
                    dump.interfaces[i].vfs = again.vfs
                    dump.interfaces[i].vfTableShortfall = again.vfTableShortfall
                }
            }
            return dump
        }
    }

    /// What the counter dump gave: IFLA_STATS64 per link and IFLA_VF_STATS per VF entry.
    struct CounterDump {
        var links: [LinkCounters] = []
        var vfs: [VFCounters] = []
        var problems: [NetlinkLinkDecoder.Problem] = []
    }

    /// Every link's counters, in a dump of its own: asking for per-VF stats makes each VF entry
    /// larger, so the VF list overflows its 16-bit length at about 222 VFs instead of 335; the
    /// settings dump (``dumpLinks(rawCapture:)``) stays without them. A VF list cut short here
    /// costs only the counters of the VFs past the cut.
    static func dumpCounters(rawCapture: ((Int, [UInt8]) -> Void)? = nil) throws -> CounterDump {
        try withSocket { fd in
            var dump = CounterDump()
            try dumpAll(fd, mask: UInt32(RTEXT_FILTER_VF), what: "netlink counter dump", rawCapture: rawCapture) { batch in
                dump.links += batch.linkCounters
                dump.vfs += batch.vfCounters
                dump.problems += batch.problems.filter { $0.kind == .malformed }
            }
            return dump
        }
    }

    /// A NETLINK_ROUTE socket for the length of `body`.
    private static func withSocket<T>(_ body: (Int32) throws -> T) throws -> T {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw Failure(description: "netlink socket: \(ReadOnlyFiles.describe(errno: errno))") }
        defer { close(fd) }
        return try body(fd)
    }

    /// One RTM_GETLINK dump with `mask`, each buffer kept raw (`rawCapture`) and handed decoded
    /// to `each`, until NLMSG_DONE.
    private static func dumpAll(_ fd: Int32, mask: UInt32, what: String, rawCapture: ((Int, [UInt8]) -> Void)?,
                                _ each: (NetlinkLinkDecoder.Batch) -> Void) throws {
        try send(fd, request(sequence: 1, flags: UInt16(NLM_F_REQUEST | NLM_F_DUMP), ifindex: 0, mask: mask))
        var buffers = 0
        while true {
            let buffer = try receive(fd)
            rawCapture?(buffers, buffer)
            buffers += 1
            let batch: NetlinkLinkDecoder.Batch
            do { batch = try NetlinkLinkDecoder.decode(buffer) } catch {
                throw Failure(description: "\(what): \(error)")
            }
            each(batch)
            if batch.done { return }
            if buffers > 100_000 { throw Failure(description: "\(what) did not end") }
        }
    }

    /// One link, asked for by index.
    private static func getLink(_ fd: Int32, ifindex: Int, sequence: UInt32) throws -> NetworkInterface? {
        try send(fd, request(sequence: sequence, flags: UInt16(NLM_F_REQUEST), ifindex: Int32(ifindex)))
        let batch = try NetlinkLinkDecoder.decode(try receive(fd))
        return batch.interfaces.first
    }

    /// An RTM_GETLINK request (a dump, or one link by index) asking for VF settings, without
    /// stats unless `mask` says otherwise.
    private static func request(sequence: UInt32, flags: UInt16, ifindex: Int32,
                                mask: UInt32 = UInt32(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)) -> [UInt8] {
        var request = [UInt8](repeating: 0, count: 40)
        put32(&request, 0, 40)                                             // nlmsg_len
        put16(&request, 4, UInt16(RTM_GETLINK))                            // nlmsg_type
        put16(&request, 6, flags)                                          // nlmsg_flags
        put32(&request, 8, sequence)                                       // nlmsg_seq
        request[16] = UInt8(AF_PACKET)                                     // ifinfomsg.ifi_family
        put32(&request, 20, UInt32(bitPattern: ifindex))                   // ifinfomsg.ifi_index
        put16(&request, 32, 8)                                             // rtattr.rta_len
        put16(&request, 34, UInt16(IFLA_EXT_MASK))                         // rtattr.rta_type
        put32(&request, 36, mask)
        return request
    }

    static func send(_ fd: Int32, _ request: [UInt8]) throws {
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let sent = request.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == request.count else { throw Failure(description: "netlink send: \(ReadOnlyFiles.describe(errno: errno))") }
    }

    /// One datagram, whole: a PF with many VFs yields one large message, so its size is asked
    /// for (MSG_PEEK | MSG_TRUNC) before it is read.
    static func receive(_ fd: Int32) throws -> [UInt8] {
        let size = recv(fd, nil, 0, Int32(MSG_PEEK | MSG_TRUNC))
        guard size > 0 else { throw Failure(description: "netlink receive: \(ReadOnlyFiles.describe(errno: errno))") }
        var buffer = [UInt8](repeating: 0, count: size)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: "netlink receive: \(ReadOnlyFiles.describe(errno: errno))") }
        buffer.removeSubrange(n...)
        return buffer
    }

    static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) {
        b[o] = UInt8(v & 0xff)
        b[o + 1] = UInt8(v >> 8)
    }

    static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        put16(&b, o, UInt16(v & 0xffff))
        put16(&b, o + 2, UInt16(v >> 16))
    }
}
