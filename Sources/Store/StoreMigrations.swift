/// Applies ``StoreSchema``'s migrations, the same list on both backends.
///
/// Applied migrations are recorded by identifier in `grdb_migrations`, the table GRDB's migrator
/// kept before this runner replaced it, so databases written by earlier builds read as they are.
/// All pending migrations run in one write transaction; two processes creating the same new
/// database take turns (SQLite's write lock, an advisory lock on PostgreSQL) and the second finds
/// the work done.
enum StoreMigrations {
    /// Refuses a database a newer build migrated; with `migrate`, applies what is missing.
    static func check(_ backend: any StoreBackend, migrate: Bool) throws {
        let applied = try backend.read { c in try appliedMigrations(c) }
        try refuseUnknown(applied, backend)
        if !migrate, applied.isEmpty {
            throw StoreError.cannotOpen(path: backend.name, reason: "it holds no inventory yet (store some with `sriov-audit collect --store`, `import` or `migrate` first)")
        }
        guard migrate, applied.count < StoreSchema.migrations.count else { return }
        try backend.write { c in
            if c.dialect == .postgres { try c.execute("SELECT pg_advisory_xact_lock(7265223941)") }
            try c.executeScript("CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            let done = Set(try appliedMigrations(c))
            try refuseUnknown(Array(done), backend)
            for (identifier, sql) in StoreSchema.steps where !done.contains(identifier) {
                try c.executeScript(c.dialect.ddl(sql))
                try c.execute("INSERT INTO grdb_migrations (identifier) VALUES (?)", [.text(identifier)])
            }
        }
    }

    private static func appliedMigrations(_ c: any SQLConnection) throws -> [String] {
        guard try c.tableExists("grdb_migrations") else { return [] }
        return try c.all("SELECT identifier FROM grdb_migrations", table: "grdb_migrations") { try $0.string(0) }
    }

    private static func refuseUnknown(_ applied: [String], _ backend: any StoreBackend) throws {
        let unknown = applied.filter { !StoreSchema.migrations.contains($0) }.sorted()
        if !unknown.isEmpty { throw StoreError.newerSchema(path: backend.name, unknown: unknown) }
    }
}
