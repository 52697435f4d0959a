import Foundation
import Inventory
import TestSupport
import Transport
import XCTest

/// `--push` against a real HTTP(S) server on 127.0.0.1: retries, spool, TLS, timeouts, proxies.
/// After every test, every output and every file the tool wrote is searched for the token.
final class PushTests: XCTestCase {
    private var dir = ""
    private var spool = ""
    private var tokenFile = ""
    private let token = "sriov-test-token-\(UInt64.random(in: 1...UInt64.max))"
    private var outputs: [String] = []
    private let capture = Fixtures.path("qemu/igb-nvme-netdevsim/after")

    override func setUpWithError() throws {
        try XCTSkipUnless(toolExists("python3"), "SKIPPED: python3 is needed for the test receiver")
        dir = Fixtures.temporaryDirectory("push")
        spool = dir + "/spool"
        tokenFile = dir + "/token"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
        assertNoToken([token], in: files.filter { $0 != "token" }.map { dir + "/" + $0 }, texts: outputs)
    }

    private func audit(_ url: String, _ extra: [String] = [], environment: [String: String]? = nil) throws -> ShellResult {
        try run(["audit", "--root", capture, "--format", "json", "--out", dir + "/reports", "--spool", spool,
                 "--token-file", tokenFile, "--retry-wait", "0.05", "--push", url] + extra, environment: environment)
    }

    private func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ShellResult {
        let r = try CLI.run(arguments, environment: environment)
        outputs += [r.stdout, r.stderr]
        return r
    }

    private var pending: [Spool.Item] { (try? Spool(directory: spool).pending()) ?? [] }

