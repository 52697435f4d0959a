#if canImport(Glibc)
import Glibc
#endif
import CKernel
import Inventory

/// A NETLINK_GENERIC socket that asks the devlink family for its instances, their `dev info`
/// and their eswitch mode.
///
/// Read-only by construction: it sends GET requests only (the same `devlink dev info` and
/// `devlink dev eswitch show` send), which change nothing in the kernel.
struct DevlinkSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The kernel has no devlink family (an old kernel, or devlink compiled out).
        var unavailable = false
    }

    /// Every reply, in the order received: what ``DevlinkDecoder`` reads and `capture` keeps.
    static func replies() throws -> [UInt8] {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_GENERIC)
        guard fd >= 0 else { throw Failure(description: "generic netlink socket: \(ReadOnlyFiles.describe(errno: errno))") }
        defer { close(fd) }
        let family = try familyID(fd)
        var out: [UInt8] = []
        // The instances, then what each says of itself. A dump ends with NLMSG_DONE.
        let instances = try exchange(fd, request(family: family, command: UInt8(DEVLINK_CMD_GET.rawValue), sequence: 2, dump: true), dump: true)
        out += instances
        out += try exchange(fd, request(family: family, command: UInt8(DEVLINK_CMD_INFO_GET.rawValue), sequence: 3, dump: true), dump: true)
        let handles = try DevlinkDecoder.decode(instances).map { ($0.bus, $0.device) }
        for (n, (bus, device)) in handles.enumerated() {
            // ESWITCH_GET cannot dump: one request per instance. Drivers without an eswitch answer
            // with an error message, which is kept and leaves the mode absent.
            out += try exchange(fd, request(family: family, command: UInt8(DEVLINK_CMD_ESWITCH_GET.rawValue), sequence: UInt32(4 + n), dump: false,
                                            bus: bus, device: device), dump: false)
        }
        return out
    }

    /// CTRL_CMD_GETFAMILY "devlink": the message type the family was given at boot.
    private static func familyID(_ fd: Int32) throws -> UInt16 {
        var message = header(type: UInt16(GENL_ID_CTRL), flags: UInt16(NLM_F_REQUEST), sequence: 1, command: UInt8(CTRL_CMD_GETFAMILY))
        attribute(&message, UInt16(CTRL_ATTR_FAMILY_NAME), Array("devlink".utf8) + [0])
        finish(&message)
        try NetlinkSocket.send(fd, message)
        let reply = try NetlinkSocket.receive(fd)
        guard reply.count >= 20 else { throw Failure(description: "devlink family: short reply") }
        if Int(NetlinkLinkDecoder.u16(reply, 4)) == Int(NLMSG_ERROR) {
            let code = -Int32(bitPattern: NetlinkLinkDecoder.u32(reply, 16))
            throw Failure(description: "the kernel has no devlink family (\(ReadOnlyFiles.describe(errno: code)))", unavailable: true)
        }
        let length = min(Int(NetlinkLinkDecoder.u32(reply, 0)), reply.count)
        for (type, s, e) in try NetlinkLinkDecoder.attributes(reply, start: 20, end: length)
        where type == Int(CTRL_ATTR_FAMILY_ID) && e - s >= 2 {
            return NetlinkLinkDecoder.u16(reply, s)
        }
        throw Failure(description: "devlink family: no family id in the reply")
    }

    /// Sends one request and gathers its replies: until NLMSG_DONE for a dump, one message (an
    /// answer or an error) otherwise. A dump the kernel refuses as a whole is an error.
    private static func exchange(_ fd: Int32, _ message: [UInt8], dump: Bool) throws -> [UInt8] {
        try NetlinkSocket.send(fd, message)
        var out: [UInt8] = []
        for _ in 0..<100_000 {
            let buffer = try NetlinkSocket.receive(fd)
            out += buffer
            guard dump else { return out }
            var offset = 0
            while offset + 16 <= buffer.count {
                let length = Int(NetlinkLinkDecoder.u32(buffer, offset))
                let type = Int(NetlinkLinkDecoder.u16(buffer, offset + 4))
                if type == Int(NLMSG_DONE) { return out }
                if type == Int(NLMSG_ERROR), offset + 20 <= buffer.count {
                    let code = -Int32(bitPattern: NetlinkLinkDecoder.u32(buffer, offset + 16))
                    if code != 0 { throw Failure(description: "devlink dump: \(ReadOnlyFiles.describe(errno: code))") }
                    return out
                }
                guard length >= 16 else { break }
                offset += Int(ckernel_nl_align(UInt32(length)))
            }
        }
        throw Failure(description: "devlink dump did not end")
    }

    private static func request(family: UInt16, command: UInt8, sequence: UInt32, dump: Bool, bus: String? = nil, device: String? = nil) -> [UInt8] {
        var message = header(type: family, flags: UInt16(NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0)), sequence: sequence, command: command)
        if let bus, let device {
            attribute(&message, UInt16(DEVLINK_ATTR_BUS_NAME.rawValue), Array(bus.utf8) + [0])
            attribute(&message, UInt16(DEVLINK_ATTR_DEV_NAME.rawValue), Array(device.utf8) + [0])
        }
        finish(&message)
        return message
    }

    private static func header(type: UInt16, flags: UInt16, sequence: UInt32, command: UInt8) -> [UInt8] {
        var m = [UInt8](repeating: 0, count: 20)
        NetlinkSocket.put16(&m, 4, type)
        NetlinkSocket.put16(&m, 6, flags)
        NetlinkSocket.put32(&m, 8, sequence)
        m[16] = command
        m[17] = UInt8(DEVLINK_GENL_VERSION)
        return m
    }

    private static func attribute(_ m: inout [UInt8], _ type: UInt16, _ payload: [UInt8]) {
        let start = m.count
        m += [UInt8](repeating: 0, count: 4)
        NetlinkSocket.put16(&m, start, UInt16(4 + payload.count))
        NetlinkSocket.put16(&m, start + 2, type)
        m += payload
        m += [UInt8](repeating: 0, count: Int(ckernel_nl_align(UInt32(m.count))) - m.count)
    }

    private static func finish(_ m: inout [UInt8]) {
        NetlinkSocket.put32(&m, 0, UInt32(m.count))
    }
}
