#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Collector
import Inventory
import Rules
import Server
import Report
import Store
import Transport
#if canImport(FoundationEssentials)
import FoundationEssentials  // not Foundation: it would load ICU and double the tool's memory
#else
import Foundation
#endif

/// The command-line tool: parse, call the library, print.
@main
struct SriovAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sriov-audit",
        abstract: "Collect and audit the SR-IOV state of Linux hosts.",
        discussion: """
            Collects PCIe topology, IOMMU groups, NIC drivers and firmware, and every PF and VF with \
            its MAC, VLAN, spoofchk, trust and link state, from the live host or a capture folder.
            """,
        version: SriovAuditVersion.current,
        subcommands: [
            CollectCommand.self, CaptureCommand.self, ImportCommand.self, ImportESXiCommand.self, HostsCommand.self, HistoryCommand.self,
            ShowCommand.self, DiffCommand.self, PruneCommand.self, MigrateCommand.self, AuditCommand.self, CheckUpgradeCommand.self, RulesCommand.self,
            PushCommand.self, ServeCommand.self, TokenCommand.self, KeygenCommand.self, VerifyCommand.self,
        ],
        defaultSubcommand: nil
    )

    /// Exit status contract: 0 done, 1 reserved for "audit found failures", 2 usage or input error.
    /// (swift-argument-parser's own default for usage errors is 64.)
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch let error as ReportedError {
            // The library's own errors (capture folder, file, store...) name what went wrong.
            Console.error("sriov-audit: error: \(error)\n")
            Glibc.exit(2)
        } catch {
            // Help, version and usage errors, handled the way swift-argument-parser does, but with
            // status 2 instead of 64 for usage errors.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            if let typo = unknownCommand(in: Array(CommandLine.arguments.dropFirst())) {
                Console.error("sriov-audit: error: \(typo)\n")
            } else {
                Console.error((fullMessage(for: error) + "\n"))
            }
            Glibc.exit(2)
        }
    }
}

extension SriovAudit {
    /// "unknown command `audti` (did you mean `audit`?)" when the words before the first option
    /// walk the command tree into a name that is not there and is close to one that is.
    static func unknownCommand(in arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = SriovAudit.self
        var path = ["sriov-audit"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !word.hasPrefix("-"), !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { $0._commandName == word }) {
                command = next
                path.append(word)
                continue
            }
            let names = subcommands.map { $0._commandName } + ["help"]
            guard !names.contains(word), let guess = Suggestion.closest(to: word, among: names) else { return nil }
            return "unknown command `\(word)` (did you mean `\(path.joined(separator: " ")) \(guess)`?)"
        }
        return nil
    }
}

/// Errors of the libraries that already say, in words, what went wrong and where.
protocol ReportedError: Error, CustomStringConvertible {}

extension CLIError: ReportedError {}
extension Collector.Failure: ReportedError {}
extension CaptureWriter.Failure: ReportedError {}
extension StoreError: ReportedError {}
extension DatabaseLocationError: ReportedError {}
extension RuleFileErrors: ReportedError {}
extension RuleFileError: ReportedError {}
extension TransportError: ReportedError {}
extension AtomicFile.Failure: ReportedError {}
extension ServerError: ReportedError {}
