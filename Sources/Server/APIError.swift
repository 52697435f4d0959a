import Hummingbird
import Inventory
import NIOCore
import Report

/// A refusal the API answers with: an HTTP status, a reason for the metrics, and words for the
/// client. Never carries a token or any other secret.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    /// The `reason` label of `sriov_audit_requests_rejected_total`.
    var reason: String
    var message: String
    var retryAfter: Int?

    static func unauthorized(_ message: String) -> APIError { APIError(status: .unauthorized, reason: "unauthorized", message: message) }
    static func forbidden(_ message: String) -> APIError { APIError(status: .forbidden, reason: "forbidden", message: message) }
    static func invalid(_ message: String) -> APIError { APIError(status: .unprocessableContent, reason: "invalid", message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, reason: "not_found", message: message) }

    /// The JSON body: `{"error": "...", "reason": "..."}`.
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"sriov-audit\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.object(["error": message, "reason": reason]))))
    }
}

/// Small JSON documents written by hand, strings escaped by the audit report's own writer.
enum JSONText {
    static func object(_ fields: [String: String]) -> String {
        var out = "{"
        for (n, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if n > 0 { out += "," }
            JSONTextWriter.appendString(field.key, to: &out)
            out += ":"
            JSONTextWriter.appendString(field.value, to: &out)
        }
        return out + "}"
    }
}
