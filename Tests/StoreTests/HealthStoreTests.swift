import Collector
import Foundation
import Inventory
@testable import Store
import TestSupport
import XCTest

/// The data plane through the store (SQLite and, when configured, PostgreSQL): features, duplex
/// and devlink come back exactly as content; counters come back per observation, make no new
/// snapshot, do not show in `diff`, are copied by `migrate` and pruned with their observation.
final class HealthStoreTests: XCTestCase {
    /// The igb/NVMe capture with the guest's real `ethtool -k` of eth1 and eth2, devlink on the
    /// PF (a flashed image waiting), and counters.
    private func snapshot(at seconds: TimeInterval, rx: UInt64 = 1_000) throws -> HostSnapshot {
        var s = try Collector(options: .init(hostname: "kvm-1", now: { Date(timeIntervalSince1970: seconds) }))
            .collectCapture(at: Fixtures.path(ConsumerFixtures.base))
        s.source = SnapshotSource(kind: .capture, path: "/somewhere")
        for name in ["eth1", "eth2"] {
            let text = try String(contentsOfFile: Fixtures.path("dataplane/qemu-igb/ethtool-k-\(name).txt"), encoding: .utf8)
            guard case .features(let f) = EthtoolFeaturesText.parse(text), let i = s.interfaces.firstIndex(where: { $0.name == name }) else {
                throw TestDatabaseError("no features for \(name)")
            }
            s.interfaces[i].features = f
            s.interfaces[i].duplex = "full"
        }
        s.devlink = [
            DevlinkDevice(bus: "pci", device: "0000:04:00.0", driver: "igb", serialNumber: "00-1b-21-ff-ff-3a-b4-9c", eswitchMode: "legacy",
                          eswitchInlineMode: "none", eswitchEncapMode: "basic",
                          fixed: [DevlinkVersion(name: "board.id", value: "E66560-002")],
                          running: [DevlinkVersion(name: "fw", value: "2.1.0"), DevlinkVersion(name: "fw.mgmt", value: "1.2")],
                          stored: [DevlinkVersion(name: "fw", value: "2.3.0")]),
            DevlinkDevice(bus: "netdevsim", device: "netdevsim10", driver: "netdevsim"),
        ]
        var vf = VFCounters(source: "netlink", interface: "eth1", index: 0, address: PCIAddress("0000:04:10.0"))
        (vf.rxPackets, vf.txPackets, vf.rxDropped) = (rx, 20, 3)
        var sysfs = VFCounters(source: "sysfs", interface: "eth1", index: 2, address: PCIAddress("0000:04:10.4"))
        sysfs.txBytes = UInt64(Int64.max) + 7  // past SQL's signed range: clamped, never negative
        s.counters = CounterObservation(links: [LinkCounters(interface: "lo", rxPackets: 4),
                                                LinkCounters(interface: "eth1", address: PCIAddress("0000:04:00.0"), rxPackets: rx, rxErrors: 2)],
                                        vfs: [vf, sysfs])
        return s
    }

    func testTheDataPlaneSurvivesTheStoreAndCountersStayWithTheirObservation() throws {
        let first = try snapshot(at: 1_795_000_000)
        let second = try snapshot(at: 1_795_000_060, rx: 9_000)
        try TestDatabase.each("health") { db in
            let store = try db.open()
            guard case .new(let id) = try store.store(first) else { return XCTFail("\(db): not new") }
            XCTAssertEqual(try store.store(second), .unchanged(snapshotID: id), "\(db): counters alone are no new content")
            var expected = first
            expected.counters?.vfs[1].txBytes = UInt64(Int64.max)
            XCTAssertEqual(try store.snapshot(of: "kvm-1", at: Date(timeIntervalSince1970: 1_795_000_030)), expected, "\(db)")
            let latest = try store.snapshot(of: "kvm-1")
            XCTAssertEqual(latest.counters?.links.map(\.rxPackets), [4, 9_000], "\(db)")
            XCTAssertEqual(latest.devlink?.first?.pendingVersions.first?.stored, "2.3.0")
            XCTAssertEqual(latest.interface(named: "eth1")?.features, first.interface(named: "eth1")?.features)
            XCTAssertTrue(SnapshotDiff.changes(from: try store.snapshot(of: "kvm-1", at: Date(timeIntervalSince1970: 1_795_000_030)), to: latest).isEmpty,
                          "\(db): diff ignores counters")

            // A feature turned off is content: a new snapshot, and the fleet query sees it.
            var third = try snapshot(at: 1_795_000_120)
            let eth1 = try XCTUnwrap(third.interfaces.firstIndex { $0.name == "eth1" })
            third.interfaces[eth1].features = NetdevFeatures(on: third.interfaces[eth1].features!.on.filter { $0 != "rx-gro" },
                                                             off: third.interfaces[eth1].features!.off + ["rx-gro"],
                                                             fixed: third.interfaces[eth1].features!.fixed)
            guard case .new(let newID) = try store.store(third) else { return XCTFail("\(db): a feature change is new content") }
            XCTAssertEqual(SnapshotDiff.changes(from: latest, to: try store.snapshot(of: "kvm-1")).map(\.message), ["eth1: rx-gro off"], "\(db)")
            XCTAssertEqual(try store.interfaceFeatures(of: [newID])[newID]?["eth1"]?.isOn("rx-gro"), false)
            let histories = try store.counterHistories([(newID, Date(timeIntervalSince1970: 1_795_000_120))])
            XCTAssertEqual(histories[0]?.previous?.links.last?.rxPackets, 9_000, "the observation before, whatever its snapshot")
            XCTAssertEqual(histories[0]?.vfsOfPF[PCIAddress("0000:04:00.0")!]?.count, 3)

            // `migrate` copies counters with their observations; prune drops them with theirs.
            let copy = try InventoryStore.inMemory()
            let summary = try store.copy(to: copy)
            XCTAssertEqual(summary.observations, 3)
            XCTAssertEqual(try copy.snapshot(of: "kvm-1", at: Date(timeIntervalSince1970: 1_795_000_070)).counters, latest.counters)
            _ = try store.prune(keepDays: 1, now: Date(timeIntervalSince1970: 1_795_000_120 + 3 * 86_400))
            let left = try store.read { try $0.integer("SELECT count(*) FROM link_counters", []) }
            XCTAssertEqual(left, 2, "\(db): only the kept (latest) observation's two links")
        }
    }
}
