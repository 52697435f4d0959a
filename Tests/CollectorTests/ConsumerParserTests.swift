@testable import Collector
import Inventory
import TestSupport
import XCTest

/// Each consumer source's parser on the real files of `Tests/Fixtures/consumers/` (values
/// checked by hand against the files), and on the malformed inputs they must refuse with a line.
final class ConsumerParserTests: XCTestCase {
    private let a = { (text: String) in PCIAddress(text)! }

    func testLibvirtHostdevDomain() throws {
        let d = try LibvirtParser.domain(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), path: "/etc/libvirt/qemu/QEMUGuest2.xml")
        XCTAssertEqual(d.name, "QEMUGuest2")
        XCTAssertEqual(d.uuid, "c7a5fdbd-edaf-9466-926a-d65c16db1809")
        XCTAssertFalse(d.isStatus)
        XCTAssertEqual(d.claims.count, 1, "the <disk>'s and guest-side <address> elements are not claims")
        let c = try XCTUnwrap(d.claims.first)
        XCTAssertEqual(c.address, a("0000:06:12.5"))
        XCTAssertEqual(c.attachment, "hostdev")
        XCTAssertEqual(c.managed, true)
        XCTAssertNil(c.mac)
        XCTAssertEqual(c.sources, ["/etc/libvirt/qemu/QEMUGuest2.xml"])
    }

    func testLibvirtInterfaceHostdevWithTeaming() throws {
        let d = try LibvirtParser.domain(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), path: "/etc/libvirt/qemu/QEMUGuest1.xml")
        XCTAssertEqual(d.claims.map(\.address), [a("0000:03:07.1"), a("0000:03:07.2")], "the two type='user' interfaces claim nothing")
        XCTAssertEqual(d.claims.map(\.mac), ["00:11:22:33:44:55", "66:44:33:22:11:00"])
        XCTAssertEqual(d.claims.map(\.teaming), ["transient", "transient"])
        XCTAssertEqual(d.claims.map(\.attachment), ["interface", "interface"])
        XCTAssertEqual(d.claims.map(\.managed), [true, true])
    }

    func testLibvirtStatusAndDecimalAddresses() throws {
        // The live status wraps the running domain; decimal numbers are read as libvirt reads them
        // (the form `domain='0' bus='11' slot='16' function='0'` appears in published guides).
        let xml = ConsumerFixtures.status(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"))
            .replacingOccurrences(of: "domain='0x0000' bus='0x06' slot='0x12' function='0x5'", with: "domain='0' bus='11' slot='16' function='0'")
        let d = try LibvirtParser.domain(xml, path: "/run/libvirt/qemu/QEMUGuest2.xml")
        XCTAssertTrue(d.isStatus)
        XCTAssertEqual(d.claims.first?.address, a("0000:0b:10.0"))
        XCTAssertEqual(d.claims.first?.running, true)
    }

    /// Definition and status merge per domain and device: only a device the running guest holds runs.
    func testRunningIsPerDevice() throws {
        let both = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), to: ["0000:04:10.0", "0000:04:10.4"])
        let live = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), to: ["0000:04:10.0", "0000:04:10.2"])
        let domains = [try LibvirtParser.domain(both, path: "/etc/libvirt/qemu/QEMUGuest1.xml"),
                       try LibvirtParser.domain(ConsumerFixtures.status(live), path: "/run/libvirt/qemu/QEMUGuest1.xml")]
        let claims = ConsumerCollector.merge(domains: domains, statusKnown: true).sorted(by: VFConsumer.canonicalOrder)
        XCTAssertEqual(claims.map(\.address), [a("0000:04:10.0"), a("0000:04:10.2"), a("0000:04:10.4")])
        XCTAssertEqual(claims.map(\.running), [true, true, false], "10.4 is defined but the running guest does not hold it")
        XCTAssertEqual(claims[0].sources, ["/etc/libvirt/qemu/QEMUGuest1.xml", "/run/libvirt/qemu/QEMUGuest1.xml"])
        XCTAssertEqual(ConsumerCollector.merge(domains: [domains[0]], statusKnown: false).map(\.running), [nil, nil])
    }

    func testLibvirtNetworks() throws {
        let list = try XCTUnwrap(try LibvirtParser.network(try ConsumerFixtures.text("libvirt/network-hostdev.xml"), path: "/n.xml", position: 0))
        XCTAssertEqual(list.kind, .libvirtNetwork)
        XCTAssertEqual(list.name, "hostdev")
        XCTAssertEqual(list.selectors, [PoolSelector(pciAddresses: ["0000:03:00.1", "0000:03:00.2", "0000:03:00.3", "0000:03:00.4"])])
        let pf = try XCTUnwrap(try LibvirtParser.network(try ConsumerFixtures.text("libvirt/network-hostdev-pf-driver-model.xml"), path: "/n.xml", position: 1))
        XCTAssertEqual(pf.selectors, [PoolSelector(pfNames: ["eth2"])])
        XCTAssertNil(try LibvirtParser.network("<network><name>default</name><forward mode='nat'/></network>", path: "/d.xml", position: 2))
    }

    func testLibvirtMalformedFilesNameTheLine() {
        XCTAssertThrowsError(try LibvirtParser.domain("<domain>\n  <name>x</name>\n  <devices>\n</domain>\n", path: "/x.xml")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 4)
            XCTAssertTrue("\(error)".contains("</domain> closes <devices>"), "\(error)")
        }
        XCTAssertThrowsError(try LibvirtParser.domain("<domain><name>x</name><devices><hostdev mode='subsystem' type='pci'><source><address bus='0x300' slot='0' function='0'/></source></hostdev></devices></domain>", path: "/x.xml")) { error in
            XCTAssertTrue("\(error)".contains("bus='0x300' is not a PCI bus number"), "\(error)")
        }
        XCTAssertThrowsError(try LibvirtParser.domain("<network/>", path: "/x.xml")) { error in
            XCTAssertTrue("\(error)".contains("not a libvirt domain"), "\(error)")
        }
    }

    func testDevicePluginConfigs() throws {
        let old = try KubernetesParser.devicePluginConfig(try ConsumerFixtures.text("kubernetes/config.json.configmap"), path: "/etc/pcidp/config.json")
        XCTAssertEqual(old.map(\.name), ["intel.com/intel_sriov_netdevice", "intel.com/intel_sriov_dpdk", "intel.com/mlnx_sriov_rdma", "intel.com/brcm_sriov_bnxt"])
        XCTAssertEqual(old[1].selectors, [PoolSelector(vendors: ["8086"], devices: ["154c", "10ed", "1889"], drivers: ["vfio-pci"], pfNames: ["enp0s0f0", "enp2s2f1"])])
        XCTAssertEqual(old[2].selectors.first?.isRdma, true)
        XCTAssertEqual(old.map(\.position), [0, 1, 2, 3])
        XCTAssertEqual(old.map(\.deviceType), ["netDevice", "netDevice", "netDevice", "netDevice"])

        // Go-cased keys (IsRdma) and a `SelectorObj: null` the Go structs carry.
        let node = try KubernetesParser.devicePluginConfig(try ConsumerFixtures.text("kubernetes/config.json.node0"), path: "/c.json")
        XCTAssertEqual(node.map(\.name), ["intel.com/sriovnics"])
        XCTAssertEqual(node[0].selectors, [PoolSelector(pfNames: ["ens785f0#0-4", "ens785f1#0-9"], isRdma: false, needVhostNet: false)])

        // The README's example has a trailing comma: the plugin refuses it, so do we.
        XCTAssertThrowsError(try KubernetesParser.devicePluginConfig(try ConsumerFixtures.text("kubernetes/config.json.readme"), path: "/c.json")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 87, "the `}` after the trailing comma")
            XCTAssertTrue("\(error)".contains("not valid JSON"), "\(error)")
        }
        XCTAssertThrowsError(try KubernetesParser.devicePluginConfig(#"{"resourceList": [{"resourceName": "x", "selectors": {"pfNames": ["ens1#3-1"]}}]}"#, path: "/c.json")) { error in
            XCTAssertTrue("\(error)".contains("'ens1#3-1' is not NAME or NAME#RANGES"), "\(error)")
        }
    }

    func testVFRanges() {
        XCTAssertEqual(VFRange.parse("netpf0#0,2-7,9"), VFRange(device: "netpf0", indexes: [0, 2, 3, 4, 5, 6, 7, 9]))
        XCTAssertEqual(VFRange.parse("0000:86:00.0#0-1,3,4"), VFRange(device: "0000:86:00.0", indexes: [0, 1, 3, 4]))
        XCTAssertEqual(VFRange.parse("ens785f0"), VFRange(device: "ens785f0", indexes: nil))
        XCTAssertNil(VFRange.parse("ens#"))
        XCTAssertNil(VFRange.parse("ens#a-b"))
        XCTAssertNil(VFRange.parse("#1"))
    }

    func testKubeletCheckpoint() throws {
        let (claims, registered) = try KubernetesParser.checkpoint(try ConsumerFixtures.text("kubernetes/kubelet_internal_checkpoint.multus-test"),
                                                                   path: "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint")
        XCTAssertEqual(claims.map(\.address), [a("0000:03:02.3"), a("0000:03:02.0")])
        XCTAssertEqual(claims.map(\.name), ["970a395d-bb3b-11e8-89df-408d5c537d23/appcntr1", "970a395d-bb3b-11e8-89df-408d5c537d23/appcntr1"])
        XCTAssertEqual(claims.map(\.resource), ["intel.com/sriov_net_A", "intel.com/sriov_net_A"])
        XCTAssertEqual(claims.map(\.numaNode), [nil, nil], "NUMA node -1 means no topology")
        XCTAssertEqual(registered.count, 8)
        XCTAssertEqual(Set(registered.compactMap(\.resource)), ["intel.com/sriov_net_A", "intel.com/sriov_net_B"])

        // Pre-1.20 kubelets wrote DeviceIDs as a list; GPU UUIDs are devices, not PCI claims.
        let old = #"{"Data":{"PodDeviceEntries":[{"PodUID":"p","ContainerName":"c","ResourceName":"intel.com/x","DeviceIDs":["0000:3b:02.1"]},{"PodUID":"g","ContainerName":"c","ResourceName":"nvidia.com/gpu","DeviceIDs":{"1":["GPU-9b341c59"]}}],"RegisteredDevices":{}}}"#
        let (oldClaims, _) = try KubernetesParser.checkpoint(old, path: "/k")
        XCTAssertEqual(oldClaims.map(\.address), [a("0000:3b:02.1")])
        XCTAssertThrowsError(try KubernetesParser.checkpoint("{\"Data\":", path: "/k"))
        XCTAssertThrowsError(try KubernetesParser.checkpoint("{\"checksum\": 1}", path: "/k")) { error in
            XCTAssertTrue("\(error)".contains("not a kubelet device-manager checkpoint"), "\(error)")
        }
    }

    func testDeviceInfo() throws {
        let text = #"{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:18:02.5","pf-pci-address":"0000:18:00.0"}}"#
        let r = try XCTUnwrap(try KubernetesParser.deviceInfo(text, path: "/var/run/k8s.cni.cncf.io/devinfo/dp/intel.com-sriov_net_A-0000:18:02.5-device.json"))
        XCTAssertEqual(r.id, "0000:18:02.5")
        XCTAssertEqual(r.resource, "intel.com-sriov_net_A")
    }

    func testNovaDeviceSpecsFromNovasOwnExamples() throws {
        let specs = try OpenStackParser.novaSpecs(try ConsumerFixtures.text("openstack/nova.conf.pci-examples"), path: "/etc/nova/nova.conf")
        XCTAssertEqual(specs.filter { $0.kind == .alias }.map(\.name), ["a1"])
        let device = specs.filter { $0.kind == .deviceSpec }
        XCTAssertEqual(device.count, 9)
        XCTAssertEqual(device.map(\.line), [3, 5, 6, 8, 10, 14, 18, 22, 24], "each spec names the line it starts on")
        XCTAssertEqual(device[0].devname, "eth0")
        XCTAssertEqual(device[0].physicalNetwork, "physnet")
        XCTAssertEqual(device[1].address, "*:0a:00.*")
        XCTAssertEqual(device[4].vendorID, "1137")
        XCTAssertEqual(device[4].address, "0000:0a:00.1")
        XCTAssertNil(device[5].address)
        XCTAssertEqual(device[5].addressRegex, PCIAddressRegex(domain: ".*", bus: "02", slot: "01", function: "[2-7]"))
        XCTAssertEqual(device[7].trusted, true, "\"trusted\": \"true\" is a string Nova reads as a boolean")
        XCTAssertEqual(device[8].remoteManaged, true)

        let old = try OpenStackParser.novaSpecs(try ConsumerFixtures.text("openstack/nova.conf.neutron-guide"), path: "/etc/nova/nova.conf")
        XCTAssertEqual(old.map(\.devname), ["eth3"])
        XCTAssertEqual(old.map(\.physicalNetwork), ["physnet2"])

        XCTAssertThrowsError(try OpenStackParser.novaSpecs("[pci]\ndevice_spec = {\"devname\": \"eth0\",\n", path: "/n")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 2)
        }
        XCTAssertThrowsError(try OpenStackParser.novaSpecs("device_spec = {}\n", path: "/n")) { error in
            XCTAssertTrue("\(error)".contains("before the first [section]"), "\(error)")
        }
    }

    func testNeutronSriovAgent() throws {
        let devices = try OpenStackParser.neutronAgent(try ConsumerFixtures.text("openstack/sriov_agent.ini.neutron-guide"), path: "/a.ini")
        XCTAssertEqual(devices.map(\.device), ["eth3", "eth1", "eth2"])
        XCTAssertEqual(devices[0].physicalNetworks, ["physnet2"])
        XCTAssertEqual(devices[1].excludedVFs, [a("0000:07:00.2"), a("0000:07:00.3")])
        // "default: enp5s0f1" (a blank after the colon) is how a published guide writes it.
        let spaced = try OpenStackParser.neutronAgent("[sriov_nic]\nphysical_device_mappings = default: enp5s0f1\n", path: "/a.ini")
        XCTAssertEqual(spaced.map(\.physicalNetworks), [["default"]])
        XCTAssertThrowsError(try OpenStackParser.neutronAgent("[sriov_nic]\nexclude_devices = eth1:0000:07:00.9x\n", path: "/a.ini")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 2)
        }
    }

    func testNmstateAndOsNetConfig() throws {
        let nm = try DeclaredIntentParser.nmstate(try ConsumerFixtures.text("declared/eth1_with_sriov.yml"), path: "/etc/nmstate/eth1.yml")
        XCTAssertEqual(nm, [SriovDeclaration(interface: "eth1", numVFs: 1, vfs: [
            DeclaredVF(index: 0, mac: "ee:2a:4e:8e:71:f5", vlan: 102, qos: 5, spoofCheck: true, trust: false)], source: "/etc/nmstate/eth1.yml")])
        let eth0 = try DeclaredIntentParser.nmstate(try ConsumerFixtures.text("declared/eth0_with_sriov.yml"), path: "/e")
        XCTAssertEqual(eth0.first?.vfs.first?.vlan, nil, "an absent VLAN is not declared, not 0")

        let onc = try DeclaredIntentParser.osNetConfig(ConsumerFixtures.osNetConfig(pf: "eth1", numVFs: 3, vfs: [(0, "02:00:00:00:10:01", 100, false)]), path: "/o")
        XCTAssertEqual(onc, [SriovDeclaration(interface: "eth1", numVFs: 3, vfs: [
            DeclaredVF(index: 0, mac: "02:00:00:00:10:01", vlan: 100, qos: 0, spoofCheck: true, trust: false)], source: "/o")])
        XCTAssertThrowsError(try DeclaredIntentParser.osNetConfig("- device_type: pf\n  name: eth1\n  numvfs: many\n", path: "/o")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 3)
        }
    }

    func testNetworkManagerKeyfile() throws {
        let keyfile = ConsumerFixtures.networkManagerKeyfile(interface: "eth1", totalVFs: 3, vfs: [
            "mac=02:00:00:00:10:01 spoof-check=true trust=false vlans=100", "mac=00:11:22:33:44:55 spoof-check=true vlans=200.3.q;300"])
        let d = try XCTUnwrap(try DeclaredIntentParser.networkManager(keyfile, path: "/k"))
        XCTAssertEqual(d, SriovDeclaration(interface: "eth1", numVFs: 3, vfs: [
            DeclaredVF(index: 0, mac: "02:00:00:00:10:01", vlan: 100, spoofCheck: true, trust: false),
            DeclaredVF(index: 1, mac: "00:11:22:33:44:55", vlan: 200, qos: 3, spoofCheck: true)], source: "/k"))
        XCTAssertNil(try DeclaredIntentParser.networkManager("[connection]\nid=lan\n[ipv4]\nmethod=auto\n", path: "/k"))
        XCTAssertThrowsError(try DeclaredIntentParser.networkManager("[connection]\ninterface-name=eth1\n[sriov]\nvf.0=trust=maybe\n", path: "/k")) { error in
            XCTAssertEqual((error as? ConsumerFileError)?.line, 4)
        }
        // What a capture keeps: the SR-IOV part, never the 802.1X password.
        let excerpt = DeclaredIntentParser.networkManagerExcerpt(keyfile)
        XCTAssertFalse(excerpt.contains("s3cr3t"))
        XCTAssertEqual(try DeclaredIntentParser.networkManager(excerpt, path: "/k"), d)
    }

    func testHugepages() throws {
        let meminfo = "MemTotal:        4018320 kB\nHugePages_Total:     512\nHugePages_Free:      384\nHugePages_Rsvd:        0\nHugePages_Surp:        0\nHugepagesize:       2048 kB\n"
        XCTAssertEqual(try HugepageParser.meminfo(meminfo), HugepagePool(node: nil, sizeKB: 2048, total: 512, free: 384, reserved: 0, surplus: 0))
        let pools = try HugepageParser.pools(counters: ConsumerFixtures.hugepages(node: 1, total: 8, free: 0).merging(ConsumerFixtures.hugepages(sizeKB: 1048576, total: 2, free: 2)) { a, _ in a })
        XCTAssertEqual(pools, [HugepagePool(node: nil, sizeKB: 1048576, total: 2, free: 2, reserved: 0, surplus: 0),
                               HugepagePool(node: 1, sizeKB: 2048, total: 8, free: 0, reserved: nil, surplus: 0)])
        XCTAssertThrowsError(try HugepageParser.pools(counters: ["/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "lots"]))
    }

    func testXMLReaderEntitiesCommentsAndCDATA() throws {
        let root = try XMLReader.parse("<?xml version='1.0'?>\n<!-- c -->\n<a x=\"1 &amp; 2\"><b>&lt;&#65;&#x42;</b><![CDATA[<raw & text>]]></a>")
        XCTAssertEqual(root.attributes["x"], "1 & 2")
        XCTAssertEqual(root.child("b")?.text, "<AB")
        XCTAssertEqual(root.text, "<raw & text>")
        XCTAssertThrowsError(try XMLReader.parse("<a></a><b/>"))
        XCTAssertThrowsError(try XMLReader.parse("<a x='1' x='2'/>"))
        XCTAssertThrowsError(try XMLReader.parse("<a>&bogus;</a>"))
    }
}
