import Inventory

/// What one saved `esxcli` command says, typed: the values the listing shows and nothing it
/// does not (a field the output lacks stays nil, never `false` or `0`), plus warnings naming the
/// file and line of every entry that could not be read (the others are kept).
public struct ESXiListing<Item: Sendable & Hashable>: Sendable {
    public var items: [Item]
    public var warnings: [ESXiInputError]
}

/// `esxcli network sriovnic list`: the PFs with SR-IOV on.
public struct ESXiSriovNic: Sendable, Hashable {
    public var name: String
    public var address: PCIAddress
    public var driver: String?
    /// `Up` or `Down`: the `Link` column of `sriovnic list`, `Link Status` of `nic list`.
    public var link: String?
    /// `Admin Status` (`nic list` only).
    public var adminStatus: String?
    /// Mb/s.
    public var speed: Int?
    public var duplex: String?
    public var mac: String?
    public var mtu: Int?
    public var description: String?
}

/// `esxcli network sriovnic vf list -n vmnicN`: one VF.
public struct ESXiVF: Sendable, Hashable {
    public var id: Int
    public var active: Bool
    public var address: PCIAddress
    /// The world that holds the VF: the VM's World ID up to ESXi 8, its VMX cartel ID from 9
    /// (`vm process list` has both); nil when no VM holds it (`-`).
    public var ownerWorldID: Int?
}

/// `esxcli network nic get -n vmnicN`: driver and firmware of one uplink.
public struct ESXiNicInfo: Sendable, Hashable {
    public var name: String
    public var address: PCIAddress?
    public var driver: String?
    public var driverVersion: String?
    /// As printed: vendors put spaces and commas in it (`3.30 0x800014a5, 20.5.15`).
    public var firmwareVersion: String?
    public var linkStatus: String?
}

/// `esxcli vm process list`: a running VM, to name the world that owns a VF.
public struct ESXiVMProcess: Sendable, Hashable {
    public var displayName: String
    public var worldID: Int?
    public var cartelID: Int?
    public var configFile: String?
    public var uuid: String?
}

/// `esxcli hardware pci list`: one PCI function with its IDs and owner.
public struct ESXiPCIFunction: Sendable, Hashable {
    public var address: PCIAddress
    public var vmkernelName: String?
    public var vendorID: String?
    public var deviceID: String?
    public var subsystemVendorID: String?
    public var subsystemDeviceID: String?
    public var vendorName: String?
    public var deviceName: String?
    /// Base class and subclass, four hex digits (`Device Class: 0x0200`).
    public var classCode: String?
    /// Two hex digits (`Programming Interface: 0x00`).
    public var programmingInterface: String?
    public var revision: String?
    /// `VMkernel`, `VM Passthru`, …
    public var currentOwner: String?
    public var moduleName: String?
}

/// The typed readers, each over `EsxcliOutput.records`.
public enum ESXiListings {
    public static func sriovNics(_ text: String, file: String) throws(ESXiInputError) -> ESXiListing<ESXiSriovNic> {
        try read(text, file: file, command: "network sriovnic list") { r, fail in
            guard let name = r["Name"], !name.isEmpty else { return fail("has no Name") }
            guard let raw = r["PCI Device"] else { return fail("has no PCI Device") }
            guard let address = ESXiAddress.parse(raw) else { return fail("PCI Device \"\(raw)\" is not a PCI address") }
            return ESXiSriovNic(name: name, address: address, driver: r["Driver"], link: r["Link"] ?? r["Link Status"], adminStatus: r["Admin Status"],
                                speed: r["Speed"].flatMap { Int($0) }, duplex: r["Duplex"],
                                mac: r["MAC Address"].flatMap(mac), mtu: r["MTU"].flatMap { Int($0) }, description: r["Description"])
        }
    }

    public static func vfs(_ text: String, file: String) throws(ESXiInputError) -> ESXiListing<ESXiVF> {
        try read(text, file: file, command: "network sriovnic vf list") { r, fail in
            guard let rawID = r["VF ID"] else { return fail("has no VF ID") }
            guard let id = Int(rawID), id >= 0 else { return fail("VF ID \"\(rawID)\" is not a number") }
            guard let rawActive = r["Active"], let active = bool(rawActive) else { return fail("Active \"\(r["Active"] ?? "")\" is not true or false") }
            guard let raw = r["PCI Address"] else { return fail("has no PCI Address") }
            guard let address = ESXiAddress.parse(raw) else { return fail("PCI Address \"\(raw)\" is neither the decimal (00000:027:00.1) nor the hex (0000:1b:00.1) form") }
            var owner: Int?
            if let rawOwner = r["Owner World ID"], rawOwner != "-", !rawOwner.isEmpty {
                guard let value = Int(rawOwner) else { return fail("Owner World ID \"\(rawOwner)\" is not a number") }
                owner = value
            }
            return ESXiVF(id: id, active: active, address: address, ownerWorldID: owner)
        }
    }

