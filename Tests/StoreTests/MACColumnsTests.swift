@testable import Store
import XCTest

/// How the fact tables keep MACs: Ethernet addresses as integers (any case or separator is the
/// same address, so duplicates are found by value), anything else as text, unusable ones not at all.
final class MACColumnsTests: XCTestCase {
    func testReadsMACTextInAnyCaseAndSeparator() {
        XCTAssertEqual(MACColumns.ethernet("52:54:00:AB:cd:0F"), 0x5254_00ab_cd0f)
        XCTAssertEqual(MACColumns.ethernet("52-54-00-ab-cd-0f"), MACColumns.ethernet("52:54:00:ab:cd:0f"))
        XCTAssertEqual(MACColumns.text(0x5254_00ab_cd0f), "52:54:00:ab:cd:0f")
        XCTAssertNil(MACColumns.ethernet("52:54:00:ab:cd"))
        XCTAssertNil(MACColumns.ethernet("52:54:00:ab:cd:0g"))
    }

    func testColumnsByKindOfAddress() {
        XCTAssertEqual(MACColumns("ff:ff:ff:ff:ff:ff").integer, .int(0xffff_ffff_ffff))
        XCTAssertEqual(MACColumns("ff:ff:ff:ff:ff:ff").text, .null)
        // InfiniBand's 20-byte address (from the ghw fixtures' mlx5 IPoIB interface form).
        let ib = "80:00:00:48:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01"
        XCTAssertEqual(MACColumns(ib).integer, .null)
        XCTAssertEqual(MACColumns(ib).text, .text(ib))
        XCTAssertEqual(MACColumns("00:00:00:00:00:00").integer, .null, "an all-zero MAC is never compared (mac-valid reports it)")
        XCTAssertEqual(MACColumns(nil).text, .null)
    }
}
