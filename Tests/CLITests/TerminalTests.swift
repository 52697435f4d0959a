import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// What a person at a terminal sees: colours only on a terminal (never in a pipe, a file or with
/// NO_COLOR), a progress line on standard error only on a terminal, and "did you mean" for a
/// misspelt command, check or rules-file key. A terminal is a real pseudo-terminal (`script`).
final class TerminalTests: XCTestCase {
    private let capture = Fixtures.path("qemu/igb-nvme-netdevsim/after")
    private let escape = "\u{1B}["

    /// Runs the tool with its standard output and error on a new pseudo-terminal. `swift test`
    /// sets NO_COLOR for what it runs: it is taken out unless the test sets it.
    private func onTerminal(_ arguments: [String], environment: [String: String] = [:]) throws -> ShellResult {
        try XCTSkipUnless(toolExists("script"), "SKIPPED: util-linux `script` is needed for a pseudo-terminal")
        let unset = environment["NO_COLOR"] == nil ? ["env", "-u", "NO_COLOR"] : []
        let command = (unset + [CLI.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        // `script` copies its standard input to the terminal: give it an empty one it can read.
        return try shell("script", ["-qefc", command, "/dev/null"], input: Data(),
                         environment: environment.merging(["TERM": "xterm"]) { a, _ in a })
    }

    func testColourOnlyOnATerminalAndNeverWithNoColor() throws {
        let arguments = ["audit", "--root", capture, "--no-store"]
        let piped = try shell("env", ["-u", "NO_COLOR", CLI.binary] + arguments)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertFalse(piped.stdout.contains(escape), "a pipe gets no colour")
        XCTAssertTrue(piped.stdout.contains("  iommu-enabled           PASS  IOMMU is enabled"), piped.stdout)

        let terminal = try onTerminal(arguments)
        XCTAssertEqual(terminal.status, 0, terminal.stdout)
        XCTAssertFalse(terminal.stdout.isEmpty, "stderr: \(terminal.stderr)")
        XCTAssertTrue(terminal.stdout.contains("\(escape)32mPASS\(escape)0m"), terminal.stdout)
        XCTAssertTrue(terminal.stdout.contains("\(escape)32mOK\(escape)0m"), "the verdict is green")
        // The same words as the plain text, once the colours are taken out.
        let stripped = terminal.stdout.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, piped.stdout)

        for environment in [["NO_COLOR": "1"], ["TERM": "dumb"]] {
            let plain = try onTerminal(arguments, environment: environment)
            XCTAssertFalse(plain.stdout.contains(escape), "\(environment) on a terminal: no colour")
        }
        XCTAssertFalse(try onTerminal(arguments + ["--color", "never"]).stdout.contains(escape))
        // Asked for explicitly, colour also goes into a pipe, and NO_COLOR yields to the explicit wish.
        let forced = try CLI.run(arguments + ["--color", "always"], environment: ["NO_COLOR": "1"])
        XCTAssertTrue(forced.stdout.contains("\(escape)32mPASS\(escape)0m"))
        // Report files are never coloured, whatever --color says.
        let dir = Fixtures.temporaryDirectory("colour")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try CLI.run(arguments + ["--format", "table,md", "--out", dir, "--color", "always"])
        XCTAssertEqual(files.status, 0, files.stderr)
        XCTAssertTrue(files.stdout.contains("\(escape)32mOK"), "the summary line on the terminal is coloured")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            XCTAssertFalse(try String(contentsOfFile: dir + "/" + name, encoding: .utf8).contains(escape), name)
        }
    }

