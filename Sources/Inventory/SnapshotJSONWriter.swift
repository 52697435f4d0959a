/// Writes a ``HostSnapshot`` as the JSON document `HostSnapshot.makeEncoder(pretty:)` prints,
/// byte for byte (a test holds the two equal on every real capture), streaming it in chunks.
///
/// Why not the encoder: this is the form of every `collect --format json`, push and server
/// read, and `JSONEncoder` cost a third of the collection's time and most of its extra memory on a
/// 1,024-VF host. Members are written in byte order of their keys (what `.sortedKeys` does) and
/// absent optionals are left out (what the synthesised `Encodable` does).
public enum SnapshotJSONWriter {
    /// Streams the document, followed by a newline as a text file ends, to `sink`.
    public static func write(_ snapshot: HostSnapshot, pretty: Bool = true, to sink: @escaping ([UInt8]) -> Void) {
        var w = JSONTextWriter(pretty: pretty, sink: sink)
        w.snapshot(snapshot)
        w.finish(newline: true)
    }

    /// The document as bytes, without a final newline, exactly as `JSONEncoder` returns it (a push
    /// body, whose digest is its idempotency key; a server response).
    public static func encode(_ snapshot: HostSnapshot, pretty: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        var w = JSONTextWriter(pretty: pretty) { out.append(contentsOf: $0) }
        w.snapshot(snapshot)
        w.finish(newline: false)
        return out
    }
}

extension JSONTextWriter {
    fileprivate mutating func snapshot(_ s: HostSnapshot) {
        beginObject()
        member("collectedAt", Timestamp.text(s.collectedAt))
        member("consumers", encodable: s.consumers)
        member("counters", encodable: s.counters)
        member("devlink", encodable: s.devlink)
        key("host")
        beginObject()
        member("hostname", s.host.hostname)
        member("kernelCommandLine", s.host.kernelCommandLine)
        member("kernelRelease", s.host.kernelRelease)
        endObject()
        array("interfaces", s.interfaces) { $0.interface($1) }
        key("iommu")
        beginObject()
        member("commandLineOptions", strings: s.iommu.commandLineOptions)
        member("enabled", s.iommu.enabled)
        member("groupCount", s.iommu.groupCount)
        member("units", strings: s.iommu.units)
        endObject()
        array("iommuGroups", s.iommuGroups) { w, group in
            w.beginObject()
            w.member("id", group.id)
            w.member("members", strings: group.members.map(\.description))
            w.member("name", group.name)
            w.member("otherMembers", strings: group.otherMembers)
            w.member("type", group.type)
            w.endObject()
        }
        array("pciDevices", s.pciDevices) { $0.device($1) }
        array("physicalFunctions", s.physicalFunctions) { $0.physicalFunction($1) }
        member("schemaVersion", s.schemaVersion)
        key("source")
        beginObject()
        member("kind", s.source.kind.rawValue)
        member("path", s.source.path)
        endObject()
        member("toolVersion", s.toolVersion)
        array("warnings", s.warnings) { w, warning in
            w.beginObject()
            w.member("kind", warning.kind.rawValue)
            w.member("message", warning.message)
            w.member("subject", warning.subject)
            w.endObject()
        }
        endObject()
    }

    private mutating func array<T>(_ name: String, _ values: [T], _ each: (inout JSONTextWriter, T) -> Void) {
        key(name)
        beginArray()
        for value in values {
            element()
            each(&self, value)
        }
        endArray()
    }

    private mutating func device(_ d: PCIDevice) {
        beginObject()
        if let acs = d.acsCapability {
            key("acsCapability")
            beginObject()
            acsFlags("capability", acs.capability)
            acsFlags("control", acs.control)
            member("offset", acs.offset)
            endObject()
        }
        member("address", d.address.description)
        member("classCode", d.classCode)
        member("className", d.className)
        member("configSpaceSize", d.configSpaceSize)
        member("deviceID", d.deviceID)
        member("deviceName", d.deviceName)
        member("driver", d.driver)
        member("driverOverride", d.driverOverride)
        member("interfaces", strings: d.interfaces)
        member("iommuGroup", d.iommuGroup)
        if let link = d.link {
            key("link")
            beginObject()
            member("currentSpeed", link.currentSpeed)
            member("currentWidth", link.currentWidth)
            member("maxSpeed", link.maxSpeed)
            member("maxWidth", link.maxWidth)
            endObject()
        }
        member("numaNode", d.numaNode)
        member("parentBridges", strings: d.parentBridges.map(\.description))
        member("pcieType", d.pcieType)
        member("physicalFunction", d.physicalFunction?.description)
        member("revision", d.revision)
        if let c = d.sriovCapability {
            key("sriovCapability")
            beginObject()
            member("ariCapableHierarchy", c.ariCapableHierarchy)
            member("firstVFOffset", c.firstVFOffset)
            member("functionDependencyLink", c.functionDependencyLink)
            member("initialVFs", c.initialVFs)
            member("numVFs", c.numVFs)
            member("offset", c.offset)
            member("supportedPageSizes", c.supportedPageSizes)
            member("systemPageSize", c.systemPageSize)
            member("totalVFs", c.totalVFs)
            member("vfDeviceID", c.vfDeviceID)
            member("vfEnable", c.vfEnable)
            member("vfMSE", c.vfMSE)
            member("vfStride", c.vfStride)
            endObject()
        }
        member("subsystemDeviceID", d.subsystemDeviceID)
        member("subsystemName", d.subsystemName)
        member("subsystemVendorID", d.subsystemVendorID)
        member("vendorID", d.vendorID)
        member("vendorName", d.vendorName)
        endObject()
    }

