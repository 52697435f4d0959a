#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The snapshot's JSON form read with ``JSONReader``: the same fields, names and rules as the
// synthesized Codable conformance (absent or null optionals are nil, unknown keys are ignored,
// a missing required key is an error), without Codable's generic machinery.

extension HostSnapshot {
    /// Decodes the JSON that `HostSnapshot.makeEncoder()` produces (pretty or compact).
    public init(jsonBytes: [UInt8]) throws {
        var r = JSONReader(jsonBytes)
        var schemaVersion: Int?, toolVersion: String?, collectedAt: Date?, source: SnapshotSource?, host: HostInfo?
        var iommu: IOMMUState?, groups: [IOMMUGroup]?, devices: [PCIDevice]?, interfaces: [NetworkInterface]?
        var pfs: [PhysicalFunction]?, warnings: [CollectionWarning]?, consumers: ConsumerInventory?
        var devlink: [DevlinkDevice]?, counters: CounterObservation?
        try r.object { r, key in
            switch key {
            case "schemaVersion": schemaVersion = try r.int()
            case "toolVersion": toolVersion = try r.string()
            case "collectedAt":
                let text = try r.string()
                guard let date = Timestamp.parse(text) else { throw r.fail("not an ISO 8601 time: \(text)") }
                collectedAt = date
            case "source": source = try SnapshotSource(json: &r)
            case "host": host = try HostInfo(json: &r)
            case "iommu": iommu = try IOMMUState(json: &r)
            case "iommuGroups": groups = try r.array { try IOMMUGroup(json: &$0) }
            case "pciDevices": devices = try r.array { try PCIDevice(json: &$0) }
            case "interfaces": interfaces = try r.array { try NetworkInterface(json: &$0) }
            case "physicalFunctions": pfs = try r.array { try PhysicalFunction(json: &$0) }
            case "warnings": warnings = try r.array { try CollectionWarning(json: &$0) }
            case "consumers": consumers = r.consumeNull() ? nil : try r.decoded(ConsumerInventory.self)
            case "devlink": devlink = r.consumeNull() ? nil : try r.decoded([DevlinkDevice].self)
            case "counters": counters = r.consumeNull() ? nil : try r.decoded(CounterObservation.self)
            default: try r.skipValue()
            }
        }
        try r.end()
        self.init(
            schemaVersion: try need(schemaVersion, "schemaVersion", r), toolVersion: try need(toolVersion, "toolVersion", r),
            collectedAt: try need(collectedAt, "collectedAt", r), source: try need(source, "source", r),
            host: try need(host, "host", r), iommu: try need(iommu, "iommu", r), iommuGroups: try need(groups, "iommuGroups", r),
            pciDevices: try need(devices, "pciDevices", r), interfaces: try need(interfaces, "interfaces", r),
            physicalFunctions: try need(pfs, "physicalFunctions", r), warnings: try need(warnings, "warnings", r)
        )
        self.consumers = consumers
        self.devlink = devlink
        self.counters = counters
    }
}

private func need<T>(_ value: T?, _ name: String, _ r: JSONReader) throws -> T {
    guard let value else { throw r.fail("missing \(name)") }
    return value
}

extension JSONReader {
    mutating func address() throws -> PCIAddress {
        let text = try string()
        guard let value = PCIAddress(text) else { throw fail("not a PCI address: \(text)") }
        return value
    }

    mutating func strings() throws -> [String] { try array { try $0.string() } }
}

extension SnapshotSource {
    init(json r: inout JSONReader) throws {
        var kind: Kind?, path: String?
        try r.object { r, key in
            switch key {
            case "kind":
                let text = try r.string()
                guard let k = Kind(rawValue: text) else { throw r.fail("unknown source kind \(text)") }
                kind = k
            case "path": path = try r.optionalString()
            default: try r.skipValue()
            }
        }
        self.init(kind: try need(kind, "kind", r), path: path)
    }
}

extension HostInfo {
    init(json r: inout JSONReader) throws {
        var hostname: String?, release: String?, cmdline: String?
        try r.object { r, key in
            switch key {
            case "hostname": hostname = try r.string()
            case "kernelRelease": release = try r.optionalString()
            case "kernelCommandLine": cmdline = try r.optionalString()
            default: try r.skipValue()
            }
        }
        self.init(hostname: try need(hostname, "hostname", r), kernelRelease: release, kernelCommandLine: cmdline)
    }
}

