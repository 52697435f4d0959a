/// The stored form of ``AuditFacts``: a compact binary encoding (varints and length-prefixed
/// UTF-8), read back without any generic decoding machinery.
///
/// Why not JSON: a fleet audit that finds its per-host results missing (a new rules file) reads
/// the facts of every host; 10,000 hosts' facts decode in a fraction of the time JSON would take.
/// The first byte is ``AuditFacts/version``: facts of another version are never read, they are
/// derived again from the snapshot.
extension AuditFacts {
    public func encoded() -> [UInt8] {
        var w = FactsWriter()
        w.int(Self.version)
        w.string(hostname); w.string(kernelRelease); w.string(platform.rawValue)
        w.bool(iommu.enabled); w.strings(iommu.units); w.int(iommu.groupCount); w.strings(iommu.commandLineOptions)
        w.int(pfs.count)
        for pf in pfs {
            w.address(pf.address); w.strings(pf.interfaces)
            if let d = pf.device {
                w.int(1)
                w.string(d.vendorID); w.string(d.deviceID); w.string(d.subsystemVendorID); w.string(d.subsystemDeviceID)
                w.string(d.deviceName); w.string(d.driver)
            } else {
                w.int(0)
            }
            w.bool(pf.hasDriverInfo); w.string(pf.reportedDriver); w.string(pf.firmware); w.string(pf.driverVersion)
            w.optionalInt(pf.numVFs); w.optionalInt(pf.totalVFs); w.int(pf.presentVFs)
        }
        w.int(netdevPFs.count)
        for n in netdevPFs { w.string(n.name); w.string(n.driver) }
        w.int(vfs.count)
        for vf in vfs {
            w.owner(vf.owner); w.int(vf.index); w.optionalAddress(vf.address); w.string(vf.driver); w.bool(vf.hasNetdev); w.string(vf.netdevMAC)
            if let c = vf.config {
                w.int(1)
                w.string(c.mac); w.int(c.vlan); w.int(c.qos); w.bool(c.spoofCheck); w.bool(c.trust)
            } else {
                w.int(0)
            }
        }
        w.int(interfaceMACs.count)
        for m in interfaceMACs { w.string(m.name); w.address(m.address); w.string(m.mac) }
        w.int(incompleteTables.count)
        for t in incompleteTables {
            w.owner(t.owner); w.string(t.interface)
            w.int(t.shortfall.expected); w.string(t.shortfall.expectedSource); w.int(t.shortfall.received)
        }
        w.int(isolation.subjects.count)
        for s in isolation.subjects { w.address(s.address); w.optionalAddress(s.physicalFunction); w.string(s.driver); w.optionalInt(s.group) }
        w.int(isolation.groups.count)
        for g in isolation.groups {
            w.int(g.id); w.int(g.members.count)
            for m in g.members { w.address(m) }
            w.strings(g.otherMembers)
        }
        let drivers = isolation.memberDrivers.sorted { $0.key < $1.key }
        w.int(drivers.count)
        for (address, driver) in drivers { w.address(address); w.string(driver) }
        w.string(consumers?.encodedJSON())
        w.string(health?.encodedJSON())
        return w.bytes
    }

