import Collector
import Inventory
import Rules
import TestSupport
import XCTest

/// Firmware and driver versions read the way each vendor means them, on real `ethtool -i` outputs
/// (`Fixtures/ethtool/driver-info-samples.txt` and the captures): every sample parses to its
/// family and parts, versions of one family and device order as the vendor's release notes say,
/// and every other pair is incomparable.
final class VersionTests: XCTestCase {
    private func fw(_ text: String, _ driver: String, device: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> VendorVersion {
        try XCTUnwrap(VendorVersion.firmware(text, VersionContext(driver: driver, device: device)), "\(driver): \(text)", file: file, line: line)
    }

    private func parts(_ version: VendorVersion) -> String {
        version.components.map { "\($0.name)=\($0.text)\($0.numbers.map { "\($0)" } ?? "")" }.joined(separator: " ")
    }

    /// Each real string, with its family, line and parts as the vendor means them.
    private let expected: [(driver: String, text: String, family: String, line: String?, parts: String)] = [
            ("bnx2x", "7.8.16 bc 6.2.26 phy aa0.406", "broadcom-bootcode", "14e4:164f", "storm=7.8.16[7, 8, 16] bc=6.2.26[6, 2, 26] phy=aa0.406"),
            ("bnx2x", "bc 7.10.4", "broadcom-bootcode", nil, "bc=7.10.4[7, 10, 4]"),
            ("bnx2x", "BC:5.2.7 PHY:baa0:0105", "broadcom-bootcode", nil, "bc=5.2.7[5, 2, 7] phy=baa0:0105"),
            ("bnx2x", "bc 7.4.22 phy 1.34", "broadcom-bootcode", nil, "bc=7.4.22[7, 4, 22] phy=1.34"),
            ("bnx2x", "mbi 7.15.42 bc 7.15.23", "broadcom-bootcode", nil, "mbi=7.15.42[7, 15, 42] bc=7.15.23[7, 15, 23]"),
            ("bnx2x", "FFV7.10.17 bc 7.10.11", "broadcom-bootcode", nil, "ffv=7.10.17[7, 10, 17] bc=7.10.11[7, 10, 11]"),
            ("tg3", "5751-v3.44a", "broadcom-bootcode", "chip 5751", "bc=5751-v3.44a[3, 44, 1]"),
            ("tg3", "FFV22.91.5 bc 5720-v1.39", "broadcom-bootcode", "chip 5720", "ffv=22.91.5[22, 91, 5] bc=5720-v1.39[1, 39]"),
            ("bnxt_en", "229.2.52.0/pkg 22.92.06.10", "bnxt", nil, "fw=229.2.52.0[229, 2, 52, 0] pkg=22.92.06.10[22, 92, 6, 10]"),
            ("bnxt_en", "232.0.219.16/pkg 232.1.196.16", "bnxt", nil, "fw=232.0.219.16[232, 0, 219, 16] pkg=232.1.196.16[232, 1, 196, 16]"),
            ("mlx5_core", "28.36.1010 (FB_0000000038)", "mellanox", "major 28", "fw=28.36.1010[28, 36, 1010] psid=FB_0000000038"),
            ("i40e", "8.40 0x8000b1fb 20.5.16", "intel-nvm", nil, "nvm=8.40[8, 40] eetrack=0x8000b1fb combo=20.5.16[20, 5, 16]"),
            ("qede", "mfw 8.25.7.0 storm 8.20.0.0", "qlogic", nil, "mfw=8.25.7.0[8, 25, 7, 0] storm=8.20.0.0[8, 20, 0, 0]"),
            ("nfp", "0.0.3.5 0.20 nic-2.0.7 nic", "netronome", "nic", "nfd=0.0.3.5[0, 0, 3, 5] nsp=0.20[0, 20] app=nic-2.0.7[2, 0, 7] type=nic"),
            ("nfp", "0.0.3.5 0.20 nic-792810 nic", "netronome", "nic", "nfd=0.0.3.5[0, 0, 3, 5] nsp=0.20[0, 20] app=nic-792810 type=nic"),
            ("nfp", "0.0.3.5 0.21 nic-2.0.7 nic", "netronome", "nic", "nfd=0.0.3.5[0, 0, 3, 5] nsp=0.21[0, 21] app=nic-2.0.7[2, 0, 7] type=nic"),
            ("nfp", "0.0.3.5 0.22 nic-2.0.4 nic", "netronome", "nic", "nfd=0.0.3.5[0, 0, 3, 5] nsp=0.22[0, 22] app=nic-2.0.4[2, 0, 4] type=nic"),
            ("nfp", "0.0.3.5 0.25 sriov-2.1.16.1 nic", "netronome", "sriov", "nfd=0.0.3.5[0, 0, 3, 5] nsp=0.25[0, 25] app=sriov-2.1.16.1[2, 1, 16, 1] type=nic"),
            ("sfc", "8.5.0.1002 rx1 tx1", "solarflare", nil, "fw=8.5.0.1002[8, 5, 0, 1002] variant=rx1 tx1"),
            ("sfc", "7.8.7.1005 rx0 tx0", "solarflare", nil, "fw=7.8.7.1005[7, 8, 7, 1005] variant=rx0 tx0"),
            ("sfc", "8.0.0.1015 rx1 tx1", "solarflare", nil, "fw=8.0.0.1015[8, 0, 0, 1015] variant=rx1 tx1"),
            ("sfc", "6.2.7.1001 rx1 tx1", "solarflare", nil, "fw=6.2.7.1001[6, 2, 7, 1001] variant=rx1 tx1"),
            ("be2net", "4.0.1062.0", "dotted", nil, "fw=4.0.1062.0[4, 0, 1062, 0]"),
            ("be2net", "4.1.450.16", "dotted", nil, "fw=4.1.450.16[4, 1, 450, 16]"),
            ("be2net", "10.0.803.19", "dotted", nil, "fw=10.0.803.19[10, 0, 803, 19]"),
            ("mlx5_core", "14.21.2328 (MT_2470112034)", "mellanox", "major 14", "fw=14.21.2328[14, 21, 2328] psid=MT_2470112034"),
            ("mlx5_core", "16.35.2000 (MT_0000000012)", "mellanox", "major 16", "fw=16.35.2000[16, 35, 2000] psid=MT_0000000012"),
            ("mlx5_core", "26.43.2566 (MT_0000000531)", "mellanox", "major 26", "fw=26.43.2566[26, 43, 2566] psid=MT_0000000531"),
            ("mlx4_en", "2.35.5100", "mellanox", "major 2", "fw=2.35.5100[2, 35, 5100]"),
            ("mlx4_en", "2.40.5000", "mellanox", "major 2", "fw=2.40.5000[2, 40, 5000]"),
            ("mlx4_en", "2.42.5000", "mellanox", "major 2", "fw=2.42.5000[2, 42, 5000]"),
            ("mlx4_en", "2.42.5700", "mellanox", "major 2", "fw=2.42.5700[2, 42, 5700]"),
            ("mlx4_en", "2.9.1000", "mellanox", "major 2", "fw=2.9.1000[2, 9, 1000]"),
            ("i40e", "8.15 0x8000a4e8 1.2879.0", "intel-nvm", nil, "nvm=8.15[8, 15] eetrack=0x8000a4e8 combo=1.2879.0[1, 2879, 0]"),
            ("i40e", "4.00 0x80001577 1.1767.0", "intel-nvm", nil, "nvm=4.00[4, 0] eetrack=0x80001577 combo=1.1767.0[1, 1767, 0]"),
            ("i40e", "8.15 0x8000af31 1.2877.0", "intel-nvm", nil, "nvm=8.15[8, 15] eetrack=0x8000af31 combo=1.2877.0[1, 2877, 0]"),
            ("i40e", "7.10 0x80006456 1.2527.0", "intel-nvm", "8086:1572", "nvm=7.10[7, 10] eetrack=0x80006456 combo=1.2527.0[1, 2527, 0]"),
            ("i40e", "5.05 0x800028a6 1.1568.0", "intel-nvm", nil, "nvm=5.05[5, 5] eetrack=0x800028a6 combo=1.1568.0[1, 1568, 0]"),
            ("i40e", "9.20 0x8000d960 22.0.9", "intel-nvm", nil, "nvm=9.20[9, 20] eetrack=0x8000d960 combo=22.0.9[22, 0, 9]"),
            ("ice", "3.00 0x80008943 20.5.13", "intel-nvm", nil, "nvm=3.00[3, 0] eetrack=0x80008943 combo=20.5.13[20, 5, 13]"),
            ("ice", "2.50 0x800077a8 1.2960.0", "intel-nvm", nil, "nvm=2.50[2, 50] eetrack=0x800077a8 combo=1.2960.0[1, 2960, 0]"),
            ("ixgbe", "0x80000887, 1.2688.0", "ixgbe", nil, "eetrack=0x80000887 combo=1.2688.0[1, 2688, 0]"),
            ("igb", "3.25, 0x800005d0", "igb", nil, "version=3.25[3, 25] eetrack=0x800005d0"),
            ("igb", "0. 4-1", "igb", nil, "version=0.4[0, 4] image=1"),
            ("igb", "3.25, 0x800005cc", "igb", nil, "version=3.25[3, 25] eetrack=0x800005cc"),
            ("igb", "1.115, 0x87850000", "igb", nil, "version=1.115[1, 115] eetrack=0x87850000"),
            ("igb", "1.5-2", "igb", nil, "version=1.5[1, 5] image=2"),
            ("hns3", "1.8.15.0", "dotted", nil, "fw=1.8.15.0[1, 8, 15, 0]"),
            ("hns3", "3.10.22.8", "dotted", nil, "fw=3.10.22.8[3, 10, 22, 8]"),
            ("hns3", "0x0114001b", "dotted", nil, "fw=0x0114001b[1, 20, 0, 27]"),
            ("hns3", "1.8.0.12", "dotted", nil, "fw=1.8.0.12[1, 8, 0, 12]"),
            ("hinic", "2.4.1.0", "dotted", nil, "fw=2.4.1.0[2, 4, 1, 0]"),
            ("hinic", "2.5.0.0", "dotted", nil, "fw=2.5.0.0[2, 5, 0, 0]"),
            ("e1000e", "2.1-0", "igb", nil, "version=2.1-0[2, 1, 0]"),
            ("igb", "2.1.0", "igb", nil, "version=2.1.0[2, 1, 0]"),
            ("netdevsim", "10.20.30", "generic", "netdevsim", "version=10.20.30[10, 20, 30]"),
            ("e1000e", "0.5-4", "igb", nil, "version=0.5-4[0, 5, 4]")
    ]

    func testEveryRealSampleParsesToItsFamilyAndParts() throws {
        let samples = try DriverInfoSample.all()
        var seen = Set<String>()
        var notReported: [String] = []
        for sample in samples {
            let raw = sample.info.firmwareVersion
            guard let text = VendorVersion.reported(raw) else {
                notReported.append(sample.info.driver)
                XCTAssertNil(VendorVersion.firmware(raw, sample.context), "\(sample.source): \"\(raw)\" is not a version")
                continue
            }
            guard let want = expected.first(where: { $0.driver == sample.info.driver && $0.text == text }) else {
                XCTFail("\(sample.source): no expectation for \(sample.info.driver) \"\(text)\"")
                continue
            }
            seen.insert(want.driver + "|" + want.text)
            let version = try XCTUnwrap(VendorVersion.firmware(raw, sample.context), "\(sample.source): \(raw)")
            XCTAssertEqual(version.family.rawValue, want.family, sample.source)
            XCTAssertEqual(version.line, want.line, sample.source)
            XCTAssertEqual(parts(version), want.parts, sample.source)
            XCTAssertEqual(version.raw, text, "the version keeps the normalised text")
        }
        XCTAssertEqual(seen.count, expected.count, "every expectation is a real sample")
        // `N/A` (iavf), blanks (hinic) and nothing at all (vmxnet3, igbvf) are "not reported".
        XCTAssertEqual(Set(notReported), ["iavf", "hinic", "vmxnet3", "igbvf"])
        let drivers = Set(samples.map(\.info.driver))
        XCTAssertEqual(drivers.count, 20, "drivers: \(drivers.sorted())")
        XCTAssertEqual(samples.count, 75, "the README counts them")
        XCTAssertEqual(Set(expected.map(\.family)).count, 11, "families with a real sample")
    }

    /// ESXi's native drivers print their device's firmware as the Linux driver of the same device
    /// does (i40en as i40e, ixgben as ixgbe); igbn joins version and eetrack with a colon. Real
    /// `esxcli network nic get` outputs (`Fixtures/esxi/`).
    func testESXiNativeDriversReadInTheLinuxDriversFamily() throws {
        let samples: [(file: String, driver: String, family: String, parts: String)] = [
            ("mfd-i40en-nic-get.txt", "i40en", "intel-nvm", "nvm=8.15[8, 15] eetrack=0x80009621 combo=1.2829.0[1, 2829, 0]"),
            ("warlock-ixgben-nic-get.xml", "ixgben", "ixgbe", "nvm=3.30[3, 30] eetrack=0x800014a5 combo=20.5.15[20, 5, 15]"),
            ("mfd-igbn-nic-get.txt", "igbn", "igb", "version=1.48.0[1, 48, 0] eetrack=0x800006e7"),
        ]
        for sample in samples {
            let text = try String(contentsOfFile: Fixtures.path("esxi/" + sample.file), encoding: .utf8)
            let info = try XCTUnwrap(ESXiListings.nicInfo(text, file: sample.file).items.first)
            XCTAssertEqual(info.driver, sample.driver)
            let version = try fw(try XCTUnwrap(info.firmwareVersion), sample.driver)
            XCTAssertEqual(version.family.rawValue, sample.family, sample.file)
            XCTAssertEqual(parts(version), sample.parts, sample.file)
        }
        for (driver, family) in [("icen", VersionFamily.intelNVM), ("nenic", .cisco), ("nmlx5_core", .mellanox), ("bnxtnet", .bnxt), ("qedentv", .qlogic)] {
            XCTAssertEqual(VersionFamily.firmware(driver: driver), family, driver)
        }
        // igbn's firmware orders against igb's own form: 1.48 is older than 1.63.
        XCTAssertEqual(try fw("1.48.0:0x800006e7", "igbn").compare(try fw("1.63, 0x800009fa", "igb")), .older)
    }

    /// Each chain is oldest first, as the vendor's releases came out; every pair must order so.
    func testVersionsOfOneFamilyOrderAsTheVendorReleasedThem() throws {
        let chains: [(driver: String, versions: [String])] = [
            ("mlx4_en", ["2.9.1000", "2.35.5100", "2.40.5000", "2.42.5000", "2.42.5700"]),
            ("mlx5_core", ["22.36.1010 (MT_0000000359)", "22.39.1002"]),
            ("i40e", ["4.00 0x80001577 1.1767.0", "5.05 0x800028a6 1.1568.0", "7.10 0x80006456 1.2527.0",
                      "8.15 0x8000af31 1.2877.0", "8.15 0x8000a4e8 1.2879.0", "8.40 0x8000b1fb 20.5.16", "9.20 0x8000d960 22.0.9"]),
            ("ice", ["2.50 0x800077a8 1.2960.0", "3.00 0x80008943 20.5.13"]),
            ("sfc", ["6.2.7.1001 rx1 tx1", "8.0.0.1015 rx1 tx1", "8.5.0.1002 rx1 tx1"]),
            ("nfp", ["0.0.3.5 0.22 nic-2.0.4 nic", "0.0.3.5 0.20 nic-2.0.7 nic", "0.0.3.5 0.21 nic-2.0.7 nic"]),
            ("bnx2x", ["bc 7.4.22 phy 1.34", "bc 7.10.4", "FFV7.10.17 bc 7.10.11", "mbi 7.15.42 bc 7.15.23"]),
            ("be2net", ["4.0.1062.0", "4.1.450.16", "10.0.803.19"]),
            ("hns3", ["1.8.0.12", "1.8.15.0", "0x0114001b", "3.10.22.8"]),
            ("hinic", ["2.4.1.0                     ", "2.5.0.0"]),
            ("bnxt_en", ["229.2.52.0/pkg 22.92.06.10", "232.0.219.16/pkg 232.1.196.16"]),
            ("igb", ["1.115, 0x87850000", "3.25, 0x800005d0"]),
            ("e1000e", ["0.5-4", "2.1-0"]),
            ("qede", ["mfw 8.20.0.0 storm 8.20.0.0", "mfw 8.25.7.0 storm 8.20.0.0"]),
        ]
        for (driver, versions) in chains {
            let parsed = try versions.map { try fw($0, driver) }
            for i in parsed.indices {
                for j in parsed.indices {
                    let want: VendorVersion.Ordering = i < j ? .older : i == j ? .equal : .newer
                    XCTAssertEqual(parsed[i].compare(parsed[j]), want, "\(driver): \(versions[i]) vs \(versions[j])")
                    // The database orders by the sort key: it must agree.
                    let (a, b) = (try XCTUnwrap(parsed[i].sortKey), try XCTUnwrap(parsed[j].sortKey))
                    XCTAssertEqual(a < b ? VendorVersion.Ordering.older : a == b ? .equal : .newer, want, "sort keys of \(versions[i]) and \(versions[j])")
                }
            }
        }
    }

    func testVersionsOfOtherFamiliesDevicesOrImagesAreIncomparable() throws {
        let pairs: [(VendorVersion, VendorVersion, String)] = [
            // An mlx5 major names the device family: ConnectX-4 Lx firmware is not older than ConnectX-5's.
            (try fw("14.31.2006", "mlx5_core"), try fw("16.27.1016", "mlx5_core"), "different lines (major 14 vs major 16)"),
            (try fw("2.42.5000", "mlx4_en"), try fw("16.35.2000 (MT_0000000012)", "mlx5_core"), "different lines"),
            // X710 and X722 NVM lines, I350 and I210 NVMs: the device decides.
            (try fw("8.15 0x8000a4e8 1.2879.0", "i40e", device: "8086:1572"), try fw("4.00 0x80001577 1.1767.0", "i40e", device: "8086:37d0"), "different lines"),
            (try fw("1.115, 0x87850000", "igb", device: "8086:1521"), try fw("3.25, 0x800005d0", "igb", device: "8086:1533"), "different lines"),
            // Other families.
            (try fw("2.42.5000", "mlx4_en"), try fw("4.1.450.16", "be2net"), "different families"),
            // nfp applications, tg3 chips.
            (try fw("0.0.3.5 0.25 sriov-2.1.16.1 nic", "nfp"), try fw("0.0.3.5 0.20 nic-2.0.7 nic", "nfp"), "different lines (sriov vs nic)"),
            (try fw("0.0.3.5 0.20 nic-792810 nic", "nfp"), try fw("0.0.3.5 0.20 nic-2.0.7 nic", "nfp"), "the `app` part of 0.0.3.5 0.20 nic-792810 nic (nic-792810) has no order"),
            (try fw("5751-v3.44a", "tg3"), try fw("FFV22.91.5 bc 5720-v1.39", "tg3"), "different lines (chip 5751 vs chip 5720)"),
            // Same ordering parts, other image: the sfc datapath variant, igb eetrack, I210 iNVM image.
            (try fw("7.8.7.1005 rx0 tx0", "sfc"), try fw("7.8.7.1005 rx1 tx1", "sfc"), "different variant"),
            (try fw("3.25, 0x800005cc", "igb"), try fw("3.25, 0x800005d0", "igb"), "different eetrack"),
            (try fw(" 0. 4-1", "igb"), try fw("0.4-2", "igb"), "different images with no order (different image)"),
            // ixgbe with only an eetrack: no order at all.
            (try fw("0x800006f1", "ixgbe"), try fw("0x800006f2", "ixgbe"), "0x800006f1 has no `nvm` part to order by (only eetrack)"),
        ]
        for (a, b, why) in pairs {
            XCTAssertNil(a.compare(b), "\(a) vs \(b)")
            XCTAssertNil(b.compare(a), "\(b) vs \(a)")
            let reason = try XCTUnwrap(a.incomparability(b))
            XCTAssertTrue(reason.contains(why), reason)
        }
        XCTAssertEqual(try fw("0x800006f1", "ixgbe").compare(try fw("0x800006f1", "ixgbe")), .equal, "one image is equal to itself")
        XCTAssertEqual(try fw("0.0.3.5 0.20 nic-792810 nic", "nfp").compare(try fw("0.0.3.5 0.20 nic-792810 nic", "nfp")), .equal)
        XCTAssertNotEqual(try fw("14.31.2006", "mlx5_core").sortKey?.prefix(20), try fw("16.27.1016", "mlx5_core").sortKey?.prefix(20),
                          "sort keys of two lines never group together")
    }

    func testNamedComponentsOfMultiPartStrings() throws {
        let qede = try fw("mfw 8.25.7.0 storm 8.20.0.0", "qede")
        let newerStorm = try fw("mfw 8.25.7.0 storm 8.37.7.0", "qede")
        XCTAssertEqual(qede.compare(newerStorm), .equal, "the management firmware orders qede")
        XCTAssertEqual(qede.compare(newerStorm, component: "storm"), .older)
        XCTAssertEqual(try fw("7.8.16 bc 6.2.26 phy aa0.406", "bnx2x").compare(try fw("bc 7.10.4", "bnx2x")), .older, "bnx2x orders by bootcode")
        XCTAssertNil(qede.compare(try fw("bc 7.10.4", "bnx2x"), component: "mfw"), "another family has no mfw")
        XCTAssertEqual(try VersionRange(">=8.37", component: "mfw").contains(qede), .outside)
        XCTAssertEqual(try VersionRange(">=8.20 <8.30", component: "storm").contains(qede), .inside)
        XCTAssertEqual(try VersionRange(">=7.10", component: "bc").contains(try fw("FFV7.10.17 bc 7.10.11", "bnx2x")), .inside)
        guard case .undecidable(let why) = try VersionRange(">=8.37", component: "mfw").contains(try fw("bc 7.10.4", "bnx2x")) else {
            return XCTFail("a range on a part the version does not have cannot be decided")
        }
        XCTAssertEqual(why, "bc 7.10.4 has no `mfw` part")
        XCTAssertThrowsError(try VersionRange(">=8.x", component: "mfw")) {
            XCTAssertEqual($0 as? VersionRange.ParseError, .notNumbers(bound: "8.x", component: "mfw"))
        }
    }

    func testPaddingNotReportedAndTheExpansionROMLine() throws {
        XCTAssertEqual(VendorVersion.reported("2.4.1.0                     "), "2.4.1.0")
        XCTAssertEqual(VendorVersion.reported("4.0-0              "), "4.0-0")
        XCTAssertEqual(VendorVersion.reported(" 0. 4-1"), "0. 4-1", "inner blanks are the driver's format, made one")
        for nothing in ["", "   ", "N/A", "n/a", "unknown", "none"] { XCTAssertNil(VendorVersion.reported(nothing), nothing) }
        XCTAssertEqual(try fw("2.4.1.0                     ", "hinic").compare(try fw("2.4.1.0", "hinic")), .equal)
        XCTAssertEqual(try fw("2.4.1.0                     ", "hinic").sortKey, try fw("2.4.1.0", "hinic").sortKey)
        // A missing `expansion-rom-version:` line (ESXi's ethtool) stays absent; an empty one is "".
        let samples = try DriverInfoSample.all()
        let esxi = try XCTUnwrap(samples.first { $0.info.firmwareVersion == "BC:5.2.7 PHY:baa0:0105" })
        XCTAssertNil(esxi.info.expansionROMVersion)
        let lore = try XCTUnwrap(samples.first { $0.info.firmwareVersion == "bc 7.10.4" })
        XCTAssertEqual(lore.info.expansionROMVersion, "")
        XCTAssertEqual(samples.filter { $0.info.expansionROMVersion == nil }.count, 21, "samples without the line")
    }

    func testKernelReleasesAsDriverVersions() throws {
        // Each host reports its own kernel; an in-tree driver's version is that release.
        func drv(_ text: String) throws -> VendorVersion {
            try XCTUnwrap(VendorVersion.driver(text, VersionContext(driver: "mlx5_core", kernelRelease: text)), text)
        }
        XCTAssertEqual(try drv("6.1.0-56-amd64").family, .kernel)
        XCTAssertEqual(VendorVersion.driver("5.17.0-rc7+", VersionContext())?.family, .kernel, "a release's shape is enough")
        XCTAssertEqual(VendorVersion.driver("1.4.16.0-k-NAPI", VersionContext(kernelRelease: "6.1.0-56-amd64"))?.family, .generic, "vmxnet3's own numbering")
        XCTAssertEqual(VendorVersion.driver("5.17.0", VersionContext(kernelRelease: "6.1.0-56-amd64"))?.family, .generic, "not this host's release")
        let chain = try ["5.17.0-rc7+", "5.17.0", "5.17.0-1", "6.1.0-56-amd64", "6.1.0-57-amd64"].map(drv)
        for i in chain.indices.dropLast() {
            XCTAssertEqual(chain[i].compare(chain[i + 1]), .older, "\(chain[i]) < \(chain[i + 1])")
            XCTAssertLessThan(try XCTUnwrap(chain[i].sortKey), try XCTUnwrap(chain[i + 1].sortKey), "\(chain[i]) < \(chain[i + 1])")
        }
        XCTAssertNil(try drv("6.1.0-56-amd64").compare(try drv("6.1.0-56-cloud-amd64")), "two flavours of one build")
        XCTAssertEqual(try VersionRange(">=5.15").contains(try drv("6.1.0-56-amd64")), .inside)
        XCTAssertEqual(try VersionRange(">=6.1 <6.2").contains(try drv("6.1.0-56-amd64")), .inside)
        XCTAssertEqual(try VersionRange(">=6.2").contains(try drv("6.1.0-56-amd64")), .outside)
    }

    func testRangesReadTheirBoundsInTheVersionsScheme() throws {
        let cx6dx = try fw("22.39.1002", "mlx5_core")
        XCTAssertEqual(try VersionRange(">=22.36.1010").contains(cx6dx), .inside)
        XCTAssertEqual(try VersionRange(">=22.40").contains(cx6dx), .outside)
        guard case .undecidable(let why) = try VersionRange(">=22.36.1010").contains(try fw("16.35.3502", "mlx5_core")) else {
            return XCTFail("a ConnectX-6 Dx floor says nothing about a ConnectX-5")
        }
        XCTAssertTrue(why.contains("different lines (major 16 vs major 22)"), why)
        let window = try VersionRange(">=4.20, <4.40")
        XCTAssertEqual(window.contains(try fw("4.20 0x80017785 1.3346.0", "ice")), .inside)
        XCTAssertEqual(window.contains(try fw("4.40 0x8001af3c 1.3429.0", "ice")), .outside)
        XCTAssertEqual(try VersionRange(">=4.20 0x80017785 1.3346.0").contains(try fw("4.20 0x80017785 1.3346.0", "ice")), .inside)
        XCTAssertEqual(try VersionRange(">=nic-2.0.7").contains(try fw("0.0.3.5 0.21 nic-2.0.7 nic", "nfp")), .inside)
        XCTAssertEqual(try VersionRange(">=nic-2.0.7").contains(try fw("0.0.3.5 0.22 nic-2.0.4 nic", "nfp")), .outside)
        guard case .undecidable = try VersionRange(">=nic-2.0.7").contains(try fw("0.0.3.5 0.25 sriov-2.1.16.1 nic", "nfp")) else {
            return XCTFail("a nic floor says nothing about the sriov application")
        }
        XCTAssertEqual(try VersionRange(">=218.0.219.13").contains(try fw("232.0.219.16/pkg 232.1.196.16", "bnxt_en")), .inside)
        XCTAssertEqual(try VersionRange("*").contains(try fw("0x800006f1", "ixgbe")), .inside)
        XCTAssertEqual(try VersionRange("=0x800006f1").contains(try fw("0x800006f1", "ixgbe")), .inside)
        guard case .undecidable = try VersionRange(">=0x800006f0").contains(try fw("0x800006f1", "ixgbe")) else {
            return XCTFail("an eetrack floor cannot be decided")
        }
        guard case .undecidable(let notBnxt) = try VersionRange(">=bc 7.10").contains(try fw("232.0.219.16/pkg 232.1.196.16", "bnxt_en")) else {
            return XCTFail("a bootcode bound is not a bnxt package")
        }
        XCTAssertTrue(notBnxt.hasPrefix("the bound bc 7.10 is not a bnxt version"), notBnxt)
        XCTAssertThrowsError(try VersionRange("")) { XCTAssertEqual($0 as? VersionRange.ParseError, .empty) }
        XCTAssertThrowsError(try VersionRange("about 4.2")) { XCTAssertEqual($0 as? VersionRange.ParseError, .badCondition("about")) }
        XCTAssertThrowsError(try VersionRange(">=banana")) { XCTAssertEqual($0 as? VersionRange.ParseError, .badCondition(">=banana")) }
    }

    /// A string of a known family that is not of its form does not parse (the check then names
    /// the format expected); the generic scheme keeps reading what any driver may write.
    func testMalformedStringsAreNotVersions() throws {
        let bad: [(String, String)] = [
            ("bnx2x", "bc seven"), ("bnx2x", "bc 7.10 bc 7.11"), ("qede", "mfw 8.25 storm"), ("qede", "storm x"),
            ("sfc", "8.5.0.1002 fast"), ("nfp", "0.0.3.5 0.20 nic"), ("mlx5_core", "22.36.1010 MT_0000000359"),
            ("ice", "4.20 banana"), ("igb", "3.25, 0x800005d0, x"), ("bnxt_en", "pkg 232.1"), ("hns3", "0xZZ"),
            ("enic", "4.1(3ab)"), ("cxgb4", "1.26.6.0, XP 0.1"),
        ]
        for (driver, text) in bad {
            XCTAssertNil(VendorVersion.firmware(text, VersionContext(driver: driver)), "\(driver): \(text)")
        }
        for nothing in ["", "   ", "N/A", "unknown", "v", ".5", "0x", "0xZZZ"] {
            XCTAssertNil(VendorVersion(nothing), nothing)
        }
        XCTAssertEqual(try XCTUnwrap(VendorVersion("10.20.30 ")).primaryNumbers, [10, 20, 30], "netdevsim pads with a blank")
        XCTAssertEqual(try fw("4.1(3a)", "enic").compare(try fw("4.1(3b)", "enic")), .older, "Cisco's build letters order")
        XCTAssertEqual(try fw("1.26.6.0, TP 0.1.23.2", "cxgb4").compare(try fw("1.27.0.0, TP 0.1.23.2", "cxgb4")), .older)
    }

    /// The strings the issue quoted as unparsed or misordered before the schemes.
    func testTheStringsThatWereReadWrong() throws {
        XCTAssertEqual(try fw("bc 7.14.37", "bnx2x").component("bc")?.numbers, [7, 14, 37])
        XCTAssertEqual(try fw("bc 5.2.7 phy baa0.105", "bnx2").components.map(\.name), ["bc", "phy"])
        XCTAssertEqual(try fw("bc 5.2.3 NCSI 2.0.12", "bnx2").component("ncsi")?.numbers, [2, 0, 12])
        XCTAssertEqual(try fw("mfw 8.25.7.0 storm 8.20.0.0", "qede").primaryNumbers, [8, 25, 7, 0])
        XCTAssertEqual(try fw("0.0.3.5 0.20 nic-2.0.7 nic", "nfp").compare(try fw("0.0.3.5 0.21 nic-2.0.7 nic", "nfp")), .older, "no longer equal")
        XCTAssertEqual(try fw("6.2.7.1000 rx0 tx0", "sfc").component("variant")?.text, "rx0 tx0")
        let igb = try fw("1.61, 0x8000090e", "igb")
        XCTAssertEqual(igb.component("eetrack")?.text, "0x8000090e")
        XCTAssertNil(igb.compare(try fw("1.61, 0x8000090f", "igb")), "the eetrack is not noise: another image")
        XCTAssertNil(try fw("14.31.2006", "mlx5_core").compare(try fw("16.27.1016", "mlx5_core")))
    }
}
