import Inventory

/// The SR-IOV network device plugin's configuration, the kubelet's device-manager checkpoint and
/// the device-info files the plugin and CNI write.
public enum KubernetesParser {
    /// `/etc/pcidp/config.json`: `resourceList[]`. Keys are matched as Go matches them (any case).
    public static func devicePluginConfig(_ text: String, path: String) throws(ConsumerFileError) -> [DevicePool] {
        let root = try JSONValue.parse(text)
        guard let list = root["resourceList"]?.array else {
            throw ConsumerFileError(line: nil, reason: "no resourceList array: not a device plugin configuration")
        }
        var pools: [DevicePool] = []
        for (n, entry) in list.enumerated() {
            guard let name = entry["resourceName"]?.string, !name.isEmpty else {
                throw ConsumerFileError(line: nil, reason: "resourceList[\(n)] has no resourceName")
            }
            let prefix = entry["resourcePrefix"]?.string ?? "intel.com"
            var selectors: [PoolSelector] = []
            switch entry["selectors"] {
            case .array(let objects)?:
                for (k, object) in objects.enumerated() { selectors.append(try selector(object, at: "resourceList[\(n)].selectors[\(k)]")) }
            case let object? where object.members != nil:
                selectors.append(try selector(object, at: "resourceList[\(n)].selectors"))
            case nil, .null?:
                break
            default:
                throw ConsumerFileError(line: nil, reason: "resourceList[\(n)].selectors is neither an object nor a list")
            }
            pools.append(DevicePool(kind: .devicePlugin, name: "\(prefix)/\(name)", deviceType: entry["deviceType"]?.string ?? "netDevice",
                                    selectors: selectors, position: n, source: path))
        }
        return pools
    }

    private static func selector(_ object: JSONValue, at place: String) throws(ConsumerFileError) -> PoolSelector {
        guard object.members != nil else { throw ConsumerFileError(line: nil, reason: "\(place) is not an object") }
        func list(_ key: String) throws(ConsumerFileError) -> [String]? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let items = value.array else { throw ConsumerFileError(line: nil, reason: "\(place).\(key) is not a list of strings") }
            var out: [String] = []
            for item in items {
                guard let s = item.string else { throw ConsumerFileError(line: nil, reason: "\(place).\(key) is not a list of strings") }
                out.append(s)
            }
            return out
        }
        func flag(_ key: String) throws(ConsumerFileError) -> Bool? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let b = value.bool else { throw ConsumerFileError(line: nil, reason: "\(place).\(key) is not true or false") }
            return b
        }
        let isRdma = try flag("isRdma")
        // Keys that select by facts the host view does not have (RDMA, vDPA, IB partitions, ACPI
        // indexes, DDP profiles, auxiliary devices): kept by name, so the pool is not judged as if
        // they were not there.
        var unsupported = ["vdpaType", "pKeys", "acpiIndexes", "ddpProfiles", "auxTypes"].filter { key in
            guard let value = object[key], !value.isNull else { return false }
            if let items = value.array { return !items.isEmpty }
            return value.string.map { !$0.isEmpty } ?? true
        }
        if isRdma == true { unsupported.insert("isRdma", at: 0) }
        let selector = PoolSelector(
            vendors: try list("vendors")?.map { $0.lowercased() }, devices: try list("devices")?.map { $0.lowercased() },
            drivers: try list("drivers"), pfNames: try list("pfNames"), rootDevices: try list("rootDevices"),
            pciAddresses: try list("pciAddresses"), linkTypes: try list("linkTypes"), isRdma: isRdma,
            needVhostNet: try flag("needVhostNet"), unsupported: unsupported.isEmpty ? nil : unsupported)
        for entry in (selector.pfNames ?? []) + (selector.rootDevices ?? []) {
            guard VFRange.parse(entry) != nil else {
                throw ConsumerFileError(line: nil, reason: "\(place): '\(entry)' is not NAME or NAME#RANGES (e.g. ens1f0#0-3,5)")
            }
        }
        return selector
    }

    /// The kubelet checkpoint: claims (one per device ID of each pod container) and the devices
    /// registered per resource. Device IDs that are not PCI addresses (GPU UUIDs, other plugins)
    /// are registered devices only, never claims.
    public static func checkpoint(_ text: String, path: String) throws(ConsumerFileError) -> (claims: [VFConsumer], registered: [DeviceReference]) {
        let root = try JSONValue.parse(text)
        guard let data = root["Data"], data.members != nil else {
            throw ConsumerFileError(line: nil, reason: "no Data object: not a kubelet device-manager checkpoint")
        }
        var claims: [VFConsumer] = []
        for (n, entry) in (data["PodDeviceEntries"]?.array ?? []).enumerated() {
            guard let pod = entry["PodUID"]?.string, !pod.isEmpty else {
                throw ConsumerFileError(line: nil, reason: "PodDeviceEntries[\(n)] has no PodUID")
            }
            let container = entry["ContainerName"]?.string ?? ""
            let resource = entry["ResourceName"]?.string
            // Kubernetes 1.20+ writes DeviceIDs by NUMA node ({"0": [...], "-1": [...]}); older kubelets a list.
            var ids: [(numa: Int?, id: String)] = []
            switch entry["DeviceIDs"] {
            case .array(let list)?:
                ids = list.compactMap { $0.string.map { (nil, $0) } }
            case let map? where map.members != nil:
                for (node, list) in map.members ?? [] {
                    let numa = Int(node).flatMap { $0 >= 0 ? $0 : nil }
                    ids += (list.array ?? []).compactMap { $0.string.map { (numa, $0) } }
                }
            case nil, .null?:
                break
            default:
                throw ConsumerFileError(line: nil, reason: "PodDeviceEntries[\(n)].DeviceIDs is neither a list nor a map by NUMA node")
            }
            for (numa, id) in ids {
                guard let address = PCIAddress(id) else { continue }
                claims.append(VFConsumer(address: address, kind: .kubernetesPod, name: container.isEmpty ? pod : "\(pod)/\(container)",
                                         uuid: pod, attachment: "device-plugin", resource: resource, numaNode: numa, sources: [path]))
            }
        }
        var registered: [DeviceReference] = []
        for (resource, list) in data["RegisteredDevices"]?.members ?? [] {
            for id in (list.array ?? []).compactMap(\.string) {
                registered.append(DeviceReference(kind: .registered, id: id, resource: resource, source: path))
            }
        }
        return (claims, registered)
    }

    /// A device-info file (k8snetworkplumbingwg device-info-spec): `{"type": "pci", "pci": {"pci-address": …}}`.
    /// The device plugin names its files `RESOURCE-ADDRESS-device.json` (the resource's `/` as `-`).
    public static func deviceInfo(_ text: String, path: String) throws(ConsumerFileError) -> DeviceReference? {
        let root = try JSONValue.parse(text)
        guard root["type"]?.string == "pci" else { return nil }
        guard let address = root["pci"]?["pci-address"]?.string else {
            throw ConsumerFileError(line: nil, reason: "a pci device-info file without pci.pci-address")
        }
        let file = path.split(separator: "/").last.map(String.init) ?? path
        var resource: String?
        if let range = file.range(of: "-\(address)-device.json") { resource = String(file[..<range.lowerBound]) }
        return DeviceReference(kind: .deviceInfo, id: address, resource: resource, source: path)
    }
}
