import Foundation
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
}
