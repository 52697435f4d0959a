import Collector
import Foundation
import Inventory
import Rules
import Store
import TestSupport
import XCTest

/// The data-plane checks on hosts derived from the real igb/NVMe capture: devlink instances,
/// offload features, rates and counters are planted in code on the snapshot the capture gives
/// (the capture itself is never edited); each planted problem is found, each clean variant passes.
final class HealthCheckTests: XCTestCase {
    /// igb 82576 PF 0000:04:00.0 (eth1), VFs 0000:04:10.0, .2, .4 (VF 2 max_tx_rate 100).
    private let pf = "0000:04:00.0", vf0 = "0000:04:10.0", vf2 = "0000:04:10.4"

    private func base(_ name: String = "kvm-01") throws -> HostSnapshot {
        var snapshot = try Collector().collectCapture(at: Fixtures.path(ConsumerFixtures.base))
        snapshot.host.hostname = name
        return snapshot
    }

    private func rules(_ yaml: String) throws -> RuleSet {
        try RuleFileParser.parse("rules:\n  - \(yaml)\n", path: "t.yaml")
    }

    private func audit(_ rule: String, _ hosts: [HostSnapshot], labels: [String: String] = [:]) throws -> [Finding] {
        try Auditor(rules: try rules(rule)).audit(hosts.map { AuditHost(snapshot: $0, labels: labels) }).findings
    }

    private func devlink(_ address: String, mode: String? = "legacy", running: String = "2.1.0", stored: String? = "2.1.0") -> DevlinkDevice {
        DevlinkDevice(bus: "pci", device: address, driver: "igb", eswitchMode: mode,
                      fixed: [DevlinkVersion(name: "board.id", value: "E66560-002")],
                      running: [DevlinkVersion(name: "fw", value: running)],
                      stored: stored.map { [DevlinkVersion(name: "fw", value: $0)] } ?? [])
    }

    // MARK: firmware-pending

    func testFirmwarePendingFindsAFlashedImageWaitingForAReset() throws {
        var host = try base()
        host.devlink = [devlink(pf, running: "2.1.0", stored: "2.3.0")]
        let found = try audit("{id: fwp, check: firmware-pending, severity: medium}", [host])
        XCTAssertEqual(found.map(\.status), [.fail], "\(found)")
        XCTAssertEqual(found.first?.bdf, pf)
        XCTAssertEqual(found.first?.message, "fw 2.3.0 is flashed but 2.1.0 runs on eth1: the new firmware waits for a reset")
        XCTAssertEqual(found.first?.evidence["handle"], "pci/0000:04:00.0")

        host.devlink = [devlink(pf)]
        let clean = try audit("{id: fwp, check: firmware-pending, severity: medium}", [host])
        XCTAssertEqual(clean.map(\.status), [.pass])
        XCTAssertEqual(clean.first?.message, "stored firmware equals running firmware on 1 PF(s)")

        host.devlink = nil
        let unknown = try audit("{id: fwp, check: firmware-pending, severity: medium}", [host])
        XCTAssertEqual(unknown.map(\.status), [.warn], "devlink not read: cannot judge, never a pass")
        XCTAssertTrue(unknown[0].message.hasPrefix("devlink was not read"), unknown[0].message)
    }

    func testDevlinkFirmwareStandsInWhenEthtoolHasNone() throws {
        var host = try base()
        let at = try XCTUnwrap(host.physicalFunctions.firstIndex { $0.address.description == pf })
        host.physicalFunctions[at].driverInfo?.firmwareVersion = "N/A"
        host.devlink = [devlink(pf, running: "1.2.3")]
        let facts = AuditFacts(snapshot: host)
        XCTAssertEqual(facts.pfs.first { $0.address.description == pf }?.firmware, "1.2.3", "devlink's running fw when ethtool says N/A")
        host.devlink = nil
        XCTAssertNil(AuditFacts(snapshot: host).pfs.first { $0.address.description == pf }?.firmware)
    }

