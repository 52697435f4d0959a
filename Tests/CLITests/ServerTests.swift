import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// `sriov-audit serve` with real clients on 127.0.0.1: the CLI's own push (over TLS with an
/// openssl-made CA), curl for every refusal, and the tokens searched for afterwards everywhere.
final class ServerTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(toolExists("curl") && toolExists("openssl"), "SKIPPED: curl and openssl are needed")
        dir = Fixtures.temporaryDirectory("serve")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func issue(_ host: String, db: String, labels: [String] = [], reader: Bool = false) throws -> (token: String, file: String) {
        let r = try CLI.run(["token", "issue", host, "--db", db] + labels.flatMap { ["--label", $0] } + (reader ? ["--reader"] : []))
        XCTAssertEqual(r.status, 0, r.stderr)
        let token = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(token.hasPrefix("sra_") && token.count == 68, token)
        let file = "\(dir)/\(host).token"
        FileManager.default.createFile(atPath: file, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return (token, file)
    }

    private func count(_ db: String, _ sql: String) throws -> Int {
        Int(try shell("sqlite3", [db, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The QEMU captures and two derived hosts push over TLS with the CLI; then `audit --db` on
    /// the server's database finds the MAC the derived hosts share in their L2 domain (a label
    /// the tokens gave them), and the scheduled audit's reports are served.
    func testHostsPushOverTLSAndTheFleetAuditFindsTheCrossHostDuplicate() throws {
        let pki = try TestPKI(in: dir)
        let db = dir + "/server/inventory.db"
        var tokens: [String] = []
        var tokenFiles: [String: String] = [:]
        for host in ["igb-nvme-netdevsim", "nvme-netdevsim"] {
            let (token, file) = try issue(host, db: db)
            tokens.append(token)
            tokenFiles[host] = file
        }
        // Two derived hosts of the igb capture; host-00002's VF 0 gets host-00001's admin MAC.
        let base = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        let fleet = FleetBuilder(base: base)
        let one = fleet.host(1)
        var two = fleet.host(2)
        let pfInterface = try XCTUnwrap(two.interfaces.firstIndex { !$0.vfs.isEmpty })
        let shared = one.interfaces[pfInterface].vfs[0].mac
        two.interfaces[pfInterface].vfs[0].mac = shared
        for p in two.physicalFunctions.indices {
            for v in two.physicalFunctions[p].virtualFunctions.indices where two.physicalFunctions[p].virtualFunctions[v].config?.index == 0
                && two.physicalFunctions[p].interfaces.contains(two.interfaces[pfInterface].name) {
                two.physicalFunctions[p].virtualFunctions[v].config?.mac = shared
            }
        }
        for host in [one, two] {
            let (token, file) = try issue(host.host.hostname, db: db, labels: ["l2-domain=blue"])
            tokens.append(token)
            tokenFiles[host.host.hostname] = file
            try HostSnapshot.makeEncoder().encode(host).write(to: URL(fileURLWithPath: "\(dir)/\(host.host.hostname).json"))
        }
        let reader = try issue("dashboard", db: db, reader: true)
        tokens.append(reader.token)

        let server = try TestServer(in: dir, database: db, arguments: [
            "--tls-cert", pki.serverCert, "--tls-key", pki.serverKey, "--audit-every", "2s", "--out", dir + "/reports",
        ])
        let ingest = server.httpsURL + "/v1/snapshots"
        var outputs: [String] = []
        for host in ["igb-nvme-netdevsim", "nvme-netdevsim"] {
            let r = try CLI.run(["collect", "--root", Fixtures.path("qemu/\(host)/after"), "--push", ingest, "--token-file", tokenFiles[host]!,
                                 "--cacert", pki.caCert, "--spool", dir + "/spool"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("(HTTP 201)"), r.stderr)
            outputs += [r.stdout, r.stderr]
        }
        for host in [one, two] {
            let r = try CLI.run(["push", "--snapshot", "\(dir)/\(host.host.hostname).json", "--push", ingest,
                                 "--token-file", tokenFiles[host.host.hostname]!, "--cacert", pki.caCert, "--spool", dir + "/spool"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("pushed 1 of 1 snapshot(s)"), r.stdout)
            outputs += [r.stdout, r.stderr]
        }
        // The same collection again: acknowledged, not stored twice.
        let again = try CLI.run(["collect", "--root", Fixtures.path("qemu/nvme-netdevsim/after"), "--push", ingest,
                                 "--token-file", tokenFiles["nvme-netdevsim"]!, "--cacert", pki.caCert, "--spool", dir + "/spool"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("(HTTP 200)"), again.stderr)
        XCTAssertEqual(try count(db, "SELECT count(*) FROM snapshots"), 4)

        // A client that does not trust the server's CA refuses it, and keeps the snapshot spooled.
        let wrongCA = try CLI.run(["collect", "--root", Fixtures.path("qemu/nvme-netdevsim/before"), "--push", ingest,
                                   "--token-file", tokenFiles["nvme-netdevsim"]!, "--cacert", pki.otherCACert, "--retries", "0",
                                   "--spool", dir + "/spool-wrong-ca"])
        XCTAssertEqual(wrongCA.status, 3, wrongCA.stderr)
        XCTAssertTrue(wrongCA.stderr.lowercased().contains("certificate"), wrongCA.stderr)
        XCTAssertEqual(try count(db, "SELECT count(*) FROM snapshots"), 4)

        // The fleet in the server's database: labels from the tokens, the shared MAC found.
        let hosts = try CLI.run(["hosts", "--db", db, "--format", "json"])
        XCTAssertTrue(hosts.stdout.contains("\"l2-domain\" : \"blue\"") || hosts.stdout.contains("\"l2-domain\":\"blue\""), hosts.stdout)
        let audit = try CLI.run(["audit", "--db", db, "--format", "json", "--out", "-"])
        let findings = try XCTUnwrap((JSONSerialization.jsonObject(with: audit.stdoutData) as? [String: Any])?["findings"] as? [[String: Any]])
        let duplicates = findings.filter { $0["rule"] as? String == "mac-unique-l2" && $0["status"] as? String == "fail" }
        XCTAssertEqual(Set(duplicates.compactMap { $0["host"] as? String }), ["host-00001", "host-00002"])
        XCTAssertTrue(duplicates.allSatisfy { ($0["message"] as? String ?? "").contains("MAC \(shared) is used 2 times in l2-domain=blue") }, "\(duplicates)")

        // The read API, with the reader token; the scheduled audit's reports.
        let auth = ["-H", "Authorization: Bearer \(reader.token)", "--cacert", pki.caCert]
        let list = try Curl.run(auth + [server.httpsURL + "/v1/hosts?select=l2-domain=blue"], in: dir)
        XCTAssertEqual(list.status, 200, list.body)
        let listed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: Any]])
        XCTAssertEqual(listed.compactMap { $0["hostname"] as? String }, ["host-00001", "host-00002"])
        let host = try Curl.run(auth + [server.httpsURL + "/v1/hosts/nvme-netdevsim"], in: dir)
        XCTAssertEqual(host.status, 200)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(host.body.utf8)) as? [String: Any])
        let snapshot = try JSONSerialization.data(withJSONObject: try XCTUnwrap(document["snapshot"]))
        XCTAssertEqual(try HostSnapshot(jsonBytes: Array(snapshot)).host.hostname, "nvme-netdevsim")
        let history = try Curl.run(auth + [server.httpsURL + "/v1/hosts/nvme-netdevsim/history"], in: dir)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(history.body.utf8)) as? [[String: Any]])?.first?["seenCount"] as? Int, 2)
        XCTAssertEqual(try Curl.run(auth + [server.httpsURL + "/v1/hosts/nobody"], in: dir).status, 404)
        XCTAssertEqual(try Curl.run(["--cacert", pki.caCert, server.httpsURL + "/v1/hosts"], in: dir).status, 401, "reads need a reader token")
        let hostToken = try Curl.run(["-H", "Authorization: Bearer \(tokens[0])", "--cacert", pki.caCert, server.httpsURL + "/v1/hosts"], in: dir)
        XCTAssertEqual(hostToken.status, 403, "a host token cannot read the fleet")
        var latest = Curl(status: 0, body: "")
        for _ in 0..<100 {
            latest = try Curl.run(auth + [server.httpsURL + "/v1/audit/latest"], in: dir)
            if latest.status == 200, latest.body.contains("host-00002") { break }
            usleep(100_000)
        }
        XCTAssertEqual(latest.status, 200, latest.body)
        XCTAssertTrue(latest.body.contains("mac-unique-l2"))
        let html = try Curl.run(auth + [server.httpsURL + "/reports/latest.html"], in: dir)
        XCTAssertEqual(html.status, 200)
        XCTAssertTrue(html.body.contains("<html"), String(html.body.prefix(200)))
        let metrics = try Curl.run(["--cacert", pki.caCert, server.httpsURL + "/metrics"], in: dir)
        XCTAssertTrue(metrics.body.contains("sriov_audit_snapshots_received_total{outcome=\"new\"} 4"), metrics.body)
        XCTAssertTrue(metrics.body.contains("sriov_audit_hosts_known 4.0"), metrics.body)
        XCTAssertTrue(metrics.body.contains("sriov_audit_fleet_audit_findings{rule=\"mac-unique-l2\",severity=\"high\",status=\"fail\"} 2"), metrics.body)

        XCTAssertEqual(server.terminate(), 0, Fixtures.read(server.log) ?? "")
        let list2 = try CLI.run(["token", "list", "--db", db])
        XCTAssertTrue(list2.stdout.contains("igb-nvme-netdevsim\thost\t-\t"), list2.stdout)
        XCTAssertFalse(list2.stdout.split(separator: "\n").first { $0.hasPrefix("igb-nvme-netdevsim") }?.contains("never") ?? true,
                       "last use is recorded at shutdown: \(list2.stdout)")
        assertNoToken(tokens, in: [server.log, dir + "/reports", dir + "/server", dir + "/spool", dir + "/spool-wrong-ca"],
                      texts: outputs + [list.body, host.body, history.body, latest.body, html.body, metrics.body, list2.stdout, wrongCA.stderr])
    }
}
