import Foundation
import Inventory

/// Derives hosts with VF consumers from the real captures and the real consumer files in
/// `Tests/Fixtures/consumers/`: a copy of a capture stage with files placed under `files/<host
/// path>`, as `sriov-audit capture` writes them. Real files are only ever copied; variants are
/// made by the functions here (a domain pointed at another VF, wrapped in a live status, renamed).
public enum ConsumerFixtures {
    /// The capture every variant starts from: igb 82576 PF 0000:04:00.0 (eth1) with VFs
    /// 0000:04:10.0 (igbvf, eth2, MAC 02:00:00:00:10:01, VLAN 100), 04:10.2 (igbvf, eth3, VLAN 200,
    /// trust on) and 04:10.4 (vfio-pci, MAC 02:00:00:00:10:03); NVMe PF 0000:01:00.0 with VFs
    /// 01:00.1-.4 (.3 and .4 on vfio-pci).
    public static let base = "qemu/igb-nvme-netdevsim/after"

    /// The text of a file of `Tests/Fixtures/consumers/`.
    public static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: Fixtures.path("consumers/" + relative), encoding: .utf8)
    }

    /// A capture folder: `base` with real links, plus `files` (host path → content).
    public static func host(_ files: [String: String], base: String = base, name: String = "consumers") throws -> String {
        let root = Fixtures.temporaryDirectory(name)
        try write(files, base: base, to: root)
        return root
    }

    /// The same, written to `root`.
    public static func write(_ files: [String: String], base: String = base, to root: String) throws {
        try FixtureBuilder.copyRestoringLinks(from: Fixtures.path(base), to: root)
        for (path, content) in files {
            try FixtureBuilder.write(root, "files" + path, content)
        }
    }

    /// A KVM and Kubernetes host with one planted conflict: guest QEMUGuest2 runs with the igb VF
    /// 0000:04:10.4, guest web-3 is defined on the same VF, a pod holds 04:10.2 from a device
    /// plugin pool, Nova has the Neutron guide's whitelist, 384 of 512 huge pages are free. (The
    /// CLI tests and the example reports use it.)
    public static func exampleFiles() throws -> [String: String] {
        let guest = retarget(try text("libvirt/hostdev-pci-address.xml"), to: ["0000:04:10.4"])
        let web3 = renamed(guest, name: "web-3", uuid: "11111111-2222-3333-4444-555555555555")
        return [
            "/etc/libvirt/qemu/QEMUGuest2.xml": guest,
            "/run/libvirt/qemu/QEMUGuest2.xml": status(guest),
            "/etc/libvirt/qemu/web-3.xml": web3,
            "/etc/pcidp/config.json": devicePluginConfig([("igb", #"{"drivers": ["igbvf"]}"#)]),
            "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint":
                checkpoint(pod: "5f3c9a2e-0000-4000-8000-000000000001", container: "app", resource: "intel.com/igb", devices: ["0000:04:10.2"]),
            "/etc/nova/nova.conf": try text("openstack/nova.conf.neutron-guide"),
        ].merging(hugepages(total: 512, free: 384)) { a, _ in a }
    }

    /// The domain XML with its n-th `<source><address …/>` (in document order) pointing at `addresses[n]`.
    public static func retarget(_ xml: String, to addresses: [String]) -> String {
        var out = ""
        var rest = Substring(xml)
        var n = 0
        while let source = rest.range(of: "<source>"), n < addresses.count,
              let open = rest[source.upperBound...].range(of: "<address"), let close = rest[open.upperBound...].range(of: "/>") {
            out += rest[..<open.lowerBound]
            let parts = addresses[n].split(whereSeparator: { $0 == ":" || $0 == "." }).map(String.init)
            let (domain, bus, slot, function) = parts.count == 4 ? (parts[0], parts[1], parts[2], parts[3]) : ("0000", parts[0], parts[1], parts[2])
            let type = rest[open.upperBound..<close.lowerBound].contains("type='pci'") ? "type='pci' " : ""
            out += "<address \(type)domain='0x\(domain)' bus='0x\(bus)' slot='0x\(slot)' function='0x\(function)'/>"
            rest = rest[close.upperBound...]
            n += 1
        }
        return out + rest
    }

    /// The domain as libvirt's live status holds it while it runs.
    public static func status(_ domainXML: String) -> String {
        "<domstatus state='running' reason='booted' pid='4242'>\n  <taint flag='high-privileges'/>\n" + domainXML + "</domstatus>\n"
    }

    /// The domain under another name and UUID (a second guest defined from the same template).
    public static func renamed(_ xml: String, name: String, uuid: String) -> String {
        var out = xml
        if let a = out.range(of: "<name>"), let b = out.range(of: "</name>") { out.replaceSubrange(a.upperBound..<b.lowerBound, with: name) }
        if let a = out.range(of: "<uuid>"), let b = out.range(of: "</uuid>") { out.replaceSubrange(a.upperBound..<b.lowerBound, with: uuid) }
        return out
    }

    /// Sets `attribute='value'` on the first element named `element`.
    public static func setting(_ xml: String, element: String, _ attribute: String, _ value: String) -> String {
        guard let start = xml.range(of: "<\(element) ") else { return xml }
        var out = xml
        let tagEnd = out[start.upperBound...].firstIndex(of: ">") ?? out.endIndex
        if let existing = out[start.upperBound..<tagEnd].range(of: "\(attribute)='") {
            let valueEnd = out[existing.upperBound...].firstIndex(of: "'") ?? existing.upperBound
            out.replaceSubrange(existing.upperBound..<valueEnd, with: value)
        } else {
            out.insert(contentsOf: "\(attribute)='\(value)' ", at: start.upperBound)
        }
        return out
    }

    /// An os-net-config `sriov_config.yaml` in the format it documents and writes.
    public static func osNetConfig(pf: String, numVFs: Int, vfs: [(index: Int, mac: String?, vlan: Int?, trust: Bool?)]) -> String {
        var out = "- device_type: pf\n  name: \(pf)\n  numvfs: \(numVFs)\n  promisc: 'on'\n"
        for vf in vfs {
            out += "- device:\n    name: \(pf)\n    vfid: \(vf.index)\n  device_type: vf\n  name: \(pf)_\(vf.index)\n"
            if let mac = vf.mac { out += "  macaddr: \(mac)\n" }
            if let vlan = vf.vlan { out += "  vlan_id: \(vlan)\n  qos: 0\n" }
            out += "  spoofcheck: 'on'\n"
            if let trust = vf.trust { out += "  trust: '\(trust ? "on" : "off")'\n" }
        }
        return out
    }

    /// A NetworkManager keyfile with an `[sriov]` section, written as NetworkManager documents it
    /// (`vf.N=mac=… spoof-check=… trust=… vlans=ID[.PRIORITY]`), with a secret in another section.
    public static func networkManagerKeyfile(interface: String, totalVFs: Int, vfs: [String]) -> String {
        var out = "[connection]\nid=\(interface)-sriov\nuuid=7d1c8a0e-5b5c-4a4b-9a3e-1f2e3d4c5b6a\ntype=ethernet\ninterface-name=\(interface)\n\n"
        out += "[ethernet]\n\n[802-1x]\neap=peap;\nidentity=host\npassword=s3cr3t-do-not-copy\n\n"
        out += "[sriov]\ntotal-vfs=\(totalVFs)\n" + vfs.enumerated().map { "vf.\($0)=\($1)\n" }.joined()
        return out + "\n[ipv4]\nmethod=disabled\n"
    }

    /// Huge page counters of one size (`node` nil: host-wide), as the kernel's sysfs files.
    public static func hugepages(sizeKB: Int = 2048, node: Int? = nil, total: Int, free: Int) -> [String: String] {
        let directory = node.map { "/sys/devices/system/node/node\($0)/hugepages" } ?? "/sys/kernel/mm/hugepages"
        var files = [
            "\(directory)/hugepages-\(sizeKB)kB/nr_hugepages": "\(total)\n",
            "\(directory)/hugepages-\(sizeKB)kB/free_hugepages": "\(free)\n",
            "\(directory)/hugepages-\(sizeKB)kB/surplus_hugepages": "0\n",
        ]
        if node == nil { files["\(directory)/hugepages-\(sizeKB)kB/resv_hugepages"] = "0\n" }
        return files
    }

    /// A device plugin configuration of `pools` (name, selector JSON object text), in order.
    public static func devicePluginConfig(_ pools: [(name: String, selector: String)]) -> String {
        "{\n    \"resourceList\": [\n" + pools.map { "        {\"resourceName\": \"\($0.name)\", \"selectors\": [\($0.selector)]}" }.joined(separator: ",\n") + "\n    ]\n}\n"
    }

    /// A kubelet checkpoint (format of 1.20+) giving `devices` of `resource` to one pod container.
    public static func checkpoint(pod: String, container: String, resource: String, devices: [String], numa: String = "0") -> String {
        let ids = devices.map { "\"\($0)\"" }.joined(separator: ",")
        return "{\"Data\":{\"PodDeviceEntries\":[{\"PodUID\":\"\(pod)\",\"ContainerName\":\"\(container)\",\"ResourceName\":\"\(resource)\",\"DeviceIDs\":{\"\(numa)\":[\(ids)]},\"AllocResp\":\"\"}],\"RegisteredDevices\":{\"\(resource)\":[\(ids)]}},\"Checksum\":1}"
    }
}
