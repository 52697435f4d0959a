import Collector
import Foundation
import Inventory
import TestSupport
import XCTest

/// The pure parsers, on real captured input and on malformed input.
final class ParserTests: XCTestCase {
    func testEthtoolInfoOnRealOutputs() throws {
        let e1000e = try XCTUnwrap(Fixtures.read(Fixtures.path("node_exporter__ethtool-i__e1000e.txt")))
        guard case .info(let info) = EthtoolInfoText.parse(e1000e) else { return XCTFail("not parsed") }
        XCTAssertEqual(info.driver, "e1000e")
        XCTAssertEqual(info.firmwareVersion, "0.5-4")
        XCTAssertEqual(info.busInfo, "0000:00:1f.6")
        let lo = try XCTUnwrap(Fixtures.read(Fixtures.path("qemu/igb-nvme-netdevsim/after/cmd/ethtool-i-lo.txt")))
        XCTAssertEqual(EthtoolInfoText.parse(lo), .unsupported("Cannot get driver information: Operation not supported"))
        XCTAssertEqual(EthtoolInfoText.parse(""), .malformed("no `driver:` line"))
        // render ∘ parse is the identity on the first five lines.
        let igb = try XCTUnwrap(Fixtures.read(Fixtures.path("qemu/igb-nvme-netdevsim/after/cmd/ethtool-i-eth1.txt")))
        guard case .info(let igbInfo) = EthtoolInfoText.parse(igb) else { return XCTFail("not parsed") }
        XCTAssertTrue(igb.hasPrefix(EthtoolInfoText.render(igbInfo)))
    }

    func testIPLinkJSONOnRealOutput() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("qemu/igb-nvme-netdevsim/after/cmd/ip-d-j-link.json")))
        let links = try IPLinkJSON.parse([UInt8](data))
        XCTAssertEqual(links.map(\.name), ["lo", "eth0", "eth1", "eth2", "eth3", "eth4"])
        let eth1 = links[2]
        XCTAssertEqual(eth1.vfs.count, 3)
        XCTAssertEqual(eth1.vfs[1].vlanProtocol, "802.1Q")
        XCTAssertEqual(eth1.vfs[2].vlanProtocol, "802.1Q")
        XCTAssertEqual(eth1.vfs[2].vlan, 0)
        XCTAssertEqual(eth1.numVFs, 3)
        XCTAssertEqual(links[0].carrier, true)
        XCTAssertEqual(links[0].linkType, "loopback")
    }

    func testIPLinkJSONRejectsWrongShapes() {
        XCTAssertThrowsError(try IPLinkJSON.parse(Array("{\"ifname\": 1}".utf8)))
        XCTAssertThrowsError(try IPLinkJSON.parse(Array("[{\"ifindex\": 1}]".utf8))) { error in
            XCTAssertTrue("\(error)".contains("missing ifname"), "\(error)")
        }
        XCTAssertThrowsError(try IPLinkJSON.parse(Array("[{\"ifindex\": 1, \"ifname\": \"x\", \"mtu\": \"big\"}]".utf8))) { error in
            XCTAssertTrue("\(error)".contains("(in \"mtu\")"), "\(error)")
        }
    }

    func testSysfsValues() {
        XCTAssertEqual(SysfsValues.id16("0x8086"), "8086")
        XCTAssertNil(SysfsValues.id16("8086"))
        XCTAssertNil(SysfsValues.id16("0x18086"))
        XCTAssertEqual(SysfsValues.bareID16("10"), "0010")
        XCTAssertNil(SysfsValues.bareID16("0x10ca"))
        XCTAssertEqual(SysfsValues.classCode("0x020000"), "020000")
        XCTAssertEqual(SysfsValues.count("128"), 128)
        XCTAssertNil(SysfsValues.count("-1"))
        XCTAssertNil(SysfsValues.count(" 3"))
        XCTAssertNil(SysfsValues.count("99999999999999999999999"))
        XCTAssertEqual(SysfsValues.numaNode("-1"), .some(nil))
        XCTAssertEqual(SysfsValues.numaNode("1"), .some(1))
        XCTAssertNil(SysfsValues.numaNode("x") as Int??)
        XCTAssertEqual(SysfsValues.flag("1"), true)
        XCTAssertNil(SysfsValues.flag("yes"))
        XCTAssertEqual(SysfsValues.linkSpeed("16.0 GT/s PCIe"), "16.0 GT/s PCIe")
        XCTAssertEqual(SysfsValues.linkSpeed("Unknown"), "Unknown")
        XCTAssertNil(SysfsValues.linkSpeed("fast"))
        XCTAssertNil(SysfsValues.text([0x31, 0x00, 0x0a]), "NUL inside: not a text attribute")
        XCTAssertEqual(SysfsValues.speed("-1"), .some(nil))
        XCTAssertEqual(SysfsValues.speed("10000"), .some(10000))
    }

    func testHostIdentity() throws {
        let uname = try XCTUnwrap(HostIdentity.parseUname("Linux (none) 6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16) x86_64 GNU/Linux\n"))
        XCTAssertNil(uname.nodename)
        XCTAssertEqual(uname.release, "6.1.0-56-amd64")
        XCTAssertEqual(HostIdentity.parseUname("Linux node7 5.14.0 #1 SMP x86_64 GNU/Linux")?.nodename, "node7")
        XCTAssertNil(HostIdentity.parseUname("Darwin"))
        XCTAssertEqual(HostIdentity.parseHostname("  worker-12 \n"), "worker-12")
        XCTAssertNil(HostIdentity.parseHostname("\n"))
        XCTAssertEqual(HostIdentity.parseCommandLine("a=b \n"), "a=b ")
    }

    /// Hand-made rtnetlink messages cover the decoder's edges that no kernel capture shows.
    func testNetlinkDecoderRejectsTruncatedInput() throws {
        var message: [UInt8] = []
        func u16(_ v: Int) { message += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: Int) { u16(v & 0xffff); u16(v >> 16) }
        u32(16 + 16 + 8); u16(16); u16(2); u32(1); u32(0)   // nlmsghdr: RTM_NEWLINK
        message += [0, 0]; u16(1); u32(7); u32(1); u32(0)     // ifinfomsg: ether, index 7, IFF_UP
        u16(8); u16(3); message += Array("abc\0".utf8)        // IFLA_IFNAME "abc"
        let batch = try NetlinkLinkDecoder.decode(message)
        XCTAssertEqual(batch.interfaces.map(\.name), ["abc"])
        XCTAssertEqual(batch.interfaces.first?.adminUp, true)
        XCTAssertEqual(batch.interfaces.first?.linkType, "ether")
        XCTAssertFalse(batch.done)
        XCTAssertThrowsError(try NetlinkLinkDecoder.decode(Array(message.prefix(30))))
        var overrun = message
        overrun[32] = 200  // attribute length beyond the message: that link is lost, said by ifindex
        let damaged = try NetlinkLinkDecoder.decode(overrun)
        XCTAssertEqual(damaged.interfaces, [])
        XCTAssertEqual(damaged.problems.map(\.subject), ["ifindex 7"])
        XCTAssertTrue(damaged.problems[0].message.contains("overruns"), "\(damaged.problems)")
    }
}
