import Foundation
import TestSupport
import XCTest

@testable import Server

/// The server's pure parts: gzip with a cap on the inflated size, the listen address, the rate
/// limiter's arithmetic, and the refusal to serve plain HTTP off loopback.
final class ServerPartsTests: XCTestCase {
    private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let r = try shell("gzip", ["-c", "-n"], input: Data(bytes))
        XCTAssertEqual(r.status, 0)
        return [UInt8](r.stdoutData)
    }

    func testGzipInflatesWithinTheLimitAndRefusesBombsAndDamage() throws {
        let text = Array(String(repeating: "{\"snapshot\": true}\n", count: 1000).utf8)
        let packed = try gzip(text)
        XCTAssertEqual(try Gzip.inflate(packed, limit: text.count), text, "exactly at the limit")
        XCTAssertThrowsError(try Gzip.inflate(packed, limit: text.count - 1)) { XCTAssertEqual($0 as? Gzip.Failure, .tooLarge) }
        // 64 MiB of zeros packs into ~64 KiB: refused at the cap, never inflated whole.
        let bomb = try shell("sh", ["-c", "head -c 67108864 /dev/zero | gzip -c -n"]).stdoutData
        XCTAssertLessThan(bomb.count, 100_000)
        XCTAssertThrowsError(try Gzip.inflate([UInt8](bomb), limit: 1 << 20)) { XCTAssertEqual($0 as? Gzip.Failure, .tooLarge) }
        // Two members (gzip a; gzip b) concatenate, as RFC 1952 allows.
        XCTAssertEqual(try Gzip.inflate(try gzip(Array("a".utf8)) + gzip(Array("b".utf8)), limit: 10), Array("ab".utf8))
        XCTAssertThrowsError(try Gzip.inflate(Array(packed.prefix(packed.count / 2)), limit: 1 << 20)) { XCTAssertEqual($0 as? Gzip.Failure, .badData) }
        XCTAssertThrowsError(try Gzip.inflate(text, limit: 1 << 20)) { XCTAssertEqual($0 as? Gzip.Failure, .badData) }
        XCTAssertThrowsError(try Gzip.inflate([], limit: 10)) { XCTAssertEqual($0 as? Gzip.Failure, .badData) }
    }

    func testListenAddressesAndPlainHTTPOffLoopback() throws {
        var options = ServerOptions(database: "/tmp/x.db")
        try options.setListen("127.0.0.1:9443")
        XCTAssertEqual(options.host, "127.0.0.1")
        XCTAssertEqual(options.port, 9443)
        XCTAssertNoThrow(try options.validate())
        try options.setListen("[::1]:0")
        XCTAssertEqual(options.host, "::1")
        XCTAssertTrue(options.listensOnLoopbackOnly)
        try options.setListen(":8080")
        XCTAssertEqual(options.host, "0.0.0.0")
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("without TLS"), "\($0)") }
        options.insecureHTTP = true
        XCTAssertNoThrow(try options.validate())
        options.tls = .init(certificate: "c.pem", key: "k.pem")
        options.insecureHTTP = false
        XCTAssertNoThrow(try options.validate())
        for bad in ["8080", "host:", "host:99999", "[::1]8080", "h:x"] {
            XCTAssertThrowsError(try options.setListen(bad), bad)
        }
    }

    func testRateLimiterRefillsAtItsRate() {
        let limiter = RateLimiter(rate: 2, burst: 3)
        let start = ContinuousClock.now
        XCTAssertNil(limiter.wait(for: 1, now: start))
        XCTAssertNil(limiter.wait(for: 1, now: start))
        XCTAssertNil(limiter.wait(for: 1, now: start))
        XCTAssertEqual(limiter.wait(for: 1, now: start), 1, "burst spent: wait half a second, rounded up")
        XCTAssertNil(limiter.wait(for: 2, now: start), "another token has its own bucket")
        XCTAssertNil(limiter.wait(for: 1, now: start + .milliseconds(500)), "one request back after 1/rate")
        XCTAssertNotNil(limiter.wait(for: 1, now: start + .milliseconds(500)))
        let slow = RateLimiter(rate: 0.2, burst: 1)
        XCTAssertNil(slow.wait(for: 7, now: start))
        XCTAssertEqual(slow.wait(for: 7, now: start), 5)
    }

    func testInFlightKeys() {
        let keys = InFlightKeys()
        XCTAssertTrue(keys.begin("a"))
        XCTAssertFalse(keys.begin("a"))
        XCTAssertTrue(keys.begin("b"))
        keys.end("a")
        XCTAssertTrue(keys.begin("a"))
    }
}