    public static func nicInfo(_ text: String, file: String) throws(ESXiInputError) -> ESXiListing<ESXiNicInfo> {
        try read(text, file: file, command: "network nic get") { r, fail in
            guard let name = r["Name"], !name.isEmpty else { return fail("has no Name") }
            var address: PCIAddress?
            if let raw = r["Driver Info.Bus Info"] {
                guard let parsed = ESXiAddress.parse(raw) else { return fail("Bus Info \"\(raw)\" is not a PCI address") }
                address = parsed
            }
            return ESXiNicInfo(name: name, address: address, driver: r["Driver Info.Driver"], driverVersion: r["Driver Info.Version"],
                               firmwareVersion: r["Driver Info.Firmware Version"], linkStatus: r["Link Status"])
        }
    }

    public static func vmProcesses(_ text: String, file: String) throws(ESXiInputError) -> ESXiListing<ESXiVMProcess> {
        try read(text, file: file, command: "vm process list") { r, fail in
            guard let name = r["Display Name"] ?? r.heading, !name.isEmpty else { return fail("has no Display Name") }
            return ESXiVMProcess(displayName: name, worldID: r["World ID"].flatMap { Int($0) }, cartelID: r["VMX Cartel ID"].flatMap { Int($0) },
                                 configFile: r["Config File"], uuid: r["UUID"])
        }
    }

    public static func pciFunctions(_ text: String, file: String) throws(ESXiInputError) -> ESXiListing<ESXiPCIFunction> {
        try read(text, file: file, command: "hardware pci list") { r, fail in
            guard let raw = r["Address"] ?? r.heading else { return fail("has no Address") }
            guard let address = ESXiAddress.parse(raw) else { return fail("Address \"\(raw)\" is not a PCI address") }
            var ids: [String: String] = [:]
            for (field, key, digits) in [("Vendor ID", "vendor", 4), ("Device ID", "device", 4), ("SubVendor ID", "subvendor", 4), ("SubDevice ID", "subdevice", 4),
                                         ("Device Class", "class", 4), ("Programming Interface", "progif", 2), ("Revision ID", "revision", 2)] {
                guard let value = r[field] else { continue }
                guard let hex = hexID(value, digits: digits) else { return fail("\(field) \"\(value)\" is not a \(digits * 4)-bit hex value") }
                ids[key] = hex
            }
            return ESXiPCIFunction(address: address, vmkernelName: r["VMkernel Name"].flatMap { $0.isEmpty ? nil : $0 },
                                   vendorID: ids["vendor"], deviceID: ids["device"], subsystemVendorID: ids["subvendor"], subsystemDeviceID: ids["subdevice"],
                                   vendorName: r["Vendor Name"], deviceName: r["Device Name"], classCode: ids["class"],
                                   programmingInterface: ids["progif"], revision: ids["revision"],
                                   currentOwner: r["Current Owner"], moduleName: r["Module Name"])
        }
    }

    /// Reads each record with `make`; a record it refuses is a warning naming the file, line,
    /// command and reason. A listing of another command (no record has the fields) is an error.
    private static func read<Item>(_ text: String, file: String, command: String,
                                   _ make: (EsxcliRecord, (String) -> Item?) -> Item?) throws(ESXiInputError) -> ESXiListing<Item> {
        let (records, rowWarnings) = try EsxcliOutput.records(text, file: file)
        var items: [Item] = []
        var warnings = rowWarnings
        for record in records {
            var problem: String?
            if let item = make(record, { problem = $0; return nil }) {
                items.append(item)
            } else {
                warnings.append(ESXiInputError(file: file, line: record.line, "`esxcli \(command)` entry \(problem ?? "cannot be read"); entry skipped"))
            }
        }
        if items.isEmpty, !records.isEmpty {
            throw ESXiInputError(file: file, line: records.first?.line, "not the output of `esxcli \(command)`: \(warnings.first?.reason ?? "no entry has its fields")")
        }
        return ESXiListing(items: items, warnings: warnings)
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// `f4:ee:31:30:80:40`, lower case; nil for anything else.
    static func mac(_ text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return text.lowercased()
    }

    /// `0x8086` → `8086`.
    static func hexID(_ text: String, digits: Int) -> String? {
        let body = text.lowercased().hasPrefix("0x") ? text.dropFirst(2) : Substring(text)
        guard !body.isEmpty, body.count <= digits, body.allSatisfy(\.isHexDigit), let value = UInt32(body, radix: 16) else { return nil }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - hex.count)) + hex
    }
}