    // MARK: eswitch-mode

    func testEswitchModeAgainstTheExpectedMode() throws {
        var host = try base()
        host.devlink = [devlink(pf, mode: "legacy")]
        let rule = "{id: esw, check: eswitch-mode, severity: medium, mode: switchdev, select: {driver: igb}}"
        let found = try audit(rule, [host])
        XCTAssertEqual(found.map(\.status), [.fail], "\(found)")
        XCTAssertEqual(found.first?.message, "PF eth1 is in legacy mode, expected switchdev")
        host.devlink = [devlink(pf, mode: "switchdev")]
        XCTAssertEqual(try audit(rule, [host]).map(\.message), ["1 PF(s) in switchdev mode"])
        host.devlink = [devlink(pf, mode: nil)]
        let unknown = try audit(rule, [host])
        XCTAssertEqual(unknown.map(\.status), [.warn])
        XCTAssertTrue(unknown[0].message.contains("reports no eswitch mode"), unknown[0].message)
    }

    // MARK: vf-rate

    func testVFRatePolicyMinAboveMaxAndALimitAboveTheLink() throws {
        var host = try base()
        let rule = "{id: rate, check: vf-rate, severity: medium, max-tx-rate: {min: 50, max: 500}, select: {driver: igb}}"
        // The capture: VF 2 has max_tx_rate 100, VFs 0 and 1 none.
        var found = try audit(rule, [host]).filter { $0.status != .pass }
        XCTAssertEqual(found.map(\.message), ["VF 0 of eth1 has no max_tx_rate; policy wants 50–500 Mb/s",
                                              "VF 1 of eth1 has no max_tx_rate; policy wants 50–500 Mb/s"])
        let eth1 = try XCTUnwrap(host.interfaces.firstIndex { $0.name == "eth1" })
        for i in host.interfaces[eth1].vfs.indices { host.interfaces[eth1].vfs[i].maxTxRate = 200 }
        host.interfaces[eth1].vfs[0].minTxRate = 300
        host.interfaces[eth1].speedMbps = 100
        found = try audit(rule, [host]).filter { $0.status != .pass }
        XCTAssertTrue(found.contains { $0.bdf == vf0 && $0.message == "VF 0 of eth1: min_tx_rate 300 Mb/s is above max_tx_rate 200 Mb/s" }, "\(found)")
        XCTAssertEqual(found.filter { $0.message.contains("above the PF's link speed 100 Mb/s") }.count, 3)
        host.interfaces[eth1].vfs[0].minTxRate = 0
        host.interfaces[eth1].speedMbps = 1000
        XCTAssertEqual(try audit(rule, [host]).map(\.message), ["3 VF rate setting(s) within policy"])
    }

    // MARK: migration-ready

