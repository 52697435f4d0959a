import Collector
import Inventory
import Rules
import TestSupport
import XCTest

/// The five consumer checks on hosts derived from the real igb/NVMe capture and the real consumer
/// files: each planted problem is found exactly, each clean variant is silent.
final class ConsumerCheckTests: XCTestCase {
    /// The igb PF's VFs: 04:10.0 (igbvf, MAC 02:00:00:00:10:01, VLAN 100, trust off), 04:10.2
    /// (igbvf, VLAN 200, trust on), 04:10.4 (vfio-pci, MAC 02:00:00:00:10:03).
    private let vf0 = "0000:04:10.0", vf1 = "0000:04:10.2", vf2 = "0000:04:10.4"
    private let guest2 = "/etc/libvirt/qemu/QEMUGuest2.xml"

    /// The violations of `rule` (a YAML rule line) on the base capture with `files`.
    private func violations(_ rule: String, _ files: [String: String]) throws -> [Finding] {
        try findings(rule, files).filter { $0.status != .pass }
    }

    private func findings(_ rule: String, _ files: [String: String]) throws -> [Finding] {
        let rules = try RuleFileParser.parse("version: 1\nrules:\n  - \(rule)\n", path: "t.yaml")
        let snapshot = try Collector().collectCapture(at: try ConsumerFixtures.host(files))
        return try Auditor(rules: rules).audit([AuditHost(snapshot: snapshot, labels: [:])]).findings
    }

