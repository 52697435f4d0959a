import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

final class SnapshotDiffTests: XCTestCase {
    private func igb() throws -> HostSnapshot {
        try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
    }

    func testDriftInWords() throws {
        let old = try igb()
        var new = old
        let p = try XCTUnwrap(new.physicalFunctions.firstIndex { $0.address.description == "0000:04:00.0" })
        new.physicalFunctions[p].driverInfo?.firmwareVersion = "2.2.0"
        new.physicalFunctions[p].numVFs = 2
        new.physicalFunctions[p].virtualFunctions[1].config?.mac = "02:00:00:00:20:02"
        new.physicalFunctions[p].virtualFunctions[1].config?.trust = false
        new.physicalFunctions[p].virtualFunctions[0].config?.vlan = 300
        new.physicalFunctions[p].virtualFunctions.removeLast()
        let vf1 = try XCTUnwrap(new.pciDevices.firstIndex { $0.address.description == "0000:04:10.2" })
        new.pciDevices[vf1].driver = "vfio-pci"
        new.pciDevices.removeAll { $0.address.description == "0000:04:10.4" }
        // 00:1f.0/.2/.3 share a group; the NVMe VF 01:00.4 joins them (group numbers themselves are not compared).
        let g = try XCTUnwrap(new.iommuGroups.firstIndex { $0.members.count == 3 })
        new.iommuGroups[g].members.append(try XCTUnwrap(PCIAddress("0000:01:00.4")))
        new.iommuGroups.removeAll { $0.members == [PCIAddress("0000:01:00.4")!] }
        for i in new.iommuGroups.indices { new.iommuGroups[i].id += 100 }

        let messages = SnapshotDiff.changes(from: old, to: new).map(\.message)
        XCTAssertEqual(Set(messages), [
            "firmware 2.1.0 → 2.2.0 on 0000:04:00.0",
            "numvfs 3 → 2 on 0000:04:00.0",
            "VF 1 MAC changed on 0000:04:00.0: ea:5c:c8:33:3b:64 → 02:00:00:00:20:02",
            "VF 1 trust on → off on 0000:04:00.0",
            "VF 0 VLAN changed on 0000:04:00.0: 100 → 300",
            "VF 2 removed from 0000:04:00.0 (0000:04:10.4: MAC 02:00:00:00:10:03, VLAN untagged, driver vfio-pci)",
            "VF 0000:04:10.2 rebound igbvf → vfio-pci",
            "device removed from 0000:04:10.4: 82576 Virtual Function [8086:10ca], vfio-pci",
            "IOMMU group members of 0000:01:00.4 changed: shared with [] → [0000:00:1f.0,0000:00:1f.2,0000:00:1f.3]",
            "IOMMU group members of 0000:00:1f.0 changed: shared with [0000:00:1f.2,0000:00:1f.3] → [0000:00:1f.2,0000:00:1f.3,0000:01:00.4]",
            "IOMMU group members of 0000:00:1f.2 changed: shared with [0000:00:1f.0,0000:00:1f.3] → [0000:00:1f.0,0000:00:1f.3,0000:01:00.4]",
            "IOMMU group members of 0000:00:1f.3 changed: shared with [0000:00:1f.0,0000:00:1f.2] → [0000:00:1f.0,0000:00:1f.2,0000:01:00.4]",
        ])
        XCTAssertEqual(SnapshotDiff.changes(from: old, to: old), [])
        // A VF that comes back is named with what it came back as, not only its index.
        XCTAssertTrue(SnapshotDiff.changes(from: new, to: old).map(\.message).contains(
            "VF 2 added on 0000:04:00.0 (0000:04:10.4: MAC 02:00:00:00:10:03, VLAN untagged, driver vfio-pci)"))
    }

    func testRenamedInterfacesAndRenumberedGroupsAreNoChange() throws {
        let old = try igb()
        var new = old
        for i in new.iommuGroups.indices { new.iommuGroups[i].id += 7 }
        for i in new.pciDevices.indices { new.pciDevices[i].iommuGroup = new.pciDevices[i].iommuGroup.map { $0 + 7 } }
        XCTAssertEqual(SnapshotDiff.changes(from: old, to: new), [])
    }
}

