import Collector
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

    /// Offload features (ETHTOOL_GFEATURES) equal `ethtool -k` in the same namespace, after one
    /// is changed with `ethtool -K`; the counters (IFLA_STATS64) equal `ip -s -j link` after
    /// traffic the test sent itself, with nothing else moving them (IPv6 off in the namespace).
    func testFeaturesAndCountersMatchTheKernelsTools() throws {
        let run = { (arguments: [String]) throws in
            let r = try shell("ip", ["netns", "exec", self.namespace] + arguments)
            guard r.status == 0 else { throw FixtureBuilder.BuildError(description: "\(arguments): \(r.stderr)") }
        }
        try run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        try run(["ip", "addr", "add", "192.0.2.1/24", "dev", "sa0"])
        try run(["ip", "addr", "add", "192.0.2.2/24", "dev", "sa1"])
        try run(["ethtool", "-K", "sa0", "gro", "off", "rx-checksumming", "off"])
        // Traffic within the namespace only (TEST-NET-1 addresses on its own veth pair).
        try run(["ping", "-c", "5", "-i", "0.2", "-q", "192.0.2.2"])
        let snapshot = try CLI.snapshot([], prefix: inNamespace)
        let stats = try shell("ip", ["-n", namespace, "-s", "-j", "link", "show"])

        for name in ["lo", "sa0", "sa1"] {
            let text = try shell("ip", ["netns", "exec", namespace, "ethtool", "-k", name]).stdout
            guard case .features(let expected) = EthtoolFeaturesText.parse(text) else { return XCTFail("\(name): \(text)") }
            XCTAssertEqual(snapshot.interface(named: name)?.features, expected, name)
        }
        let sa0 = try XCTUnwrap(snapshot.interface(named: "sa0")?.features)
        XCTAssertEqual(sa0.isOn("rx-gro"), false, "set off with ethtool -K")
        XCTAssertEqual(sa0.isOn("rx-checksum"), false)
        XCTAssertEqual(snapshot.interface(named: "sa1")?.features?.isOn("rx-checksum"), true)
        XCTAssertTrue(snapshot.interface(named: "lo")?.features?.fixed.contains("loopback") ?? false)
        XCTAssertEqual(snapshot.interface(named: "sa0")?.duplex, "full", "veth reports full duplex")

        let counters = try XCTUnwrap(snapshot.counters)
        let links = try XCTUnwrap(JSONSerialization.jsonObject(with: stats.stdoutData) as? [[String: Any]])
        for link in links {
            let name = try XCTUnwrap(link["ifname"] as? String)
            let mine = try XCTUnwrap(counters.links.first { $0.interface == name }, name)
            let s64 = try XCTUnwrap(link["stats64"] as? [String: [String: Any]], name)
            let value = { (dir: String, key: String) -> UInt64? in (s64[dir]?[key] as? NSNumber)?.uint64Value }
            XCTAssertEqual(mine.rxPackets, value("rx", "packets"), name)
            XCTAssertEqual(mine.txPackets, value("tx", "packets"), name)
            XCTAssertEqual(mine.rxBytes, value("rx", "bytes"), name)
            XCTAssertEqual(mine.txBytes, value("tx", "bytes"), name)
            XCTAssertEqual(mine.rxErrors, value("rx", "errors"), name)
            XCTAssertEqual(mine.rxDropped, value("rx", "dropped"), name)
            XCTAssertEqual(mine.txDropped, value("tx", "dropped"), name)
            XCTAssertEqual(mine.multicast, value("rx", "multicast"), name)
        }
        // Both addresses are local to the namespace: the pings travel over lo (request and reply).
        XCTAssertGreaterThanOrEqual(counters.links.first { $0.interface == "lo" }?.rxPackets ?? 0, 10, "the five pings and their replies")
        XCTAssertTrue(counters.vfs.isEmpty, "veth has no VFs")

        // `capture` keeps the raw counter dump and the features; reading it back gives both.
        let dir = Fixtures.temporaryDirectory() + "/capture"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        XCTAssertEqual(try CLI.run(["capture", dir], prefix: inNamespace).status, 0)
        let captured = try CLI.snapshot(["--root", dir])
        XCTAssertEqual(captured.interfaces.map(\.features), snapshot.interfaces.map(\.features))
        XCTAssertEqual(captured.counters?.links.map(\.interface), counters.links.map(\.interface))
        XCTAssertEqual(captured.counters?.links.first { $0.interface == "sa0" }?.txPackets, counters.links.first { $0.interface == "sa0" }?.txPackets,
                       "nothing moved the counters between the two reads")
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