    /// The real domain with one hostdev (0000:06:12.5), pointed at `address`.
    private func hostdevGuest(_ address: String, name: String = "QEMUGuest2", uuid: String = "c7a5fdbd-edaf-9466-926a-d65c16db1809") throws -> String {
        ConsumerFixtures.renamed(ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), to: [address]), name: name, uuid: uuid)
    }

    // MARK: vf-consumer

    private let vfConsumer = "{id: vfc, check: vf-consumer, severity: high, select: {driver: igb}}"
    /// Without the idle-VF part (04:10.4 sits on vfio-pci unused in these variants).
    private let vfConsumerIdleAllowed = "{id: vfc, check: vf-consumer, severity: high, allow-idle: true, select: {driver: igb}}"

    func testVFConsumerCleanWhenEachVFHasOneConsumer() throws {
        let guest = try hostdevGuest(vf2)
        let found = try findings(vfConsumer, [guest2: guest, "/run/libvirt/qemu/QEMUGuest2.xml": ConsumerFixtures.status(guest)])
        XCTAssertEqual(found.map(\.status), [.pass], "\(found)")
        XCTAssertEqual(found.first?.message, "1 claim(s) on 1 device(s): each has one consumer and exists")
    }

    func testVFConsumerFindsAVFInTwoGuests() throws {
        let first = try hostdevGuest(vf2)
        let second = try hostdevGuest(vf2, name: "web-3", uuid: "11111111-2222-3333-4444-555555555555")
        let found = try violations(vfConsumer, [guest2: first, "/etc/libvirt/qemu/web-3.xml": second,
                                                "/run/libvirt/qemu/QEMUGuest2.xml": ConsumerFixtures.status(first),
                                                "/run/libvirt/qemu/web-3.xml": ConsumerFixtures.status(second)])
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.bdf, vf2)
        XCTAssertEqual(found.first?.message, "0000:04:10.4 is claimed by 2 consumers (both in use now): vm web-3, running (/etc/libvirt/qemu/web-3.xml); vm QEMUGuest2, running (/etc/libvirt/qemu/QEMUGuest2.xml)")
    }

    func testVFConsumerFindsAGuestAndAPodOnOneVF() throws {
        let guest = try hostdevGuest(vf1)
        let found = try violations(vfConsumerIdleAllowed, [guest2: guest, "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint":
                                                ConsumerFixtures.checkpoint(pod: "5f3c", container: "app", resource: "intel.com/igb", devices: [vf1])])
        XCTAssertEqual(found.map(\.bdf), [vf1], "\(found)")
        XCTAssertTrue(found[0].message.contains("only one can have it at a time"), found[0].message)
        XCTAssertTrue(found[0].message.contains("pod 5f3c/app"), found[0].message)
    }

    func testVFConsumerFindsTheRealGuestsVFMissing() throws {
        // The real libvirt file as it is: its VF 0000:06:12.5 is not on this host.
        let found = try violations("{id: vfc, check: vf-consumer, severity: high, allow-idle: true}",
                                   [guest2: try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml")])
        XCTAssertEqual(found.map(\.bdf), ["0000:06:12.5"])
        XCTAssertEqual(found.first?.message, "vm QEMUGuest2 (/etc/libvirt/qemu/QEMUGuest2.xml) claims 0000:06:12.5, which does not exist on this host")
    }

    func testVFConsumerFindsUnmanagedHostdevOnAHostDriver() throws {
        let guest = ConsumerFixtures.setting(try hostdevGuest(vf0), element: "hostdev", "managed", "no")
        let found = try violations(vfConsumerIdleAllowed, [guest2: guest])
        XCTAssertEqual(found.map(\.bdf), [vf0], "\(found)")
        XCTAssertEqual(found.first?.message, "vm QEMUGuest2 takes 0000:04:10.0 with managed='no', but it is bound to the host driver igbvf")
    }

    func testVFConsumerFindsIdleVFIOVFsUnlessAllowed() throws {
        let files = [guest2: try hostdevGuest(vf0)]
        let found = try violations("{id: vfc, check: vf-consumer, severity: high}", files)
        // 04:10.4 and the NVMe VFs 01:00.3/.4 sit on vfio-pci with no consumer.
        XCTAssertEqual(found.map(\.bdf), ["0000:01:00.3", "0000:01:00.4", vf2], "\(found)")
        XCTAssertTrue(try violations("{id: vfc, check: vf-consumer, severity: high, allow-idle: true}", files).isEmpty)
        // A VF a pool holds is capacity, not idle.
        let pooled = files.merging(["/etc/pcidp/config.json": ConsumerFixtures.devicePluginConfig([("dpdk", #"{"drivers": ["vfio-pci"]}"#)])]) { a, _ in a }
        XCTAssertTrue(try violations(vfConsumer, pooled).isEmpty)
    }

    func testNoConsumerSourcesNoFindings() throws {
        for check in ["vf-consumer", "consumer-config", "device-plugin-pool", "nova-device-spec", "dpdk-hugepages"] {
            XCTAssertEqual(try findings("{id: x, check: \(check), severity: high}", [:]), [], check)
        }
    }

    // MARK: consumer-config

    private let consumerConfig = "{id: cc, check: consumer-config, severity: medium, select: {driver: igb}}"

    func testConsumerConfigCleanWhenGuestSettingsAreInTheTable() throws {
        var guest = try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml")
        guest = ConsumerFixtures.retarget(guest, to: [vf0, vf2]).replacingOccurrences(of: "00:11:22:33:44:55", with: "02:00:00:00:10:01")
            .replacingOccurrences(of: "66:44:33:22:11:00", with: "02:00:00:00:10:03")
        let found = try findings(consumerConfig, ["/etc/libvirt/qemu/QEMUGuest1.xml": guest, "/run/libvirt/qemu/QEMUGuest1.xml": ConsumerFixtures.status(guest)])
        XCTAssertEqual(found.map(\.status), [.pass], "\(found)")
    }

    func testConsumerConfigFindsTheGuestsMACNotInTheTable() throws {
        // The real teaming domain, its two VFs pointed at 04:10.0 and 04:10.4: both MACs differ.
        let guest = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), to: [vf0, vf2])
        let found = try violations(consumerConfig, ["/etc/libvirt/qemu/QEMUGuest1.xml": guest, "/run/libvirt/qemu/QEMUGuest1.xml": ConsumerFixtures.status(guest)])
        XCTAssertEqual(found.map(\.bdf), [vf0, vf2], "\(found)")
        XCTAssertEqual(found.first?.message, "vm QEMUGuest1 sets MAC 00:11:22:33:44:55 on 0000:04:10.0, but the PF's VF table has 02:00:00:00:10:01")
        // Defined but not running: libvirt has not set anything yet, so nothing to compare.
        XCTAssertEqual(try violations(consumerConfig, ["/etc/libvirt/qemu/QEMUGuest1.xml": guest]).map(\.bdf), [], "a defined guest sets nothing")
    }

    func testConsumerConfigAgainstTheRealNmstateFile() throws {
        // nmstate's own example declares eth1 with 1 VF, VF 0 MAC ee:2a:…, VLAN 102: this eth1 has 3 VFs, 02:00:…:01 and VLAN 100.
        let found = try violations(consumerConfig, ["/etc/nmstate/eth1.yml": try ConsumerFixtures.text("declared/eth1_with_sriov.yml")])
        XCTAssertEqual(found.map(\.message), [
            "/etc/nmstate/eth1.yml declares MAC ee:2a:4e:8e:71:f5 for VF 0 of eth1, but the VF table has 02:00:00:00:10:01",
            "/etc/nmstate/eth1.yml declares VLAN 102 for VF 0 of eth1, but the VF table has VLAN 100",
            "/etc/nmstate/eth1.yml declares 1 VFs on eth1, but it has 3",
        ])
        let eth0 = try violations(consumerConfig, ["/etc/nmstate/eth0.yml": try ConsumerFixtures.text("declared/eth0_with_sriov.yml")])
        XCTAssertEqual(eth0.map(\.message), ["/etc/nmstate/eth0.yml declares SR-IOV settings for eth0, which is not an SR-IOV PF on this host"])
    }

    func testConsumerConfigCleanAndPlantedOsNetConfig() throws {
        let path = "/var/lib/os-net-config/sriov_config.yaml"
        let clean = ConsumerFixtures.osNetConfig(pf: "eth1", numVFs: 3, vfs: [(0, "02:00:00:00:10:01", 100, false), (2, "02:00:00:00:10:03", nil, false)])
        XCTAssertEqual(try findings(consumerConfig, [path: clean]).map(\.status), [.pass])
        let planted = ConsumerFixtures.osNetConfig(pf: "eth1", numVFs: 3, vfs: [(0, "02:00:00:00:10:01", 100, true), (2, "02:00:00:00:10:03", nil, false)])
        XCTAssertEqual(try violations(consumerConfig, [path: planted]).map(\.message),
                       ["\(path) declares trust on for VF 0 of eth1, but it is off"])
    }

    func testConsumerConfigFindsSettingsLeftOnAnUnusedVF() throws {
        // 04:10.4 is on vfio-pci and keeps MAC 02:00:00:00:10:03 with no guest or pod to own it.
        let found = try violations(consumerConfig, [guest2: try hostdevGuest(vf0)])
        XCTAssertEqual(found.map(\.bdf), [vf2], "\(found)")
        XCTAssertEqual(found.first?.message, "VF 2 of eth1 has no consumer but keeps MAC 02:00:00:00:10:03 from an earlier user")
        XCTAssertTrue(try violations("{id: cc, check: consumer-config, severity: medium, stale-settings: false, select: {driver: igb}}",
                                     [guest2: try hostdevGuest(vf0)]).isEmpty)
    }

    // MARK: device-plugin-pool

    private let pool = "{id: pool, check: device-plugin-pool, severity: medium}"
    private let config = "/etc/pcidp/config.json"
    private let checkpointPath = "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint"

    func testPoolsCleanWhenEachVFIsInOnePool() throws {
        let files = [config: ConsumerFixtures.devicePluginConfig([
            ("igb_netdevice", #"{"vendors": ["8086"], "devices": ["10ca"], "drivers": ["igbvf"]}"#),
            ("igb_dpdk", #"{"pfNames": ["eth1#2"], "drivers": ["vfio-pci"]}"#)]),
                     checkpointPath: ConsumerFixtures.checkpoint(pod: "p1", container: "c", resource: "intel.com/igb_netdevice", devices: [vf1])]
        let found = try findings(pool, files)
        XCTAssertEqual(found.map(\.status), [.pass], "\(found)")
    }

    func testPoolsFromTheRealConfigMatchNothingHere() throws {
        let found = try violations(pool, [config: try ConsumerFixtures.text("kubernetes/config.json.configmap")])
        XCTAssertEqual(found.count, 4, "\(found)")
        XCTAssertEqual(found[1].message, "device plugin resource intel.com/intel_sriov_dpdk (/etc/pcidp/config.json) selects no device on this host; it names enp0s0f0, enp2s2f1, not on this host")
    }

    func testPoolsFindOverlapRangeAndStaleCheckpoint() throws {
        let files = [config: ConsumerFixtures.devicePluginConfig([
            ("any_intel", #"{"vendors": ["8086"], "devices": ["10ca"]}"#),
            ("igbvf_only", #"{"drivers": ["igbvf"]}"#),
            ("ranged", #"{"pfNames": ["eth1#2-5"]}"#)]),
                     checkpointPath: try ConsumerFixtures.text("kubernetes/kubelet_internal_checkpoint.multus-test")]
        let found = try violations(pool, files)
        XCTAssertEqual(found.map(\.message), [
            "0000:04:10.0 is selected by intel.com/any_intel and by the later intel.com/igbvf_only: the device plugin gives it to intel.com/any_intel only",
            "0000:04:10.2 is selected by intel.com/any_intel and by the later intel.com/igbvf_only: the device plugin gives it to intel.com/any_intel only",
            "0000:04:10.4 is selected by intel.com/any_intel and by the later intel.com/ranged: the device plugin gives it to intel.com/any_intel only",
            "device plugin resource intel.com/ranged takes VF 5 of eth1, which has only 3 VFs: the pool is smaller than configured",
            "the kubelet checkpoint gives 0000:03:02.0 to pod 970a395d-bb3b-11e8-89df-408d5c537d23/appcntr1, but no such device exists (stale after a reboot or VF re-creation)",
            "the kubelet checkpoint gives 0000:03:02.3 to pod 970a395d-bb3b-11e8-89df-408d5c537d23/appcntr1, but no such device exists (stale after a reboot or VF re-creation)",
        ])
    }

    func testPoolsSelectingByRDMAAreNotJudgedPastTheOtherKeys() throws {
        // The plugin also needs an RDMA device for the second pool; whether these VFs are RDMA
        // capable is not in the host view, so no overlap is claimed.
        let files = [config: ConsumerFixtures.devicePluginConfig([("igb", #"{"drivers": ["igbvf"]}"#),
                                                                  ("igb_rdma", #"{"vendors": ["8086"], "isRdma": true}"#)])]
        let found = try findings(pool, files)
        XCTAssertEqual(found.map(\.status), [.pass], "\(found.map(\.message))")
        XCTAssertEqual(found.first?.message, "2 pool(s), 0 device(s) each in one pool; checkpoint entries current; 1 select(s) also by isRdma, not judged past the other keys")
        // An RDMA pool whose other keys take nothing still takes nothing.
        let none = [config: ConsumerFixtures.devicePluginConfig([("mlx", #"{"vendors": ["15b3"], "isRdma": true}"#)])]
        XCTAssertEqual(try violations(pool, none).map(\.message), ["device plugin resource intel.com/mlx (/etc/pcidp/config.json) selects no device on this host"])
    }

    func testPoolsFindAPodHoldingAVFOfAnotherPool() throws {
        let files = [config: ConsumerFixtures.devicePluginConfig([("a", #"{"pfNames": ["eth1#0"]}"#), ("b", #"{"pfNames": ["eth1#1-2"]}"#)]),
                     checkpointPath: ConsumerFixtures.checkpoint(pod: "p1", container: "c", resource: "intel.com/a", devices: [vf1])]
        XCTAssertEqual(try violations(pool, files).map(\.message),
                       ["pod p1/c holds 0000:04:10.2 as intel.com/a, but the device plugin's configuration now puts it in intel.com/b"])
    }

    func testLibvirtHostdevNetworkIsAPool() throws {
        let network = try ConsumerFixtures.text("libvirt/network-hostdev-pf-driver-model.xml").replacingOccurrences(of: "eth2", with: "eth1")
        XCTAssertEqual(try findings(pool, ["/etc/libvirt/qemu/networks/hostdev.xml": network]).map(\.status), [.pass])
        XCTAssertEqual(try violations(pool, ["/etc/libvirt/qemu/networks/hostdev.xml": try ConsumerFixtures.text("libvirt/network-hostdev.xml")]).map(\.message),
                       ["libvirt hostdev network hostdev (/etc/libvirt/qemu/networks/hostdev.xml) selects no device on this host"])
    }

    // MARK: nova-device-spec

    private let nova = "{id: nova, check: nova-device-spec, severity: medium}"
    private let novaConf = "/etc/nova/nova.conf", agent = "/etc/neutron/plugins/ml2/sriov_agent.ini"

    func testNovaSpecClean() throws {
        let files = [novaConf: "[pci]\ndevice_spec = {\"devname\": \"eth1\", \"physical_network\": \"physnet2\"}\n",
                     agent: "[sriov_nic]\nphysical_device_mappings = physnet2:eth1\n"]
        XCTAssertEqual(try findings(nova, files).map(\.status), [.pass])
    }

    func testNovaSpecsOfNovasExamplesAgainstThisHost() throws {
        // Nova's documented examples name Cisco VICs, bus 0a and 02 and a2d6 devices: none here.
        let found = try violations(nova, [novaConf: try ConsumerFixtures.text("openstack/nova.conf.pci-examples")])
        XCTAssertEqual(found.map { $0.evidence["source"] }, ["/etc/nova/nova.conf:5", "/etc/nova/nova.conf:6", "/etc/nova/nova.conf:8",
                                                            "/etc/nova/nova.conf:10", "/etc/nova/nova.conf:14", "/etc/nova/nova.conf:18",
                                                            "/etc/nova/nova.conf:24"], "\(found.map(\.message))")
    }

    func testNovaSpecPhysnetNotMappedByTheAgent() throws {
        // The Neutron guide's pair: nova puts eth3 on physnet2, the agent maps physnet2:eth3. Here eth3 is a
        // VF's netdev of eth1, so the spec gives out eth1's VF and the agent does not map eth1.
        let found = try violations(nova, [novaConf: try ConsumerFixtures.text("openstack/nova.conf.neutron-guide"),
                                          agent: try ConsumerFixtures.text("openstack/sriov_agent.ini.neutron-guide")])
        XCTAssertEqual(found.map(\.message), ["Nova device_spec (/etc/nova/nova.conf:2) puts eth1 on physnet2, but sriov_agent.ini maps physnet2 to eth3"])
    }

    func testNovaSpecTrustedAgainstVFTrust() throws {
        let guest = try hostdevGuest(vf0)
        let files = [novaConf: "[pci]\ndevice_spec = {\"devname\": \"eth1\", \"physical_network\": \"physnet1\", \"trusted\": \"true\"}\n",
                     guest2: guest, "/run/libvirt/qemu/QEMUGuest2.xml": ConsumerFixtures.status(guest)]
        XCTAssertEqual(try violations(nova, files).map(\.message),
                       ["0000:04:10.0 is in use under a device_spec with trusted true, but its trust is off"])
        // The reverse: 04:10.2 has trust on, the spec does not say trusted.
        let other = try hostdevGuest(vf1)
        XCTAssertEqual(try violations(nova, [novaConf: "[pci]\ndevice_spec = {\"devname\": \"eth1\"}\n", guest2: other,
                                             "/run/libvirt/qemu/QEMUGuest2.xml": ConsumerFixtures.status(other)]).map(\.bdf), [vf1])
    }

    func testNovaRegexAndGlobAddresses() throws {
        let glob = "[pci]\ndevice_spec = {\"address\": \"*:04:10.*\"}\n"
        let regex = "[pci]\ndevice_spec = {\"address\": {\"domain\": \".*\", \"bus\": \"04\", \"slot\": \"1[0-1]\", \"function\": \"[2-4]\"}}\n"
        let pfOnly = "[pci]\ndevice_spec = {\"address\": \"0000:04:00.0\"}\n"
        for conf in [glob, regex, pfOnly] {
            let found = try findings(nova, [novaConf: conf])
            XCTAssertEqual(found.map(\.status), [.pass], "\(conf): \(found.map(\.message))")
        }
        XCTAssertEqual(try violations(nova, [novaConf: "[pci]\ndevice_spec = {\"address\": {\"bus\": \"04\", \"slot\": \"11\"}}\n"]).count, 1)
    }

    // MARK: dpdk-hugepages

    private let hugepages = "{id: hp, check: dpdk-hugepages, severity: high, select: {driver: igb}}"

    func testDPDKVFWithFreeHugepagesIsClean() throws {
        XCTAssertEqual(try findings(hugepages, ConsumerFixtures.hugepages(total: 512, free: 384)).map(\.status), [.pass])
    }

    func testDPDKVFWithoutFreeHugepages() throws {
        let found = try violations(hugepages, ConsumerFixtures.hugepages(total: 512, free: 0))
        XCTAssertEqual(found.map(\.message), ["1 VF(s) on DPDK drivers (0000:04:10.4) on this host, which has no free huge pages (512 configured)"])
        let sized = try violations("{id: hp, check: dpdk-hugepages, severity: high, page-size-kb: 1048576, select: {driver: igb}}",
                                   ConsumerFixtures.hugepages(total: 512, free: 384))
        XCTAssertEqual(sized.map(\.message), ["1 VF(s) on DPDK drivers (0000:04:10.4) on this host, which has no free 1048576 kB huge pages (0 configured)"])
    }
}
