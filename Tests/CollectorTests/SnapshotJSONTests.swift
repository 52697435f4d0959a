import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// The fast snapshot reader and Codable's decoder must agree on every document, good or bad.
final class SnapshotJSONTests: XCTestCase {
    private func snapshots() throws -> [HostSnapshot] {
        var result = try Fixtures.qemuStages.map { try Collector().collectCapture(at: $0.path) }
        let ghw = try FixtureBuilder.ghwCapture("xeon-L5640-i350-4vfs-per-pf__pr230-9058f61.tar.gz")
        defer { try? FileManager.default.removeItem(atPath: ghw) }
        result.append(try Collector().collectCapture(at: ghw))
        result.append(FleetBuilder(base: result[1]).host(42))
        let cut = try FixtureBuilder.ipLinkOnly(Fixtures.path("qemu/netdevsim-large/capture"))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        result.append(try Collector().collectCapture(at: cut))  // partial VF tables
        // Every consumer source: claims on VFs and elsewhere, pools, Nova, Neutron, declarations, huge pages.
        var files = try ConsumerFixtures.exampleFiles()
        files["/etc/nmstate/eth1.yml"] = try ConsumerFixtures.text("declared/eth1_with_sriov.yml")
        files["/etc/nmstate/eth0.yml"] = try ConsumerFixtures.text("declared/eth0_with_sriov.yml")
        files["/etc/neutron/plugins/ml2/sriov_agent.ini"] = try ConsumerFixtures.text("openstack/sriov_agent.ini.neutron-guide")
        files["/etc/libvirt/qemu/networks/hostdev.xml"] = try ConsumerFixtures.text("libvirt/network-hostdev.xml")
        files["/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint"] = try ConsumerFixtures.text("kubernetes/kubelet_internal_checkpoint.multus-test")
        files.merge(ConsumerFixtures.hugepages(node: 0, total: 8, free: 2)) { a, _ in a }
        let consumers = try ConsumerFixtures.host(files)
        defer { try? FileManager.default.removeItem(atPath: consumers) }
        let withConsumers = try Collector().collectCapture(at: consumers)
        XCTAssertNotNil(withConsumers.consumers)
        result.append(withConsumers)
        return result
    }

