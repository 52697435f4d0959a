import Foundation
import Store
import TestSupport
import XCTest

/// `audit --db`: what a scheduled fleet audit sees from the command line.
final class FleetAuditCommandTests: XCTestCase {
    private var dir = ""
    private var db: String { dir + "/inventory.db" }

    override func setUp() {
        dir = Fixtures.temporaryDirectory("fleet-audit")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// An audit that selects no host says so and exits 2: a mistyped selector in a cron line
    /// must not report "0 host(s) — OK" forever.
    func testAnAuditThatSelectsNoHostFails() throws {
        let after = Fixtures.path("qemu/igb-nvme-netdevsim/after")
        XCTAssertEqual(try CLI.run(["collect", "--root", after, "--host", "edge-1", "--db", db, "--label", "site=par1"]).status, 0)
        let typo = try CLI.run(["audit", "--db", db, "--select", "site=pra1"])
        XCTAssertEqual(typo.status, 2, typo.stdout)
        XCTAssertTrue(typo.stderr.contains("no host to audit: none of the 1 host(s) in \(db) has the labels --select site=pra1"), typo.stderr)
        XCTAssertFalse(typo.stdout.contains("OK"), typo.stdout)
        let right = try CLI.run(["audit", "--db", db, "--select", "site=par1"])
        XCTAssertEqual(right.status, 0, right.stderr + right.stdout)
        XCTAssertTrue(right.stdout.contains("Summary: 1 host(s), 9 pass, 0 warn, 4 fail — OK"), right.stdout)

        // A database with no host at all.
        let emptyDB = dir + "/empty.db"
        _ = try InventoryStore(path: emptyDB)
        let empty = try CLI.run(["audit", "--db", emptyDB])
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("no host to audit: \(emptyDB) holds no host yet"), empty.stderr)
        let upgrade = try CLI.run(["check-upgrade", "--db", emptyDB, "--model", "8086:10c9", "--firmware", "2.2.0"])
        XCTAssertEqual(upgrade.status, 2, "check-upgrade of nothing is no all-clear either")
    }

    /// Two collections of one host in a row (well within a second) are two snapshots, and the
    /// audit judges the later one.
    func testTwoCollectionsInOneSecondAreBothKept() throws {
        let before = Fixtures.path("qemu/igb-nvme-netdevsim/before"), after = Fixtures.path("qemu/igb-nvme-netdevsim/after")
        XCTAssertEqual(try CLI.run(["collect", "--root", before, "--host", "edge-1", "--db", db]).status, 0)
        let second = try CLI.run(["collect", "--root", after, "--host", "edge-1", "--db", db])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("edge-1 stored as new snapshot 2"), second.stderr)
        let history = try CLI.run(["history", "edge-1", "--db", db])
        XCTAssertTrue(history.stdout.hasPrefix("History of edge-1: 2 distinct snapshot(s)"), history.stdout)
        let audit = try CLI.run(["audit", "--db", db])
        XCTAssertTrue(audit.stdout.contains("vf-security             FAIL  [medium] 0000:04:10.2: spoofchk off, trust on"), audit.stdout)
    }

    /// A database written by this build and read by a user who may not write it is audited
    /// all the same (per-host results are simply not kept).
    func testAReadOnlyDatabaseIsAudited() throws {
        guard getuid() != 0 else { throw XCTSkip("root may write any file") }
        XCTAssertEqual(try CLI.run(["collect", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--db", db]).status, 0)
        XCTAssertEqual(chmod(db, 0o444), 0)
        XCTAssertEqual(chmod(dir, 0o555), 0)
        defer { chmod(dir, 0o755) }
        let audit = try CLI.run(["audit", "--db", db])
        XCTAssertEqual(audit.status, 0, audit.stderr)
        XCTAssertTrue(audit.stdout.contains("Summary: 1 host(s)"), audit.stdout)
    }
}
