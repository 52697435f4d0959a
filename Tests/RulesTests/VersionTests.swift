import Inventory
import Rules
import XCTest

/// Version parsing and ordering on the firmware strings drivers really report.
final class VersionTests: XCTestCase {
    private func v(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> VendorVersion {
        try XCTUnwrap(VendorVersion(text), text, file: file, line: line)
    }

    func testRealFirmwareStrings() throws {
        XCTAssertEqual(try v("22.36.1010 (MT_0000000359)").form, .dotted([22, 36, 1010]))
        XCTAssertEqual(try v("22.36.1010 (MT_0000000359)").qualifier, "(MT_0000000359)")
        XCTAssertEqual(try v("4.20 0x80017785 1.3346.0").form, .nvm(nvm: [4, 20], eetrack: 0x8001_7785, combo: [1, 3346, 0]))
        XCTAssertEqual(try v("6.80 0x80003d1a 18.8.9").form, .nvm(nvm: [6, 80], eetrack: 0x8000_3d1a, combo: [18, 8, 9]))
        XCTAssertEqual(try v("0x800006f1").form, .eetrack(0x8000_06f1))
        XCTAssertEqual(try v("218.0.219.13/pkg 218.0.219.13").form, .package(firmware: [218, 0, 219, 13], package: [218, 0, 219, 13]))
        XCTAssertEqual(try v("2.1.0").form, .dotted([2, 1, 0]))
        XCTAssertEqual(try v("10.20.30 ").form, .dotted([10, 20, 30]), "netdevsim pads with a blank")
        XCTAssertEqual(try v("6.1.0-56-amd64").form, .dotted([6, 1, 0]))
        XCTAssertEqual(try v("6.1.0-56-amd64").qualifier, "-56-amd64")
        XCTAssertEqual(try v("2.1-0").form, .dotted([2, 1]), "e1000e's 2.1-0")
    }

    func testMalformedStringsAreNotVersions() {
        for bad in ["", "   ", "N/A", "unknown", "v", ".5", "0x", "0xZZZ"] {
            XCTAssertNil(VendorVersion(bad), bad)
        }
    }

    func testOrdering() throws {
        XCTAssertEqual(try v("4.20 0x80017785 1.3346.0").compare(try v("4.9 0x80000000 1.0.0")), .newer, "4.20 is newer than 4.9")
        XCTAssertEqual(try v("22.39.1002").compare(try v("22.36.1010 (MT_0000000359)")), .newer)
        XCTAssertEqual(try v("2.1").compare(try v("2.1.0")), .equal)
        XCTAssertEqual(try v("4.20 0x80017785 1.3346.0").compare(try v("4.20 0x80017786 1.3347.0")), .older, "combo breaks NVM ties")
        XCTAssertEqual(try v("218.0.219.13/pkg 218.0.219.13").compare(try v("219.0.0")), .older)
        XCTAssertEqual(try v("0x800006f1").compare(try v("0x800006f1")), .equal)
        XCTAssertNil(try v("0x800006f1").compare(try v("0x800006f2")), "eetrack IDs have no order")
        XCTAssertNil(try v("0x800006f1").compare(try v("2.1.0")))
    }

    func testRanges() throws {
        let floor = try VersionRange(">=22.36.1010")
        XCTAssertEqual(floor.contains(try v("22.39.1002")), .inside)
        XCTAssertEqual(floor.contains(try v("16.35.3502")), .outside)
        let window = try VersionRange(">=4.20, <4.40")
        XCTAssertEqual(window.contains(try v("4.20 0x80017785 1.3346.0")), .inside)
        XCTAssertEqual(window.contains(try v("4.40 0x8001af3c 1.3429.0")), .outside)
        let nvm = try VersionRange(">=4.20 0x80017785 1.3346.0")
        XCTAssertEqual(nvm.conditions.count, 1)
        XCTAssertEqual(nvm.contains(try v("4.20 0x80017785 1.3346.0")), .inside)
        XCTAssertEqual(try VersionRange("*").contains(try v("0x800006f1")), .inside)
        XCTAssertEqual(try VersionRange("=0x800006f1").contains(try v("0x800006f1")), .inside)
        guard case .undecidable = try VersionRange(">=0x800006f0").contains(try v("0x800006f1")) else {
            return XCTFail("an eetrack floor cannot be decided")
        }
        XCTAssertThrowsError(try VersionRange("")) { XCTAssertEqual($0 as? VersionRange.ParseError, .empty) }
        XCTAssertThrowsError(try VersionRange("about 4.2")) { XCTAssertEqual($0 as? VersionRange.ParseError, .badCondition("about")) }
        XCTAssertThrowsError(try VersionRange(">=banana")) { XCTAssertEqual($0 as? VersionRange.ParseError, .badCondition(">=banana")) }
    }
}
