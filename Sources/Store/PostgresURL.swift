/// A PostgreSQL connection URL as libpq writes it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=MODE`.
///
/// The password may come in the URL, but operators should give it through `PGPASSWORD` or a
/// password file; either way ``description`` never shows it.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    /// A host name or address (IPv6 without its brackets).
    public var host: String
    public var port: Int
    /// The database; libpq's default, the user's name, when the URL names none.
    public var database: String
    /// Nil when the URL says nothing: the backend's own default applies.
    public var sslMode: SSLMode?
    public var applicationName: String?

    /// `rest` is what follows `postgres://`; `original` the whole value, for messages (masked).
    init(parsing rest: String, original: String) throws(DatabaseLocationError) {
        let masked = Self.masked(original)
        func fail(_ why: String) -> DatabaseLocationError { .malformed(masked, why) }
        var remainder = Substring(rest)
        var query = Substring()
        if let mark = remainder.firstIndex(of: "?") {
            query = remainder[remainder.index(after: mark)...]
            remainder = remainder[..<mark]
        }
        var path = Substring()
        if let slash = remainder.firstIndex(of: "/") {
            path = remainder[remainder.index(after: slash)...]
            remainder = remainder[..<slash]
        }
        guard let at = remainder.lastIndex(of: "@") else {
            throw fail("the URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let credentials = remainder[..<at], address = remainder[remainder.index(after: at)...]
        let userText = credentials.firstIndex(of: ":").map { credentials[..<$0] } ?? credentials
        guard let user = Self.percentDecoded(userText), !user.isEmpty else { throw fail("the URL names no user (postgres://USER@HOST/DATABASE)") }
        self.user = user
        if let colon = credentials.firstIndex(of: ":") {
            guard let secret = Self.percentDecoded(credentials[credentials.index(after: colon)...]) else { throw fail("the password is not valid percent-encoding") }
            password = secret
        }
        // Host, then port: `[::1]:5433` for IPv6.
        var hostText = address, portText: Substring?
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { throw fail("an IPv6 host is written [ADDRESS]") }
            hostText = address[address.index(after: address.startIndex)..<close]
            let after = address[address.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected `\(after)` after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = address.lastIndex(of: ":") {
            hostText = address[..<colon]
            portText = address[address.index(after: colon)...]
        }
        guard let host = Self.percentDecoded(hostText), !host.isEmpty else { throw fail("the URL names no host (postgres://USER@HOST/DATABASE)") }
        self.host = host
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { throw fail("the port `\(portText)` is not a number from 1 to 65535") }
            self.port = port
        } else {
            port = 5432
        }
        guard let database = Self.percentDecoded(path), !database.contains("/") else { throw fail("the database name `\(path)` is not valid") }
        self.database = database.isEmpty ? user : database
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Self.percentDecoded(parts[1]) else { throw fail("the parameter `\(pair)` is not NAME=VALUE") }
            switch parts[0] {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw fail("sslmode `\(value)` is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "application_name": applicationName = value
            default: throw fail("unknown parameter `\(parts[0])` (known: sslmode, application_name)")
            }
        }
    }

    /// `postgres://USER:****@HOST:PORT/DATABASE?sslmode=MODE`: never the password.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        var text = "postgres://\(user)\(password == nil ? "" : ":****")@\(hostText):\(port)/\(database)"
        var parameters: [String] = []
        if let sslMode { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let applicationName { parameters.append("application_name=\(applicationName)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// A URL-like text with whatever stands between `user:` and `@` replaced by `****`, for
    /// messages about a value that did not parse.
    static func masked(_ text: String) -> String {
        let start = text.range(of: "://")?.upperBound ?? text.firstIndex(of: ":").map { text.index(after: $0) } ?? text.startIndex
        guard let at = text[start...].lastIndex(of: "@"), let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "****" + String(text[at...])
    }

    /// `%40` → `@`; nil when a `%` is not followed by two hex digits or the bytes are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard second < utf8.endIndex, let high = hexValue(utf8[first]), let low = hexValue(utf8[second]) else { return nil }
                bytes.append(high << 4 | low)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
