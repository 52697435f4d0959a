import Foundation
import TestSupport
import XCTest

/// deploy/completions and deploy/man are generated from the argument parser by `make docs` and
/// committed (the .deb ships them). These tests fail when a command or option changed and they
/// were not regenerated. (`make test` also regenerates the man page with the plugin and compares
/// it byte for byte: Tests/run-tests.sh.)
final class DocsSyncTests: XCTestCase {
    func testCompletionScriptsAreTheOnesTheParserGenerates() throws {
        for shell in ["bash", "zsh", "fish"] {
            let generated = try CLI.run(["--generate-completion-script", shell])
            XCTAssertEqual(generated.status, 0, generated.stderr)
            let committed = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/completions/sriov-audit.\(shell)", encoding: .utf8)
            XCTAssertEqual(committed, generated.stdout, "deploy/completions/sriov-audit.\(shell) is stale: run `make docs`")
        }
        // Real completions, not an empty script: every command is offered.
        let bash = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/completions/sriov-audit.bash", encoding: .utf8)
        for command in ["collect", "capture", "import", "audit", "check-upgrade", "serve", "migrate", "token"] {
            XCTAssertTrue(bash.contains(command), command)
        }
    }

    /// Every command of the tool has its section in the man page, with its abstract and exactly
    /// its options and arguments; the page names nothing the tool does not have.
    func testManPageDocumentsExactlyTheCommandsAndOptions() throws {
        let dump = try CLI.run(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        guard let root = (try JSONSerialization.jsonObject(with: dump.stdoutData) as? [String: Any])?["command"] as? [String: Any] else {
            return XCTFail("--experimental-dump-help printed no command")
        }
        var expected: [String: Set<String>] = [:]
        var abstracts: [String] = []
        func walk(_ command: [String: Any], path: [String]) {
            var entries = Set<String>()
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                if argument["kind"] as? String == "positional" {
                    entries.insert("arg " + (argument["valueName"] as? String ?? "?"))
                } else {
                    for name in argument["names"] as? [[String: Any]] ?? [] {
                        let text = name["name"] as? String ?? "?"
                        entries.insert(name["kind"] as? String == "short" ? "-" + text : "--" + text)
                    }
                }
            }
            if let abstract = command["abstract"] as? String { abstracts.append(abstract) }
            for line in (command["discussion"] as? String ?? "").split(separator: "\n") { abstracts.append(String(line)) }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["shouldDisplay"] as? Bool ?? true {
                guard let name = sub["commandName"] as? String else { continue }
                entries.insert("command " + name)
                walk(sub, path: path + [name])
            }
            expected[path.joined(separator: " "), default: []].formUnion(entries)
        }
        walk(root, path: ["sriov-audit"])

        let page = try String(contentsOfFile: Fixtures.packageRoot + "/deploy/man/sriov-audit.1", encoding: .utf8)
        var found: [String: Set<String>] = [:]
        var path = ["sriov-audit"]
        var opened: [Bool] = []  // per .Bl: did it open a subcommand's section
        var pending: String?
        for line in page.split(separator: "\n").map(String.init) {
            let words = line.split(separator: " ").map(String.init)
            if line.hasPrefix(".Bl") {
                opened.append(pending != nil)
                if let pending { path.append(pending) }
                pending = nil
            } else if line.hasPrefix(".El") {
                if opened.popLast() == true { path.removeLast() }
            } else if line.hasPrefix(".It Em "), words.count == 3 {
                found[path.joined(separator: " "), default: []].insert("command " + words[2])
                pending = words[2]
            } else if line.hasPrefix(".It Ar "), words.count >= 3 {
                let name = words[2].hasSuffix("...") ? String(words[2].dropLast(3)) : words[2]
                found[path.joined(separator: " "), default: []].insert("arg " + name)
            } else if line.hasPrefix(".It Fl ") {
                // `.It Fl h , -help` or `.It Fl -root Ar DIR`: every word after a `Fl` or a comma.
                for (n, word) in words.enumerated() where n > 0 && (words[n - 1] == "Fl" || words[n - 1] == ",") {
                    found[path.joined(separator: " "), default: []].insert("-" + word)
                }
            }
        }
        for (command, entries) in expected {
            XCTAssertEqual(found[command] ?? [], entries, "man page section of `\(command)` is stale: run `make docs`")
        }
        for command in found.keys where expected[command] == nil {
            XCTFail("the man page has a section for `\(command)`, which the tool does not have")
        }
        // Every abstract and line of discussion, whole: generate-manual drops characters outside
        // ASCII, so help texts keep to it.
        for text in abstracts {
            XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), "help text outside ASCII (lost in the man page): \(text)")
            XCTAssertTrue(page.contains(text.replacingOccurrences(of: "\\", with: "\\\\")), "man page lacks: \(text)")
        }
        XCTAssertTrue(page.hasPrefix(".\\\" \"Generated by swift-argument-parser\""), "made by the generate-manual plugin")
    }
}
