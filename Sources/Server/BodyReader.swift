import Hummingbird
import NIOCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a JSON request body within the server's limits: its content type, its size (checked
/// against Content-Length first, then while it arrives, then once inflated) and the time it may
/// take to arrive.
struct BodyReader: Sendable {
    let options: ServerOptions

    func json(_ request: Request) async throws -> [UInt8] {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/json" else {
            throw APIError(status: .unsupportedMediaType, reason: "unsupported_media_type",
                           message: "Content-Type must be application/json (got \(request.headers[.contentType] ?? "none"))")
        }
        let encoding = request.headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        guard encoding == "identity" || encoding == "gzip" else {
            throw APIError(status: .unsupportedMediaType, reason: "unsupported_media_type", message: "Content-Encoding \(encoding) is not supported (gzip is)")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > options.maxBody { throw tooLarge() }
        let raw = try await collect(request.body)
        guard encoding == "gzip" else { return raw }
        do { return try Gzip.inflate(raw, limit: options.maxBody) } catch {
            switch error {
            case .tooLarge: throw tooLarge(inflated: true)
            case .badData: throw APIError(status: .badRequest, reason: "invalid", message: "the gzip body is corrupt or cut short")
            }
        }
    }

    private func tooLarge(inflated: Bool = false) -> APIError {
        APIError(status: .contentTooLarge, reason: "too_large",
                 message: "the body is larger than \(options.maxBody) bytes\(inflated ? " once inflated" : "") (--max-body)")
    }

    /// The body, or 408 when it has not all arrived within the timeout (the client stopped
    /// sending), or 400 when the connection ended before it did.
    private func collect(_ body: RequestBody) async throws -> [UInt8] {
        let limit = options.maxBody
        let timeout = options.bodyTimeout
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                do {
                    for try await chunk in body {
                        guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge() }
                        chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
                    }
                } catch let error as APIError {
                    throw error
                } catch {
                    throw APIError(status: .badRequest, reason: "invalid", message: "the request body was cut short: \(error)")
                }
                return bytes
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw APIError(status: .requestTimeout, reason: "timeout", message: "the request body did not arrive within \(timeout)")
            }
            return bytes
        }
    }
}
