import Foundation
import Inventory
import TestSupport
import XCTest

/// deploy/: the systemd units pass `systemd-analyze verify` (and its offline security review
/// stays in the "OK" band), and the Ansible role installs the collector into a throw-away Debian
/// root for real, twice, the second time changing nothing (Tests/Deploy/ansible-chroot.sh).
final class DeployTests: XCTestCase {
    func testSystemdUnitsVerify() throws {
        try XCTSkipUnless(toolExists("systemd-analyze"), "SKIPPED: systemd-analyze is not installed")
        let dir = Fixtures.temporaryDirectory("units")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let units = ["sriov-audit-collect.service", "sriov-audit-collect.timer", "sriov-audit-server.service"]
        for unit in units {
            // verify checks that ExecStart's program exists: point it at the binary under test.
            let text = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/systemd/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/bin/sriov-audit", with: CLI.binary).write(toFile: dir + "/" + unit, atomically: true, encoding: .utf8)
        }
        let verify = try shell("systemd-analyze", ["verify"] + units.map { dir + "/" + $0 })
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertEqual(verify.stderr.trimmingCharacters(in: .whitespacesAndNewlines), "", "no warnings")
        for (unit, ceiling) in [("sriov-audit-server.service", 3.5), ("sriov-audit-collect.service", 5.0)] {
            let review = try shell("systemd-analyze", ["security", "--offline=yes", dir + "/" + unit])
            let line = review.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") } ?? ""
            let score = line.split(separator: " ").compactMap { Double($0) }.first ?? 99
            XCTAssertLessThanOrEqual(score, ceiling, "\(unit): \(line)")
        }
        let timer = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/systemd/sriov-audit-collect.timer", encoding: .utf8)
        XCTAssertTrue(timer.contains("OnCalendar=hourly") && timer.contains("RandomizedDelaySec="))
        let server = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/systemd/sriov-audit-server.service", encoding: .utf8)
        for setting in ["NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=sriov-audit", "User=sriov-audit"] {
            XCTAssertTrue(server.contains(setting), setting)
        }
        let collector = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/systemd/sriov-audit-collect.service", encoding: .utf8)
        XCTAssertTrue(collector.contains("ReadOnlyPaths=/sys") && collector.contains("ProtectKernelTunables=yes"))
    }

    func testAnsibleInstallsTheCollectorIntoADebianRootIdempotently() throws {
        let dir = Fixtures.temporaryDirectory("ansible")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try shell("bash", [Fixtures.packageRoot + "/Tests/Deploy/ansible-chroot.sh", CLI.binary, dir])
        if run.status == 77 {
            print(run.stderr)
            throw XCTSkip(run.stderr.split(separator: "\n").last.map(String.init) ?? "SKIPPED: deployment test")
        }
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("second run changed=0"), run.stdout)
        print(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The .deb `make deb` builds (Tests/run-tests.sh builds it before the tests and names it in
    /// SRIOV_AUDIT_DEB) installs into a fresh Debian root and runs there: Tests/Deploy/deb-chroot.sh.
    /// What it printed inside the root must equal what the binary under test prints.
    func testDebInstallsIntoACleanDebianRootAndRuns() throws {
        guard let deb = ProcessInfo.processInfo.environment["SRIOV_AUDIT_DEB"], !deb.isEmpty else {
            throw XCTSkip("SKIPPED: package test: no .deb built (make test builds one; or set SRIOV_AUDIT_DEB=PATH)")
        }
        let dir = Fixtures.temporaryDirectory("deb")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let capture = Fixtures.path("qemu/igb-nvme-netdevsim/after")
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let run = try shell("bash", [Fixtures.packageRoot + "/Tests/Deploy/deb-chroot.sh", deb, dir, capture, version])
        if run.status == 77 {
            print(run.stderr)
            throw XCTSkip(run.stderr.split(separator: "\n").last.map(String.init) ?? "SKIPPED: package test")
        }
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        print(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        guard run.status == 0 else { return }
        // The packaged release binary and the binary under test read the capture the same way.
        // The same output, but for the collection time and the capture's path (warnings name it).
        let inside = "/tmp/igb-nvme-netdevsim/after"
        let table = try CLI.run(["collect", "--root", capture])
        let packagedTable = try String(contentsOfFile: dir + "/collect.txt", encoding: .utf8)
        XCTAssertTrue(packagedTable.hasPrefix("Host igb-nvme-netdevsim  kernel 6.1.0-56-amd64  collected "), packagedTable)
        XCTAssertEqual(packagedTable.split(separator: "\n").dropFirst(),
                       table.stdout.replacingOccurrences(of: capture, with: inside).split(separator: "\n").dropFirst())
        var packaged = try HostSnapshot(jsonBytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/collect.json"))))
        let here = try CLI.snapshot(["--root", capture])
        packaged.collectedAt = here.collectedAt
        XCTAssertEqual(String(decoding: SnapshotJSONWriter.encode(packaged), as: UTF8.self),
                       String(decoding: SnapshotJSONWriter.encode(here), as: UTF8.self).replacingOccurrences(of: capture, with: inside))
        let audit = try CLI.run(["audit", "--root", capture, "--no-store"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/audit.txt", encoding: .utf8), audit.stdout)
    }
}
