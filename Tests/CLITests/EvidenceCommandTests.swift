import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// Signed evidence and compliance over time: `keygen`, `audit --sign`, `verify` (every file
/// flipped in turn is named), OpenSSL checking the same signatures, key material in no output;
/// `history --compliance` and `diff --compliance` over contents derived from the igb capture.
final class EvidenceCommandTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = Fixtures.temporaryDirectory("evidence")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private var capture: String { Fixtures.path("qemu/igb-nvme-netdevsim/after") }

    func testSignVerifyAndTamper() throws {
        let keygen = try CLI.run(["keygen", dir + "/audit"])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/audit.key")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let again = try CLI.run(["keygen", dir + "/audit"])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("\(dir)/audit.key: exists already; a key is never overwritten"), again.stderr)

        let out = dir + "/reports"
        let waivers = dir + "/w.yaml"
        try "waivers:\n  - {rule: vf-security, reason: lab, owner: netops, ticket: CHG-1, expires: 2027-01-31}\n".write(toFile: waivers, atomically: true, encoding: .utf8)
        let audit = try CLI.run(["audit", "--root", capture, "--waivers", waivers, "--as-of", "2026-12-15", "--format", "table,json,junit,sarif,prom,html,md",
                                 "--out", out, "--sign", dir + "/audit.key"])
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertTrue(audit.stdout.contains("signed 7 report file(s); evidence manifest \(out)/"), audit.stdout)

        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        let manifestName = try XCTUnwrap(names.first { $0.hasSuffix(".evidence.json") })
        let stem = String(manifestName.dropLast(".evidence.json".count))
        let signed = ["txt", "json", "junit.xml", "sarif", "html", "md", "prom.txt"].map { "\(stem).\($0)" }
        for name in signed + [manifestName] {
            XCTAssertTrue(names.contains(name), name)
            XCTAssertEqual((try? Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).sig")))?.count, 64, "a raw Ed25519 signature beside \(name)")
        }
        XCTAssertEqual(try String(contentsOfFile: "\(out)/\(stem).prom.txt", encoding: .utf8), try String(contentsOfFile: out + "/latest.prom", encoding: .utf8))

        // The manifest names the run, the policy files and every report file by hash.
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(manifestName)"))) as? [String: Any])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(stem).json"))) as? [String: Any])
        XCTAssertEqual(manifest["format"] as? String, "sriov-audit-evidence/1")
        XCTAssertEqual(manifest["runId"] as? String, report["runId"] as? String)
        XCTAssertEqual((manifest["rules"] as? [String: Any])?["sha256"] as? String, (report["rules"] as? [String: Any])?["sha256"] as? String)
        XCTAssertEqual((manifest["waivers"] as? [String: Any])?["sha256"] as? String, try shell("sha256sum", [waivers]).stdout.split(separator: " ").first.map(String.init))
        let hosts = try XCTUnwrap(manifest["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.map { $0["name"] as? String }, ["igb-nvme-netdevsim"])
        XCTAssertEqual(hosts.first?["contentHash"] as? String, (report["hosts"] as? [[String: Any]])?.first?["contentHash"] as? String)
        XCTAssertNotNil(hosts.first?["contentHash"] as? String)
        let files = try XCTUnwrap(manifest["files"] as? [[String: Any]])
        XCTAssertEqual(files.compactMap { $0["path"] as? String }, signed.sorted())
        for file in files {
            let path = "\(out)/\(file["path"] as? String ?? "")"
            XCTAssertEqual(file["sha256"] as? String, try shell("sha256sum", [path]).stdout.split(separator: " ").first.map(String.init), path)
        }

        let ok = try CLI.run(["verify", out, "--key", dir + "/audit.pub"])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("7 file(s) verified"), ok.stdout)
        XCTAssertTrue(ok.stdout.hasSuffix("OK: the evidence is as signed\n"), ok.stdout)

        // OpenSSL checks the same signatures with the same public key, without sriov-audit.
        if toolExists("openssl") {
            for name in [manifestName, "\(stem).html"] {
                let check = try shell("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", dir + "/audit.pub", "-rawin", "-in", "\(out)/\(name)", "-sigfile", "\(out)/\(name).sig"])
                XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
                XCTAssertTrue(check.stdout.contains("Signature Verified Successfully"), check.stdout)
            }
        }

        // One byte flipped in any signed file (the manifest included) is named by verify.
        for name in signed + [manifestName] {
            let copy = dir + "/tampered"
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: out, toPath: copy)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/\(name)"))
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: "\(copy)/\(name)"))
            let r = try CLI.run(["verify", copy, "--key", dir + "/audit.pub", "--format", "json"])
            XCTAssertEqual(r.status, 1, name)
            let problems = (try? JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])?["problems"] as? [String] ?? []
            XCTAssertEqual(problems.count, 1, "\(name): \(problems)")
            XCTAssertTrue(problems.first?.hasPrefix("\(name): was changed") == true, "\(name): \(problems)")
        }
        // A signature damaged beside an intact report file is named too (the file's hash still matches).
        for name in signed {
            let copy = dir + "/tampered"
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: out, toPath: copy)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/\(name).sig"))
            bytes[7] ^= 0x80
            try bytes.write(to: URL(fileURLWithPath: "\(copy)/\(name).sig"))
            let r = try CLI.run(["verify", copy, "--key", dir + "/audit.pub", "--format", "json"])
            XCTAssertEqual(r.status, 1, name)
            let problems = (try? JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])?["problems"] as? [String] ?? []
            XCTAssertEqual(problems, ["\(name).sig: does not verify \(name) with this key"], name)
        }
        // A file added to a signed run, and one removed.
        let copy = dir + "/tampered"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: out, toPath: copy)
        try "extra".write(toFile: "\(copy)/\(stem).csv", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: "\(copy)/\(stem).md")
        let changed = try CLI.run(["verify", copy, "--key", dir + "/audit.pub"])
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stdout.contains("CHANGED \(stem).md: is missing (named by \(manifestName))"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("CHANGED \(stem).csv: belongs to a signed run but is not in its manifest (added after signing)"), changed.stdout)

        // Another key: nothing verifies, and the manifest says which key signed it.
        XCTAssertEqual(try CLI.run(["keygen", dir + "/other"]).status, 0)
        let wrong = try CLI.run(["verify", out, "--key", dir + "/other.pub"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stdout.contains("\(manifestName): was signed with another key"), wrong.stdout)

        // The private key appears in no output, no report, no manifest.
        let pem = try String(contentsOfFile: dir + "/audit.key", encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try XCTUnwrap(Data(base64Encoded: body))
        let seed = der.suffix(32)
        let secrets = [body, seed.base64EncodedString(), seed.map { String(format: "%02x", $0) }.joined()]
        let outputs = [keygen.stdout, keygen.stderr, audit.stdout, audit.stderr, ok.stdout, wrong.stdout] + (try names.map {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")), as: UTF8.self)
        })
        for secret in secrets { XCTAssertFalse(outputs.contains { $0.contains(secret) }, "key material in an output") }
        let raw = try names.map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) }
        XCTAssertFalse(raw.contains { $0.range(of: seed) != nil }, "the raw key bytes in a file")

        // A key others may read is refused before any audit work.
        chmod(dir + "/audit.key", 0o644)
        let loose = try CLI.run(["audit", "--root", capture, "--format", "json", "--out", dir + "/loose", "--sign", dir + "/audit.key"])
        XCTAssertEqual(loose.status, 2)
        XCTAssertTrue(loose.stderr.contains("\(dir)/audit.key: the signing key may be read by others (mode 644); chmod 600 it"), loose.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/loose"), "nothing written")
        let notAKey = try CLI.run(["verify", out, "--key", waivers])
        XCTAssertEqual(notAKey.status, 2)
        XCTAssertTrue(notAKey.stderr.contains("\(waivers): no `-----BEGIN PUBLIC KEY-----` block"), notAKey.stderr)
    }

    /// The capture's snapshot with every VF's spoof checking on and trust off: vf-security passes.
    private func secured(_ snapshot: HostSnapshot) -> HostSnapshot {
        var s = snapshot
        for i in s.interfaces.indices {
            for v in s.interfaces[i].vfs.indices {
                s.interfaces[i].vfs[v].spoofCheck = true
                s.interfaces[i].vfs[v].trust = false
            }
        }
        for p in s.physicalFunctions.indices {
            for v in s.physicalFunctions[p].virtualFunctions.indices where s.physicalFunctions[p].virtualFunctions[v].config != nil {
                s.physicalFunctions[p].virtualFunctions[v].config?.spoofCheck = true
                s.physicalFunctions[p].virtualFunctions[v].config?.trust = false
            }
        }
        return s
    }

    /// The committed sample run is evidence as an auditor gets it: it verifies with the committed
    /// public key, and its manifest names exactly the run's report files.
    func testCommittedExampleVerifies() throws {
        let folder = Fixtures.packageRoot + "/reports/examples/compliance"
        let r = try CLI.run(["verify", folder, "--key", folder + "/example-signing.pub", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let output = try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        XCTAssertEqual(output["ok"] as? Bool, true)
        let runs = try XCTUnwrap(output["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let verified = try XCTUnwrap(runs.first?["verified"] as? [String])
        XCTAssertEqual(Set(verified.map { URL(fileURLWithPath: $0).pathExtension }), ["html", "json", "xml", "md", "txt", "sarif"],
                       "every format of the run, the Prometheus copy as .prom.txt: \(verified)")
        XCTAssertEqual(Set(output["unsigned"] as? [String] ?? []), ["compliance-html.png", "example-signing.pub", "waivers.yaml"])
    }

    func testComplianceOverTime() throws {
        // Failing in November, fixed on 1 December, broken again on 2 December (the old content back).
        var failing = try Collector().collectCapture(at: capture)
        failing.host.hostname = "kvm-01"
        let t1 = Date(timeIntervalSince1970: 1_793_534_400), t2 = Date(timeIntervalSince1970: 1_796_126_400), t3 = Date(timeIntervalSince1970: 1_796_212_800)
        let store = try InventoryStore(path: dir + "/inventory.db")
        failing.collectedAt = t1
        _ = try store.store(failing, labels: [:])
        var fixed = secured(failing)
        fixed.collectedAt = t2
        _ = try store.store(fixed, labels: [:])
        failing.collectedAt = t3
        _ = try store.store(failing, labels: [:])

        let r = try CLI.run(["history", "kvm-01", "--db", dir + "/inventory.db", "--compliance", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let timeline = try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        XCTAssertEqual((timeline["contents"] as? [String])?.count, 3, "the old content back is a content of its own in time")
        let rules = try XCTUnwrap(timeline["rules"] as? [[String: Any]])
        let security = try XCTUnwrap(rules.first { $0["rule"] as? String == "vf-security" })
        XCTAssertEqual(security["current"] as? String, "fail")
        XCTAssertEqual(security["firstFailed"] as? String, "2026-11-01T12:00:00Z")
        XCTAssertEqual(security["fixed"] as? String, "2026-12-01T12:00:00Z")
        XCTAssertEqual((security["changes"] as? [[String: Any]])?.map { $0["state"] as? String }, ["fail", "pass", "fail"])
        XCTAssertEqual((security["changes"] as? [[String: Any]])?.map { $0["violations"] as? Int }, [4, 0, 4])
        let iommu = try XCTUnwrap(rules.first { $0["rule"] as? String == "iommu-enabled" })
        XCTAssertEqual((iommu["changes"] as? [[String: Any]])?.count, 1, "a rule that never changed has one point")
        XCTAssertNil(iommu["firstFailed"])

        // A waiver that ran until 15 November: the November failure was accepted, the regression
        // in December is not (each content is judged on its own day).
        let waivers = dir + "/w.yaml"
        try "waivers:\n  - {id: lab, rule: vf-security, reason: lab, owner: netops, ticket: CHG-1, expires: 2026-11-15}\n".write(toFile: waivers, atomically: true, encoding: .utf8)
        let waived = try CLI.run(["history", "kvm-01", "--db", dir + "/inventory.db", "--compliance", "--waivers", waivers])
        XCTAssertEqual(waived.status, 0, waived.stderr)
        XCTAssertTrue(waived.stdout.contains("vf-security         FAIL            2026-12-02T12:00:00Z      2026-12-01T12:00:00Z      -\n"), waived.stdout)
        XCTAssertTrue(waived.stdout.contains("  2026-12-01T12:00:00Z  vf-security: pass\n  2026-12-02T12:00:00Z  vf-security: fail (4 violation(s))\n"), waived.stdout)
        let json = try CLI.run(["history", "kvm-01", "--db", dir + "/inventory.db", "--compliance", "--waivers", waivers, "--format", "json"])
        let points = try XCTUnwrap(((JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])?["rules"] as? [[String: Any]])?
            .first { $0["rule"] as? String == "vf-security" }?["changes"] as? [[String: Any]])
        XCTAssertEqual(points.map { $0["state"] as? String }, ["waived", "pass", "fail"])
        XCTAssertEqual(points.first?["waiver"] as? String, "lab")

        let diff = try CLI.run(["diff", "kvm-01", "--db", dir + "/inventory.db", "--compliance", "--from", "2026-11-30"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("Compliance of kvm-01: 2026-11-01T12:00:00Z → 2026-12-02T12:00:00Z"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("no rule changed its standing"), "failing then and now: \(diff.stdout)")
        let fixedDiff = try CLI.run(["diff", "kvm-01", "--db", dir + "/inventory.db", "--compliance", "--from", "2026-11-30", "--to", "2026-12-01T13:00:00Z"])
        XCTAssertTrue(fixedDiff.stdout.contains("  vf-security: fail → pass (fixed)"), fixedDiff.stdout)
        let misuse = try CLI.run(["history", "kvm-01", "--db", dir + "/inventory.db", "--waivers", waivers])
        XCTAssertEqual(misuse.status, 2)
        XCTAssertTrue(misuse.stderr.contains("--rules and --waivers go with --compliance"), misuse.stderr)
    }
}
