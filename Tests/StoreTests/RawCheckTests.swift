import XCTest

@testable import Store

/// `SnapshotValidator.checkRaw` jumps from quote to quote with memchr; the byte-by-byte loop it
/// replaced is kept here as the oracle, and both must agree on documents built around the
/// string limit from letters, quotes, escaped quotes and escaped backslashes.
final class RawCheckTests: XCTestCase {
    private func oracle(_ bytes: [UInt8]) -> Bool {
        var inString = false, escaped = false, length = 0
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    continue
                }
                length += 1
                if length > SnapshotValidator.maxStringBytes { return false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                length = 0
            }
        }
        return true
    }

    func testAgreesWithTheByteLoop() {
        var random = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("a".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("\"".utf8), Array("{}, ".utf8)]
        let limit = SnapshotValidator.maxStringBytes
        var disagreements = 0, refused = 0
        for round in 0..<200 {
            var document: [UInt8] = Array("{\"k\":\"".utf8)
            // Around the limit: most rounds build one long string, some many short ones.
            let target = round % 4 == 0 ? Int.random(in: 0...200, using: &random) : limit - 8 + Int.random(in: 0...16, using: &random)
            while document.count < target + 6 {
                let weights = round % 4 == 0 ? [6, 1, 1, 2, 2] : [40, 1, 1, 0, 0]
                var pick = Int.random(in: 0..<weights.reduce(0, +), using: &random)
                var index = 0
                while pick >= weights[index] { pick -= weights[index]; index += 1 }
                document += pieces[index]
            }
            if Bool.random(using: &random) { document += Array("\"}".utf8) }
            let fast = SnapshotValidator.checkRaw(document) == nil
            if fast != oracle(document) { disagreements += 1 }
            if !fast { refused += 1 }
        }
        XCTAssertEqual(disagreements, 0)
        XCTAssertGreaterThan(refused, 25, "the rounds must reach past the limit")
        XCTAssertLessThan(refused, 175, "and stay under it")
        // The exact edge: a string of exactly the limit passes, one byte more does not.
        let exact = Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: limit) + Array("\"".utf8)
        XCTAssertNil(SnapshotValidator.checkRaw(exact))
        XCTAssertNotNil(SnapshotValidator.checkRaw(Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: limit + 1) + Array("\"".utf8)))
        XCTAssertNil(SnapshotValidator.checkRaw(Array("\"\\\\\" \"x\"".utf8)), "an escaped backslash does not escape the quote after it")
    }
}
