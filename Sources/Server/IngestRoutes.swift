import HTTPTypes
import Hummingbird
import Inventory
import Logging
import NIOCore
import Report
import Store
import Foundation  // JSONSerialization, for the small report and enrolment documents

/// `POST /v1/snapshots`, `POST /v1/reports`, `POST /v1/enroll`: what hosts send.
///
/// The order of the checks is the order of their cost: the token (one indexed read), the rate,
/// the content type, the body (size and time bounded), the document, the host name bound to the
/// token; only then the write, and the answer only once it committed.
struct IngestRoutes: Sendable {
    let options: ServerOptions
    let auth: Authenticator
    let limiter: RateLimiter
    let enrolLimiter: RateLimiter
    let inFlight: InFlightKeys
    let writer: GroupCommitWriter
    let store: InventoryStore
    let metrics: ServerMetrics
    let logger: Logger

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    func add(to router: Router<ServerContext>) {
        router.post("/v1/snapshots") { request, _ in try await snapshot(request) }
        router.post("/v1/reports") { request, _ in try await report(request) }
        router.post("/v1/enroll") { request, _ in try await enroll(request) }
    }

    func snapshot(_ request: Request) async throws -> Response {
        let identity = try auth.identity(request, role: .host)
        try checkRate(identity)
        let body = try await BodyReader(options: options).json(request)
        if let why = SnapshotValidator.checkRaw(body) { throw APIError.invalid(why) }
        let snapshot: HostSnapshot
        do { snapshot = try HostSnapshot(jsonBytes: body) } catch { throw APIError.invalid("not a snapshot: \(error)") }
        if let why = SnapshotValidator.check(snapshot) { throw APIError.invalid(why) }
        guard snapshot.host.hostname == identity.name else {
            throw APIError.forbidden("this token belongs to host \(identity.name); the snapshot is of \(snapshot.host.hostname)")
        }
        let rows = SnapshotRows(snapshot)
        let key = "\(identity.id):" + (request.headers[Self.idempotencyKey] ?? rows.contentHash + "@" + String(snapshot.collectedAt.timeIntervalSince1970))
        guard inFlight.begin(key) else {
            throw APIError(status: .tooManyRequests, reason: "busy", message: "a request with this Idempotency-Key is still being stored; retry", retryAfter: 1)
        }
        defer { inFlight.end(key) }
        let outcome: StoreOutcome
        do {
            outcome = try await writer.store(.init(snapshot: snapshot, rows: rows, labels: identity.labels))
        } catch StoreError.rejected(let why) {
            throw APIError(status: .unprocessableContent, reason: "conflict", message: why)
        } catch {
            logger.error("snapshot not stored", metadata: ["host": "\(identity.name)", "error": "\(error)"])
            throw APIError(status: .serviceUnavailable, reason: "busy", message: "the inventory database cannot take the snapshot now: \(error)", retryAfter: 5)
        }
        let (name, id, status): (String, Int64, HTTPResponse.Status) = switch outcome {
        case .new(let id): ("new", id, .created)
        case .unchanged(let id): ("unchanged", id, .ok)
        case .duplicate(let id): ("duplicate", id, .ok)
        }
        metrics.received(name)
        logger.debug("snapshot stored", metadata: ["host": "\(identity.name)", "outcome": "\(name)"])
        var text = "{\"host\":"
        JSONTextWriter.appendString(identity.name, to: &text)
        text += ",\"outcome\":\"\(name)\",\"snapshotId\":\(id)}"
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func report(_ request: Request) async throws -> Response {
        let identity = try auth.identity(request, role: .host)
        try checkRate(identity)
        let body = try await BodyReader(options: options).json(request)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let runId = object["runId"] as? String, !runId.isEmpty, runId.count <= 128,
              let hosts = object["hosts"] as? [[String: Any]] else {
            throw APIError.invalid("not an audit report (`audit --format json`): runId and hosts are required")
        }
        let names = hosts.compactMap { $0["name"] as? String }
        guard !names.isEmpty, names.allSatisfy({ $0 == identity.name }) else {
            throw APIError.forbidden("this token belongs to host \(identity.name); a host pushes only its own report (this one covers \(Set(names).sorted().joined(separator: ", ")))")
        }
        let compliant = (object["summary"] as? [String: Any])?["compliant"] as? Bool
        let stored: Bool
        do {
            stored = try store.saveHostReport(hostname: identity.name, runId: runId, generatedAt: object["generatedAt"] as? String,
                                              compliant: compliant, body: body, keep: options.keepHostReports)
        } catch {
            throw APIError(status: .serviceUnavailable, reason: "busy", message: "the inventory database cannot take the report now", retryAfter: 5)
        }
        if stored { metrics.reportsReceived.increment() }
        return Response(status: stored ? .created : .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.object(["host": identity.name, "runId": runId, "outcome": stored ? "new" : "duplicate"]))))
    }

    /// A new host obtains its own token with the enrolment secret; a host that already has one
    /// cannot be enrolled again (a clone must not take over a host's identity).
    func enroll(_ request: Request) async throws -> Response {
        guard let secret = options.enrollSecret else { throw APIError.notFound("enrolment is not enabled on this server") }
        if let wait = enrolLimiter.wait(for: -1) {
            throw APIError(status: .tooManyRequests, reason: "rate_limited", message: "too many enrolments; retry later", retryAfter: wait)
        }
        let body = try await BodyReader(options: options).json(request)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let hostname = object["hostname"] as? String, let given = object["secret"] as? String else {
            throw APIError.invalid("expected {\"hostname\": ..., \"secret\": ...}")
        }
        guard InventoryStore.constantTimeEqual(Array(given.utf8), secret) else { throw APIError.unauthorized("wrong enrolment secret") }
        if let why = SnapshotValidator.hostnameProblem(hostname) { throw APIError.invalid(why) }
        let token: String
        do {
            if try store.hasLiveToken(hostname) {
                throw APIError(status: .conflict, reason: "conflict", message: "\(hostname) already has a token; an operator must revoke it first (`sriov-audit token revoke \(hostname)`)")
            }
            token = try store.issueToken(for: hostname, labels: options.enrollLabels)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: .serviceUnavailable, reason: "busy", message: "the token store cannot be written now", retryAfter: 5)
        }
        logger.info("host enrolled", metadata: ["host": "\(hostname)"])
        return Response(status: .created, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.object(["hostname": hostname, "token": token]))))
    }

    private func checkRate(_ identity: TokenIdentity) throws {
        if let wait = limiter.wait(for: identity.id) {
            throw APIError(status: .tooManyRequests, reason: "rate_limited", message: "too many requests for this token; retry in \(wait) s", retryAfter: wait)
        }
    }
}