    private func latestReport() throws -> (runId: String, sha256: String) {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/reports/latest.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try XCTUnwrap(object["runId"] as? String), SHA256.hex([UInt8](data)))
    }

    func testDeliveredWithTokenAndIdempotencyKey() throws {
        let receiver = try Receiver(in: dir, token: token)
        let r = try audit(receiver.url)
        XCTAssertEqual(r.status, 0, r.stderr)
        let (runId, digest) = try latestReport()
        XCTAssertEqual(receiver.requests.count, 1)
        let request = try XCTUnwrap(receiver.requests.first)
        XCTAssertEqual(request.status, 200)
        XCTAssertEqual(request.authorization, "ok")
        XCTAssertEqual(request.idempotency_key, runId)
        XCTAssertEqual(request.body_sha256, digest, "the pushed report is the JSON report written to --out")
        XCTAssertEqual(request.content_type, "application/json")
        XCTAssertEqual(request.kind, "audit-report")
        XCTAssertEqual(request.user_agent, "sriov-audit/\(SriovAuditVersion.current)")
        XCTAssertTrue(r.stderr.contains("pushed audit-report \(runId) to \(receiver.url) (HTTP 200)"), r.stderr)

        // collect --push sends the snapshot, keyed by its digest; the token may come from the environment.
        let snapshotFile = dir + "/snapshot.json"
        let c = try run(["collect", "--root", capture, "--format", "json", "-o", snapshotFile, "--spool", spool, "--push", receiver.url],
                        environment: ["SRIOV_AUDIT_TOKEN": token])
        XCTAssertEqual(c.status, 0, c.stderr)
        let body = try Data(contentsOf: URL(fileURLWithPath: snapshotFile))
        let snapshotPush = try XCTUnwrap(receiver.requests.last)
        XCTAssertEqual(receiver.requests.count, 2)
        XCTAssertEqual(snapshotPush.kind, "snapshot")
        XCTAssertEqual(snapshotPush.authorization, "ok")
        XCTAssertEqual(snapshotPush.body_length, body.count - 1, "the file has a final newline, the payload not")
        XCTAssertEqual(snapshotPush.idempotency_key, snapshotPush.body_sha256)
        XCTAssertTrue(pending.isEmpty)
    }

    func testServerErrorsAreRetriedThenDeliveredOnce() throws {
        let receiver = try Receiver(in: dir, arguments: ["--script", "500,500,200"], token: token)
        let r = try audit(receiver.url)
        XCTAssertEqual(r.status, 0, r.stderr)
        let requests = receiver.requests
        XCTAssertEqual(requests.map(\.status), [500, 500, 200])
        XCTAssertEqual(Set(requests.compactMap(\.idempotency_key)).count, 1, "every attempt carries the same key")
        XCTAssertTrue(r.stderr.contains("retry 1 of 4"), r.stderr)
        XCTAssertTrue(r.stderr.contains("retry 2 of 4"), r.stderr)
        XCTAssertTrue(r.stderr.contains("(HTTP 200, after 3 attempts)"), r.stderr)
        XCTAssertTrue(pending.isEmpty)
    }

    func testRetryAfterIsHonoured() throws {
        let receiver = try Receiver(in: dir, arguments: ["--script", "429,200", "--retry-after", "1"], token: token)
        let r = try audit(receiver.url, ["--retry-wait", "0.01"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let requests = receiver.requests
        XCTAssertEqual(requests.map(\.status), [429, 200])
        XCTAssertGreaterThanOrEqual(requests[1].time - requests[0].time, 0.9, "waited for Retry-After, not the 10 ms backoff")
    }

    func testUnauthorizedIsNotRetriedAndKeepsTheTokenOut() throws {
        let receiver = try Receiver(in: dir, token: "the-receiver-expects-another-token")
        let r = try audit(receiver.url)
        XCTAssertEqual(r.status, 3, "audit passed, push failed\n\(r.stderr)")
        XCTAssertEqual(receiver.requests.map(\.status), [401], "a 401 is not retried")
        XCTAssertTrue(r.stderr.contains("HTTP 401 from \(receiver.url): the receiver refused the credentials"), r.stderr)
        XCTAssertEqual(pending.count, 1, "kept for a re-send once the token is fixed")
    }

    func testMissingTokenFileSpoolsAndSaysWhich() throws {
        let receiver = try Receiver(in: dir, token: token)
        let r = try run(["audit", "--root", capture, "--format", "json", "--out", dir + "/reports", "--spool", spool,
                         "--token-file", dir + "/no-such-token", "--push", receiver.url])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot read the token from \(dir)/no-such-token: No such file or directory"), r.stderr)
        XCTAssertEqual(receiver.requests.count, 0, "nothing is sent without the token")
        XCTAssertEqual(pending.count, 1)
        // Once the token is there, the flush delivers it (the spool names the file, not the token).
        try FileManager.default.copyItem(atPath: tokenFile, toPath: dir + "/no-such-token")
        XCTAssertEqual(try run(["push", "--flush", "--spool", spool]).status, 0)
        XCTAssertEqual(receiver.requests.map(\.authorization), ["ok"])
        try FileManager.default.removeItem(atPath: dir + "/no-such-token")  // the test's own copy of the secret
    }

    func testAnUnwritableReportFolderStillPushes() throws {
        let receiver = try Receiver(in: dir, token: token)
        let blocker = dir + "/not-a-folder"
        FileManager.default.createFile(atPath: blocker, contents: Data())
        let r = try run(["audit", "--root", capture, "--format", "json,md", "--out", blocker + "/reports", "--spool", spool,
                         "--token-file", tokenFile, "--push", receiver.url])
        XCTAssertEqual(r.status, 2, "the folder error is reported")
        XCTAssertTrue(r.stderr.contains("cannot write \(blocker)/reports: Not a directory"), r.stderr)
        XCTAssertEqual(receiver.requests.map(\.status), [200], "but the report was delivered")
    }

    func testRefusedPayloadMovesToRejected() throws {
        let receiver = try Receiver(in: dir, arguments: ["--script", "422"], token: token)
        let r = try audit(receiver.url)
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(receiver.requests.count, 1)
        XCTAssertTrue(pending.isEmpty)
        XCTAssertEqual(try Spool(directory: spool + "/rejected").pending().count, 1)
        XCTAssertTrue(r.stderr.contains("HTTP 422"), r.stderr)
    }

    func testReceiverDownThenUpDeliversEachReportOnceOldestFirst() throws {
        let port = freePort()
        let url = "http://127.0.0.1:\(port)/ingest"
        let first = try audit(url, ["--retries", "1"])
        XCTAssertEqual(first.status, 3, first.stderr)
        XCTAssertTrue(first.stderr.contains("spooled as \(spool)/"), first.stderr)
        XCTAssertTrue(first.stderr.contains("Connection refused") || first.stderr.contains("Failed to connect"), first.stderr)
        let second = try audit(url, ["--retries", "0"])
        XCTAssertEqual(second.status, 3)
        let keys = pending.map(\.entry.idempotencyKey)
        XCTAssertEqual(keys.count, 2)

        var receiver = try Receiver(in: dir, port: port, token: token)
        let flush = try run(["push", "--flush", "--spool", spool])
        XCTAssertEqual(flush.status, 0, flush.stderr)
        XCTAssertTrue(flush.stdout.contains("2 delivered, 0 refused (moved to rejected/), 0 remaining"), flush.stdout)
        XCTAssertEqual(receiver.requests.compactMap(\.idempotency_key), keys, "each once, oldest first")
        XCTAssertTrue(pending.isEmpty)
        let again = try run(["push", "--flush", "--spool", spool])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(receiver.requests.count, 2, "nothing left to send")

        // Down again: the next run spools; the run after that re-sends it first, then its own.
        receiver.stop()
        XCTAssertEqual(try audit(url, ["--retries", "0"]).status, 3)
        let third = try XCTUnwrap(pending.first?.entry.idempotencyKey)
        receiver = try Receiver(in: dir, name: "receiver2", port: port, token: token)
        let fourth = try audit(url)
        XCTAssertEqual(fourth.status, 0, fourth.stderr)
        let (runId, _) = try latestReport()
        XCTAssertEqual(receiver.requests.compactMap(\.idempotency_key), [third, runId])
        XCTAssertTrue(pending.isEmpty)
    }

    func testAReceiverThatIsStillDownDoesNotHoldBackAnother() throws {
        let (portA, portB) = (freePort(), freePort())
        let r = try audit("http://127.0.0.1:\(portA)/ingest", ["--push", "http://127.0.0.1:\(portB)/ingest", "--retries", "0"])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(pending.count, 2, "one item per receiver")
        let b = try Receiver(in: dir, port: portB, token: token)
        let flush = try run(["push", "--flush", "--spool", spool, "--retries", "0"])
        XCTAssertEqual(flush.status, 3, "receiver A's item remains")
        XCTAssertTrue(flush.stdout.contains("1 delivered, 0 refused (moved to rejected/), 1 remaining"), flush.stdout)
        XCTAssertEqual(b.requests.count, 1)
        XCTAssertEqual(pending.map(\.entry.target.url), ["http://127.0.0.1:\(portA)/ingest"])
    }

    func testTimeoutSpools() throws {
        let receiver = try Receiver(in: dir, arguments: ["--hang"], token: token)
        let start = Date()
        let r = try audit(receiver.url, ["--timeout", "1", "--retries", "1"])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("timed out") || r.stderr.contains("Timeout"), r.stderr)
        XCTAssertGreaterThanOrEqual(elapsed, 2, "two attempts of 1 s each")
        XCTAssertLessThan(elapsed, 20)
        XCTAssertEqual(pending.count, 1)
    }

    func testProxyFromTheEnvironment() throws {
        let receiver = try Receiver(in: dir, token: token)
        let r = try audit("http://receiver.invalid/ingest", [],
                          environment: ["http_proxy": "http://127.0.0.1:\(receiver.port)", "no_proxy": "", "NO_PROXY": ""])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(receiver.requests.first?.path, "http://receiver.invalid/ingest", "the request went through the proxy")
    }

    func testTLSWithATestCAAndMutualTLS() throws {
        try XCTSkipUnless(toolExists("openssl"), "SKIPPED: openssl is needed to make the test certificates")
        let pki = try TestPKI(in: dir)
        let receiver = try Receiver(in: dir, arguments: ["--cert", pki.serverCert, "--key", pki.serverKey], token: token)
        let good = try audit(receiver.httpsURL, ["--cacert", pki.caCert])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(receiver.requests.count, 1)

        let wrong = try audit(receiver.httpsURL, ["--cacert", pki.otherCACert])
        XCTAssertEqual(wrong.status, 3, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("certificate"), wrong.stderr)
        XCTAssertFalse(wrong.stderr.contains("retry 1"), "a certificate that does not verify is not retried")
        XCTAssertEqual(receiver.requests.count, 1, "nothing was sent to an unverified server")
        let system = try audit(receiver.httpsURL, ["--retries", "0"])
        XCTAssertEqual(system.status, 3, "the system trust store does not know the test CA")

        let mutual = try Receiver(in: dir, name: "mtls", arguments: ["--cert", pki.serverCert, "--key", pki.serverKey, "--client-ca", pki.caCert], token: token)
        let anonymous = try audit(mutual.httpsURL, ["--cacert", pki.caCert, "--retries", "0"])
        XCTAssertEqual(anonymous.status, 3, "mTLS receiver refuses a client without a certificate")
        let withCert = try audit(mutual.httpsURL, ["--cacert", pki.caCert, "--cert", pki.clientCert, "--key", pki.clientKey])
        XCTAssertEqual(withCert.status, 0, withCert.stderr)
        XCTAssertEqual(mutual.requests.count, 1)
        XCTAssertEqual(pending.count, 3, "the three refused pushes are spooled")
    }
}

