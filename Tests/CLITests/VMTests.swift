import Foundation
import Collector
import Inventory
import TestSupport
import XCTest

/// sriov-audit inside a real kernel: Debian's kernel under QEMU with an SR-IOV igb NIC and an
/// SR-IOV NVMe controller (Tests/VM). The guest configures VFs over netlink, runs `collect` and
/// `capture`, and records `ip`, `ethtool` and `lspci` at the same moment; here both results are
/// checked against those tools.
///
/// Runs whenever QEMU and a kernel can be had (.ci/run installs them); otherwise it is skipped with
/// a loud SKIPPED line. SRIOV_AUDIT_SKIP_VM=1 skips it on purpose.
final class VMTests: XCTestCase {
    func testCollectorInsideARealKernelWithSRIOVDevices() throws {
        if ProcessInfo.processInfo.environment["SRIOV_AUDIT_SKIP_VM"] == "1" {
            print("SKIPPED: VM test: SRIOV_AUDIT_SKIP_VM=1")
            throw XCTSkip("SKIPPED: VM test: SRIOV_AUDIT_SKIP_VM=1")
        }
        let out = Fixtures.temporaryDirectory("vm")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try shell("bash", [Fixtures.packageRoot + "/Tests/VM/run.sh", CLI.binary, out])
        if run.status == 77 {
            print(run.stderr)
            throw XCTSkip(run.stderr.split(separator: "\n").last.map(String.init) ?? "SKIPPED: VM test")
        }
        XCTAssertEqual(run.status, 0, run.stderr)
        print(String(run.stderr.split(separator: "\n").last ?? ""))
        XCTAssertEqual(Fixtures.read(out + "/collect.rc"), "0\n", Fixtures.read(out + "/collect.err") ?? "")
        XCTAssertEqual(Fixtures.read(out + "/capture.rc"), "0\n", Fixtures.read(out + "/capture.log") ?? "")

        // 1. `collect --format json` run live in the guest.
        let json = try Data(contentsOf: URL(fileURLWithPath: out + "/collect.json"))
        try CLI.validate(json)
        let live = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: json)
        try FidelityCheck.assertAgrees(live, tools: out + "/tools", capture: out + "/capture", name: "VM live")
        XCTAssertEqual(live.source.kind, .live)
        XCTAssertEqual(live.iommu.enabled, true)
        XCTAssertEqual(live.iommu.units, ["dmar0"])
        XCTAssertTrue(live.warnings.isEmpty, "\(live.warnings)")