    func testMigrationReadyWantsAFailoverPair() throws {
        let domain = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), to: [vf2])
        let plain = try Collector().collectCapture(at: try ConsumerFixtures.host(["/etc/libvirt/qemu/QEMUGuest2.xml": domain,
                                                                                   "/run/libvirt/qemu/QEMUGuest2.xml": ConsumerFixtures.status(domain)]))
        let found = try audit("{id: mig, check: migration-ready, select: {driver: igb}}", [plain])
        XCTAssertEqual(found.map(\.status), [.warn], "severity low by default: a WARN")
        XCTAssertEqual(found.first?.severity, .low)
        XCTAssertEqual(found.first?.message, "vm QEMUGuest2 (running) holds VF 0000:04:10.4 without a failover pair: it cannot be live-migrated")

        // libvirt's own teaming test domain: the VF half is `transient`.
        let teaming = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), to: [vf2])
        let paired = try Collector().collectCapture(at: try ConsumerFixtures.host(["/etc/libvirt/qemu/QEMUGuest1.xml": teaming]))
        XCTAssertEqual(paired.virtualFunctions.first { $0.address.description == vf2 }?.consumers.first?.teaming, "transient")
        let ready = try audit("{id: mig, check: migration-ready, select: {driver: igb}}", [paired])
        XCTAssertEqual(ready.map(\.status), [.pass], "\(ready)")

        let none = try audit("{id: mig, check: migration-ready}", [try base()])
        XCTAssertEqual(none.map(\.status), [.warn])
        XCTAssertTrue(none[0].message.contains("cannot judge"), none[0].message)
    }

    // MARK: offload-aligned

    private func withFeatures(_ name: String, lro: Bool, gro: Bool = true) throws -> HostSnapshot {
        var host = try base(name)
        let eth1 = try XCTUnwrap(host.interfaces.firstIndex { $0.name == "eth1" })
        host.interfaces[eth1].features = NetdevFeatures(
            on: ["rx-checksum", "tx-tcp-segmentation"] + (gro ? ["rx-gro"] : []) + (lro ? ["rx-lro"] : []),
            off: ["rx-vlan-filter"] + (gro ? [] : ["rx-gro"]) + (lro ? [] : ["rx-lro"]),
            fixed: ["rx-vlan-filter"])
        return host
    }

    func testOffloadAlignedFindsTheHostUnlikeItsPeers() throws {
        let hosts = [try withFeatures("kvm-01", lro: false), try withFeatures("kvm-02", lro: true), try withFeatures("kvm-03", lro: false)]
        let found = try audit("{id: offload, check: offload-aligned, severity: medium}", hosts)
        let problems = found.filter { $0.status != .pass }
        XCTAssertEqual(problems.map(\.host), ["kvm-02"], "\(found)")
        XCTAssertEqual(problems.first?.bdf, pf)
        XCTAssertTrue(problems[0].message.hasPrefix("eth1 differs from 2 of 3 "), problems[0].message)
        XCTAssertTrue(problems[0].message.hasSuffix("in the fleet: rx-lro on (fleet: off)"), problems[0].message)
        XCTAssertEqual(Set(found.filter { $0.status == .pass }.map(\.host)), ["kvm-01", "kvm-03"])

        // A fixed feature is what the NIC is: a difference there is no finding.
        var fixedDiffers = try withFeatures("kvm-02", lro: false)
        let eth1 = try XCTUnwrap(fixedDiffers.interfaces.firstIndex { $0.name == "eth1" })
        fixedDiffers.interfaces[eth1].features = NetdevFeatures(on: ["rx-checksum", "tx-tcp-segmentation", "rx-gro", "rx-vlan-filter"],
                                                                off: ["rx-lro"], fixed: ["rx-vlan-filter"])
        XCTAssertTrue(try audit("{id: offload, check: offload-aligned, severity: medium}", [hosts[0], fixedDiffers, hosts[2]]).allSatisfy { $0.status == .pass })
    }

    func testOffloadPolicyRequireAndForbid() throws {
        let host = try withFeatures("kvm-01", lro: true, gro: false)
        let found = try audit("{id: offload, check: offload-aligned, severity: high, require: [rx-gro], forbid: [rx-lro], select: {driver: igb}}", [host])
        XCTAssertEqual(found.filter { $0.status != .pass }.map(\.message), ["eth1: rx-gro is off, policy requires it on", "eth1: rx-lro is on, policy forbids it"])
        let clean = try audit("{id: offload, check: offload-aligned, severity: high, require: [rx-gro], forbid: [rx-lro], select: {driver: igb}}",
                              [try withFeatures("kvm-01", lro: false)])
        XCTAssertEqual(clean.map(\.status), [.pass])
        XCTAssertThrowsError(try rules("{id: o, check: offload-aligned, severity: low, require: [rx-lro], forbid: [rx-lro]}")) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:2:") && "\(error)".contains("`rx-lro` is both required and forbidden"), "\(error)")
        }
    }

    // MARK: vf-counters

    private func observed(_ at: TimeInterval, vfRx: UInt64, vfDropped: UInt64, pfErrors: UInt64 = 0) throws -> HostSnapshot {
        var host = try base()
        host.collectedAt = Date(timeIntervalSince1970: 1_790_000_000 + at)
        var vf = VFCounters(source: "netlink", interface: "eth1", index: 0, address: PCIAddress(vf0))
        (vf.rxPackets, vf.txPackets, vf.rxDropped, vf.txDropped) = (vfRx, 10, vfDropped, 0)
        host.counters = CounterObservation(
            links: [LinkCounters(interface: "eth1", address: PCIAddress(pf), rxPackets: vfRx * 2, txPackets: 100, rxErrors: pfErrors)],
            vfs: [vf])
        return host
    }

    private func counterAudit(_ observations: [HostSnapshot], rule: String = "{id: ctr, check: vf-counters, severity: medium, select: {driver: igb}}") throws -> [Finding] {
        let store = try InventoryStore.inMemory()
        for o in observations { try store.store(o) }
        return try AuditEngine(rules: try rules(rule)).run(store: store, subjects: try store.latestSubjects(), workers: 1).findings
    }

    func testVFCountersNeedTwoObservationsAndFindDrops() throws {
        let first = try counterAudit([try observed(0, vfRx: 1_000, vfDropped: 0)])
        XCTAssertEqual(first.map(\.status), [.warn])
        XCTAssertTrue(first[0].message.hasPrefix("first observation with counters"), first[0].message)

        // 60 s later: 20,000 packets more, 100 dropped (0.5%): above the default 0.1%.
        let dropping = try counterAudit([try observed(0, vfRx: 1_000, vfDropped: 0), try observed(60, vfRx: 21_000, vfDropped: 100)])
        let problems = dropping.filter { $0.status != .pass }
        XCTAssertEqual(problems.map(\.bdf), [vf0], "\(dropping)")
        XCTAssertEqual(problems.first?.message, "VF 0 of eth1 dropped 100 of 20100 packets (0.50%) in the 60 s since 2026-09-21T14:13:20Z, above 0.10%")

        let quiet = try counterAudit([try observed(0, vfRx: 1_000, vfDropped: 0), try observed(60, vfRx: 21_000, vfDropped: 10)])
        XCTAssertEqual(quiet.map(\.status), [.pass], "\(quiet)")
        XCTAssertEqual(quiet.first?.message, "2 device(s) within drop and error limits in the 60 s since 2026-09-21T14:13:20Z")

        // PF errors: 50 in ~40,000 packets is above 0.01%.
        let errors = try counterAudit([try observed(0, vfRx: 1_000, vfDropped: 0), try observed(60, vfRx: 21_000, vfDropped: 0, pfErrors: 50)])
        XCTAssertEqual(errors.filter { $0.status != .pass }.map(\.bdf), [pf])

        // Counters that went down (a reboot): that interval is not judged.
        let reset = try counterAudit([try observed(0, vfRx: 50_000, vfDropped: 400), try observed(60, vfRx: 2_000, vfDropped: 0)])
        XCTAssertEqual(reset.map(\.status), [.warn], "\(reset)")
        XCTAssertTrue(reset[0].message.contains("counted less than before"), reset[0].message)
    }

    func testCountersAreObservationsNotContent() throws {
        let store = try InventoryStore.inMemory()
        let a = try store.store(try observed(0, vfRx: 1_000, vfDropped: 0))
        let b = try store.store(try observed(60, vfRx: 21_000, vfDropped: 5))
        guard case .new(let first) = a, case .unchanged(let same) = b else { return XCTFail("\(a) \(b)") }
        XCTAssertEqual(first, same, "new counters alone make no new snapshot")
        let earlier = try store.snapshot(of: "kvm-01", at: Date(timeIntervalSince1970: 1_790_000_030))
        XCTAssertEqual(earlier.counters?.vfs.first?.rxPackets, 1_000, "each observation keeps its own counters")
        XCTAssertEqual(try store.snapshot(of: "kvm-01").counters?.vfs.first?.rxDropped, 5)
    }
}
