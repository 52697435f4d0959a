/// What `--db` names: an SQLite file, or a PostgreSQL server by URL.
///
/// Why a type of its own: a URL must never be taken for a file name (`postgres://u@h/db` once
/// became the folders `./postgres:/u@h/db`), an unknown scheme is an error rather than a path,
/// and a password in a URL must never reach a message — ``description`` masks it.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file: a plain path, or `sqlite://PATH` / `file://PATH`.
    case sqlite(path: String)
    /// A PostgreSQL database: `postgres://` or `postgresql://`.
    case postgres(PostgresURL)

    /// Reads the value of `--db`.
    public static func parse(_ text: String) throws(DatabaseLocationError) -> DatabaseLocation {
        guard !text.isEmpty else { throw .empty }
        guard let separator = text.range(of: "://") else {
            // `postgres:user@host/db` is a URL missing its slashes, not a relative path.
            let lower = text.lowercased()
            if lower.hasPrefix("postgres:") || lower.hasPrefix("postgresql:") {
                throw .malformed(PostgresURL.masked(text), "a PostgreSQL URL starts with postgres:// (e.g. postgres://audit@db.example:5432/inventory)")
            }
            return .sqlite(path: text)
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        let rest = String(text[separator.upperBound...])
        switch scheme {
        case "postgres", "postgresql":
            return .postgres(try PostgresURL(parsing: rest, original: text))
        case "sqlite", "file":
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw .malformed(text, "an SQLite URL names an absolute path: \(scheme):///var/lib/sriov-audit/inventory.db")
            }
            return .sqlite(path: rest)
        default:
            throw .unknownScheme(scheme.isEmpty ? "(none)" : scheme)
        }
    }

    /// The location for messages: an SQLite path as given, a PostgreSQL URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }
}

/// Why a `--db` value names no database.
public enum DatabaseLocationError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownScheme(String)
    /// The URL (password masked) and what is wrong with it.
    case malformed(String, String)

    public var description: String {
        switch self {
        case .empty: "--db is empty: give an SQLite file or a postgres:// URL"
        case .unknownScheme(let scheme): "--db: unknown scheme `\(scheme)://` (an SQLite file is a path or sqlite:///PATH; PostgreSQL is postgres://USER@HOST:PORT/DATABASE)"
        case .malformed(let url, let why): "--db \(url): \(why)"
        }
    }
}
