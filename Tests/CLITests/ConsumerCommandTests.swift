@testable import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// The consumer view through the commands an operator runs: `capture` copies the files verbatim,
/// `collect` shows the OWNER of each VF, `audit` finds the planted conflict, and every JSON form
/// validates against its schema.
final class ConsumerCommandTests: XCTestCase {
    private var cleanup: [String] = []

    override func tearDown() {
        for path in cleanup { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The igb capture with one guest on 04:10.4 running, a second defined on the same VF, a pod on
    /// 04:10.2, a device plugin pool and the Neutron guide's Nova whitelist.
    private func host() throws -> String {
        let root = try ConsumerFixtures.host(try ConsumerFixtures.exampleFiles(), name: "kvm-7")
        cleanup.append(root)
        return root
    }

    func testCollectShowsTheOwnerOfEachVF() throws {
        let root = try host()
        let table = try CLI.run(["collect", "--root", root])
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows.contains { $0.contains("0000:04:10.2") && $0.hasSuffix("pod 5f3c9a2e-0000-4000-8000-000000000001/app") }, table.stdout)
        XCTAssertTrue(rows.contains { $0.contains("0000:04:10.4") && $0.hasSuffix("vm web-3 (off) + vm QEMUGuest2") }, table.stdout)
        XCTAssertTrue(rows.contains { $0.contains("0000:04:10.0") && $0.hasSuffix(" -") }, table.stdout)
        XCTAssertTrue(table.stdout.contains("  pool intel.com/igb (device-plugin, netDevice)  /etc/pcidp/config.json"), table.stdout)

        let json = try CLI.run(["collect", "--root", root, "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        try CLI.validate(json.stdoutData)
        let snapshot = try HostSnapshot(jsonBytes: Array(json.stdoutData))
        XCTAssertEqual(snapshot.virtualFunctions.first { $0.address == PCIAddress("0000:04:10.4") }?.consumers.map(\.name), ["web-3", "QEMUGuest2"])
        XCTAssertEqual(try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: json.stdoutData), snapshot, "both decoders read the consumers")
    }

    func testAuditReportsThePlantedConflictInEveryFormat() throws {
        let root = try host()
        let out = Fixtures.temporaryDirectory("consumer-reports")
        cleanup.append(out)
        let result = try CLI.run(["audit", "--root", root])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let files = try CLI.run(["audit", "--root", root, "--format", "json,html", "--out", out])
        XCTAssertEqual(files.status, 1, files.stdout + files.stderr)
        XCTAssertTrue(result.stdout.contains("0000:04:10.4 is claimed by 2 consumers (only one can have it at a time): vm web-3, not running (/etc/libvirt/qemu/web-3.xml); vm QEMUGuest2, running (/etc/libvirt/qemu/QEMUGuest2.xml)"), result.stdout)
        let report = try Data(contentsOf: URL(fileURLWithPath: out + "/latest.json"))
        try CLI.validate(report, schema: CLI.reportSchema)
        let decoded = try JSONSerialization.jsonObject(with: report) as? [String: Any]
        let hosts = decoded?["hosts"] as? [[String: Any]]
        let consumers = hosts?.first?["consumers"] as? [[String: Any]]
        XCTAssertEqual(consumers?.map { $0["name"] as? String }, ["pod 5f3c9a2e-0000-4000-8000-000000000001/app", "vm web-3", "vm QEMUGuest2"])
        let html = try String(contentsOfFile: out + "/latest.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>VFs by consumer</h2>"))
        XCTAssertTrue(html.contains("<td>vm web-3</td><td>libvirt-domain</td><td>not running</td><td><b class=\"conflict\""), html)
    }

    /// `history --changes` and `diff` tell a guest's departure in words.
    func testHistoryAndDiffShowConsumerChanges() throws {
        let root = try host()
        let db = Fixtures.temporaryDirectory("consumer-history") + "/inventory.db"
        cleanup.append((db as NSString).deletingLastPathComponent)
        XCTAssertEqual(try CLI.run(["collect", "--root", root, "--host", "kvm-7", "--store", "--db", db]).status, 0)
        try FileManager.default.removeItem(atPath: root + "/files/etc/libvirt/qemu/web-3.xml")
        XCTAssertEqual(try CLI.run(["collect", "--root", root, "--host", "kvm-7", "--store", "--db", db]).status, 0)
        let history = try CLI.run(["history", "kvm-7", "--db", db, "--changes"])
        XCTAssertEqual(history.status, 0, history.stderr)
        XCTAssertTrue(history.stdout.contains(": 1 change(s)\n  VF 0000:04:10.4 no longer used by vm web-3\n"), history.stdout)
        let diff = try CLI.run(["diff", "kvm-7", "--db", db])
        XCTAssertTrue(diff.stdout.hasSuffix("1 change(s)\n  VF 0000:04:10.4 no longer used by vm web-3\n"), diff.stdout)
        let json = try CLI.run(["history", "kvm-7", "--db", db, "--changes", "--format", "json"])
        let entries = try JSONSerialization.jsonObject(with: json.stdoutData) as? [[String: Any]]
        XCTAssertEqual((entries?.last?["changes"] as? [[String: Any]])?.map { $0["kind"] as? String }, ["consumerRemoved"])
    }

    /// `capture` copies each consumer file verbatim under files/<host path> (here from a tree in
    /// place of `/`), keeps libvirt's empty status folder, and reads back the same consumers.
    func testCaptureCopiesTheConsumerFilesVerbatim() throws {
        let tree = Fixtures.temporaryDirectory("consumer-tree")
        cleanup.append(tree)
        let domain = try ConsumerFixtures.text("libvirt/net-virtio-teaming.xml")
        let checkpoint = try ConsumerFixtures.text("kubernetes/kubelet_internal_checkpoint.multus-test")
        let nova = try ConsumerFixtures.text("openstack/nova.conf.pci-examples")
        try FixtureBuilder.write(tree, "etc/libvirt/qemu/QEMUGuest1.xml", domain)
        try FixtureBuilder.write(tree, "etc/libvirt/qemu/notes.txt", "not a domain")
        try FixtureBuilder.write(tree, "var/lib/kubelet/device-plugins/kubelet_internal_checkpoint", checkpoint)
        try FixtureBuilder.write(tree, "etc/nova/nova.conf", nova)
        try FixtureBuilder.write(tree, "etc/NetworkManager/system-connections/eth1.nmconnection",
                                 ConsumerFixtures.networkManagerKeyfile(interface: "eth1", totalVFs: 3, vfs: ["mac=02:00:00:00:10:01 vlans=100"]))
        try FileManager.default.createDirectory(atPath: tree + "/run/libvirt/qemu", withIntermediateDirectories: true)
        let out = Fixtures.temporaryDirectory("consumer-capture") + "/capture"
        cleanup.append((out as NSString).deletingLastPathComponent)
        var writer = CaptureWriter(output: out, fileRoot: tree)
        _ = try writer.write(hostname: "captured")
        XCTAssertEqual(try String(contentsOfFile: out + "/files/etc/libvirt/qemu/QEMUGuest1.xml", encoding: .utf8), domain)
        XCTAssertEqual(try String(contentsOfFile: out + "/files/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint", encoding: .utf8), checkpoint)
        XCTAssertEqual(try String(contentsOfFile: out + "/files/etc/nova/nova.conf", encoding: .utf8), nova)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/files/etc/libvirt/qemu/notes.txt"))
        let keyfile = try String(contentsOfFile: out + "/files/etc/NetworkManager/system-connections/eth1.nmconnection", encoding: .utf8)
        XCTAssertTrue(keyfile.contains("[sriov]\ntotal-vfs=3\nvf.0=mac=02:00:00:00:10:01 vlans=100\n"), keyfile)
        XCTAssertFalse(keyfile.contains("s3cr3t"), "a keyfile's secrets stay on the host")
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/files/run/libvirt/qemu", isDirectory: &isDirectory) && isDirectory.boolValue)

        let snapshot = try Collector().collectCapture(at: out)
        let inventory = try XCTUnwrap(snapshot.consumers)
        XCTAssertEqual(inventory.sources.filter { $0.kind != .hugepages }.map(\.path),
                       ["/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint", "/etc/nova/nova.conf", "/etc/libvirt/qemu/QEMUGuest1.xml",
                        "/etc/NetworkManager/system-connections/eth1.nmconnection"])
        XCTAssertEqual(ConsumerPlacement.declarations(of: snapshot).map(\.numVFs), [3])
        XCTAssertEqual(ConsumerPlacement.claims(of: snapshot).filter { $0.kind == .libvirtDomain }.map(\.running), [false, false],
                       "the status folder was captured empty: defined, not running")
    }

    func testUnreadableAndMalformedFilesAreWarningsNamingThem() throws {
        let root = try ConsumerFixtures.host([
            "/etc/pcidp/config.json": try ConsumerFixtures.text("kubernetes/config.json.readme"),
            "/etc/nova/nova.conf": "[pci]\ndevice_spec = {\"devname\": \"eth1\"\n",
            "/etc/libvirt/qemu/ok.xml": ConsumerFixtures.retarget(try ConsumerFixtures.text("libvirt/hostdev-pci-address.xml"), to: ["0000:04:10.4"]),
        ])
        cleanup.append(root)
        let snapshot = try CLI.snapshot(["--root", root])
        let warnings = snapshot.warnings.filter { $0.kind == .malformed }.map(\.description)
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("malformed: /etc/pcidp/config.json:87: device-plugin-config: not valid JSON") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("malformed: /etc/nova/nova.conf:2: nova-config: [pci] device_spec: not valid JSON") }, "\(warnings)")
        // The rest is still read.
        XCTAssertEqual(ConsumerPlacement.claims(of: snapshot).map(\.address.description), ["0000:04:10.4"])
        XCTAssertEqual(snapshot.consumers?.sources.map(\.kind), [.libvirtDomain])
    }
}
