import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// The data plane end to end: a fleet database with two observations of three hosts (the igb
/// capture with the guest's real `ethtool -k`, counters and devlink planted on the snapshot),
/// audited by the CLI in every format the issue names: the findings, the Prometheus counters
/// (promtool), the JSON (its schema) and the HTML (headless Chromium).
final class DataPlaneCommandTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = Fixtures.temporaryDirectory("dataplane")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func host(_ name: String, at seconds: TimeInterval, rx: UInt64, dropped: UInt64, lro: Bool) throws -> HostSnapshot {
        var s = try Collector(options: .init(hostname: name, now: { Date(timeIntervalSince1970: seconds) }))
            .collectCapture(at: Fixtures.path(ConsumerFixtures.base))
        let text = try String(contentsOfFile: Fixtures.path("dataplane/qemu-igb/ethtool-k-eth1.txt"), encoding: .utf8)
        guard case .features(var f) = EthtoolFeaturesText.parse(text), let eth1 = s.interfaces.firstIndex(where: { $0.name == "eth1" }) else {
            throw TestDatabaseError("eth1 features")
        }
        if lro { f = NetdevFeatures(on: f.on + ["rx-lro"], off: f.off.filter { $0 != "rx-lro" }, fixed: f.fixed.filter { $0 != "rx-lro" }) } else {
            f = NetdevFeatures(on: f.on, off: f.off, fixed: f.fixed.filter { $0 != "rx-lro" })
        }
        s.interfaces[eth1].features = f
        s.devlink = [DevlinkDevice(bus: "pci", device: "0000:04:00.0", driver: "igb", eswitchMode: "legacy",
                                   running: [DevlinkVersion(name: "fw", value: "2.1.0")], stored: [DevlinkVersion(name: "fw", value: "2.1.0")])]
        var vf = VFCounters(source: "netlink", interface: "eth1", index: 0, address: PCIAddress("0000:04:10.0"))
        (vf.rxPackets, vf.txPackets, vf.rxBytes, vf.txBytes, vf.rxDropped, vf.txDropped) = (rx, 500, rx * 100, 50_000, dropped, 0)
        s.counters = CounterObservation(links: [LinkCounters(interface: "eth1", address: PCIAddress("0000:04:00.0"), rxPackets: rx, txPackets: 500)], vfs: [vf])
        return s
    }

    func testAuditOfTheDataPlaneInEveryFormat() throws {
        let db = dir + "/inventory.db"
        let store = try InventoryStore(path: db)
        for (n, name) in ["kvm-01", "kvm-02", "kvm-03"].enumerated() {
            try store.store(try host(name, at: 1_795_000_000, rx: 1_000, dropped: 0, lro: n == 1))
            // kvm-03's VF dropped 2% of what it received in the minute between the two collections.
            try store.store(try host(name, at: 1_795_000_060, rx: 11_000, dropped: n == 2 ? 200 : 1, lro: n == 1))
        }
        let rules = dir + "/rules.yaml"
        try """
            rules:
              - {id: vf-drops, check: vf-counters, severity: high}
              - {id: offloads, check: offload-aligned, severity: medium}
              - {id: fw-pending, check: firmware-pending, severity: medium}
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let out = dir + "/reports"
        let run = try CLI.run(["audit", "--db", db, "--rules", rules, "--format", "json,prom,html", "--out", out])
        XCTAssertEqual(run.status, 1, "kvm-03's drops are high: \(run.stderr)")

        let json = try Data(contentsOf: URL(fileURLWithPath: out + "/latest.json"))
        try CLI.validate(json, schema: CLI.reportSchema)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let problems = (report["findings"] as? [[String: Any]] ?? []).filter { $0["status"] as? String != "pass" }
            .map { "\($0["host"] ?? "") \($0["rule"] ?? "") \($0["bdf"] ?? "-")" }.sorted()
        XCTAssertEqual(problems, ["kvm-02 offloads 0000:04:00.0", "kvm-03 vf-drops 0000:04:10.0"])
        let hosts = report["hosts"] as? [[String: Any]] ?? []
        XCTAssertEqual(hosts.map { $0["featureDrift"] as? Int }, [0, 1, 0])
        let counters = try XCTUnwrap(hosts.last?["vfCounters"] as? [[String: Any]])
        XCTAssertEqual(counters.first?["vf"] as? String, "0000:04:10.0")
        XCTAssertEqual(counters.first?["rxDropped"] as? Int, 200)

        let prom = try String(contentsOfFile: out + "/latest.prom", encoding: .utf8)
        XCTAssertTrue(prom.contains("# TYPE sriov_audit_vf_rx_dropped_total counter\n"), prom)
        XCTAssertTrue(prom.contains("sriov_audit_vf_rx_dropped_total{host=\"kvm-03\",pf_interface=\"eth1\",vf=\"0000:04:10.0\"} 200\n"), prom)
        XCTAssertTrue(prom.contains("sriov_audit_vf_rx_packets_total{host=\"kvm-01\",pf_interface=\"eth1\",vf=\"0000:04:10.0\"} 11000\n"))
        XCTAssertTrue(prom.contains("sriov_audit_offload_drift_interfaces{host=\"kvm-02\"} 1\n"), prom)
        if toolExists("promtool") {
            let check = try shell("promtool", ["check", "metrics"], input: Data(prom.utf8))
            XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
            XCTAssertEqual(check.stdout + check.stderr, "", "no lint remarks")
        } else {
            print("SKIPPED: promtool (Debian's prometheus) is not installed")
        }

        let html = try String(contentsOfFile: out + "/latest.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Data plane</h2>"))
        XCTAssertEqual(html.components(separatedBy: "<tr class=\"data-plane\"").count - 1, 3, "one VF row per host")
        if let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: toolExists) {
            let dom = try shell(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir)/chromium", "--dump-dom", "file://" + out + "/latest.html"])
            XCTAssertEqual(dom.status, 0, dom.stderr)
            XCTAssertTrue(dom.stdout.contains("id=\"data-plane-table\""))
            XCTAssertTrue(dom.stdout.contains("<b class=\"conflict\">1</b>"), "kvm-02's drift is marked")
        } else {
            print("SKIPPED: chromium is not installed")
        }
    }

    /// A snapshot with every new field validates against the snapshot schema, and the streaming
    /// writer prints what the encoder prints.
    func testSnapshotWithTheDataPlaneValidatesAndStreamsLikeTheEncoder() throws {
        var snapshot = try host("kvm-01", at: 1_795_000_000, rx: 5, dropped: 1, lro: false)
        snapshot.interfaces[0].duplex = "full"
        let encoded = try HostSnapshot.makeEncoder().encode(snapshot)
        try CLI.validate(encoded)
        XCTAssertEqual(SnapshotJSONWriter.encode(snapshot), Array(encoded))
        XCTAssertEqual(try HostSnapshot(jsonBytes: Array(encoded)), snapshot)
    }
}
