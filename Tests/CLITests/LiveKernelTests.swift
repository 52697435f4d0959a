import Foundation
import Inventory
import TestSupport
import XCTest

/// The live paths (rtnetlink, the ethtool ioctl, sysfs) against this machine's kernel, compared with
/// `ip -d -j link` and `ethtool -i` in the same network namespace.
final class LiveKernelTests: XCTestCase {
    private var namespace = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(isRoot, "SKIPPED: live netlink tests need root to create a network namespace")
        try XCTSkipUnless(toolExists("ip") && toolExists("ethtool"), "SKIPPED: iproute2 and ethtool are needed")
        namespace = "sa-test-\(getpid())-\(Int.random(in: 1000...9999))"
        try ip(["netns", "add", namespace])
        try ip(["-n", namespace, "link", "add", "sa0", "type", "veth", "peer", "name", "sa1"])
        try ip(["-n", namespace, "link", "set", "sa0", "address", "02:5a:00:00:00:01", "mtu", "9000", "up"])
        try ip(["-n", namespace, "link", "set", "sa1", "address", "02:5a:00:00:00:02", "up"])
        try ip(["-n", namespace, "link", "set", "lo", "up"])
    }

    override func tearDown() {
        if !namespace.isEmpty { _ = try? shell("ip", ["netns", "del", namespace]) }
    }

    private func ip(_ arguments: [String]) throws {
        let result = try shell("ip", arguments)
        guard result.status == 0 else { throw FixtureBuilder.BuildError(description: "ip \(arguments): \(result.stderr)") }
    }

    private var inNamespace: [String] { ["/usr/bin/env", "ip", "netns", "exec", namespace] }

    func testNetlinkAndEthtoolMatchTheKernelsTools() throws {
        let snapshot = try CLI.snapshot([], prefix: inNamespace)
        let ipJSON = try shell("ip", ["-n", namespace, "-d", "-j", "link", "show"])
        let links = try XCTUnwrap(JSONSerialization.jsonObject(with: ipJSON.stdoutData) as? [[String: Any]])
        XCTAssertEqual(snapshot.interfaces.map(\.name), links.map { $0["ifname"] as! String })
        XCTAssertEqual(Set(snapshot.interfaces.map(\.name)), ["lo", "sa0", "sa1"])
        for link in links {
            let name = link["ifname"] as! String
            let interface = try XCTUnwrap(snapshot.interface(named: name))
            XCTAssertEqual(interface.ifindex, link["ifindex"] as? Int, name)
            XCTAssertEqual(interface.mac, link["address"] as? String, name)
            XCTAssertEqual(interface.mtu, link["mtu"] as? Int, name)
            XCTAssertEqual(interface.operState, link["operstate"] as? String, name)
            XCTAssertEqual(interface.linkType, link["link_type"] as? String, name)
            let flags = link["flags"] as? [String] ?? []
            XCTAssertEqual(interface.adminUp, flags.contains("UP"), name)
            XCTAssertEqual(interface.carrier, flags.contains("LOWER_UP"), name)
            // ethtool -i in the same namespace, field by field.
            let ethtool = try shell("ip", ["netns", "exec", namespace, "ethtool", "-i", name])
            if ethtool.status == 0 {
                var fields: [String: String] = [:]
                for line in ethtool.stdout.split(separator: "\n") {
                    guard let colon = line.range(of: ": ") ?? line.range(of: ":") else { continue }
                    fields[String(line[..<colon.lowerBound])] = String(line[colon.upperBound...])
                }
                let info = try XCTUnwrap(interface.driverInfo, name)
                XCTAssertEqual(info.driver, fields["driver"], name)
                XCTAssertEqual(info.version, fields["version"], name)
                XCTAssertEqual(info.firmwareVersion, fields["firmware-version"], name)
                XCTAssertEqual(info.expansionROMVersion, fields["expansion-rom-version"], name)
                XCTAssertEqual(info.busInfo, fields["bus-info"], name)
            } else {
                XCTAssertNil(interface.driverInfo, name)
            }
        }
        XCTAssertEqual(snapshot.interface(named: "sa0")?.mac, "02:5a:00:00:00:01")
        XCTAssertEqual(snapshot.interface(named: "sa0")?.mtu, 9000)
        XCTAssertEqual(snapshot.interface(named: "sa0")?.driverInfo?.driver, "veth")
        XCTAssertEqual(snapshot.interface(named: "sa1")?.speedMbps, 10000, "veth reports 10000 Mb/s in sysfs")
        XCTAssertEqual(snapshot.source.kind, .live)
    }

    /// The raw RTM_GETLINK dump `capture` stores decodes to what `ip -d -j link` printed beside it.
    func testCapturedRawDumpDecodesLikeIP() throws {
        let dir = Fixtures.temporaryDirectory() + "/capture"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let result = try CLI.run(["capture", dir], prefix: inNamespace)
        XCTAssertEqual(result.status, 0, result.stderr)
        let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/cmd/rtnetlink-getlink.bin"))
        let fromRaw = try CLI.snapshot(["--root", dir])
        let ipJSON = try Data(contentsOf: URL(fileURLWithPath: dir + "/cmd/ip-d-j-link.json"))
        let links = try XCTUnwrap(JSONSerialization.jsonObject(with: ipJSON) as? [[String: Any]])
        XCTAssertGreaterThan(raw.count, 500)
        XCTAssertEqual(fromRaw.interfaces.map(\.name), links.map { $0["ifname"] as! String })
        XCTAssertEqual(fromRaw.interfaces.map(\.mac), links.map { $0["address"] as? String })
        XCTAssertEqual(fromRaw.interfaces.map(\.mtu), links.map { $0["mtu"] as? Int })
        XCTAssertEqual(fromRaw.interface(named: "sa0")?.driverInfo?.driver, "veth")
        XCTAssertEqual(fromRaw.host.hostname, try CLI.snapshot([], prefix: inNamespace).host.hostname)
    }
}
