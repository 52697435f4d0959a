import GRDB
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
            try db.execute(sql: "INSERT INTO tokens (hostname, role, sha256, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, role.rawValue, digest, now.formatted(.iso8601)])
            let id = db.lastInsertedRowID
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO token_labels (token_id, key, value) VALUES (?, ?, ?)", arguments: [id, key, value])
            }
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
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, hostname, role, sha256 FROM tokens WHERE sha256 = ? AND revoked_at IS NULL
                """), arguments: [digest]) else { return nil }
            let stored: String = row["sha256"]
            guard Self.constantTimeEqual(Array(stored.utf8), Array(digest.utf8)),
                  let role = TokenIdentity.Role(rawValue: row["role"]) else { return nil }
            let id: Int64 = row["id"]
            var labels: [String: String] = [:]
            for label in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM token_labels WHERE token_id = ?"), arguments: [id]) {
                labels[label["key"]] = label["value"] as String
            }
            return TokenIdentity(id: id, name: row["hostname"], role: role, labels: labels)
        }
    }

    /// Records when tokens were last used (batched by the server, not one write per request).
    public func touchTokens(_ lastUsed: [Int64: Date]) throws {
        guard !lastUsed.isEmpty else { return }
        try write { db in
            for (id, time) in lastUsed {
                try db.execute(sql: "UPDATE tokens SET last_used_at = max(coalesce(last_used_at, ''), ?) WHERE id = ?",
                               arguments: [time.formatted(.iso8601), id])
            }
        }
    }

    public func tokens() throws -> [TokenSummary] {
        try read { db in
            var labels: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT token_id, key, value FROM token_labels") {
                labels[row["token_id"], default: [:]][row["key"]] = row["value"] as String
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY hostname, created_at, id").compactMap { row in
                guard let role = TokenIdentity.Role(rawValue: row["role"]) else { return nil }
                return TokenSummary(name: row["hostname"], role: role, labels: labels[row["id"]] ?? [:], createdAt: row["created_at"],
                                    lastUsedAt: row["last_used_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Revokes every live token of `name`; returns how many. A revoked token is refused at once.
    @discardableResult
    public func revokeTokens(of name: String, now: Date = Date()) throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE hostname = ? AND revoked_at IS NULL",
                           arguments: [now.formatted(.iso8601), name])
            return db.changesCount
        }
    }

    /// Whether `name` has a live token of `role` (enrolment issues a host's first token only).
    public func hasLiveToken(_ name: String, role: TokenIdentity.Role = .host) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tokens WHERE hostname = ? AND role = ? AND revoked_at IS NULL)",
                              arguments: [name, role.rawValue]) ?? false
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