    func testFailuresAndSeveritiesAreColouredBySeverity() throws {
        // The capture's PFs have 3 and 4 VFs: a limit of one per PF fails both.
        let rules = Fixtures.temporaryDirectory("severity") + "/rules.yaml"
        try """
            version: 1
            rules:
              - id: one-vf-per-pf
                check: vf-capacity
                severity: critical
                max-vfs-per-pf: 1
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let result = try CLI.run(["audit", "--root", capture, "--no-store", "--rules", rules, "--color", "always"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("\(escape)1;31mFAIL\(escape)0m  \(escape)1;31m[critical]\(escape)0m"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\(escape)1;31mNOT OK: "), result.stdout)
    }

    func testProgressLineOnlyOnATerminalOrWhenAsked() throws {
        let dir = Fixtures.temporaryDirectory("progress")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fleet = FleetBuilder(base: try Collector().collectCapture(at: capture))
        var lines = ""
        for n in 0..<600 { lines += String(decoding: SnapshotJSONWriter.encode(fleet.host(n), pretty: false), as: UTF8.self) + "\n" }
        try lines.write(toFile: dir + "/fleet.jsonl", atomically: true, encoding: .utf8)

        let quiet = try CLI.run(["import", dir + "/fleet.jsonl", "--db", dir + "/quiet.db"])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertFalse(quiet.stderr.contains("import:"), "standard error is a pipe: no progress line")
        XCTAssertTrue(quiet.stdout.contains("600"), quiet.stdout)

        let shown = try CLI.run(["import", dir + "/fleet.jsonl", "--db", dir + "/shown.db", "--progress", "always"])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        // Redrawn in place, counts with separators, a total (estimated from the bytes read until
        // the end), and erased before the result is printed.
        XCTAssertTrue(shown.stderr.contains("\r\(escape)Kimport: 600/600 snapshots (100%)"), shown.stderr.debugDescription)
        XCTAssertNotNil(shown.stderr.range(of: #"import: 256/~?[0-9,]+ snapshots \([0-9]+%\)(, [0-9.,]+/s, [0-9]+ s left)?"#, options: .regularExpression),
                        shown.stderr.debugDescription)
        XCTAssertTrue(shown.stderr.hasSuffix("\r\(escape)K"), "the line is erased at the end")

        let audit = try CLI.run(["audit", "--db", dir + "/shown.db", "--progress", "always", "--format", "json", "--out", "-"])
        XCTAssertEqual(audit.status, 0, audit.stderr)
        XCTAssertTrue(audit.stderr.contains("audit: 600/600 hosts checked (100%)"), audit.stderr.debugDescription)
        let again = try CLI.run(["audit", "--db", dir + "/shown.db", "--progress", "always", "--format", "json", "--out", "-"])
        XCTAssertFalse(again.stderr.contains("audit:"), "every host's results were kept: nothing to check, no line")

        let prune = try CLI.run(["prune", "--db", dir + "/shown.db", "--keep-days", "0", "--progress", "always"])
        XCTAssertEqual(prune.status, 0, prune.stderr)
        XCTAssertTrue(prune.stdout.contains("pruned 0 observation(s) and 0 snapshot(s)"), "one observation per host is the latest: \(prune.stdout)")

        let onTerm = try onTerminal(["import", dir + "/fleet.jsonl", "--db", dir + "/term.db"])
        XCTAssertEqual(onTerm.status, 0, onTerm.stdout)
        XCTAssertTrue(onTerm.stdout.contains("import: 600/600 snapshots (100%)"), "a terminal gets it by default")
        let never = try onTerminal(["import", dir + "/fleet.jsonl", "--db", dir + "/never.db", "--progress", "never"])
        XCTAssertFalse(never.stdout.contains("import:"))
    }

    func testDidYouMeanForCommandsChecksAndRuleKeys() throws {
        let command = try CLI.run(["audti"])
        XCTAssertEqual(command.status, 2)
        XCTAssertEqual(command.stderr, "sriov-audit: error: unknown command `audti` (did you mean `sriov-audit audit`?)\n")
        let nested = try CLI.run(["token", "isseu", "web-1"])
        XCTAssertEqual(nested.status, 2)
        XCTAssertTrue(nested.stderr.contains("did you mean `sriov-audit token issue`?"), nested.stderr)
        let unrelated = try CLI.run(["frobnicate"])
        XCTAssertEqual(unrelated.status, 2)
        XCTAssertFalse(unrelated.stderr.contains("did you mean"), "nothing close: the parser's own message")

        let top = Fixtures.temporaryDirectory("typos") + "/top.yaml"
        try "version: 1\nrulez: []\n".write(toFile: top, atomically: true, encoding: .utf8)
        let topChecked = try CLI.run(["rules", "check", top])
        XCTAssertEqual(topChecked.status, 2)
        XCTAssertTrue(topChecked.stderr.contains("\(top):2:1: unknown key `rulez` (did you mean `rules`?)"), topChecked.stderr)

        let rules = Fixtures.temporaryDirectory("typos") + "/rules.yaml"
        try """
            version: 1
            rules:
              - id: a
                check: mac-uniqe
                severity: hihg
              - id: b
                check: vf-capacity
                severity: low
                max-vfs-per-fp: 3
                select:
                  drivr: igb
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let checked = try CLI.run(["rules", "check", rules])
        XCTAssertEqual(checked.status, 2)
        for expected in [
            "\(rules):4:12: unknown check `mac-uniqe` (did you mean `mac-unique`?)",
            "\(rules):5:15: unknown severity `hihg` (did you mean `high`? info, low, medium, high, critical)",
            "\(rules):9:5: `max-vfs-per-fp` is not a parameter of `vf-capacity` (did you mean `max-vfs-per-pf`?)",
            "\(rules):11:7: unknown selector `drivr` (did you mean `driver`? vendor, device, subsystem, model, driver, pf, labels)",
        ] {
            XCTAssertTrue(checked.stderr.contains(expected), "\(expected)\nin\n\(checked.stderr)")
        }
    }
}