extension IOMMUState {
    init(json r: inout JSONReader) throws {
        var enabled: Bool?, units: [String]?, count: Int?, options: [String]?
        try r.object { r, key in
            switch key {
            case "enabled": enabled = try r.optionalBool()
            case "units": units = r.consumeNull() ? nil : try r.strings()
            case "groupCount": count = try r.int()
            case "commandLineOptions": options = try r.strings()
            default: try r.skipValue()
            }
        }
        self.init(enabled: enabled, units: units, groupCount: try need(count, "groupCount", r),
                  commandLineOptions: try need(options, "commandLineOptions", r))
    }
}

extension IOMMUGroup {
    init(json r: inout JSONReader) throws {
        var id: Int?, type: String?, name: String?, members: [PCIAddress]?, other: [String]?
        try r.object { r, key in
            switch key {
            case "id": id = try r.int()
            case "type": type = try r.optionalString()
            case "name": name = try r.optionalString()
            case "members": members = try r.array { try $0.address() }
            case "otherMembers": other = try r.strings()
            default: try r.skipValue()
            }
        }
        self.init(id: try need(id, "id", r), type: type, name: name, members: try need(members, "members", r),
                  otherMembers: try need(other, "otherMembers", r))
    }
}

extension PCIDevice {
    init(json r: inout JSONReader) throws {
        var address: PCIAddress?, vendor: String?, device: String?, classCode: String?, bridges: [PCIAddress]?
        var configSize: Int?, interfaces: [String]?
        var d = PCIDevice(address: PCIAddress(bus: 0, device: 0, function: 0), vendorID: "", deviceID: "", classCode: "")
        try r.object { r, key in
            switch key {
            case "address": address = try r.address()
            case "vendorID": vendor = try r.string()
            case "deviceID": device = try r.string()
            case "subsystemVendorID": d.subsystemVendorID = try r.optionalString()
            case "subsystemDeviceID": d.subsystemDeviceID = try r.optionalString()
            case "vendorName": d.vendorName = try r.optionalString()
            case "deviceName": d.deviceName = try r.optionalString()
            case "subsystemName": d.subsystemName = try r.optionalString()
            case "classCode": classCode = try r.string()
            case "className": d.className = try r.optionalString()
            case "revision": d.revision = try r.optionalString()
            case "driver": d.driver = try r.optionalString()
            case "driverOverride": d.driverOverride = try r.optionalString()
            case "numaNode": d.numaNode = try r.optionalInt()
            case "iommuGroup": d.iommuGroup = try r.optionalInt()
            case "parentBridges": bridges = try r.array { try $0.address() }
            case "link": d.link = r.consumeNull() ? nil : try PCIeLink(json: &r)
            case "pcieType": d.pcieType = try r.optionalString()
            case "sriovCapability": d.sriovCapability = r.consumeNull() ? nil : try SRIOVCapability(json: &r)
            case "acsCapability": d.acsCapability = r.consumeNull() ? nil : try ACSCapability(json: &r)
            case "configSpaceSize": configSize = try r.int()
            case "physicalFunction": d.physicalFunction = r.consumeNull() ? nil : try r.address()
            case "interfaces": interfaces = try r.strings()
            default: try r.skipValue()
            }
        }
        d.address = try need(address, "address", r)
        d.vendorID = try need(vendor, "vendorID", r)
        d.deviceID = try need(device, "deviceID", r)
        d.classCode = try need(classCode, "classCode", r)
        d.parentBridges = try need(bridges, "parentBridges", r)
        d.configSpaceSize = try need(configSize, "configSpaceSize", r)
        d.interfaces = try need(interfaces, "interfaces", r)
        self = d
    }
}

extension PCIeLink {
    init(json r: inout JSONReader) throws {
        self.init()
        var link = self
        try r.object { r, key in
            switch key {
            case "currentSpeed": link.currentSpeed = try r.optionalString()
            case "currentWidth": link.currentWidth = try r.optionalInt()
            case "maxSpeed": link.maxSpeed = try r.optionalString()
            case "maxWidth": link.maxWidth = try r.optionalInt()
            default: try r.skipValue()
            }
        }
        self = link
    }
}

extension SRIOVCapability {
    init(json r: inout JSONReader) throws {
        var ints: [String: Int] = [:], bools: [String: Bool] = [:], vfDevice: String?
        try r.object { r, key in
            switch key {
            case "vfEnable", "vfMSE", "ariCapableHierarchy": bools[key] = try r.bool()
            case "vfDeviceID": vfDevice = try r.string()
            case "offset", "initialVFs", "totalVFs", "numVFs", "functionDependencyLink", "firstVFOffset", "vfStride",
                 "supportedPageSizes", "systemPageSize": ints[key] = try r.int()
            default: try r.skipValue()
            }
        }
        func i(_ k: String) throws -> Int { try need(ints[k], k, r) }
        func b(_ k: String) throws -> Bool { try need(bools[k], k, r) }
        self.init(
            offset: try i("offset"), vfEnable: try b("vfEnable"), vfMSE: try b("vfMSE"), ariCapableHierarchy: try b("ariCapableHierarchy"),
            initialVFs: try i("initialVFs"), totalVFs: try i("totalVFs"), numVFs: try i("numVFs"),
            functionDependencyLink: try i("functionDependencyLink"), firstVFOffset: try i("firstVFOffset"),
            vfStride: try i("vfStride"), vfDeviceID: try need(vfDevice, "vfDeviceID", r),
            supportedPageSizes: try i("supportedPageSizes"), systemPageSize: try i("systemPageSize")
        )
    }
}