    /// Reads what ``encoded()`` wrote; throws on anything else (another version, a cut blob).
    public init(encoded bytes: [UInt8]) throws(FactsDecodingError) {
        var r = FactsReader(bytes)
        let version = try r.int()
        guard version == Self.version else { throw FactsDecodingError(reason: "facts version \(version), this build reads \(Self.version)") }
        hostname = try r.string()
        kernelRelease = try r.optionalString()
        let platformName = try r.string()
        guard let platform = HostPlatform(rawValue: platformName) else { throw FactsDecodingError(reason: "facts of an unknown platform \(platformName)") }
        self.platform = platform
        iommu = IOMMUState(enabled: try r.bool(), units: try r.optionalStrings(), groupCount: try r.int(), commandLineOptions: try r.strings())
        pfs = try r.array { r throws(FactsDecodingError) in
            let address = try r.address(), interfaces = try r.strings()
            var device: Device?
            if try r.int() == 1 {
                device = Device(vendorID: try r.string(), deviceID: try r.string(), subsystemVendorID: try r.optionalString(),
                                subsystemDeviceID: try r.optionalString(), deviceName: try r.optionalString(), driver: try r.optionalString())
            }
            return PF(address: address, interfaces: interfaces, device: device, hasDriverInfo: try r.bool() ?? false,
                      reportedDriver: try r.optionalString(), firmware: try r.optionalString(), driverVersion: try r.optionalString(),
                      numVFs: try r.optionalInt(), totalVFs: try r.optionalInt(), presentVFs: try r.int())
        }
        netdevPFs = try r.array { r throws(FactsDecodingError) in NetdevPF(name: try r.string(), driver: try r.optionalString()) }
        vfs = try r.array { r throws(FactsDecodingError) in
            let owner = try r.owner(), index = try r.int(), address = try r.optionalAddress(), driver = try r.optionalString()
            let hasNetdev = try r.bool() ?? false, netdevMAC = try r.optionalString()
            var config: Config?
            if try r.int() == 1 {
                config = Config(mac: try r.string(), vlan: try r.int(), qos: try r.int(), spoofCheck: try r.bool(), trust: try r.bool())
            }
            return VF(owner: owner, index: index, address: address, driver: driver, hasNetdev: hasNetdev, netdevMAC: netdevMAC, config: config)
        }
        interfaceMACs = try r.array { r throws(FactsDecodingError) in InterfaceMAC(name: try r.string(), address: try r.address(), mac: try r.string()) }
        incompleteTables = try r.array { r throws(FactsDecodingError) in
            IncompleteTable(owner: try r.owner(), interface: try r.string(),
                            shortfall: VFTableShortfall(expected: try r.int(), expectedSource: try r.string(), received: try r.int()))
        }
        let subjects = try r.array { r throws(FactsDecodingError) in
            Isolation.Subject(address: try r.address(), physicalFunction: try r.optionalAddress(), driver: try r.optionalString(), group: try r.optionalInt())
        }
        let groups = try r.array { r throws(FactsDecodingError) in
            Isolation.Group(id: try r.int(), members: try r.array { r throws(FactsDecodingError) in try r.address() }, otherMembers: try r.strings())
        }
        var drivers: [PCIAddress: String] = [:]
        for _ in 0..<(try r.int()) { drivers[try r.address()] = try r.string() }
        isolation = Isolation(subjects: subjects, groups: groups, memberDrivers: drivers)
        if let json = try r.optionalString() { consumers = try ConsumerFacts(json: json) } else { consumers = nil }
        if let json = try r.optionalString() { health = try HealthFacts(json: json) } else { health = nil }
        guard r.atEnd else { throw FactsDecodingError(reason: "\(r.remaining) bytes after the facts") }
    }
}

/// Stored facts that cannot be read: the store derives them again from the snapshot.
public struct FactsDecodingError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { "unreadable audit facts: \(reason)" }

    public init(reason: String) {
        self.reason = reason
    }
}

