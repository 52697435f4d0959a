import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// The data-plane formats, each read by its one parser, on what real tools and a real kernel
/// wrote (`Tests/Fixtures/dataplane/`, from the VM test's Debian 6.1 guest): `ethtool -k`, the
/// counter dump (IFLA_STATS64, IFLA_VF_STATS), the devlink replies; and the drivers' per-VF
/// sysfs counters.
final class DataPlaneParserTests: XCTestCase {
    private func text(_ relative: String) throws -> String {
        try String(contentsOfFile: Fixtures.path("dataplane/" + relative), encoding: .utf8)
    }

    private func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("dataplane/" + relative))))
    }

    /// ethtool 6.1's `-k` of the igb PF: legacy names (`generic-receive-offload`) become kernel
    /// names (`rx-gro`), group lines are skipped, `[fixed]` is kept.
    func testEthtoolFeaturesOfTheIgbPF() throws {
        guard case .features(let f) = EthtoolFeaturesText.parse(try text("qemu-igb/ethtool-k-eth1.txt")) else { return XCTFail("not parsed") }
        XCTAssertEqual(f.isOn("rx-gro"), true, "generic-receive-offload: on")
        XCTAssertEqual(f.isOn("rx-lro"), false, "large-receive-offload: off [fixed]")
        XCTAssertTrue(f.fixed.contains("rx-lro"))
        XCTAssertEqual(f.isOn("rx-checksum"), true, "rx-checksumming: on")
        XCTAssertEqual(f.isOn("rx-hashing"), true, "receive-hashing: on")
        XCTAssertEqual(f.isOn("rx-vlan-hw-parse"), true, "rx-vlan-offload: on")
        XCTAssertEqual(f.isOn("tx-vlan-hw-insert"), true, "tx-vlan-offload: on")
        XCTAssertEqual(f.isOn("rx-ntuple-filter"), false, "ntuple-filters: off [fixed]")
        XCTAssertEqual(f.isOn("tx-generic-segmentation"), true, "generic-segmentation-offload: on")
        XCTAssertEqual(f.isOn("tx-tcp-segmentation"), true)
        XCTAssertEqual(f.isOn("tx-tcp-mangleid-segmentation"), false)
        XCTAssertFalse(f.fixed.contains("tx-tcp-mangleid-segmentation"))
        XCTAssertEqual(f.isOn("rx-vlan-filter"), true)
        XCTAssertTrue(f.fixed.contains("rx-vlan-filter"), "rx-vlan-filter: on [fixed]")
        XCTAssertNil(f.isOn("tcp-segmentation-offload"), "a group line is not a feature")
        XCTAssertNil(f.isOn("tx-checksumming"))
        XCTAssertNil(f.isOn("scatter-gather"))
        XCTAssertEqual(f.on.count + f.off.count, 62, "the 65 state lines but the three group lines")
        XCTAssertEqual(f.on.count, 21)

        // The form `capture` writes reads back to the same value.
        XCTAssertEqual(EthtoolFeaturesText.parse(EthtoolFeaturesText.render("eth1", f)), .features(f))
    }

    /// The igbvf VF and lo: another driver's set, parsed the same way.
    func testEthtoolFeaturesOfAVFAndLoopback() throws {
        guard case .features(let vf) = EthtoolFeaturesText.parse(try text("qemu-igb/ethtool-k-eth2.txt")),
              case .features(let lo) = EthtoolFeaturesText.parse(try text("qemu-igb/ethtool-k-lo.txt")) else { return XCTFail("not parsed") }
        XCTAssertEqual(vf.isOn("rx-gro"), true)
        XCTAssertEqual(lo.isOn("loopback"), true)
        XCTAssertTrue(lo.fixed.contains("loopback"))
        XCTAssertNotEqual(vf.signature, lo.signature)
    }

    func testEthtoolFeaturesBadInput() {
        XCTAssertEqual(EthtoolFeaturesText.parse("Cannot get device feature names: Operation not supported\n"), .unsupported)
        XCTAssertEqual(EthtoolFeaturesText.parse("Features for eth0:\nrx-gro: maybe\n"), .malformed("line 2: state of rx-gro is not on or off"))
        XCTAssertEqual(EthtoolFeaturesText.parse("rx-gro: on\n"), .malformed("line 1: expected \"Features for IFNAME:\" first"))
        XCTAssertEqual(EthtoolFeaturesText.parse("Features for eth0:\nno colon here\n"), .malformed("line 2: no \"name: state\" in \"no colon here\""))
    }

    /// The counter dump `capture` kept in the guest (RTM_GETLINK with stats), hand-checked with
    /// an independent decoder: eth1 is the igb PF (1 packet in, 15 out), eth0 the e1000e.
    func testCounterDumpOfTheGuest() throws {
        let batch = try NetlinkLinkDecoder.decode(try bytes("qemu-igb/rtnetlink-getlink-stats.bin"))
        XCTAssertTrue(batch.done)
        XCTAssertEqual(batch.linkCounters.map(\.interface), ["lo", "eth0", "eth1", "eth2", "eth3"])
        let eth1 = try XCTUnwrap(batch.linkCounters.first { $0.interface == "eth1" })
        XCTAssertEqual([eth1.rxPackets, eth1.txPackets, eth1.rxBytes, eth1.txBytes], [1, 15, 86, 1286])
        XCTAssertEqual([eth1.rxErrors, eth1.txErrors, eth1.rxDropped, eth1.txDropped, eth1.rxMissed], [0, 0, 0, 0, 0])
        let eth0 = try XCTUnwrap(batch.linkCounters.first { $0.interface == "eth0" })
        XCTAssertEqual([eth0.txPackets, eth0.txBytes], [8, 688])
        // The kernel sends IFLA_VF_STATS for each of igb's 3 VFs, zeros (igb has no
        // ndo_get_vf_stats): decoded as sent; the collector drops such zeros (see below).
        XCTAssertEqual(batch.vfCounters.map(\.index), [0, 1, 2])
        XCTAssertEqual(batch.vfCounters.map(\.interface), ["eth1", "eth1", "eth1"])
        XCTAssertTrue(batch.vfCounters.allSatisfy { $0.rxPackets == 0 && $0.txDropped == 0 && $0.source == "netlink" })
        // The settings are read from the same message as without stats.
        XCTAssertEqual(batch.interfaces.first { $0.name == "eth1" }?.vfs.map(\.mac), ["02:00:00:00:10:01", "02:00:00:00:10:02", "02:00:00:00:10:03"])
        // ip printed its own view of the counters a moment after the capture: never less.
        let ip = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try bytes("qemu-igb/ip-s-d-j-link.json"))) as? [[String: Any]])
        for link in ip {
            let name = try XCTUnwrap(link["ifname"] as? String)
            let tx = ((link["stats64"] as? [String: Any])?["tx"] as? [String: Any])?["packets"] as? Int
            XCTAssertLessThanOrEqual(try XCTUnwrap(batch.linkCounters.first { $0.interface == name }).txPackets, UInt64(try XCTUnwrap(tx)), name)
        }
    }

    /// The devlink replies `capture` kept (instances, `dev info` dump, one eswitch answer each),
    /// against what `devlink -j` printed beside them.
    func testDevlinkRepliesOfFourNetdevsimInstances() throws {
        let devices = try DevlinkDecoder.decode(try bytes("qemu-netdevsim/devlink.bin"))
        XCTAssertEqual(devices.map(\.handle), ["netdevsim/netdevsim10", "netdevsim/netdevsim11", "netdevsim/netdevsim12", "netdevsim/netdevsim20"])
        XCTAssertEqual(devices.map(\.eswitchMode), ["legacy", "legacy", "legacy", "switchdev"])
        XCTAssertTrue(devices.allSatisfy { $0.driver == "netdevsim" })
        XCTAssertEqual(devices[0].running, [DevlinkVersion(name: "fw.mgmt", value: "10.20.30")])
        XCTAssertEqual(devices[0].stored, [DevlinkVersion(name: "fw.mgmt", value: "10.20.30")])
        XCTAssertTrue(devices[0].pendingVersions.isEmpty)
        XCTAssertEqual(devices[0].runningFirmware?.component, "fw.mgmt")
        XCTAssertNil(devices[0].pciAddress)
        let info = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(try bytes("qemu-netdevsim/devlink-dev-info.json"))) as? [String: Any])?["info"] as? [String: Any])
        XCTAssertEqual(Set(info.keys), Set(devices.map(\.handle)))
        for d in devices {
            let eswitch = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try bytes("qemu-netdevsim/devlink-eswitch-\(d.device).json"))) as? [String: Any])
            XCTAssertEqual(((eswitch["dev"] as? [String: Any])?[d.handle] as? [String: Any])?["mode"] as? String, d.eswitchMode)
        }
    }

    func testDevlinkBadInput() throws {
        var cut = try bytes("qemu-netdevsim/devlink.bin")
        cut.removeLast(100)
        XCTAssertThrowsError(try DevlinkDecoder.decode(cut)) { XCTAssertTrue("\($0)".contains("claims"), "\($0)") }
        XCTAssertEqual(try DevlinkDecoder.decode([]), [])
    }

    /// mlx5's `sriov/N/stats` file form (`name : value` lines) and a bad line.
    func testVFSysfsStatsLines() {
        let parsed = VFSysfsStats.parse(lines: "tx_packets    : 12\ntx_bytes      : 3400\nrx_packets    : 7\nrx_dropped    : x\n\n")
        XCTAssertEqual(parsed.values, ["tx_packets": 12, "tx_bytes": 3400, "rx_packets": 7])
        XCTAssertEqual(parsed.problems, ["line 4: rx_dropped is not a count"])
        var c = VFCounters(source: "sysfs", interface: "ens1f0", index: 3)
        XCTAssertTrue(VFSysfsStats.apply(parsed.values, to: &c))
        XCTAssertEqual([c.txPackets, c.txBytes, c.rxPackets, c.rxDropped], [12, 3400, 7, nil])
        XCTAssertFalse(VFSysfsStats.apply(["tx_pause": 1], to: &c), "names it does not know are ignored")
    }
}
