import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who a bearer token belongs to, as `serve` sees it after a successful lookup.
public struct TokenIdentity: Sendable, Equatable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        /// Pushes snapshots and reports for one host, whose name the token is bound to.
        case host
        /// Reads the server's API (operators, dashboards).
        case reader
    }

    public var id: Int64
    /// The host a `host` token may push for; a free name for a `reader` token.
    public var name: String
    public var role: Role
    /// Applied to the host's snapshots by the server: a host cannot relabel itself.
    public var labels: [String: String]
}

/// One token as `token list` shows it: never the token itself.
public struct TokenSummary: Sendable, Codable, Equatable {
    public var name: String
    public var role: TokenIdentity.Role
    public var labels: [String: String]
    public var createdAt: String
    public var lastUsedAt: String?
    public var revokedAt: String?
}

/// Push and read tokens, the way osquery/Fleet binds a node key to a host: the server keeps only
/// each token's SHA-256, the token itself is printed once when it is issued.
extension InventoryStore {
    /// A new random token (256 bits) for `name`; returned once, stored as its SHA-256 only.
    public func issueToken(for name: String, role: TokenIdentity.Role = .host, labels: [String: String] = [:], now: Date = Date()) throws -> String {
        if role == .host, let why = SnapshotValidator.hostnameProblem(name) { throw StoreError.rejected("cannot issue a token for \"\(name)\": \(why)") }
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        // A recognisable prefix lets secret scanners find a token that leaked into a repository.
        let token = "sra_" + SHA256.hexString(bytes)
        let digest = Self.tokenDigest(token)
        try write { db in
            let id = try db.insertReturningID(table: "tokens", columns: ["hostname", "role", "sha256", "created_at"],
                                              values: [.text(name), .text(role.rawValue), .text(digest), .text(now.formatted(.iso8601))])
            try db.insertRows(table: "token_labels", columns: ["token_id", "key", "value"], prefix: [.int(id)],
                              rows: labels.sorted(by: { $0.key < $1.key }).map { [.text($0.key), .text($0.value)] })
        }
        return token
    }

    /// The SHA-256 the store keeps of a token.
    public static func tokenDigest(_ token: String) -> String {
        SHA256.hex(token)
    }

    /// The identity of a token that is known and not revoked; nil otherwise. The digest is
    /// looked up by index and then compared in constant time, so how long a refusal takes says
    /// nothing about how close a guess was.
    public func authenticate(digest: String) throws -> TokenIdentity? {
        try read { db in
            guard let (id, name, roleText, stored) = try db.first("""
                SELECT id, hostname, role, sha256 FROM tokens WHERE sha256 = ? AND revoked_at IS NULL
                """, [.text(digest)], table: "tokens", { (try $0.requiredInt64(0), try $0.string(1), try $0.string(2), try $0.string(3)) })
            else { return nil }
            guard Self.constantTimeEqual(Array(stored.utf8), Array(digest.utf8)),
                  let role = TokenIdentity.Role(rawValue: roleText) else { return nil }
            var labels: [String: String] = [:]
            try db.forEach("SELECT key, value FROM token_labels WHERE token_id = ?", [.int(id)], table: "token_labels") { label in
                labels[try label.string(0)] = try label.string(1)
            }
            return TokenIdentity(id: id, name: name, role: role, labels: labels)
        }
    }

    /// Records when tokens were last used (batched by the server, not one write per request).
    public func touchTokens(_ lastUsed: [Int64: Date]) throws {
        guard !lastUsed.isEmpty else { return }
        try write { db in
            for (id, time) in lastUsed.sorted(by: { $0.key < $1.key }) {
                try db.execute("UPDATE tokens SET last_used_at = \(db.dialect.greatest("coalesce(last_used_at, '')", "?")) WHERE id = ?",
                               [.text(time.formatted(.iso8601)), .int(id)])
            }
        }
    }

    public func tokens() throws -> [TokenSummary] {
        try read { db in
            var labels: [Int64: [String: String]] = [:]
            try db.forEach("SELECT token_id, key, value FROM token_labels", table: "token_labels") { row in
                labels[try row.requiredInt64(0), default: [:]][try row.string(1)] = try row.string(2)
            }
            return try db.all("""
                SELECT id, hostname, role, created_at, last_used_at, revoked_at FROM tokens ORDER BY hostname, created_at, id
                """, table: "tokens") { row -> TokenSummary? in
                guard let role = TokenIdentity.Role(rawValue: try row.string(2)) else { return nil }
                return TokenSummary(name: try row.string(1), role: role, labels: labels[try row.requiredInt64(0)] ?? [:], createdAt: try row.string(3),
                                    lastUsedAt: row.text(4), revokedAt: row.text(5))
            }.compactMap { $0 }
        }
    }

    /// Revokes every live token of `name`; returns how many. A revoked token is refused at once.
    @discardableResult
    public func revokeTokens(of name: String, now: Date = Date()) throws -> Int {
        try write { db in
            try db.execute("UPDATE tokens SET revoked_at = ? WHERE hostname = ? AND revoked_at IS NULL",
                           [.text(now.formatted(.iso8601)), .text(name)])
        }
    }

    /// Whether `name` has a live token of `role` (enrolment issues a host's first token only).
    public func hasLiveToken(_ name: String, role: TokenIdentity.Role = .host) throws -> Bool {
        try read { db in
            try db.integer("SELECT EXISTS (SELECT 1 FROM tokens WHERE hostname = ? AND role = ? AND revoked_at IS NULL)",
                           [.text(name), .text(role.rawValue)]) == 1
        }
    }

    /// Compares two secrets in time that depends only on their length.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