    private mutating func acsFlags(_ name: String, _ f: ACSFlags) {
        key(name)
        beginObject()
        member("completionRedirect", f.completionRedirect)
        member("directTranslatedP2P", f.directTranslatedP2P)
        member("egressControl", f.egressControl)
        member("requestRedirect", f.requestRedirect)
        member("sourceValidation", f.sourceValidation)
        member("translationBlocking", f.translationBlocking)
        member("upstreamForwarding", f.upstreamForwarding)
        endObject()
    }

    private mutating func interface(_ i: NetworkInterface) {
        beginObject()
        member("adminUp", i.adminUp)
        member("carrier", i.carrier)
        driverInfo(i.driverInfo)
        member("duplex", i.duplex)
        if let f = i.features {
            key("features")
            beginObject()
            member("fixed", strings: f.fixed)
            member("off", strings: f.off)
            member("on", strings: f.on)
            endObject()
        }
        member("ifindex", i.ifindex)
        member("linkType", i.linkType)
        member("mac", i.mac)
        member("mtu", i.mtu)
        member("name", i.name)
        member("numVFs", i.numVFs)
        member("operState", i.operState)
        member("parentBus", i.parentBus)
        member("parentDevice", i.parentDevice)
        member("physPortName", i.physPortName)
        member("physSwitchID", i.physSwitchID)
        member("speedMbps", i.speedMbps)
        if let shortfall = i.vfTableShortfall {
            key("vfTableShortfall")
            beginObject()
            member("expected", shortfall.expected)
            member("expectedSource", shortfall.expectedSource)
            member("received", shortfall.received)
            endObject()
        }
        array("vfs", i.vfs) { $0.vfConfig($1) }
        endObject()
    }

    private mutating func driverInfo(_ info: DriverInfo?) {
        guard let info else { return }
        key("driverInfo")
        beginObject()
        member("busInfo", info.busInfo)
        member("driver", info.driver)
        member("expansionROMVersion", info.expansionROMVersion)
        member("firmwareVersion", info.firmwareVersion)
        member("version", info.version)
        endObject()
    }

    private mutating func vfConfig(_ c: VFConfig) {
        beginObject()
        member("index", c.index)
        member("linkState", c.linkState)
        member("mac", c.mac)
        member("maxTxRate", c.maxTxRate)
        member("minTxRate", c.minTxRate)
        member("qos", c.qos)
        member("rssQuery", c.rssQuery)
        member("spoofCheck", c.spoofCheck)
        member("trust", c.trust)
        member("txRate", c.txRate)
        member("vlan", c.vlan)
        member("vlanProtocol", c.vlanProtocol)
        endObject()
    }

    /// A VF's consumer (one per claim; a host of many guests has as many): members in key order.
    private mutating func vfConsumer(_ c: VFConsumer) {
        beginObject()
        member("address", c.address.description)
        member("attachment", c.attachment)
        member("instanceName", c.instanceName)
        member("kind", c.kind.rawValue)
        member("mac", c.mac)
        member("managed", c.managed)
        member("name", c.name)
        member("numaNode", c.numaNode)
        member("resource", c.resource)
        member("running", c.running)
        member("sources", strings: c.sources)
        member("teaming", c.teaming)
        member("uuid", c.uuid)
        member("vlan", c.vlan)
        endObject()
    }

    private mutating func physicalFunction(_ p: PhysicalFunction) {
        beginObject()
        member("address", p.address.description)
        member("declared", encodable: p.declared)
        driverInfo(p.driverInfo)
        member("driversAutoprobe", p.driversAutoprobe)
        member("interfaces", strings: p.interfaces)
        member("numVFs", p.numVFs)
        member("source", p.source)
        member("totalVFs", p.totalVFs)
        member("vfDeviceID", p.vfDeviceID)
        member("vfOffset", p.vfOffset)
        member("vfStride", p.vfStride)
        member("vfTotalMSIX", p.vfTotalMSIX)
        array("virtualFunctions", p.virtualFunctions) { w, v in
            w.beginObject()
            w.member("address", v.address.description)
            if let config = v.config {
                w.key("config")
                w.vfConfig(config)
            }
            if !v.consumers.isEmpty { w.array("consumers", v.consumers) { $0.vfConsumer($1) } }
            w.member("driver", v.driver)
            w.member("effectiveMAC", v.effectiveMAC)
            w.member("index", v.index)
            w.member("interfaces", strings: v.interfaces)
            w.member("iommuGroup", v.iommuGroup)
            w.member("physicalFunction", v.physicalFunction.description)
            w.endObject()
        }
        endObject()
    }
}
