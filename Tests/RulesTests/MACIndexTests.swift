@testable import Rules
import XCTest

/// The mac-unique table against a plain Dictionary: the same previous values for every update,
/// the same final entries, across growth, domains, VLANs and non-Ethernet addresses.
final class MACIndexTests: XCTestCase {
    func testAgreesWithADictionary() {
        var index = MACIndex()
        var reference: [MACIndex.Key: Int32] = [:]
        var generator = SplitMix(seed: 42)
        // Few distinct MACs, many repeats: duplicates, and MACs that differ only in domain or VLAN.
        for n in 0..<50_000 {
            let mac: MACValue = generator.next() % 50 == 0
                ? .other("80:00:00:48:fe:80:00:00:00:00:00:00:00:00:\(generator.next() % 7)")
                : .ethernet(0x5254_0000_0000 | generator.next() % 9_000)
            let key = MACIndex.Key(domain: Int32(generator.next() % 3), mac: mac, vlan: Int32(generator.next() % 2 == 0 ? 0 : 100))
            XCTAssertEqual(index.updateValue(Int32(n), for: key), reference.updateValue(Int32(n), forKey: key), "update \(n)")
        }
        let entries = index.entries
        XCTAssertEqual(entries.count, reference.count)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }), reference)
    }

    func testReadsMACTextInAnyCaseAndSeparator() {
        XCTAssertEqual(MACValue("52:54:00:AB:cd:0F"), .ethernet(0x5254_00ab_cd0f))
        XCTAssertEqual(MACValue("52-54-00-ab-cd-0f"), MACValue("52:54:00:ab:cd:0f"))
        XCTAssertEqual(MACValue("52:54:00:ab:cd:0f").text, "52:54:00:ab:cd:0f")
        XCTAssertEqual(MACValue("52:54:00:ab:cd"), .other("52:54:00:ab:cd"))
    }
}

/// A small deterministic generator (SplitMix64), so a failure can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
