import Foundation
import Inventory
import TestSupport
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 examples (one block, two blocks, a million bytes).
    func testStandardVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundary (55, 56, 63, 64, 65 bytes) agree with sha256sum.
    func testAgreesWithSha256sum() throws {
        for length in [55, 56, 63, 64, 65, 119, 120] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let r = try shell("sha256sum", ["-"], input: Data(bytes))
            XCTAssertEqual(SHA256.hex(bytes), String(r.stdout.prefix(64)), "length \(length)")
        }
        let file = Fixtures.path("schemas/sarif-schema-2.1.0.json")
        let r = try shell("sha256sum", [file])
        XCTAssertEqual(SHA256.hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))), String(r.stdout.prefix(64)))
    }
}
