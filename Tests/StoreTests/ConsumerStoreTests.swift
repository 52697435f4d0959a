import Collector
import Foundation
import Inventory
@testable import Store
import TestSupport
import XCTest

/// The consumer view through the store (SQLite and, when configured, PostgreSQL): every claim,
/// pool, spec, declaration and huge page count comes back placed as the collector placed it, the
/// content digest of a host without consumers is what it was, and `diff` speaks of consumers.
final class ConsumerStoreTests: XCTestCase {
    private let guestPath = "/etc/libvirt/qemu/QEMUGuest1.xml"

    /// Every consumer source at once, on the igb/NVMe capture.
    private func everything() throws -> [String: String] {
        let guest = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml"), to: ["0000:04:10.0", "0000:04:10.4"])
        var files = [
            guestPath: guest,
            "/run/libvirt/qemu/QEMUGuest1.xml": ConsumerFixtures.status(guest),
            "/etc/libvirt/qemu/QEMUGuest2.xml": try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"),
            "/etc/libvirt/qemu/networks/hostdev.xml": try ConsumerFixtures.text("libvirt/network-hostdev.xml"),
            "/etc/pcidp/config.json": try ConsumerFixtures.text("kubernetes/config.json.node0"),
            "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint": try ConsumerFixtures.text("kubernetes/kubelet_internal_checkpoint.multus-test"),
            "/var/run/k8s.cni.cncf.io/devinfo/dp/intel.com-sriov_net_A-0000:03:02.3-device.json":
                #"{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:03:02.3"}}"#,
            "/etc/nova/nova.conf": try ConsumerFixtures.text("openstack/nova.conf.pci-examples"),
            "/etc/neutron/plugins/ml2/sriov_agent.ini": try ConsumerFixtures.text("openstack/sriov_agent.ini.neutron-guide"),
            "/etc/nmstate/eth1.yml": try ConsumerFixtures.text("declared/eth1_with_sriov.yml"),
            "/etc/nmstate/eth0.yml": try ConsumerFixtures.text("declared/eth0_with_sriov.yml"),
        ]
        files.merge(ConsumerFixtures.hugepages(total: 512, free: 384)) { a, _ in a }
        files.merge(ConsumerFixtures.hugepages(node: 0, total: 512, free: 384)) { a, _ in a }
        return files
    }

    private func collect(_ files: [String: String], at seconds: TimeInterval = 1_795_000_000) throws -> HostSnapshot {
        var s = try Collector(options: .init(hostname: "kvm-1", now: { Date(timeIntervalSince1970: seconds) })).collectCapture(at: try ConsumerFixtures.host(files))
        s.source = SnapshotSource(kind: .capture, path: "/somewhere")
        return s
    }

    func testEverySourceIsPlacedAndSurvivesTheStore() throws {
        let snapshot = try collect(try everything())
        let inventory = try XCTUnwrap(snapshot.consumers)
        XCTAssertEqual(inventory.sources.count, 12, "\(inventory.sources)")
        let igb = try XCTUnwrap(snapshot.physicalFunctions.first { $0.address == PCIAddress("0000:04:00.0") })
        XCTAssertEqual(igb.virtualFunctions.map { $0.consumers.map(\.name) }, [["QEMUGuest1"], [], ["QEMUGuest1"]])
        XCTAssertEqual(igb.virtualFunctions[0].consumers.first?.sources, [guestPath, "/run/libvirt/qemu/QEMUGuest1.xml"])
        XCTAssertEqual(igb.virtualFunctions[0].consumers.first?.running, true)
        XCTAssertEqual(igb.declared?.interface, "eth1")
        XCTAssertEqual(inventory.otherClaims.map(\.address.description), ["0000:03:02.0", "0000:03:02.3", "0000:06:12.5"])
        XCTAssertEqual(inventory.otherClaims.last?.running, false, "defined only, and the status directory was read")
        XCTAssertEqual(inventory.otherDeclarations.map(\.interface), ["eth0"])
        XCTAssertEqual(inventory.hugepages.count, 2)
        XCTAssertEqual(inventory.pools.map(\.name), ["intel.com/sriovnics", "hostdev"], "single files first, then folders")

        try TestDatabase.each("consumers") { db in
            let store = try db.open()
            _ = try store.store(snapshot, labels: [:])
            XCTAssertEqual(try store.snapshot(of: "kvm-1"), snapshot, "\(db)")
            XCTAssertEqual(try store.read { Int(try $0.integer("SELECT count(*) FROM consumer_claims") ?? -1) }, 5)
            // Audit facts carry the consumers too, and the report lists them.
            let facts = AuditFacts(snapshot: snapshot)
            XCTAssertEqual(try AuditFacts(encoded: facts.encoded()), facts)
            let claims = try store.consumerClaims(of: [1])
            XCTAssertEqual(claims[1]?.map(\.address.description), ["0000:03:02.0", "0000:03:02.3", "0000:04:10.0", "0000:04:10.4", "0000:06:12.5"])
        }
    }