/// Writes ``AuditFacts/encoded()``'s primitives (and those of other stored audit values): unsigned LEB128 varints (zig-zag for signed
/// values, 0 for nil, n + 1 otherwise), strings as a length and UTF-8.
public struct FactsWriter {
    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(4096) }

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func int(_ value: Int) { varint(UInt64(bitPattern: Int64(value << 1 ^ value >> 63))) }
    public mutating func optionalInt(_ value: Int?) { if let value { varint(UInt64(bitPattern: Int64(value << 1 ^ value >> 63)) + 1) } else { varint(0) } }
    public mutating func bool(_ value: Bool?) { bytes.append(value.map { $0 ? 2 : 1 } ?? 0) }

    public mutating func string(_ value: String?) {
        guard let value else { return varint(0) }
        var text = value
        text.withUTF8 { utf8 in
            varint(UInt64(utf8.count) + 1)
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func strings(_ values: [String]?) {
        guard let values else { return varint(0) }
        varint(UInt64(values.count) + 1)
        for v in values { string(v) }
    }

    public mutating func address(_ a: PCIAddress) { varint(UInt64(a.domain) << 24 | UInt64(a.bus) << 16 | UInt64(a.device) << 8 | UInt64(a.function)) }
    /// A flag byte (0 absent, 1 present), then the address.
    public mutating func optionalAddress(_ a: PCIAddress?) { if let a { bytes.append(1); address(a) } else { bytes.append(0) } }

    public mutating func owner(_ owner: AuditFacts.VF.Owner) {
        switch owner {
        case .pf(let p): int(p * 2)
        case .netdev(let n): int(n * 2 + 1)
        }
    }
}

/// Reads what ``FactsWriter`` wrote.
public struct FactsReader {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var atEnd: Bool { position == bytes.count }
    public var remaining: Int { bytes.count - position }

    private func cut() -> FactsDecodingError { FactsDecodingError(reason: "cut at byte \(position) of \(bytes.count)") }

    public mutating func varint() throws(FactsDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw cut() }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    private static func unzigzag(_ v: UInt64) -> Int { Int(Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)) }

    public mutating func int() throws(FactsDecodingError) -> Int { Self.unzigzag(try varint()) }

    public mutating func optionalInt() throws(FactsDecodingError) -> Int? {
        let v = try varint()
        return v == 0 ? nil : Self.unzigzag(v - 1)
    }

    public mutating func bool() throws(FactsDecodingError) -> Bool? {
        guard position < bytes.count else { throw cut() }
        defer { position += 1 }
        switch bytes[position] {
        case 0: return nil
        case 1: return false
        case 2: return true
        default: throw FactsDecodingError(reason: "byte \(position) is not a flag")
        }
    }

    public mutating func optionalString() throws(FactsDecodingError) -> String? {
        let n = try varint()
        guard n > 0 else { return nil }
        let count = Int(n - 1)
        guard count <= bytes.count - position else { throw cut() }
        defer { position += count }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<(position + count)]), as: UTF8.self) }
    }

    public mutating func string() throws(FactsDecodingError) -> String {
        guard let s = try optionalString() else { throw FactsDecodingError(reason: "a string is missing at byte \(position)") }
        return s
    }

    public mutating func optionalStrings() throws(FactsDecodingError) -> [String]? {
        let n = try varint()
        guard n > 0 else { return nil }
        guard n - 1 <= UInt64(bytes.count - position) else { throw cut() }
        var out: [String] = []
        out.reserveCapacity(Int(n - 1))
        for _ in 0..<(n - 1) { out.append(try string()) }
        return out
    }

    public mutating func strings() throws(FactsDecodingError) -> [String] { try optionalStrings() ?? [] }

    public mutating func array<T>(_ element: (inout FactsReader) throws(FactsDecodingError) -> T) throws(FactsDecodingError) -> [T] {
        let count = try int()
        guard count >= 0, count <= bytes.count - position else { throw cut() }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    public mutating func address() throws(FactsDecodingError) -> PCIAddress {
        let v = try varint()
        guard v >> 56 == 0 else { throw FactsDecodingError(reason: "not a PCI address at byte \(position)") }
        return PCIAddress(domain: UInt32(truncatingIfNeeded: v >> 24), bus: UInt8(truncatingIfNeeded: v >> 16),
                          device: UInt8(truncatingIfNeeded: v >> 8), function: UInt8(truncatingIfNeeded: v))
    }

    public mutating func optionalAddress() throws(FactsDecodingError) -> PCIAddress? {
        guard position < bytes.count else { throw cut() }
        position += 1
        switch bytes[position - 1] {
        case 0: return nil
        case 1: return try address()
        default: throw FactsDecodingError(reason: "byte \(position - 1) is not an address flag")
        }
    }

    public mutating func owner() throws(FactsDecodingError) -> AuditFacts.VF.Owner {
        let v = try int()
        return v % 2 == 0 ? .pf(v / 2) : .netdev(v / 2)
    }
}