/// A CA, a server certificate for 127.0.0.1, a client certificate, and an unrelated CA, made by openssl.
struct TestPKI {
    let caCert, serverCert, serverKey, clientCert, clientKey, otherCACert: String

    init(in dir: String) throws {
        let pki = dir + "/pki"
        try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true)
        caCert = pki + "/ca.pem"
        serverCert = pki + "/server.pem"
        serverKey = pki + "/server.key"
        clientCert = pki + "/client.pem"
        clientKey = pki + "/client.key"
        otherCACert = pki + "/other-ca.pem"
        try "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: pki + "/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: pki + "/client.ext", atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for (name, subject) in [("ca", "/CN=sriov-audit test CA"), ("other-ca", "/CN=unrelated CA")] {
            try check(shell("openssl", ["req", "-x509"] + ec + ["-keyout", "\(pki)/\(name).key", "-out", "\(pki)/\(name).pem", "-days", "2", "-subj", subject]))
        }
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=sriov-audit client")] {
            try check(shell("openssl", ["req"] + ec + ["-keyout", "\(pki)/\(name).key", "-out", "\(pki)/\(name).csr", "-subj", subject]))
            try check(shell("openssl", ["x509", "-req", "-in", "\(pki)/\(name).csr", "-CA", caCert, "-CAkey", "\(pki)/ca.key", "-CAcreateserial",
                                        "-out", "\(pki)/\(name).pem", "-days", "2", "-extfile", "\(pki)/\(name).ext"]))
        }
    }

    private func check(_ r: ShellResult) throws {
        if r.status != 0 { throw Receiver.CLIError("openssl failed: \(r.stderr)") }
    }
}