extension ACSCapability {
    init(json r: inout JSONReader) throws {
        var offset: Int?, capability: ACSFlags?, control: ACSFlags?
        try r.object { r, key in
            switch key {
            case "offset": offset = try r.int()
            case "capability": capability = try ACSFlags(json: &r)
            case "control": control = try ACSFlags(json: &r)
            default: try r.skipValue()
            }
        }
        self.init(offset: try need(offset, "offset", r), capability: try need(capability, "capability", r),
                  control: try need(control, "control", r))
    }
}

extension ACSFlags {
    static let names = ["sourceValidation", "translationBlocking", "requestRedirect", "completionRedirect",
                        "upstreamForwarding", "egressControl", "directTranslatedP2P"]

    init(json r: inout JSONReader) throws {
        var bits: [String: Bool] = [:]
        try r.object { r, key in
            if Self.names.contains(key) { bits[key] = try r.bool() } else { try r.skipValue() }
        }
        var raw: UInt16 = 0
        for (n, name) in Self.names.enumerated() where try need(bits[name], name, r) { raw |= 1 << n }
        self.init(rawValue: raw)
    }
}

extension NetworkInterface {
    init(json r: inout JSONReader) throws {
        var name: String?, ifindex: Int?, adminUp: Bool?, vfs: [VFConfig]?
        var i = NetworkInterface(name: "", ifindex: 0)
        try r.object { r, key in
            switch key {
            case "name": name = try r.string()
            case "ifindex": ifindex = try r.int()
            case "mac": i.mac = try r.optionalString()
            case "mtu": i.mtu = try r.optionalInt()
            case "operState": i.operState = try r.optionalString()
            case "adminUp": adminUp = try r.bool()
            case "carrier": i.carrier = try r.optionalBool()
            case "speedMbps": i.speedMbps = try r.optionalInt()
            case "duplex": i.duplex = try r.optionalString()
            case "features": i.features = r.consumeNull() ? nil : try r.decoded(NetdevFeatures.self)
            case "linkType": i.linkType = try r.optionalString()
            case "parentBus": i.parentBus = try r.optionalString()
            case "parentDevice": i.parentDevice = try r.optionalString()
            case "physPortName": i.physPortName = try r.optionalString()
            case "physSwitchID": i.physSwitchID = try r.optionalString()
            case "driverInfo": i.driverInfo = r.consumeNull() ? nil : try DriverInfo(json: &r)
            case "vfs": vfs = try r.array { try VFConfig(json: &$0) }
            case "numVFs": i.numVFs = try r.optionalInt()
            case "vfTableShortfall": i.vfTableShortfall = r.consumeNull() ? nil : try VFTableShortfall(json: &r)
            default: try r.skipValue()
            }
        }
        i.name = try need(name, "name", r)
        i.ifindex = try need(ifindex, "ifindex", r)
        i.adminUp = try need(adminUp, "adminUp", r)
        i.vfs = try need(vfs, "vfs", r)
        self = i
    }
}

extension VFTableShortfall {
    init(json r: inout JSONReader) throws {
        var expected: Int?, source: String?, received: Int?
        try r.object { r, key in
            switch key {
            case "expected": expected = try r.int()
            case "expectedSource": source = try r.string()
            case "received": received = try r.int()
            default: try r.skipValue()
            }
        }
        self.init(expected: try need(expected, "expected", r), expectedSource: try need(source, "expectedSource", r),
                  received: try need(received, "received", r))
    }
}

extension DriverInfo {
    init(json r: inout JSONReader) throws {
        var fields: [String: String] = [:]
        try r.object { r, key in
            switch key {
            case "driver", "version", "firmwareVersion", "expansionROMVersion", "busInfo": fields[key] = try r.string()
            default: try r.skipValue()
            }
        }
        self.init(driver: try need(fields["driver"], "driver", r), version: try need(fields["version"], "version", r),
                  firmwareVersion: try need(fields["firmwareVersion"], "firmwareVersion", r),
                  expansionROMVersion: fields["expansionROMVersion"],
                  busInfo: try need(fields["busInfo"], "busInfo", r))
    }
}

