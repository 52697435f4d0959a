#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// Where and how to deliver a payload. Holds the *source* of the bearer token (a file or an
/// environment variable), never the token, so a target can be written into the spool and a later
/// run re-reads the current token.
public struct PushTarget: Codable, Sendable, Hashable {
    public var url: String
    /// PEM bundle to verify the server with; nil: the system's trust store. Verification is never off.
    public var caFile: String?
    /// Client certificate and key (PEM) for mutual TLS.
    public var clientCertificate: String?
    public var clientKey: String?
    public var tokenFile: String?
    /// Environment variable holding the token (read when no token file is given).
    public var tokenEnvironment: String?
    public var connectTimeout: Double
    public var totalTimeout: Double

    public init(url: String, caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
                tokenFile: String? = nil, tokenEnvironment: String? = nil, connectTimeout: Double = 10, totalTimeout: Double = 60) {
        self.url = url
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.tokenFile = tokenFile
        self.tokenEnvironment = tokenEnvironment
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// The URL as messages show it: no user:password@, no query string (either may hold a secret).
    public var displayURL: String {
        var rest = Substring(url)
        var scheme = ""
        if let range = rest.firstRange(of: "://") {
            scheme = String(rest[..<range.upperBound])
            rest = rest[range.upperBound...]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var path = rest[authorityEnd...]
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        return scheme + authority + path
    }

    /// Checks the URL before anything is sent or spooled.
    public func validate() throws(TransportError) {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw .badURL(url: displayURL, reason: "only http:// and https:// URLs can be pushed to")
        }
        guard displayURL.count > (lower.hasPrefix("https://") ? 8 : 7) else { throw .badURL(url: displayURL, reason: "no host") }
    }

    /// The bearer token, read now: nil when no source is configured or the variable is unset.
    func token() throws(TransportError) -> String? {
        if let tokenFile {
            let bytes: [UInt8]
            do { bytes = try readWholeFile(tokenFile, limit: 65536) } catch {
                throw .tokenUnreadable(source: tokenFile, reason: error.reason)
            }
            let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
            guard !token.isEmpty else { throw .tokenUnreadable(source: tokenFile, reason: "the file is empty") }
            guard !token.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw .tokenUnreadable(source: tokenFile, reason: "the token spans several lines")
            }
            return token
        }
        if let name = tokenEnvironment, let value = getenv(name) {
            let token = String(cString: value).trimmingWhitespace
            return token.isEmpty ? nil : token
        }
        return nil
    }
}

extension String {
    /// Every occurrence of `secret` replaced, for text that came from outside (a server's error
    /// body could echo the Authorization header back).
    func redacting(_ secret: String?) -> String {
        guard let secret, secret.count >= 4 else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: secret) {
            out += rest[..<range.lowerBound] + "[redacted]"
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
