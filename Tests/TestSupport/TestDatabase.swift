import Foundation
import Store

/// A database a test runs against: a fresh SQLite file, or a fresh PostgreSQL database on the
/// server `SRIOV_AUDIT_TEST_PG` names (`.ci/run` starts a throw-away cluster and sets it; it may
/// also point at an existing server, where each test creates and drops a database of its own).
///
/// Why a loop and not a copy of each suite: the store's operations are one code over two
/// backends, and the tests that hold them equal must be one code too.
public struct TestDatabase: CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable { case sqlite = "SQLite", postgres = "PostgreSQL" }

    public let kind: Kind
    /// What `--db` takes: the file path or the URL (with the test server's password, if any).
    public let url: String
    /// The folder the test may use for other files.
    public let directory: String

    public var description: String { kind.rawValue }

    public var location: DatabaseLocation {
        get throws { try DatabaseLocation.parse(url) }
    }

    /// Opens the store (creating and migrating it unless `readOnly`).
    public func open(readOnly: Bool = false, factsProgress: (Int, Int) -> Void = { _, _ in }) throws -> InventoryStore {
        try InventoryStore(location: location, readOnly: readOnly, factsProgress: factsProgress)
    }

    /// The server tests use, from `SRIOV_AUDIT_TEST_PG`; nil when it is not set.
    public static var postgresServer: String? {
        let value = ProcessInfo.processInfo.environment["SRIOV_AUDIT_TEST_PG"] ?? ""
        return value.isEmpty ? nil : value
    }

    /// Runs `body` once per backend, each time with a database of its own that is dropped
    /// afterwards. Without `SRIOV_AUDIT_TEST_PG` the PostgreSQL run says SKIPPED on stderr.
    public static func each(_ label: String, _ body: (TestDatabase) throws -> Void) throws {
        let directory = Fixtures.temporaryDirectory(label)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(TestDatabase(kind: .sqlite, url: directory + "/inventory.db", directory: directory))
        guard let server = postgresServer else {
            FileHandle.standardError.write(Data("SKIPPED: the PostgreSQL run of \(label) (SRIOV_AUDIT_TEST_PG is not set)\n".utf8))
            return
        }
        let database = try createPostgresDatabase(server: server, label: label)
        defer { dropPostgresDatabase(server: server, name: database.name) }
        try body(TestDatabase(kind: .postgres, url: database.url, directory: directory))
    }

    /// A new, empty PostgreSQL database on `server`; its name and URL.
    public static func createPostgresDatabase(server: String, label: String) throws -> (name: String, url: String) {
        let clean = label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let name = "sat_" + String(clean.prefix(30)) + "_" + UUID().uuidString.prefix(8).lowercased()
        let result = try shell("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", server, "-c", "CREATE DATABASE \"\(name)\""])
        guard result.status == 0 else {
            throw TestDatabaseError("cannot create a test database on SRIOV_AUDIT_TEST_PG: \(result.stderr)")
        }
        return (name, try replacingDatabase(in: server, with: name))
    }

    /// Drops a test database, ending any connection still open to it.
    public static func dropPostgresDatabase(server: String, name: String) {
        _ = try? shell("psql", ["-X", "-q", server, "-c", "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"])
    }

    /// `server`'s URL with its database name replaced.
    public static func replacingDatabase(in server: String, with name: String) throws -> String {
        guard let scheme = server.range(of: "://") else { throw TestDatabaseError("SRIOV_AUDIT_TEST_PG is not a postgres:// URL") }
        let afterScheme = server[scheme.upperBound...]
        let query = afterScheme.firstIndex(of: "?").map { String(afterScheme[$0...]) } ?? ""
        let authority = afterScheme[..<(afterScheme.firstIndex(of: "?") ?? afterScheme.endIndex)]
        let hostPart = authority.firstIndex(of: "/").map { authority[..<$0] } ?? authority
        return String(server[..<scheme.upperBound]) + hostPart + "/" + name + query
    }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
