import CPCI
import Inventory

/// libpci on one sysfs tree, through the CPCI shim.
///
/// Not thread-safe (neither is libpci's handle); one instance per collection run, closed with it.
final class PCILibrary {
    /// What libpci says about one function.
    struct Function {
        var vendorID: Int
        var deviceID: Int
        /// base class << 16 | subclass << 8 | programming interface
        var classCode: Int
        var revision: Int?
        var subsystemVendorID: Int?
        var subsystemDeviceID: Int?
        var config: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let handle: OpaquePointer
    private var nameCache: [String: String?] = [:]

    /// `sysfsBusPCI` is the directory holding `devices/` (e.g. `/sys/bus/pci`).
    init(sysfsBusPCI: String, idsPath: String? = nil) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let h = cpci_open_sysfs(sysfsBusPCI, idsPath, &error, error.count) else {
            throw Failure(description: "libpci could not open \(sysfsBusPCI): \(cString(error))")
        }
        handle = h
    }

    deinit {
        cpci_close(handle)
    }

    func describe(_ address: PCIAddress) throws -> Function {
        var out = cpci_function()
        var config = [UInt8](repeating: 0, count: 4096)
        var error = [CChar](repeating: 0, count: 512)
        let rc = cpci_describe(
            handle, Int32(address.domain), Int32(address.bus), Int32(address.device), Int32(address.function),
            &out, &config, Int32(config.count), &error, error.count
        )
        guard rc == 0 else { throw Failure(description: cString(error)) }
        config.removeSubrange(Int(out.config_size)...)
        let progIf = out.prog_if >= 0 ? Int(out.prog_if) : 0
        return Function(
            vendorID: Int(out.vendor_id), deviceID: Int(out.device_id),
            classCode: Int(out.device_class) << 8 | progIf,
            revision: out.revision >= 0 ? Int(out.revision) : nil,
            subsystemVendorID: out.subsys_vendor_id >= 0 ? Int(out.subsys_vendor_id) : nil,
            subsystemDeviceID: out.subsys_id >= 0 ? Int(out.subsys_id) : nil,
            config: config
        )
    }

    func vendorName(_ vendor: Int) -> String? {
        lookup(kind: 1, vendor, 0, 0, 0)
    }

    func deviceName(_ vendor: Int, _ device: Int) -> String? {
        lookup(kind: 2, vendor, device, 0, 0)
    }

    func subsystemName(_ vendor: Int, _ device: Int, _ subVendor: Int, _ subDevice: Int) -> String? {
        lookup(kind: 3, vendor, device, subVendor, subDevice)
    }

    /// `classCode` is the 24-bit code; the name is that of base class + subclass.
    func className(_ classCode: Int) -> String? {
        lookup(kind: 4, classCode >> 8, 0, 0, 0)
    }

    private func lookup(kind: Int32, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> String? {
        let key = "\(kind):\(a):\(b):\(c):\(d)"
        if let cached = nameCache[key] { return cached }
        var out = [CChar](repeating: 0, count: 256)
        let found = cpci_lookup(handle, kind, Int32(a), Int32(b), Int32(c), Int32(d), &out, out.count) == 1
        let name = found ? cString(out) : nil
        nameCache[key] = name
        return name
    }
}

/// A NUL-terminated C buffer as a String.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
