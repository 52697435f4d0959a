import Foundation
import Inventory
import TestSupport
import XCTest

@testable import Collector

/// PFs past the kernel's VF-list limit, on the real dump the VM test recorded: Debian's 6.1
/// kernel with netdevsim PFs of 256, 335 and 512 VFs (`qemu/netdevsim-large`). The
/// IFLA_VFINFO_LIST nest has a 16-bit length; without per-VF stats it wraps past 335 VFs, so
/// the 335- and 512-VF lists claim 128 and 34,820 bytes while their entries fill 65,664 and
/// 100,356. Before the fix, the whole dump was lost ("attribute … overruns its message").
final class VFListLimitTests: XCTestCase {
    let capture = Fixtures.path("qemu/netdevsim-large/capture")
    var dump: [UInt8] { Array(FileManager.default.contents(atPath: capture + "/cmd/rtnetlink-getlink.bin") ?? Data()) }
    let pfs = [("eth4", 256), ("eth5", 335), ("eth6", 512)]

    func testTheRealDumpIsReadWholePastTheWrappedLength() throws {
        let batch = try NetlinkLinkDecoder.decode(dump)
        XCTAssertTrue(batch.done)
        XCTAssertEqual(batch.interfaces.map(\.name), ["lo", "eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "eth6"],
                       "every interface, including those before and after the large PFs")
        for (name, count) in pfs {
            let link = try XCTUnwrap(batch.interfaces.first { $0.name == name })
            XCTAssertEqual(link.numVFs, count)
            XCTAssertEqual(link.vfs.map(\.index), Array(0..<count), name)
            XCTAssertNil(link.vfTableShortfall, name)
            XCTAssertEqual(link.vfs[count - 1].vlan, 4000, "the last VF's settings, past the wrap")
            XCTAssertEqual(link.vfs[count - 1].spoofCheck, false)
            XCTAssertEqual(link.vfs[count - 1].trust, true)
            XCTAssertEqual(link.vfs[230].qos, 2)
        }
        let eth6 = try XCTUnwrap(batch.interfaces.first { $0.name == "eth6" })
        XCTAssertEqual(eth6.vfs[300].mac, "02:5e:00:12:01:2c")
        XCTAssertEqual(eth6.vfs[300].maxTxRate, 300)
        // The wrap is said once per list that wrapped, with both lengths; the 256-VF list fits.
        XCTAssertEqual(batch.problems.map(\.subject), ["eth5", "eth6"])
        XCTAssertEqual(batch.problems.map(\.kind), [.inconsistent, .inconsistent])
        XCTAssertTrue(batch.problems[0].message.contains("claims 128 bytes but its entries fill 65664"), batch.problems[0].message)
        XCTAssertTrue(batch.problems[1].message.contains("claims 34820 bytes but its entries fill 100356"), batch.problems[1].message)
        // The entries really are there: the builder counts them without the decoder.
        XCTAssertEqual(try NetlinkDumpBuilder.vfEntryCount(dump, interface: "eth6"), 512)
    }

    /// A kernel that stops the list at the nest's limit (or a short read): fewer entries than
    /// IFLA_NUM_VF. The entries it has are kept, the table is marked, the others are intact.
    func testAShortListIsMarkedWithBothCounts() throws {
        let short = try NetlinkDumpBuilder.cuttingVFList(dump, interface: "eth6", keep: 300)
        let batch = try NetlinkLinkDecoder.decode(short)
        XCTAssertEqual(batch.interfaces.count, 8)
        let eth6 = try XCTUnwrap(batch.interfaces.first { $0.name == "eth6" })
        XCTAssertEqual(eth6.vfs.count, 300)
        XCTAssertEqual(eth6.vfTableShortfall, VFTableShortfall(expected: 512, expectedSource: "IFLA_NUM_VF", received: 300))
        XCTAssertEqual(eth6.vfs[230].mac, "02:5e:00:12:00:e6")
        let whole = try NetlinkLinkDecoder.decode(dump)
        XCTAssertEqual(batch.interfaces.filter { $0.name != "eth6" }, whole.interfaces.filter { $0.name != "eth6" })
    }

    /// A nest that claims more bytes than its message holds: that PF's VF settings cannot be
    /// trusted and are not read; the interface itself and every other one are kept.
    func testANestLongerThanItsMessageCostsOnlyThatTable() throws {
        let bad = try NetlinkDumpBuilder.overclaimingVFList(dump, interface: "eth4")
        let batch = try NetlinkLinkDecoder.decode(bad)
        XCTAssertEqual(batch.interfaces.map(\.name), ["lo", "eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "eth6"])
        let eth4 = try XCTUnwrap(batch.interfaces.first { $0.name == "eth4" })
        XCTAssertEqual(eth4.vfs, [])
        XCTAssertEqual(eth4.vfTableShortfall, VFTableShortfall(expected: 256, expectedSource: "IFLA_NUM_VF", received: 0))
        let problem = try XCTUnwrap(batch.problems.first { $0.subject == "eth4" })
        XCTAssertEqual(problem.kind, .malformed)
        XCTAssertTrue(problem.message.contains("the message has"), problem.message)
        XCTAssertEqual(batch.interfaces.first { $0.name == "eth6" }?.vfs.count, 512)
    }

    /// The capture as a whole, read back: every VF from the raw dump; and with only
    /// `ip -d -j link` (which iproute2 cut at 34, 113 and 69 entries), the tables are marked
    /// against sysfs `sriov_numvfs`, the entries ip printed kept as they were.
    func testACaptureWithOnlyIPLinkNamesEachCutTable() throws {
        let whole = try Collector().collectCapture(at: capture)
        for (name, count) in pfs {
            XCTAssertEqual(whole.interface(named: name)?.vfs.count, count)
            XCTAssertNil(whole.interface(named: name)?.vfTableShortfall)
        }
        let ipOnly = try FixtureBuilder.ipLinkOnly(capture)
        defer { try? FileManager.default.removeItem(atPath: ipOnly) }
        let cut = try Collector().collectCapture(at: ipOnly)
        XCTAssertEqual(cut.interfaces.map(\.name), whole.interfaces.map(\.name))
        for ((name, count), printed) in zip(pfs, [34, 113, 69]) {
            let table = try XCTUnwrap(cut.interface(named: name))
            XCTAssertEqual(table.vfTableShortfall, VFTableShortfall(expected: count, expectedSource: "sriov_numvfs", received: printed), name)
            XCTAssertEqual(table.vfs, Array(whole.interface(named: name)?.vfs.prefix(printed) ?? []))
            XCTAssertTrue(cut.warnings.contains { $0.kind == .inconsistent && $0.subject == name && $0.message.contains("holds \(printed) of \(count) VFs (sriov_numvfs \(count))") },
                          "\(cut.warnings)")
        }
        XCTAssertTrue((Fixtures.read(capture + "/cmd/ip-d-j-link.stderr") ?? "").contains("Truncated VF list: eth6"))
    }
}
