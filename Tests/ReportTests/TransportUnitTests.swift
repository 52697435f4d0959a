import Foundation
import Transport
import XCTest

final class TransportUnitTests: XCTestCase {
    func testRetryAfterBothForms() {
        XCTAssertEqual(RetryAfter.seconds("120", now: 0), 120)
        XCTAssertEqual(RetryAfter.seconds(" 3 ", now: 0), 3)
        // RFC 9110's example date.
        XCTAssertEqual(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_767), 10)
        XCTAssertEqual(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 900_000_000), 0, "a past date means now")
        XCTAssertNil(RetryAfter.seconds("-1", now: 0))
        XCTAssertNil(RetryAfter.seconds("soon", now: 0))
        XCTAssertNil(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 CET", now: 0))
    }

    func testBackoffDoublesWithJitterAndCaps() {
        let policy = RetryPolicy(retries: 6, baseDelay: 1, maxDelay: 10)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let first = policy.delay(beforeRetry: 1, retryAfter: nil, using: &random)
            let third = policy.delay(beforeRetry: 3, retryAfter: nil, using: &random)
            XCTAssertTrue((0.5...1).contains(first), "\(first)")
            XCTAssertTrue((2...4).contains(third), "\(third)")
            XCTAssertLessThanOrEqual(policy.delay(beforeRetry: 6, retryAfter: nil, using: &random), 10)
        }
        XCTAssertEqual(policy.delay(beforeRetry: 1, retryAfter: 7), 7, "the server's Retry-After wins")
        XCTAssertEqual(policy.delay(beforeRetry: 1, retryAfter: 700), 10, "within the cap")
        XCTAssertTrue(RetryPolicy.isTransient(status: 503))
        XCTAssertTrue(RetryPolicy.isTransient(status: 429))
        XCTAssertFalse(RetryPolicy.isTransient(status: 401))
        XCTAssertFalse(RetryPolicy.isTransient(status: 404))
    }

    func testDisplayURLDropsCredentialsAndQuery() {
        XCTAssertEqual(PushTarget(url: "https://user:pa55@collector.example:8443/v1/ingest?token=abc#x").displayURL,
                       "https://collector.example:8443/v1/ingest")
        XCTAssertEqual(PushTarget(url: "http://127.0.0.1:9000").displayURL, "http://127.0.0.1:9000")
        XCTAssertThrowsError(try PushTarget(url: "ftp://example/").validate())
        XCTAssertThrowsError(try PushTarget(url: "https://").validate())
        XCTAssertNoThrow(try PushTarget(url: "https://collector.example/x").validate())
    }

    func testSpoolKeepsOrderAndSurvivesAPartialItem() throws {
        let dir = NSTemporaryDirectory() + "spool-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = Spool(directory: dir)
        let target = PushTarget(url: "https://collector.example/x", tokenFile: "/etc/sriov-audit/token")
        var names: [String] = []
        for n in 0..<3 {
            let entry = Spool.Entry(target: target, idempotencyKey: "key-\(n)", contentType: "application/json", kind: "audit-report",
                                    createdAt: Double(n), attempts: 1, lastError: nil)
            names.append(try spool.add(body: Array("{\"n\":\(n)}".utf8), entry: entry))
        }
        // A crash between body and metadata leaves a body alone: not an item.
        FileManager.default.createFile(atPath: dir + "/9999999999999999999-orphan.body", contents: Data("{}".utf8))
        let pending = try spool.pending()
        XCTAssertEqual(pending.map(\.name), names)
        XCTAssertEqual(pending.map(\.entry.idempotencyKey), ["key-0", "key-1", "key-2"])
        XCTAssertEqual(String(decoding: try spool.body(of: pending[1]), as: UTF8.self), "{\"n\":1}")
        XCTAssertEqual(pending[0].entry.target.tokenFile, "/etc/sriov-audit/token", "the token's source, never the token")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/\(names[0]).body")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        // A metadata file that is not an entry is reported, not fatal.
        FileManager.default.createFile(atPath: dir + "/0000000000000000001-bad.json", contents: Data("{not json".utf8))
        let scan = try spool.scan()
        XCTAssertEqual(scan.damaged, ["0000000000000000001-bad"])
        XCTAssertEqual(scan.items.map(\.name), names)
        try spool.quarantine("0000000000000000001-bad")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/rejected/0000000000000000001-bad.json.damaged"))
        XCTAssertEqual(try spool.scan().damaged, [])
        spool.remove(pending[0])
        try spool.reject(pending[1], reason: "HTTP 422")
        XCTAssertEqual(try spool.pending().map(\.entry.idempotencyKey), ["key-2"])
        XCTAssertEqual(try Spool(directory: dir + "/rejected").pending().first?.entry.lastError, "HTTP 422")
    }
}