        let igb = try XCTUnwrap(live.physicalFunctions.first { live.device($0.address)?.vendorDevice == "8086:10c9" })
        XCTAssertEqual(igb.numVFs, 3)
        XCTAssertEqual(igb.totalVFs, 7)
        XCTAssertEqual(igb.driverInfo?.firmwareVersion, "2.1.0")
        XCTAssertEqual(igb.virtualFunctions.map(\.driver), ["igbvf", "igbvf", "vfio-pci"])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.mac }, ["02:00:00:00:10:01", "02:00:00:00:10:02", "02:00:00:00:10:03"])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.vlan }, [100, 200, 0])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.qos }, [0, 3, 0])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.spoofCheck }, [true, false, true])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.trust }, [false, true, false])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.maxTxRate }, [0, 0, 100])
        XCTAssertEqual(igb.virtualFunctions.map { $0.config?.vlanProtocol }, ["802.1Q", "802.1Q", "802.1Q"])
        XCTAssertNil(igb.virtualFunctions[2].effectiveMAC)
        let nvme = try XCTUnwrap(live.physicalFunctions.first { live.device($0.address)?.vendorDevice == "1b36:0010" })
        XCTAssertEqual(nvme.virtualFunctions.map(\.driver), [nil, nil, "vfio-pci", "vfio-pci"])
        XCTAssertEqual(nvme.driversAutoprobe, false)
        XCTAssertEqual(Set(live.virtualFunctions.compactMap(\.iommuGroup)).count, 7, "every VF alone in its group")

        // 2. The guest's `capture`, read back here: the same inventory, from the raw netlink dump.
        var captured = try CLI.snapshot(["--root", out + "/capture"])
        try FidelityCheck.assertAgrees(captured, tools: out + "/tools", capture: out + "/capture", name: "VM capture")
        XCTAssertEqual(captured.pciDevices, live.pciDevices)
        XCTAssertEqual(captured.physicalFunctions, live.physicalFunctions)
        XCTAssertEqual(captured.interfaces, live.interfaces)
        XCTAssertEqual(captured.iommuGroups, live.iommuGroups)
        captured.source = live.source
        captured.collectedAt = live.collectedAt
        XCTAssertEqual(captured.iommu, live.iommu)

        // The consumers the guest wrote sit on the right BDFs, live and in the capture.
        let igbVFs = igb.virtualFunctions.map(\.address.description)
        XCTAssertEqual(igb.virtualFunctions.map { $0.consumers.map(\.label) }, [[], ["pod c0ffee00-0000-4000-8000-000000000003/app"], ["vm guest-a", "vm guest-b"]])
        XCTAssertEqual(igb.virtualFunctions[2].consumers.map(\.running), [true, false])
        XCTAssertEqual(igb.virtualFunctions[1].consumers.first?.resource, "intel.com/igb_vfs")
        let consumers = try XCTUnwrap(live.consumers)
        XCTAssertEqual(consumers.pools.map(\.name), ["intel.com/igb_vfs", "intel.com/nvme_vfio"])
        XCTAssertEqual(consumers.hugepages.first { $0.node == nil }?.total, 16)
        XCTAssertEqual(captured.consumers, live.consumers)
        XCTAssertTrue(Fixtures.read(out + "/collect.txt")?.split(separator: "\n").contains { $0.contains(igbVFs[2]) && $0.hasSuffix("vm guest-a + vm guest-b (off)") } ?? false,
                      Fixtures.read(out + "/collect.txt") ?? "")
        for file in ["etc/libvirt/qemu/guest-a.xml", "run/libvirt/qemu/guest-a.xml", "etc/pcidp/config.json", "var/lib/kubelet/device-plugins/kubelet_internal_checkpoint"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/capture/files/" + file), "capture keeps \(file)")
        }

        // The data plane, against `ethtool -k` and `ip -s -d -j link` run right after `collect`.
        try checkDataPlane(live, tools: out + "/tools")
        XCTAssertEqual(captured.interfaces.map(\.features), live.interfaces.map(\.features), "capture keeps the features")
        XCTAssertNotNil(live.devlink, "the guest kernel has devlink")

        // 3. `audit` run live in the guest with the default rules: exactly the problems the
        // scenario planted, and a PASS for everything else.
        XCTAssertEqual(Fixtures.read(out + "/audit.rc"), "1\n", "the VF in two guests is high; \(Fixtures.read(out + "/audit.err") ?? "")")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/audit.json"))) as? [String: Any])
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let problems = findings.filter { $0["status"] as? String != "pass" }
            .map { "\($0["rule"] ?? "") \($0["bdf"] ?? "-") \($0["message"] ?? "")" }.sorted()
        let nvmeVFs = nvme.virtualFunctions.map(\.address.description)
        XCTAssertEqual(problems, [
            "vf-consumer \(igbVFs[2]) \(igbVFs[2]) is claimed by 2 consumers (only one can have it at a time): vm guest-a, running (/etc/libvirt/qemu/guest-a.xml); vm guest-b, not running (/etc/libvirt/qemu/guest-b.xml)",
            "vf-driver-bound \(nvmeVFs[0]) VF 0 of \(nvme.address) has no driver",
            "vf-driver-bound \(nvmeVFs[1]) VF 1 of \(nvme.address) has no driver",
            "vf-security \(igb.virtualFunctions[1].address) \(igb.virtualFunctions[1].address): spoofchk off, trust on",
        ])
        let passed = Set(findings.filter { $0["status"] as? String == "pass" }.compactMap { $0["rule"] as? String })
        XCTAssertEqual(passed, ["iommu-enabled", "vf-isolation", "vf-capacity", "vf-mac-valid", "mac-unique-host", "mac-unique-l2",
                                "vlan-valid", "firmware-aligned", "consumer-config", "device-plugin-pool", "dpdk-hugepages"])
        print("VM test: \(Fixtures.read(out + "/timing.txt") ?? "")".trimmingCharacters(in: .newlines))

        try checkPFsPastTheVFListLimit(out + "/big", guestOut: out)
    }

    /// The guest's second phase: netdevsim PFs with 256, 335 and 512 VFs, a few configured past
    /// 222 and 335. The kernel's IFLA_VFINFO_LIST nest wraps its 16-bit length on these, and
    /// `ip` prints a cut list. Live collection and the capture must keep every interface and
    /// every VF; a capture that holds only `ip -d -j link` must say which tables are partial,
    /// and the checks must say they cannot judge those PFs.
    private func checkPFsPastTheVFListLimit(_ big: String, guestOut: String) throws {
        guard let listing = Fixtures.read(big + "/pfs.txt") else {
            let why = Fixtures.read(guestOut + "/netdevsim.err") ?? ""
            print("SKIPPED: VM test: netdevsim large-VF phase (netdevsim.ko not in the image) \(why)")
            return
        }
        let pfs = listing.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .map { (id: $0[0].dropFirst("netdevsim".count), name: $0[1], vfs: Int($0[2]) ?? 0) }
        XCTAssertEqual(pfs.map(\.vfs), [256, 335, 512])
        XCTAssertEqual(Fixtures.read(big + "/collect.rc"), "0\n", Fixtures.read(big + "/collect.err") ?? "")
        XCTAssertEqual(Fixtures.read(big + "/capture.rc"), "0\n", Fixtures.read(big + "/capture.log") ?? "")

        // 1. Live, in the guest: every interface `ip` lists, every VF of every PF, with its settings.
        let json = try Data(contentsOf: URL(fileURLWithPath: big + "/collect.json"))
        try CLI.validate(json)
        let live = try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: json)
        let ipLinks = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: big + "/tools/ip-d-j-link.json"))) as? [[String: Any]])
        XCTAssertEqual(Set(live.interfaces.map(\.name)), Set(ipLinks.compactMap { $0["ifname"] as? String }))
        XCTAssertTrue(live.interfaces.contains { $0.name == "lo" })
        for pf in pfs {
            let table = try XCTUnwrap(live.interface(named: pf.name), pf.name)
            XCTAssertEqual(table.numVFs, pf.vfs)
            XCTAssertEqual(table.vfs.map(\.index), Array(0..<pf.vfs), pf.name)
            XCTAssertNil(table.vfTableShortfall, pf.name)
            let last = pf.vfs - 1
            XCTAssertEqual(table.vfs[0].mac, "02:5e:00:\(pf.id):00:00")
            XCTAssertEqual(table.vfs[0].vlan, 10)
            XCTAssertEqual(table.vfs[230].mac, "02:5e:00:\(pf.id):00:e6")
            XCTAssertEqual(table.vfs[230].vlan, 230)
            XCTAssertEqual(table.vfs[230].qos, 2)
            XCTAssertEqual(table.vfs[last].mac, "02:5e:00:\(pf.id):ff:ff")
            XCTAssertEqual(table.vfs[last].vlan, 4000)
            XCTAssertEqual(table.vfs[last].spoofCheck, false)
            XCTAssertEqual(table.vfs[last].trust, true)
            if pf.vfs > 300 {
                XCTAssertEqual(table.vfs[300].vlan, 300)
                XCTAssertEqual(table.vfs[300].maxTxRate, 300)
            }
            XCTAssertEqual(table.vfs[1].mac, "00:00:00:00:00:00", "an unconfigured VF")
        }
        // The 512-VF list is over 64 KiB: its wrapped length is said, and read past.
        let wrapped = live.warnings.filter { $0.message.contains("wrapped") }.map(\.subject)
        XCTAssertTrue(wrapped.contains(pfs[2].name), "\(live.warnings)")
        XCTAssertFalse(wrapped.contains(pfs[0].name), "256 VFs without stats fit in the nest")

        // 2. The guest's capture, read back here from its raw netlink dump: the same interfaces.
        let captured = try CLI.snapshot(["--root", big + "/capture"])
        for pf in pfs {
            XCTAssertEqual(captured.interface(named: pf.name)?.vfs, live.interface(named: pf.name)?.vfs, pf.name)
            XCTAssertNil(captured.interface(named: pf.name)?.vfTableShortfall)
        }
        XCTAssertEqual(Set(captured.interfaces.map(\.name)), Set(live.interfaces.map(\.name)))
        let ipErrors = Fixtures.read(big + "/capture/cmd/ip-d-j-link.stderr") ?? ""
        XCTAssertTrue(ipErrors.contains("Truncated VF list"), "capture keeps ip's stderr: \(ipErrors)")

        // 3. A capture that holds only `ip -d -j link`: the cut tables are named with both counts
        // (sysfs `sriov_numvfs` gives the true one), every entry ip printed is kept as it was.
        let ipOnly = try FixtureBuilder.ipLinkOnly(big + "/capture")
        defer { try? FileManager.default.removeItem(atPath: ipOnly) }
        let fromIP = try CLI.snapshot(["--root", ipOnly])
        XCTAssertEqual(Set(fromIP.interfaces.map(\.name)), Set(live.interfaces.map(\.name)))
        for pf in pfs {
            let table = try XCTUnwrap(fromIP.interface(named: pf.name))
            let short = try XCTUnwrap(table.vfTableShortfall, "\(pf.name): ip printed \(table.vfs.count) of \(pf.vfs)")
            XCTAssertEqual(short.expected, pf.vfs)
            XCTAssertEqual(short.expectedSource, "sriov_numvfs")
            XCTAssertEqual(short.received, table.vfs.count)
            XCTAssertLessThan(table.vfs.count, pf.vfs)
            XCTAssertEqual(table.vfs, Array(live.interface(named: pf.name)?.vfs.prefix(table.vfs.count) ?? []), pf.name)
            XCTAssertTrue(fromIP.warnings.contains { $0.subject == pf.name && $0.message.contains("holds \(table.vfs.count) of \(pf.vfs) VFs") },
                          "\(fromIP.warnings)")
            print("VM test: ip -d -j link printed \(table.vfs.count) of \(pf.vfs) VFs of \(pf.name)")
        }

        // devlink, read over generic netlink, equals `devlink -j dev info` and `dev eswitch show`.
        try checkDevlink(live, big + "/tools")

        // 4. The audit in the guest judged every VF: nothing it could not judge, and the planted
        // VF past the limit (spoofchk off, trust on) is found on each PF.
        let guestFindings = try findings(big + "/audit.json")
        XCTAssertFalse(guestFindings.contains { ($0["message"] as? String ?? "").contains("cannot judge") })
        for pf in pfs {
            XCTAssertTrue(guestFindings.contains { $0["rule"] as? String == "vf-security" && $0["message"] as? String == "\(pf.name) VF \(pf.vfs - 1): spoofchk off, trust on" },
                          "\(pf.name) VF \(pf.vfs - 1)")
        }

        // 5. The audit of the ip-only capture says, per PF and per check that reads VF settings,
        // that it cannot judge; none of those checks passes that host.
        let audit = try CLI.run(["audit", "--root", ipOnly, "--no-store", "--format", "json", "--out", "-"])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let reported = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let settingRules = ["vf-mac-valid", "vlan-valid", "vf-security", "mac-unique-host", "mac-unique-l2"]
        for rule in settingRules {
            let mine = reported.filter { $0["rule"] as? String == rule }
            let unjudged = mine.compactMap { $0["message"] as? String }.filter { $0.hasPrefix("cannot judge") }
            XCTAssertEqual(unjudged.count, 3, "\(rule): \(unjudged)")
            for pf in pfs { XCTAssertTrue(unjudged.contains { $0.contains("PF \(pf.name):") && $0.contains("of the \(pf.vfs) VFs") }, "\(rule) \(pf.name)") }
            XCTAssertFalse(mine.contains { $0["status"] as? String == "pass" }, "\(rule) must not pass a partial list")
        }
    }

    private func checkDevlink(_ live: HostSnapshot, _ tools: String) throws {
        let devices = try XCTUnwrap(live.devlink)
        let shown = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tools + "/devlink-dev.json"))) as? [String: Any])
        XCTAssertEqual(Set(devices.map(\.handle)), Set((shown["dev"] as? [String: Any] ?? [:]).keys))
        XCTAssertEqual(devices.first { $0.handle == "netdevsim/netdevsim20" }?.eswitchMode, "switchdev")
        XCTAssertEqual(devices.first { $0.handle == "netdevsim/netdevsim10" }?.eswitchMode, "legacy")
        let info = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tools + "/devlink-dev-info.json"))) as? [String: Any])?["info"] as? [String: Any] ?? [:]
        for device in devices {
            let theirs = info[device.handle] as? [String: Any] ?? [:]
            XCTAssertEqual(device.driver, theirs["driver"] as? String, device.handle)
            let versions = theirs["versions"] as? [String: Any] ?? [:]
            for (kind, mine) in [("fixed", device.fixed), ("running", device.running), ("stored", device.stored)] {
                let expected = (versions[kind] as? [String: String]) ?? [:]
                XCTAssertEqual(Dictionary(mine.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), expected, "\(device.handle) \(kind)")
            }
            let eswitch = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tools + "/devlink-eswitch-\(device.device).json"))) as? [String: Any])?["dev"] as? [String: Any]
            let theirMode = (eswitch?[device.handle] as? [String: Any])?["mode"] as? String
            XCTAssertEqual(device.eswitchMode, theirMode, "\(device.handle) eswitch")
            print("VM test: devlink \(device.handle): driver \(device.driver ?? "-"), eswitch \(device.eswitchMode ?? "-"), running \(device.running.map { "\($0.name)=\($0.value)" })")
        }
        let captured = try CLI.snapshot(["--root", tools + "/../capture"])
        XCTAssertEqual(captured.devlink, live.devlink, "the capture's raw devlink replies decode to the same devices")
    }

    /// Offload features equal `ethtool -k` (parsed), and the counters read by `collect` agree
    /// with `ip -s -d -j link` printed a moment later: never more, and equal on links that are
    /// down. Per-VF counters are there exactly where `ip` prints a VF's `stats` (igb has none).
    private func checkDataPlane(_ live: HostSnapshot, tools: String) throws {
        var compared = 0
        for i in live.interfaces {
            guard let text = Fixtures.read(tools + "/ethtool-k-\(i.name).txt") else { continue }
            guard case .features(let expected) = EthtoolFeaturesText.parse(text) else { XCTFail("\(i.name): \(text)"); continue }
            XCTAssertEqual(i.features, expected, i.name)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 5, "features of lo, e1000e, igb and igbvf netdevs compared")
        let igbPF = try XCTUnwrap(live.physicalFunctions.first { live.device($0.address)?.vendorDevice == "8086:10c9" }?.interfaces.first)
        XCTAssertEqual(live.interface(named: igbPF)?.features?.isOn("rx-gro"), true, "igb's GRO is on by default")
        let counters = try XCTUnwrap(live.counters)
        let ipLinks = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tools + "/ip-s-d-j-link.json"))) as? [[String: Any]])
        XCTAssertEqual(Set(counters.links.map(\.interface)), Set(ipLinks.compactMap { $0["ifname"] as? String }))
        for link in ipLinks {
            guard let name = link["ifname"] as? String, let mine = counters.links.first(where: { $0.interface == name }),
                  let stats = link["stats64"] as? [String: Any], let rx = stats["rx"] as? [String: Any], let tx = stats["tx"] as? [String: Any] else {
                XCTFail("\(link["ifname"] ?? "?"): no stats64"); continue
            }
            let theirs: [(String, UInt64, Any?)] = [("rx packets", mine.rxPackets, rx["packets"]), ("tx packets", mine.txPackets, tx["packets"]),
                                                    ("rx bytes", mine.rxBytes, rx["bytes"]), ("tx bytes", mine.txBytes, tx["bytes"]),
                                                    ("rx errors", mine.rxErrors, rx["errors"]), ("rx dropped", mine.rxDropped, rx["dropped"]),
                                                    ("tx dropped", mine.txDropped, tx["dropped"])]
            let down = (link["operstate"] as? String) == "DOWN"
            for (what, value, other) in theirs {
                let later = try XCTUnwrap((other as? NSNumber)?.uint64Value, "\(name) \(what)")
                XCTAssertLessThanOrEqual(value, later, "\(name) \(what)")
                if down { XCTAssertEqual(value, later, "\(name) is down: \(what) cannot move") }
            }
            XCTAssertEqual(mine.address, live.interface(named: name)?.pciAddress, name)
            // The kernel sends IFLA_VF_STATS for every VF, zeros when the PF driver has no
            // ndo_get_vf_stats (igb, netdevsim): ip prints those zeros, the collector leaves them out.
            let vfStats = ((link["vfinfo_list"] as? [[String: Any]]) ?? []).compactMap { $0["stats"] as? [String: Any] }
            XCTAssertTrue(vfStats.allSatisfy { ($0["rx"] as? [String: Any])?["packets"] as? Int == 0 }, "\(name): \(vfStats)")
            XCTAssertEqual(counters.vfs.filter { $0.interface == name }.count, 0, "\(name): zeros from a driver without VF stats are not counters")
        }
    }

    private func findings(_ path: String) throws -> [[String: Any]] {
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return try XCTUnwrap(report["findings"] as? [[String: Any]])
    }
}