extension VFConfig {
    init(json r: inout JSONReader) throws {
        var index: Int?, mac: String?, vlan: Int?, qos: Int?
        var c = VFConfig(index: 0, mac: "")
        try r.object { r, key in
            switch key {
            case "index": index = try r.int()
            case "mac": mac = try r.string()
            case "vlan": vlan = try r.int()
            case "qos": qos = try r.int()
            case "vlanProtocol": c.vlanProtocol = try r.optionalString()
            case "spoofCheck": c.spoofCheck = try r.optionalBool()
            case "trust": c.trust = try r.optionalBool()
            case "linkState": c.linkState = try r.optionalString()
            case "minTxRate": c.minTxRate = try r.optionalInt()
            case "maxTxRate": c.maxTxRate = try r.optionalInt()
            case "txRate": c.txRate = try r.optionalInt()
            case "rssQuery": c.rssQuery = try r.optionalBool()
            default: try r.skipValue()
            }
        }
        c.index = try need(index, "index", r)
        c.mac = try need(mac, "mac", r)
        c.vlan = try need(vlan, "vlan", r)
        c.qos = try need(qos, "qos", r)
        self = c
    }
}

extension PhysicalFunction {
    init(json r: inout JSONReader) throws {
        var address: PCIAddress?, source: String?, interfaces: [String]?, vfs: [VirtualFunction]?
        var p = PhysicalFunction(address: PCIAddress(bus: 0, device: 0, function: 0))
        try r.object { r, key in
            switch key {
            case "address": address = try r.address()
            case "totalVFs": p.totalVFs = try r.optionalInt()
            case "numVFs": p.numVFs = try r.optionalInt()
            case "vfOffset": p.vfOffset = try r.optionalInt()
            case "vfStride": p.vfStride = try r.optionalInt()
            case "vfDeviceID": p.vfDeviceID = try r.optionalString()
            case "driversAutoprobe": p.driversAutoprobe = try r.optionalBool()
            case "vfTotalMSIX": p.vfTotalMSIX = try r.optionalInt()
            case "source": source = try r.string()
            case "interfaces": interfaces = try r.strings()
            case "driverInfo": p.driverInfo = r.consumeNull() ? nil : try DriverInfo(json: &r)
            case "declared": p.declared = r.consumeNull() ? nil : try r.decoded(SriovDeclaration.self)
            case "virtualFunctions": vfs = try r.array { try VirtualFunction(json: &$0) }
            default: try r.skipValue()
            }
        }
        p.address = try need(address, "address", r)
        p.source = try need(source, "source", r)
        p.interfaces = try need(interfaces, "interfaces", r)
        p.virtualFunctions = try need(vfs, "virtualFunctions", r)
        self = p
    }
}

extension VirtualFunction {
    init(json r: inout JSONReader) throws {
        var index: Int?, address: PCIAddress?, pf: PCIAddress?, interfaces: [String]?
        var v = VirtualFunction(index: 0, address: PCIAddress(bus: 0, device: 0, function: 0), physicalFunction: PCIAddress(bus: 0, device: 0, function: 0))
        try r.object { r, key in
            switch key {
            case "index": index = try r.int()
            case "address": address = try r.address()
            case "physicalFunction": pf = try r.address()
            case "driver": v.driver = try r.optionalString()
            case "iommuGroup": v.iommuGroup = try r.optionalInt()
            case "interfaces": interfaces = try r.strings()
            case "effectiveMAC": v.effectiveMAC = try r.optionalString()
            case "config": v.config = r.consumeNull() ? nil : try VFConfig(json: &r)
            case "consumers": v.consumers = r.consumeNull() ? [] : try r.decoded([VFConsumer].self)
            default: try r.skipValue()
            }
        }
        v.index = try need(index, "index", r)
        v.address = try need(address, "address", r)
        v.physicalFunction = try need(pf, "physicalFunction", r)
        v.interfaces = try need(interfaces, "interfaces", r)
        self = v
    }
}

extension CollectionWarning {
    init(json r: inout JSONReader) throws {
        var kind: Kind?, subject: String?, message: String?
        try r.object { r, key in
            switch key {
            case "kind":
                let text = try r.string()
                guard let k = Kind(rawValue: text) else { throw r.fail("unknown warning kind \(text)") }
                kind = k
            case "subject": subject = try r.string()
            case "message": message = try r.string()
            default: try r.skipValue()
            }
        }
        self.init(try need(kind, "kind", r), subject: try need(subject, "subject", r), message: try need(message, "message", r))
    }
}
