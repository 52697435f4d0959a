import ArgumentParser
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `sriov-audit token issue|list|revoke`: the tokens `serve` accepts.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue, list and revoke the tokens the fleet server accepts.",
        subcommands: [Issue.self, List.self, Revoke.self]
    )

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Print a new token for HOST once; only its SHA-256 is stored.",
            discussion: """
                A host token lets HOST push its own snapshots and reports, and nothing else; the labels \
                given here are applied to its snapshots by the server (a host cannot relabel itself into \
                another L2 domain). --reader issues a token for the read API instead.
                """
        )
        @Argument(help: "The host name the token is bound to (or a name for a reader token).") var host: String
        @OptionGroup var labels: LabelOptions
        @Flag(name: .long, help: "A token for the read API, not for pushing.") var reader = false
        @OptionGroup var database: StoreOptions

        func run() throws {
            if reader, !labels.labels.isEmpty { throw ValidationError("labels apply to host tokens, not reader tokens") }
            let token = try database.open().issueToken(for: host, role: reader ? .reader : .host, labels: try labels.parsed())
            Console.out(token + "\n")
            Console.error("sriov-audit: issued a \(reader ? "reader" : "host") token for \(host); it is shown only now\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens: host, role, labels, created, last used; never the token itself.")
        @OptionGroup var database: StoreOptions
        @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table

        func run() throws {
            let tokens = try database.open(readOnly: true).tokens()
            if format == .json {
                Console.out(try jsonText(tokens))
                return
            }
            var lines = ["HOST\tROLE\tLABELS\tCREATED\tLAST USED\tREVOKED"]
            for t in tokens {
                let labels = t.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                lines.append([t.name, t.role.rawValue, labels.isEmpty ? "-" : labels, t.createdAt, t.lastUsedAt ?? "never", t.revokedAt ?? "-"].joined(separator: "\t"))
            }
            Console.out(lines.joined(separator: "\n") + "\n")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke every live token of HOST; the server refuses them at once.")
        @Argument(help: "The host (or reader) name.") var host: String
        @OptionGroup var database: StoreOptions

        func run() throws {
            let count = try database.open().revokeTokens(of: host)
            guard count > 0 else { throw CLIError("\(host) has no live token") }
            Console.out("revoked \(count) token(s) of \(host)\n")
        }
    }
}
