import Inventory

/// Decodes the parts of a PCI configuration space that SR-IOV audits need: the PCIe capability
/// (port type, link), the SR-IOV and ACS extended capabilities.
///
/// Pure: it takes the bytes as the kernel's `config` file or `lspci -xxxx` gives them, so it is
/// tested on pciutils' real dumps. A truncated space (64 bytes for unprivileged readers) simply
/// yields no capabilities; a malformed capability chain stops the walk instead of looping.
public struct ConfigSpace: Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var vendorID: Int? { word(0x00) }
    public var deviceID: Int? { word(0x02) }
    /// The 24-bit class code (base, subclass, programming interface); nil for an absent function.
    public var classCode: Int? {
        guard let low = word(0x08), let high = word(0x0a), vendorID != 0xffff else { return nil }
        return (high << 8) | (low >> 8)
    }
    public var headerType: Int? { byte(0x0e).map { $0 & 0x7f } }

    /// Offset of the first standard capability with this ID.
    public func capability(_ id: Int) -> Int? {
        guard bytes.count >= 64, let status = word(0x06), status & 0x10 != 0, var pointer = byte(0x34) else { return nil }
        var visited = 0
        while pointer >= 0x40, pointer + 1 < bytes.count, visited < 48 {
            pointer &= ~3
            guard let capID = byte(pointer), let next = byte(pointer + 1) else { return nil }
            if capID == id { return pointer }
            pointer = next
            visited += 1
        }
        return nil
    }

    /// Offset of the first extended capability with this ID (needs the 4 KiB space).
    public func extendedCapability(_ id: Int) -> Int? {
        guard bytes.count >= 4096 else { return nil }
        var offset = 0x100
        var visited = 0
        while offset >= 0x100, offset + 4 <= bytes.count, visited < 512 {
            guard let header = dword(offset), header != 0, header != 0xffff_ffff else { return nil }
            if header & 0xffff == id { return offset }
            offset = (header >> 20) & 0xffc
            visited += 1
        }
        return nil
    }

    /// The PCIe device/port type in lspci's words.
    public var pcieType: String? {
        guard let cap = capability(0x10), let flags = word(cap + 2) else { return nil }
        let names = [
            0: "Endpoint", 1: "Legacy Endpoint", 4: "Root Port", 5: "Upstream Port", 6: "Downstream Port",
            7: "PCI-Express to PCI/PCI-X Bridge", 8: "PCI/PCI-X to PCI-Express Bridge",
            9: "Root Complex Integrated Endpoint", 10: "Root Complex Event Collector",
        ]
        return names[(flags >> 4) & 0xf] ?? "Unknown"
    }

    /// Link speed and width as the kernel's `current_link_*` / `max_link_*` attributes derive them:
    /// Link Status for the current values; the Link Capabilities 2 speed vector (else Link
    /// Capabilities) for the maximum. nil without a PCIe capability or for functions without a
    /// link (root-complex integrated endpoints and event collectors).
    public var link: PCIeLink? {
        guard let cap = capability(0x10), let flags = word(cap + 2), let linkCap = dword(cap + 0x0c),
              let linkStatus = word(cap + 0x12)
        else { return nil }
        let type = (flags >> 4) & 0xf
        guard type != 9, type != 10 else { return nil }
        var maxSpeed = linkCap & 0xf
        if flags & 0xf >= 2, let linkCap2 = dword(cap + 0x2c), linkCap2 & 0xfe != 0 {
            let vector = (linkCap2 >> 1) & 0x7f
            maxSpeed = (0..<7).last { vector & (1 << $0) != 0 }.map { $0 + 1 } ?? maxSpeed
        }
        return PCIeLink(
            currentSpeed: Self.speedName(linkStatus & 0xf), currentWidth: (linkStatus >> 4) & 0x3f,
            maxSpeed: Self.speedName(maxSpeed), maxWidth: (linkCap >> 4) & 0x3f
        )
    }

    /// The kernel's spelling of a PCIe link speed code (`pci_speed_string`).
    public static func speedName(_ code: Int) -> String {
        switch code {
        case 1: "2.5 GT/s PCIe"
        case 2: "5.0 GT/s PCIe"
        case 3: "8.0 GT/s PCIe"
        case 4: "16.0 GT/s PCIe"
        case 5: "32.0 GT/s PCIe"
        case 6: "64.0 GT/s PCIe"
        default: "Unknown"
        }
    }

    public var sriov: SRIOVCapability? {
        guard let c = extendedCapability(0x0010), let control = word(c + 0x08), let initial = word(c + 0x0c),
              let total = word(c + 0x0e), let num = word(c + 0x10), let dependency = byte(c + 0x12),
              let firstOffset = word(c + 0x14), let stride = word(c + 0x16), let vfDevice = word(c + 0x1a),
              let pageSizes = dword(c + 0x1c), let systemPage = dword(c + 0x20)
        else { return nil }
        return SRIOVCapability(
            offset: c, vfEnable: control & 0x01 != 0, vfMSE: control & 0x08 != 0,
            ariCapableHierarchy: control & 0x10 != 0, initialVFs: initial, totalVFs: total, numVFs: num,
            functionDependencyLink: dependency, firstVFOffset: firstOffset, vfStride: stride,
            vfDeviceID: hex(vfDevice, width: 4), supportedPageSizes: pageSizes, systemPageSize: systemPage
        )
    }

    public var acs: ACSCapability? {
        guard let c = extendedCapability(0x000d), let capability = word(c + 4), let control = word(c + 6) else {
            return nil
        }
        return ACSCapability(
            offset: c, capability: ACSFlags(rawValue: UInt16(capability)), control: ACSFlags(rawValue: UInt16(control))
        )
    }

    func byte(_ offset: Int) -> Int? {
        offset >= 0 && offset < bytes.count ? Int(bytes[offset]) : nil
    }

    func word(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    func dword(_ offset: Int) -> Int? {
        guard let low = word(offset), let high = word(offset + 2) else { return nil }
        return low | high << 16
    }
}
