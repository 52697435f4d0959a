/// What can go wrong with the inventory database, in words that name the file.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// The file is not an SQLite database (or is damaged).
    case corrupt(String)
    /// The database was migrated by a newer sriov-audit; this build must not touch it.
    case newerSchema(path: String, unknown: [String])
    /// The database cannot be opened or written (permissions, read-only file system, full disk).
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case notFound(String)
    /// A snapshot refused before anything was written (see ``SnapshotValidator``).
    case rejected(String)

    public var description: String {
        switch self {
        case .corrupt(let why): "the inventory database is damaged: \(why)"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer sriov-audit (unknown migrations: \(unknown.joined(separator: ", "))); upgrade sriov-audit to use it"
        case .cannotOpen(let path, let reason): "cannot open the inventory database \(path): \(reason)"
        case .cannotWrite(let path, let reason): "cannot write to the inventory database \(path): \(reason); nothing of this snapshot was stored"
        case .notFound(let what): "\(what) is not in the inventory database"
        case .rejected(let why): why
        }
    }
}