    func testAHostWithoutConsumersKeepsItsDigest() throws {
        let plain = try Collector(options: .init(now: { Date(timeIntervalSince1970: 1_795_000_000) })).collectCapture(at: Fixtures.path(ConsumerFixtures.base))
        XCTAssertNil(plain.consumers)
        XCTAssertTrue(plain.virtualFunctions.allSatisfy(\.consumers.isEmpty))
        // Consumer tables join the digest only when they have rows: a snapshot stored before they
        // existed has the digest it had.
        let rows = SnapshotRows(plain)
        for table in rows.tables where ConsumerRows.tables.contains(where: { $0.name == table.name }) {
            XCTAssertTrue(table.rows.isEmpty, table.name)
            XCTAssertTrue(SnapshotRows.laterTables.contains(table.name), table.name)
        }
        XCTAssertFalse(String(decoding: SnapshotJSONWriter.encode(plain), as: UTF8.self).contains("consumers"))
    }

    func testDiffSpeaksOfConsumers() throws {
        let guest = ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), to: ["0000:04:10.2"])
        let before = try collect(["/etc/libvirt/qemu/QEMUGuest2.xml": guest, "/etc/nmstate/eth1.yml": try ConsumerFixtures.text("declared/eth1_with_sriov.yml")])
        let web3 = ConsumerFixtures.renamed(ConsumerFixtures.retarget(guest, to: ["0000:04:10.4"]), name: "web-3", uuid: "11111111-2222-3333-4444-555555555555")
        let after = try collect(["/etc/libvirt/qemu/web-3.xml": web3, "/run/libvirt/qemu/web-3.xml": ConsumerFixtures.status(web3),
                                 "/etc/nmstate/eth1.yml": try ConsumerFixtures.text("declared/eth1_with_sriov.yml").replacingOccurrences(of: "total-vfs: 1", with: "total-vfs: 3")],
                                at: 1_795_000_600)
        let changes = SnapshotDiff.changes(from: before, to: after)
        XCTAssertEqual(changes.map(\.message), [
            "VF 0000:04:10.2 no longer used by vm QEMUGuest2",
            "VF 0000:04:10.4 now used by vm web-3",
            "declared VFs on eth1: 1 → 3 (/etc/nmstate/eth1.yml)",
        ])
        // From a snapshot made before consumers were read: one line, not one per claim.
        let old = try Collector(options: .init(hostname: "kvm-1")).collectCapture(at: Fixtures.path(ConsumerFixtures.base))
        XCTAssertEqual(SnapshotDiff.changes(from: old, to: after).filter { $0.kind == .consumerSourcesChanged }.map(\.message),
                       ["consumer sources now read: libvirt-domain, libvirt-status, nmstate"])
    }
}
