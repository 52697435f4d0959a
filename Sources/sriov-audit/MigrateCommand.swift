import ArgumentParser
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `migrate --from A --to B`: one inventory copied into another, SQLite and PostgreSQL either way.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy an inventory into another database (SQLite to PostgreSQL or back), keeping all history.",
        discussion: """
            Copies every host, snapshot and observation, labels, push tokens and kept host reports, \
            with their ids, in one transaction of the target: it holds all of it or nothing. The \
            target must hold no host yet; it is created and given the schema if needed. Kept audit \
            results are not copied (the first audit rebuilds them). Passwords come from the URL, \
            --from-password-file / --to-password-file, or PGPASSWORD; they are never printed.
            """)

    @Option(name: .long, help: ArgumentHelp("The inventory to copy: an SQLite file or a postgres:// URL.", valueName: "PATH|URL"))
    var from: String
    @Option(name: .long, help: ArgumentHelp("The database to copy into: an SQLite file or a postgres:// URL.", valueName: "PATH|URL"))
    var to: String
    @Option(name: .long, help: ArgumentHelp("A file holding the source's PostgreSQL password.", valueName: "FILE"))
    var fromPasswordFile: String?
    @Option(name: .long, help: ArgumentHelp("A file holding the target's PostgreSQL password.", valueName: "FILE"))
    var toPasswordFile: String?
    @OptionGroup var progress: ProgressOption

    func validate() throws {
        let source = try DatabaseLocation.parse(from)
        let target = try DatabaseLocation.parse(to)
        if source == target { throw ValidationError("--from and --to name the same database") }
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--from \(path): no such file")
        }
    }

    func run() throws {
        let source = try StoreOptions.open(try DatabaseLocation.parse(from), passwordFile: fromPasswordFile, readOnly: false)
        let target = try StoreOptions.open(try DatabaseLocation.parse(to), passwordFile: toPasswordFile, readOnly: false)
        let summary = try progress.showing("migrate", unit: "snapshots") { line in
            try source.copy(to: target) { line.update($0, of: $1) }
        }
        Console.out("copied \(summary.hosts) host(s), \(summary.snapshots) snapshot(s), \(summary.observations) observation(s), \(summary.tokens) token(s) and \(summary.hostReports) host report(s) (\(summary.rows) rows) from \(source.path) to \(target.path)\n")
    }
}
