import Hummingbird
import Store
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bearer tokens to identities. Tokens are looked up by their SHA-256 on every request (a
/// revoked token is refused at once); when each was last used is remembered here and written in
/// batches by ``flushActivity()``, not one write per request.
final class Authenticator: Sendable {
    private let store: InventoryStore
    private let lastUsed = Mutex<[Int64: Date]>([:])
    let readWithoutToken: Bool

    init(store: InventoryStore, readWithoutToken: Bool) {
        self.store = store
        self.readWithoutToken = readWithoutToken
    }

    /// The identity behind the request's bearer token, which must have `role`.
    func identity(_ request: Request, role: TokenIdentity.Role) throws -> TokenIdentity {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("no token: send Authorization: Bearer TOKEN (`sriov-audit token issue HOST` makes one)")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError.unauthorized("the Authorization header is not a bearer token")
        }
        let identity: TokenIdentity?
        do { identity = try store.authenticate(digest: InventoryStore.tokenDigest(String(parts[1]))) } catch {
            throw APIError(status: .serviceUnavailable, reason: "busy", message: "the token store cannot be read now", retryAfter: 5)
        }
        guard let identity else { throw APIError.unauthorized("unknown or revoked token") }
        guard identity.role == role else {
            throw APIError.forbidden(role == .host ? "a \(identity.role.rawValue) token cannot push; issue a host token" : "a \(identity.role.rawValue) token cannot read the API; issue one with --reader")
        }
        lastUsed.withLock { $0[identity.id] = Date() }
        return identity
    }

    /// Reads need a reader token unless the server was told otherwise.
    func authorizeRead(_ request: Request) throws {
        if readWithoutToken { return }
        _ = try identity(request, role: .reader)
    }

    /// Writes the remembered last-use times (every half minute, and at shutdown).
    func flushActivity(into writer: InventoryStore) {
        let pending = lastUsed.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        do { try writer.touchTokens(pending) } catch {
            lastUsed.withLock { current in current.merge(pending) { newer, _ in newer } }
        }
    }
}
