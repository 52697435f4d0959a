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
