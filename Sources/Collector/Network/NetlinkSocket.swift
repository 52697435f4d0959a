#if canImport(Glibc)
import Glibc
#endif
import CKernel
import Inventory

/// A NETLINK_ROUTE socket that performs one RTM_GETLINK dump with VF information.
///
/// Read-only by construction: it sends a single dump request, which changes nothing in the kernel.
struct NetlinkSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Every link of the current network namespace, with IFLA_VFINFO_LIST for PFs.
    /// `rawCapture`, when given, receives each buffer the kernel sent (for `capture`).
    static func dumpLinks(rawCapture: ((Int, [UInt8]) -> Void)? = nil) throws -> [NetworkInterface] {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw Failure(description: "netlink socket: \(ReadOnlyFiles.describe(errno: errno))") }
        defer { close(fd) }

        var request = [UInt8](repeating: 0, count: 40)
        put32(&request, 0, 40)                                             // nlmsg_len
        put16(&request, 4, UInt16(RTM_GETLINK))                            // nlmsg_type
        put16(&request, 6, UInt16(NLM_F_REQUEST | NLM_F_DUMP))             // nlmsg_flags
        put32(&request, 8, 1)                                              // nlmsg_seq
        request[16] = UInt8(AF_PACKET)                                     // ifinfomsg.ifi_family
        put16(&request, 32, 8)                                             // rtattr.rta_len
        put16(&request, 34, UInt16(IFLA_EXT_MASK))                // rtattr.rta_type
        put32(&request, 36, UInt32(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS))

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

        var interfaces: [NetworkInterface] = []
        var buffers = 0
        while true {
            // A PF with many VFs yields one large message: ask for its size before reading it.
            let size = recv(fd, nil, 0, Int32(MSG_PEEK | MSG_TRUNC))
            guard size > 0 else { throw Failure(description: "netlink receive: \(ReadOnlyFiles.describe(errno: errno))") }
            var buffer = [UInt8](repeating: 0, count: size)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "netlink receive: \(ReadOnlyFiles.describe(errno: errno))") }
            buffer.removeSubrange(n...)
            rawCapture?(buffers, buffer)
            buffers += 1
            let batch: NetlinkLinkDecoder.Batch
            do { batch = try NetlinkLinkDecoder.decode(buffer) } catch {
                throw Failure(description: "netlink dump: \(error)")
            }
            interfaces += batch.interfaces
            if batch.done { return interfaces }
            if buffers > 100_000 { throw Failure(description: "netlink dump did not end") }
        }
    }

    private static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) {
        b[o] = UInt8(v & 0xff)
        b[o + 1] = UInt8(v >> 8)
    }

    private static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        put16(&b, o, UInt16(v & 0xffff))
        put16(&b, o + 2, UInt16(v >> 16))
    }
}
