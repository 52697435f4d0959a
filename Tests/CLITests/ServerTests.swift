import Collector
import Foundation
import Inventory
import Rules
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

        XCTAssertEqual(try CLI.run(["keygen", dir + "/evidence"]).status, 0)
        // host-00001's side of the shared MAC is an accepted risk for a month: the scheduled audit waives it.
        let expires = CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970 + 30 * 86_400)
        try """
            waivers:
              - {id: shared-mac, rule: mac-unique-l2, host: host-00001, reason: failover pair, owner: netops, ticket: CHG-9, expires: \(expires)}
            """.write(toFile: dir + "/waivers.yaml", atomically: true, encoding: .utf8)
        let server = try TestServer(in: dir, database: db, arguments: [
            "--tls-cert", pki.serverCert, "--tls-key", pki.serverKey, "--audit-every", "2s", "--out", dir + "/reports",
            "--waivers", dir + "/waivers.yaml", "--sign", dir + "/evidence.key",
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
        // Pushed twice: seen twice, or once when both collections fell in the same second (then the second was a duplicate).
        let observations = try count(db, "SELECT count(*) FROM observations o JOIN hosts h ON h.id = o.host_id WHERE h.hostname = 'nvme-netdevsim'")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(history.body.utf8)) as? [[String: Any]])?.first?["seenCount"] as? Int, observations)
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
        let scheduled = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(latest.body.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])
        let sharedFindings = scheduled.filter { $0["rule"] as? String == "mac-unique-l2" && $0["status"] as? String == "fail" }
        XCTAssertEqual(sharedFindings.map { $0["host"] as? String ?? "" }.sorted(), ["host-00001", "host-00002"])
        XCTAssertEqual(sharedFindings.map { (($0["waiver"] as? [String: Any])?["id"] as? String) ?? "-" }.sorted(), ["-", "shared-mac"],
                       "host-00001's finding is waived by the scheduled audit, host-00002's is not")
        let html = try Curl.run(auth + [server.httpsURL + "/reports/latest.html"], in: dir)
        XCTAssertEqual(html.status, 200)
        XCTAssertTrue(html.body.contains("<html"), String(html.body.prefix(200)))
        let metrics = try Curl.run(["--cacert", pki.caCert, server.httpsURL + "/metrics"], in: dir)
        XCTAssertTrue(metrics.body.contains("sriov_audit_snapshots_received_total{outcome=\"new\"} 4"), metrics.body)
        XCTAssertTrue(metrics.body.contains("sriov_audit_hosts_known 4.0"), metrics.body)
        XCTAssertTrue(metrics.body.contains("sriov_audit_fleet_audit_findings{rule=\"mac-unique-l2\",severity=\"high\",status=\"fail\"} 1"), metrics.body)
        XCTAssertTrue(metrics.body.contains("sriov_audit_fleet_audit_findings{rule=\"mac-unique-l2\",severity=\"high\",status=\"waived\"} 1"), metrics.body)

        XCTAssertEqual(server.terminate(), 0, Fixtures.read(server.log) ?? "")
        // Every scheduled run was signed: the report folder verifies with the public key.
        let verified = try CLI.run(["verify", dir + "/reports", "--key", dir + "/evidence.pub", "--format", "json"])
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
        let runs = ((try? JSONSerialization.jsonObject(with: verified.stdoutData)) as? [String: Any])?["runs"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(runs.count, 1, verified.stdout)
        let keyBody = try String(contentsOfFile: dir + "/evidence.key", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        XCTAssertFalse((Fixtures.read(server.log) ?? "").contains(keyBody), "the signing key is not in the server's log")
        XCTAssertTrue(runs.allSatisfy { ($0["verified"] as? [String])?.count == 6 }, "five files of the default formats and the Prometheus copy per run: \(verified.stdout)")
        let list2 = try CLI.run(["token", "list", "--db", db])
        XCTAssertTrue(list2.stdout.contains("igb-nvme-netdevsim\thost\t-\t"), list2.stdout)
        XCTAssertFalse(list2.stdout.split(separator: "\n").first { $0.hasPrefix("igb-nvme-netdevsim") }?.contains("never") ?? true,
                       "last use is recorded at shutdown: \(list2.stdout)")
        assertNoToken(tokens, in: [server.log, dir + "/reports", dir + "/server", dir + "/spool", dir + "/spool-wrong-ca"],
                      texts: outputs + [list.body, host.body, history.body, latest.body, html.body, metrics.body, list2.stdout, wrongCA.stderr])
    }

    /// Every refusal, sent by curl (and a raw socket for a body that stops half-way): the
    /// documented status, a reason in the body, the reason counted in /metrics, nothing stored.
    func testEveryRefusalHasItsStatusAndStoresNothing() throws {
        let db = dir + "/inv.db"
        let good = try issue("igb-nvme-netdevsim", db: db)
        let other = try issue("nvme-netdevsim", db: db)
        let reader = try issue("ops", db: db, reader: true)
        let revoked = try issue("retired-host", db: db)
        XCTAssertEqual(try CLI.run(["token", "revoke", "retired-host", "--db", db]).stdout, "revoked 1 token(s) of retired-host\n")
        let server = try TestServer(in: dir, database: db, arguments: ["--max-body", "512K", "--body-timeout", "2s", "--rate-limit", "1000", "--rate-burst", "1000"])
        let snapshot = dir + "/igb.json"
        XCTAssertEqual(try CLI.run(["collect", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--format", "json", "-o", snapshot]).status, 0)
        let packed = dir + "/igb.json.gz"
        XCTAssertEqual(try shell("sh", ["-c", "gzip -c -n '\(snapshot)' > '\(packed)'"]).status, 0)
        XCTAssertEqual(try shell("sh", ["-c", "(cat '\(snapshot)'; head -c 600000 /dev/zero | tr '\\0' ' ') > '\(dir)/big.json'"]).status, 0)
        XCTAssertEqual(try shell("sh", ["-c", "head -c 67108864 /dev/zero | tr '\\0' ' ' | gzip -c -n > '\(dir)/bomb.json.gz'"]).status, 0)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir + "/hello.json"))
        try Data(#"{"schemaVersion": 1}"#.utf8).write(to: URL(fileURLWithPath: dir + "/not-a-snapshot.json"))

        func post(_ token: String?, _ file: String, type: String = "application/json", gzip: Bool = false) throws -> Curl {
            var arguments = ["-X", "POST", "--data-binary", "@" + file, "-H", "Content-Type: \(type)"]
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            if gzip { arguments += ["-H", "Content-Encoding: gzip"] }
            return try Curl.run(arguments + [server.url + "/v1/snapshots"], in: dir)
        }
        let cases: [(String, Curl, Int, String)] = [
            ("gzip body", try post(good.token, packed, gzip: true), 201, "\"outcome\":\"new\""),
            ("no token", try post(nil, snapshot), 401, "no token"),
            ("unknown token", try post("sra_" + String(repeating: "0", count: 64), snapshot), 401, "unknown or revoked"),
            ("revoked token", try post(revoked.token, snapshot), 401, "unknown or revoked"),
            ("reader token", try post(reader.token, snapshot), 403, "cannot push"),
            ("another host's name", try post(other.token, snapshot), 403, "belongs to host nvme-netdevsim; the snapshot is of igb-nvme-netdevsim"),
            ("oversize", try post(good.token, dir + "/big.json"), 413, "larger than 524288 bytes"),
            ("gzip bomb", try post(good.token, dir + "/bomb.json.gz", gzip: true), 413, "once inflated"),
            ("not JSON", try post(good.token, dir + "/hello.json"), 422, "not a snapshot"),
            ("JSON, not a snapshot", try post(good.token, dir + "/not-a-snapshot.json"), 422, "not a snapshot"),
            ("wrong content type", try post(good.token, snapshot, type: "text/plain"), 415, "Content-Type must be application/json"),
            ("corrupt gzip", try post(good.token, snapshot, gzip: true), 400, "gzip body is corrupt"),
        ]
        for (name, answer, status, words) in cases {
            XCTAssertEqual(answer.status, status, "\(name): \(answer.body)")
            XCTAssertTrue(answer.body.contains(words), "\(name): \(answer.body)")
        }
        // A body that stops half-way: 408 once --body-timeout passed, and the connection closed.
        let stalled = try shell("python3", ["-c", """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"POST /v1/snapshots HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nAuthorization: Bearer \(good.token)\\r\\nContent-Length: 100000\\r\\n\\r\\n" + b"{" * 1000)
            began = time.time(); s.settimeout(20); data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            print(data.split(b"\\r\\n")[0].decode(), round(time.time() - began, 1))
            """])
        XCTAssertTrue(stalled.stdout.hasPrefix("HTTP/1.1 408"), stalled.stdout + stalled.stderr)
        // A client that sends half a body and hangs up.
        let cut = try shell("python3", ["-c", """
            import socket
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"POST /v1/snapshots HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nAuthorization: Bearer \(good.token)\\r\\nContent-Length: 100000\\r\\n\\r\\n" + open("\(snapshot)", "rb").read()[:5000])
            s.close()
            """])
        XCTAssertEqual(cut.status, 0, cut.stderr)
        usleep(300_000)
        XCTAssertEqual(try count(db, "SELECT count(*) FROM snapshots"), 1, "only the gzip body was stored")
        XCTAssertEqual(try count(db, "SELECT count(*) FROM observations"), 1)

        let metrics = try Curl.run([server.url + "/metrics"], in: dir)
        // invalid: not JSON, not a snapshot, corrupt gzip, and the body cut short by the client.
        for (reason, n) in [("unauthorized", 3), ("forbidden", 2), ("too_large", 2), ("invalid", 4), ("unsupported_media_type", 1), ("timeout", 1)] {
            XCTAssertTrue(metrics.body.contains("sriov_audit_requests_rejected_total{reason=\"\(reason)\"} \(n)"), "\(reason): \(metrics.body)")
        }
        if toolExists("promtool") {
            let check = try shell("promtool", ["check", "metrics"], input: Data(metrics.body.utf8))
            XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        } else {
            print("SKIPPED: promtool check metrics (promtool not installed)")
        }
        XCTAssertEqual(server.terminate(), 0)

        // The rate limit: a burst of 2, then 429 with Retry-After, which the pusher honours.
        let limited = try TestServer(in: dir, database: db, name: "limited", arguments: ["--rate-limit", "0.5", "--rate-burst", "2"])
        let statuses = try (0..<3).map { _ in try Curl.run(["-X", "POST", "--data-binary", "@" + snapshot, "-H", "Content-Type: application/json",
                                                             "-H", "Authorization: Bearer \(good.token)", "-D", dir + "/headers",
                                                             limited.url + "/v1/snapshots"], in: dir).status }
        XCTAssertEqual(statuses, [200, 200, 429], "stored before: 200 duplicate, then refused")
        XCTAssertTrue((Fixtures.read(dir + "/headers") ?? "").lowercased().contains("retry-after: 2"), Fixtures.read(dir + "/headers") ?? "")
        XCTAssertEqual(limited.terminate(), 0)
        assertNoToken([good.token, other.token, reader.token, revoked.token], in: [server.log, limited.log, db],
                      texts: cases.map(\.1.body) + [metrics.body, stalled.stdout])
    }

    /// Mutual TLS: without a client certificate signed by --client-ca the handshake fails.
    func testMutualTLSIsRequiredWhenAClientCAIsGiven() throws {
        let pki = try TestPKI(in: dir)
        let server = try TestServer(in: dir, database: dir + "/inv.db", arguments: [
            "--tls-cert", pki.serverCert, "--tls-key", pki.serverKey, "--client-ca", pki.caCert,
        ])
        let without = try Curl.run(["--cacert", pki.caCert, server.httpsURL + "/healthz"], in: dir)
        XCTAssertEqual(without.status, 0, "no HTTP answer without a client certificate")
        let with = try Curl.run(["--cacert", pki.caCert, "--cert", pki.clientCert, "--key", pki.clientKey, server.httpsURL + "/healthz"], in: dir)
        XCTAssertEqual(with.status, 200)
        XCTAssertEqual(with.body, #"{"status":"ok"}"#)
        XCTAssertEqual(try Curl.run(["--cacert", pki.otherCACert, "--cert", pki.clientCert, "--key", pki.clientKey, server.httpsURL + "/healthz"], in: dir).status, 0,
                       "a client that does not trust the server's CA refuses it")
        XCTAssertEqual(server.terminate(), 0)
        // Plain HTTP off loopback is refused at start.
        let refused = try CLI.run(["serve", "--db", dir + "/inv.db", "--listen", "0.0.0.0:0"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("without TLS"), refused.stderr)
    }

    /// Every operation of Sources/Server/openapi.yaml called on a live server, good and bad
    /// input: each status is documented for its operation, each JSON body matches its schema.
    func testTheServerAnswersAsItsOpenAPIDocumentSays() throws {
        let db = dir + "/inv.db"
        let host = try issue("igb-nvme-netdevsim", db: db)
        let reader = try issue("dashboard", db: db, reader: true)
        let secret = "enrol-secret-0123456789"
        try (secret + "\n").write(toFile: dir + "/enroll.secret", atomically: true, encoding: .utf8)
        let server = try TestServer(in: dir, database: db, arguments: ["--audit-every", "1s", "--out", dir + "/reports",
                                                                       "--enroll-secret-file", dir + "/enroll.secret", "--enroll-label", "site=new"])
        // Two collections of the host an hour apart: the second is new content, a diff has two ends.
        for (n, stage) in ["before", "after"].enumerated() {
            var snapshot = try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/\(stage)"))
            snapshot.host.hostname = "igb-nvme-netdevsim"
            snapshot.collectedAt = Date(timeIntervalSince1970: 1_795_000_000 + 3600 * Double(n))
            try HostSnapshot.makeEncoder().encode(snapshot).write(to: URL(fileURLWithPath: "\(dir)/\(n == 0 ? "a" : "b").json"))
        }
        let report = try CLI.run(["audit", "--root", Fixtures.path("qemu/igb-nvme-netdevsim/after"), "--format", "json", "--out", "-"])
        try report.stdoutData.write(to: URL(fileURLWithPath: dir + "/report.json"))
        // The scheduled audit needs a host before it writes; wait for it to have run once after the pushes.
        let check = try shell("python3", [Fixtures.packageRoot + "/Tests/Server/check_openapi.py", "--spec", Fixtures.packageRoot + "/Sources/Server/openapi.yaml",
                                          "--url", server.url, "--host", "igb-nvme-netdevsim", "--host-token", host.token, "--reader-token", reader.token,
                                          "--snapshot", dir + "/a.json", "--snapshot2", dir + "/b.json", "--report", dir + "/report.json",
                                          "--enroll-secret", secret, "--wait-for-audit"])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        print(check.stdout.split(separator: "\n").last.map(String.init) ?? "")
        XCTAssertEqual(try CLI.run(["token", "list", "--db", db]).stdout.contains("new-host\thost\tsite=new"), true, "enrolled with the enrolment labels")
        XCTAssertEqual(server.terminate(), 0)
        assertNoToken([host.token, reader.token], in: [server.log, dir + "/reports"], texts: [check.stdout])
    }

    /// --max-connections: past the cap a new connection waits unanswered until one closes; after
    /// SIGTERM new connections are refused.
    func testTheConnectionCapHoldsNewConnectionsBack() throws {
        let server = try TestServer(in: dir, database: dir + "/inv.db", arguments: ["--max-connections", "2"])
        let probe = try shell("python3", ["-c", """
            import socket, time
            def get(s):
                s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                return s.recv(4096).split(b"\\r\\n")[0].decode()
            held = [socket.create_connection(("127.0.0.1", \(server.port))) for _ in range(2)]
            print("held:", [get(s) for s in held])
            time.sleep(0.3)
            third = socket.create_connection(("127.0.0.1", \(server.port)))
            third.settimeout(1.5)
            try:
                print("third while full:", get(third))
            except socket.timeout:
                print("third while full: no answer")
            held[0].close()
            third.settimeout(10)
            print("third after one closed:", third.recv(4096).split(b"\\r\\n")[0].decode())
            """])
        XCTAssertEqual(probe.stdout, """
            held: ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']
            third while full: no answer
            third after one closed: HTTP/1.1 200 OK

            """, probe.stderr)
        XCTAssertEqual(server.terminate(), 0)
        XCTAssertEqual(try Curl.run([server.url + "/healthz"], in: dir).status, 0, "refused once stopped")
    }
}