    func testBothDecodersAgreeOnEveryFixture() throws {
        for snapshot in try snapshots() {
            for pretty in [true, false] {
                let data = try HostSnapshot.makeEncoder(pretty: pretty).encode(snapshot)
                let fast = try HostSnapshot(jsonBytes: Array(data))
                let codable = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: data)
                XCTAssertEqual(fast, codable, snapshot.host.hostname)
                XCTAssertEqual(fast, snapshot, snapshot.host.hostname)
            }
        }
    }

    /// The hand-written writer of `collect --format json`, pushes and the server prints what the
    /// encoder prints, byte for byte: on every real capture, and on a variant where every optional
    /// member is present and strings carry every character the escaping treats specially.
    func testStreamingWriterPrintsWhatTheEncoderPrints() throws {
        var all = try snapshots()
        var full = all[1]
        full.source.path = "/captures/a\\b/\"quoted\"/slash/"
        full.host.kernelCommandLine = "tab\there nl\n cr\r bs\u{08} ff\u{0C} nul\u{00} esc\u{1B} del\u{7F} é ✓ \u{2028}"
        full.iommu.units = ["dmar0", "dmar1"]
        full.iommu.enabled = true
        full.iommuGroups.append(IOMMUGroup(id: 99, type: "DMA-FQ", name: "vfio-noiommu", members: [], otherMembers: ["platform:x"]))
        full.warnings.append(CollectionWarning(.inconsistent, subject: "/sys/x", message: "a \"b\" c"))
        for n in full.pciDevices.indices {
            full.pciDevices[n].driverOverride = "vfio-pci"
            full.pciDevices[n].link = full.pciDevices[n].link ?? PCIeLink(currentSpeed: "5GT/s", currentWidth: 4, maxSpeed: "8GT/s", maxWidth: 8)
            full.pciDevices[n].acsCapability = ACSCapability(offset: 0x1a0, capability: ACSFlags(rawValue: 0x5f), control: ACSFlags(rawValue: 0x15))
        }
        for n in full.interfaces.indices {
            full.interfaces[n].vfTableShortfall = VFTableShortfall(expected: 8, expectedSource: "IFLA_NUM_VF", received: 7)
            full.interfaces[n].driverInfo?.expansionROMVersion = "1.2"
            for v in full.interfaces[n].vfs.indices {
                full.interfaces[n].vfs[v].vlanProtocol = "802.1ad"
                full.interfaces[n].vfs[v].minTxRate = 10
                full.interfaces[n].vfs[v].maxTxRate = 1_000
                full.interfaces[n].vfs[v].txRate = -1
                full.interfaces[n].vfs[v].rssQuery = false
            }
        }
        all.append(full)
        all.append(HostSnapshot(toolVersion: "0", collectedAt: Date(timeIntervalSince1970: 0), source: .init(kind: .live),
                                host: .init(hostname: "empty"), iommu: .init(enabled: nil, units: nil, groupCount: 0, commandLineOptions: []),
                                iommuGroups: [], pciDevices: [], interfaces: [], physicalFunctions: [], warnings: []))
        for snapshot in all {
            for pretty in [true, false] {
                let expected = Array(try HostSnapshot.makeEncoder(pretty: pretty).encode(snapshot))
                let text = String(decoding: expected, as: UTF8.self)
                XCTAssertEqual(String(decoding: SnapshotJSONWriter.encode(snapshot, pretty: pretty), as: UTF8.self), text,
                               "\(snapshot.host.hostname) pretty=\(pretty)")
                var streamed: [UInt8] = []
                var chunks = 0
                SnapshotJSONWriter.write(snapshot, pretty: pretty) { streamed += $0; chunks += 1 }
                XCTAssertEqual(String(decoding: streamed, as: UTF8.self), text + "\n", "\(snapshot.host.hostname) pretty=\(pretty), streamed")
                XCTAssertLessThanOrEqual(chunks, expected.count / (1 << 16) + 2, "written in chunks of about 64 KiB")
            }
        }
        XCTAssertTrue(String(decoding: SnapshotJSONWriter.encode(full), as: UTF8.self).contains(#""kernelCommandLine" : "tab\there nl\n cr\r bs\b ff\f nul\u0000 esc\u001b"#))
    }

    func testBothDecodersRefuseBrokenDocuments() throws {
        let good = String(decoding: try HostSnapshot.makeEncoder(pretty: false).encode(try snapshots()[1]), as: UTF8.self)
        let broken = [
            String(good.prefix(good.count / 2)),                                           // truncated
            good.replacingOccurrences(of: "\"schemaVersion\":1", with: "\"schemaVersion\":\"1\""),  // wrong type
            good.replacingOccurrences(of: "\"address\":\"0000:04:00.0\"", with: "\"address\":\"04:00\""),  // bad address
            good.replacingOccurrences(of: "\"vendorID\":\"8086\",", with: ""),           // missing required key
            good.replacingOccurrences(of: "\"mtu\":1500", with: "\"mtu\":1500.5"),         // fraction in an integer
            good.replacingOccurrences(of: "\"kind\":\"capture\"", with: "\"kind\":\"satellite\""),  // unknown enum
            good + " trailing",
            "[]", "", "{\"schemaVersion\": 1",
        ]
        for (n, text) in broken.enumerated() {
            XCTAssertNotEqual(text, good, "case \(n) must change the document")
            XCTAssertThrowsError(try HostSnapshot(jsonBytes: Array(text.utf8)), "fast reader accepted case \(n)")
            XCTAssertThrowsError(try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: Data(text.utf8)), "Codable accepted case \(n)")
        }
        // Unknown keys and escapes are fine for both.
        let extended = good.replacingOccurrences(of: "{\"collectedAt\"", with: "{\"future\":{\"x\":[1,2.5e3,null,\"\\u00e9\\n\"]},\"collectedAt\"")
        XCTAssertEqual(try HostSnapshot(jsonBytes: Array(extended.utf8)), try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: Data(extended.utf8)))
        XCTAssertNotEqual(extended, good)
    }
}
