import CCurl
import Inventory
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP POST through libcurl, and what came of it.
struct HTTPClient {
    enum Outcome: Sendable, Equatable {
        /// A response arrived (any status).
        case response(status: Int, retryAfter: String?, body: String)
        /// No response: `transient` failures (refused, timed out) may succeed later as they are.
        case transportFailure(code: Int32, message: String, transient: Bool)
    }

    static let userAgent = "sriov-audit/\(SriovAuditVersion.current)"

    static func post(_ body: [UInt8], headers: [String], target: PushTarget, token: String?) -> Outcome {
        // C copies of every string, alive for the call (one flat scope instead of nested withCString).
        let strings = CStrings()
        defer { strings.release() }
        let headerPointers: [UnsafePointer<CChar>?] = headers.compactMap { header in strings.copy(header).map { UnsafePointer($0) } }
        var response = ccurl_response()
        let code: Int32 = body.withUnsafeBufferPointer { bodyBuffer in
            headerPointers.withUnsafeBufferPointer { headerBuffer in
                var request = ccurl_request(
                    url: strings.copy(target.url), body: bodyBuffer.baseAddress, body_length: bodyBuffer.count,
                    headers: headerBuffer.baseAddress, header_count: headerBuffer.count,
                    bearer_token: strings.copy(token, secret: true), ca_file: strings.copy(target.caFile),
                    client_cert: strings.copy(target.clientCertificate), client_key: strings.copy(target.clientKey),
                    connect_timeout_ms: Int(target.connectTimeout * 1000),
                    total_timeout_ms: Int(target.totalTimeout * 1000), user_agent: strings.copy(userAgent))
                return ccurl_post(&request, &response)
            }
        }
        if code != 0 {
            let message = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .transportFailure(code: code, message: message, transient: ccurl_is_transient(code) != 0)
        }
        let retryAfter = withUnsafeBytes(of: response.retry_after) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let text = withUnsafeBytes(of: response.body) { String(decoding: $0.prefix(response.body_length), as: UTF8.self) }
        return .response(status: response.http_status, retryAfter: retryAfter.isEmpty ? nil : retryAfter, body: text)
    }

    /// strdup'ed strings freed together; secrets are zeroed first.
    private final class CStrings {
        private var owned: [(pointer: UnsafeMutablePointer<CChar>, secret: Bool)] = []

        func copy(_ text: String?, secret: Bool = false) -> UnsafeMutablePointer<CChar>? {
            guard let text, let pointer = strdup(text) else { return nil }
            owned.append((pointer, secret))
            return pointer
        }

        func release() {
            for (pointer, secret) in owned {
                if secret { memset(pointer, 0, strlen(pointer)) }
                free(pointer)
            }
            owned.removeAll()
        }
    }

    static var libcurlVersion: String { String(cString: ccurl_version()) }
}