final class ImportTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        dir = Fixtures.temporaryDirectory("import")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ name: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: dir + "/in/" + name, contents: Data(text.utf8))
    }

    /// A batch with good and hostile documents: each bad one is rejected with its reason, the rest lands.
    func testHostileBatch() throws {
        try TestDatabase.each("hostile") { db in
            try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
            let base = try Collector(options: .init(now: { Date(timeIntervalSince1970: 1_795_000_000) }))
                .collectCapture(at: Fixtures.path("qemu/nvme-netdevsim/after"))
            let fleet = FleetBuilder(base: base)
            let encoder = HostSnapshot.makeEncoder(pretty: false)
            func json(_ s: HostSnapshot) throws -> String { String(decoding: try encoder.encode(s), as: UTF8.self) }

            write("01-good.json", String(decoding: try HostSnapshot.makeEncoder().encode(fleet.host(1)), as: UTF8.self))
            write("02-lines.jsonl", try [2, 3, 4].map { try json(fleet.host($0)) }.joined(separator: "\n") + "\n\n")
            let good = try json(fleet.host(5))
            write("03-truncated.json", String(good.prefix(good.count / 3)))
            var newer = fleet.host(6); newer.schemaVersion = 2
            write("04-newer.json", try json(newer))
            var slash = fleet.host(7); slash.host.hostname = "../../etc/passwd"
            write("05-slash.json", try json(slash))
            var huge = fleet.host(8); huge.host.kernelCommandLine = String(repeating: "x", count: 100_000)
            write("06-huge.json", try json(huge))
            var dup = fleet.host(9); dup.pciDevices.append(dup.pciDevices[0])
            write("07-dup.json", try json(dup))
            write("08-not-json.json", "hello\n")
            write("09-array.json", "[1,2]\n")
            write("10-ignored.txt", "not imported: wrong extension")

            let store = try db.open()
            let report = try SnapshotImporter(store: store, labels: ["site": "par1"]).importSnapshots(from: dir + "/in")
            XCTAssertEqual(report.new, 4)
            XCTAssertEqual(report.rejected.map(\.source).map { ($0 as NSString).lastPathComponent }, [
                "03-truncated.json:1", "04-newer.json:1", "05-slash.json:1", "06-huge.json:1", "07-dup.json:1", "08-not-json.json:1", "09-array.json:1",
            ])
            let reasons = report.rejected.map(\.reason)
            XCTAssertTrue(reasons[0].hasPrefix("not a snapshot: unexpected end of the document (truncated)"), reasons[0])
            XCTAssertEqual(reasons[1], "schemaVersion 2 was written by a newer sriov-audit (this one reads 1)")
            XCTAssertEqual(reasons[2], "hostname \"../../etc/passwd\" is not a host name (path characters)")
            XCTAssertEqual(reasons[3], "a string value is longer than 16384 bytes")
            XCTAssertEqual(reasons[4], "PCI address 0000:00:00.0 appears twice in pciDevices")
            XCTAssertEqual(try store.hosts().map(\.hostname), ["host-00001", "host-00002", "host-00003", "host-00004"])
            XCTAssertEqual(try store.labels(of: "host-00003"), ["site": "par1"])
            XCTAssertEqual(try store.snapshot(of: "host-00002"), fleet.host(2))

            // Idempotent: the same input again stores nothing new.
            let again = try SnapshotImporter(store: store).importSnapshots(from: dir + "/in")
            XCTAssertEqual(again.new, 0)
            XCTAssertEqual(again.duplicate, 4)
        }
    }

    /// The progress an import reports: after every stored batch, documents and bytes only
    /// growing, the estimated total exact once the input is read, nothing for an empty input.
    func testImportReportsProgressPerBatch() throws {
        try TestDatabase.each("import-progress") { db in
            try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
            let fleet = FleetBuilder(base: try Collector().collectCapture(at: Fixtures.path("qemu/nvme-netdevsim/after")))
            let lines = (0..<70).map { String(decoding: SnapshotJSONWriter.encode(fleet.host($0), pretty: false), as: UTF8.self) }
            write("a.jsonl", lines[0..<50].joined(separator: "\n") + "\n")
            write("b.jsonl", lines[50...].joined(separator: "\n") + "\nnot json\n")
            let sizes = try ["a.jsonl", "b.jsonl"].map { try FileManager.default.attributesOfItem(atPath: dir + "/in/" + $0)[.size] as? Int ?? 0 }
            var importer = SnapshotImporter(store: try db.open())
            importer.batchSize = 16
            var seen: [ImportProgress] = []
            importer.progress = { seen.append($0) }
            let report = try importer.importSnapshots(from: dir + "/in")
            XCTAssertEqual(report.new, 70)
            XCTAssertEqual(report.rejected.count, 1)
            // 50 lines in batches of 16 (4 batches), then 21 lines (2): one call per stored batch.
            XCTAssertEqual(seen.map(\.documents), [16, 32, 48, 50, 66, 71])
            XCTAssertEqual(seen.map(\.totalBytes), Array(repeating: sizes.reduce(0, +), count: 6))
            XCTAssertEqual(seen.map(\.bytesRead), seen.map(\.bytesRead).sorted(), "bytes only grow")
            XCTAssertEqual(seen[3].bytesRead, sizes[0], "the first file read whole")
            XCTAssertEqual(seen.last?.bytesRead, sizes.reduce(0, +))
            XCTAssertEqual(seen.last?.estimatedTotal, 71, "exact at the end")
            XCTAssertNil(ImportProgress(documents: 3, bytesRead: 10, totalBytes: nil).estimatedTotal, "standard input: no total")
            XCTAssertEqual(ImportProgress(documents: 10, bytesRead: 100, totalBytes: 1_000).estimatedTotal, 100)

            var quiet = SnapshotImporter(store: try db.open())
            var calls = 0
            quiet.progress = { _ in calls += 1 }
            try FileManager.default.createDirectory(atPath: dir + "/in/empty", withIntermediateDirectories: true)
            write("empty/none.jsonl", "")
            XCTAssertEqual(try quiet.importSnapshots(from: dir + "/in/empty").total, 0)
            XCTAssertEqual(calls, 0)
        }
    }
}
