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
        var response = ccurl_response()
        let code: Int32 = withCStrings(headers) { headerPointers in
            body.withUnsafeBufferPointer { bodyBuffer in
                target.url.withCString { url in
                    optionalCString(token) { token in
                        optionalCString(target.caFile) { ca in
                            optionalCString(target.clientCertificate) { cert in
                                optionalCString(target.clientKey) { key in
                                    userAgent.withCString { agent in
                                        headerPointers.withUnsafeBufferPointer { headerBuffer in
                                            var request = ccurl_request(
                                                url: url, body: bodyBuffer.baseAddress, body_length: bodyBuffer.count,
                                                headers: headerBuffer.baseAddress, header_count: headerBuffer.count,
                                                bearer_token: token, ca_file: ca, client_cert: cert, client_key: key,
                                                connect_timeout_ms: Int(target.connectTimeout * 1000),
                                                total_timeout_ms: Int(target.totalTimeout * 1000), user_agent: agent)
                                            return ccurl_post(&request, &response)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
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

    private static func optionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }

    /// C strings for `strings`, alive for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }

    static var libcurlVersion: String { String(cString: ccurl_version()) }
}
