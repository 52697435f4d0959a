import Hummingbird
import Inventory
import NIOCore
import NIOPosix
import Report
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The read API (JSON), the scheduled audit's reports, and the probes: what people and
/// dashboards ask. Store reads run on a thread pool of their own, never on the request's task.
struct ReadRoutes: Sendable {
    let options: ServerOptions
    let auth: Authenticator
    /// A read-only connection: readers never wait behind the ingest writer (WAL).
    let reader: InventoryStore
    let writer: InventoryStore
    let metrics: ServerMetrics
    let pool: NIOThreadPool

    func add(to router: Router<ServerContext>) {
        router.get("/healthz") { _, _ in json(#"{"status":"ok"}"#) }
        router.get("/readyz") { _, _ in
            do {
                try await blocking { try writer.checkWritable() }
                return json(#"{"status":"ready"}"#)
            } catch {
                return json(JSONText.object(["status": "not ready", "error": "\(error)"]), status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            try await blocking { try refreshFleetGauges() }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        router.get("/v1/hosts") { request, _ in
            try auth.authorizeRead(request)
            var selection: [String: String] = [:]
            for pair in request.uri.queryParameters.getAll("select") {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw APIError.invalid("select=\(pair): expected KEY=VALUE") }
                selection[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            let selected = selection
            return try await encoded { try reader.hosts(matching: selected) }
        }
        onHost(router, "/v1/hosts/:name") { name, _, _ in
            {
                let snapshot = try reader.snapshot(of: name)
                let labels = try reader.labels(of: name)
                let data = SnapshotJSONWriter.encode(snapshot, pretty: false)
                var text = "{\"hostname\":"
                JSONTextWriter.appendString(name, to: &text)
                text += ",\"labels\":" + String(decoding: try JSONEncoder.sorted.encode(labels), as: UTF8.self)
                text += ",\"snapshot\":" + String(decoding: data, as: UTF8.self) + "}"
                return text
            }
        }
        onHost(router, "/v1/hosts/:name/history") { name, _, _ in
            { String(decoding: try JSONEncoder.sorted.encode(try reader.history(of: name)), as: UTF8.self) }
        }
        onHost(router, "/v1/hosts/:name/diff") { name, request, _ in
            let from = try time(request, "from"), to = try time(request, "to")
            return {
                var (older, newer) = try reader.driftPair(of: name, to: to)
                if let from { older = try reader.snapshot(of: name, at: from) }
                let diff = DiffDocument(host: name, from: older.collectedAt, to: newer.collectedAt, changes: SnapshotDiff.changes(from: older, to: newer))
                return String(decoding: try JSONEncoder.sorted.encode(diff), as: UTF8.self)
            }
        }
        onHost(router, "/v1/hosts/:name/reports") { name, _, _ in
            { String(decoding: try JSONEncoder.sorted.encode(try reader.hostReports(of: name)), as: UTF8.self) }
        }
        onHost(router, "/v1/hosts/:name/reports/:run") { name, _, context in
            let run = try context.parameters.require("run")
            return { String(decoding: try reader.hostReport(of: name, runId: run), as: UTF8.self) }
        }
        router.get("/v1/audit/latest") { request, _ in
            try auth.authorizeRead(request)
            return try await reportFile("latest.json", type: "application/json")
        }
        router.get("/reports/latest.html") { request, _ in
            try auth.authorizeRead(request)
            return try await reportFile("latest.html", type: "text/html; charset=utf-8")
        }
    }

    /// A read route about one host: the reader token checked, the name taken from the path,
    /// `document` (what the request asks, checked on the request's task) then read from the
    /// store on the pool; an unknown host is 404.
    private func onHost(_ router: Router<ServerContext>, _ path: String,
                        _ document: @escaping @Sendable (String, Request, ServerContext) throws -> @Sendable () throws -> String) {
        router.get(RouterPath(path)) { request, context in
            try auth.authorizeRead(request)
            let name = try context.parameters.require("name")
            return try await stored(name, try document(name, request, context))
        }
    }

    struct DiffDocument: Encodable {
        var host: String
        var from: Date
        var to: Date
        var changes: [Change]
    }

    /// Hosts known and stale, read when Prometheus scrapes.
    private func refreshFleetGauges() throws {
        let counts = try reader.hostCounts(staleBefore: Date().addingTimeInterval(-Double(options.staleAfter.components.seconds)))
        metrics.hostsKnown.set(Double(counts.known))
        metrics.hostsStale.set(Double(counts.stale))
    }

    private func time(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let date = Timestamp.parse(text) else { throw APIError.invalid("\(name)=\(text): expected an ISO 8601 time (2026-12-01T10:00:00Z)") }
        return date
    }

    private func reportFile(_ name: String, type: String) async throws -> Response {
        guard let directory = options.audit?.out else { throw APIError.notFound("no scheduled audit on this server (--audit-every)") }
        guard let data = try await blocking({ FileManager.default.contents(atPath: directory + "/" + name) }) else {
            throw APIError.notFound("no scheduled audit has finished yet")
        }
        return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func encoded<T: Encodable & Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> Response {
        let text = try await blocking { String(decoding: try JSONEncoder.sorted.encode(try body()), as: UTF8.self) }
        return json(text)
    }

    /// A JSON document about one host; an unknown host is 404.
    private func stored(_ name: String, _ body: @escaping @Sendable () throws -> String) async throws -> Response {
        do {
            return json(try await blocking(body))
        } catch let error as StoreError {
            if case .notFound(let what) = error { throw APIError.notFound(what) }
            throw error
        }
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}

func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

extension JSONEncoder {
    /// Keys sorted, dates as ISO 8601: the CLI's JSON conventions.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = Timestamp.encodingStrategy
        return encoder
    }
}
