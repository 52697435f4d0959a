import ArgumentParser
import Inventory
import Report
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SigningKey.Failure: ReportedError {}
extension EvidenceError: ReportedError {}

/// `audit`'s compliance options: waivers and signed evidence.
struct ComplianceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Accepted risks (YAML): matching violations are reported as waived and do not fail the run.", valueName: "FILE"))
    var waivers: String?

    @Option(name: .customLong("max-waiver-days"), help: ArgumentHelp("A waiver may expire at most this many days ahead.", valueName: "DAYS"))
    var maxWaiverDays: Int = WaiverFileParser.defaultMaxDaysAhead

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Judge waiver expiry on this UTC day instead of today (which waivers will have lapsed by a roll-out date).", valueName: "YYYY-MM-DD"))
    var asOf: String?

    @Option(name: .long, help: ArgumentHelp("Sign the report files and write an evidence manifest with this Ed25519 private key (PEM, from `keygen`).", valueName: "KEY"))
    var sign: String?

    func validateOptions() throws {
        if maxWaiverDays < 1 { throw ValidationError("--max-waiver-days wants 1 or more") }
        if let asOf, CalendarDay(asOf) == nil { throw ValidationError("--as-of wants a date like 2027-03-31, not \"\(asOf)\"") }
    }

    /// The day expiry is judged on.
    var today: CalendarDay {
        asOf.flatMap(CalendarDay.init) ?? CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970)
    }

    func applyWaivers(to builder: inout ReportBuilder) throws {
        guard let waivers else { return }
        let (set, bytes) = try loadWaivers(waivers, today: today, maxDays: maxWaiverDays)
        builder.waive(set, source: bytes, today: today)
    }

    /// The signer, its key read and checked before any audit work is done.
    func signer() throws -> EvidenceSigner? {
        try sign.map { try EvidenceSigner(keyPath: $0) }
    }
}

/// A waivers file parsed, with its bytes (reports carry their hash).
func loadWaivers(_ path: String, today: CalendarDay, maxDays: Int) throws -> (WaiverSet, [UInt8]) {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the waivers file \(path)") }
    return (try WaiverFileParser.parse(String(decoding: data, as: UTF8.self), path: path, today: today, maxDaysAhead: maxDays), [UInt8](data))
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write an Ed25519 key pair for signing audit evidence: PREFIX.key (private, mode 0600) and PREFIX.pub.",
        discussion: "Both are PEM files OpenSSL reads (PKCS#8 and SubjectPublicKeyInfo). Existing files are never overwritten. Give the .pub to whoever verifies; keep the .key on the host that signs.")

    @Argument(help: ArgumentHelp("Path and name of the key files, without extension.", valueName: "PREFIX"))
    var prefix: String = "sriov-audit-signing"

    func run() throws {
        let (privatePEM, publicPEM) = SigningKey.generate()
        try SigningKey.create(prefix + ".key", privatePEM, mode: 0o600)
        try SigningKey.create(prefix + ".pub", publicPEM, mode: 0o644)
        let key = try SigningKey.loadPublic(prefix + ".pub")
        Console.out("wrote \(prefix).key (private, 0600) and \(prefix).pub; public key sha256 \(SigningKey.keyID(key))\n")
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check signed audit evidence: every manifest's and report file's signature and SHA-256, naming any file that was changed, removed or added.",
        discussion: "Exit status: 0 every signed run verified, 1 a file was changed, removed, added or signed with another key, 2 usage or input error.")

    @Argument(help: ArgumentHelp("The report folder (audit --out) holding *.evidence.json manifests.", valueName: "REPORT_DIR"))
    var directory: String

    @Option(name: .long, help: ArgumentHelp("The public key (PEM) the evidence must be signed with.", valueName: "PUB"))
    var key: String

    @Option(name: .long, help: "Output format: table or json.") var format: SnapshotFormat = .table

    struct Output: Codable {
        struct Run: Codable {
            var manifest: String
            var runId: String?
            var verified: [String]
        }
        var ok: Bool
        var runs: [Run]
        var problems: [String]
        var unsigned: [String]
    }

    func run() throws {
        let outcome = try EvidenceVerifier.verify(directory: directory, key: try SigningKey.loadPublic(key))
        if format == .json {
            let output = Output(ok: outcome.ok, runs: outcome.runs.map { .init(manifest: $0.manifest, runId: $0.runId, verified: $0.verified) },
                                problems: outcome.problems.map(\.description), unsigned: outcome.unsigned)
            Console.out(try jsonText(output))
        } else {
            for run in outcome.runs {
                Console.out("run \(run.runId ?? "?") (\(run.manifest)): \(run.verified.count) file(s) verified\n")
            }
            for problem in outcome.problems { Console.out("CHANGED \(problem)\n") }
            if !outcome.unsigned.isEmpty { Console.out("\(outcome.unsigned.count) file(s) not part of any signed run (not checked)\n") }
            Console.out(outcome.ok ? "OK: the evidence is as signed\n" : "NOT OK: \(outcome.problems.count) problem(s)\n")
        }
        if !outcome.ok { throw ExitCode(1) }
    }
}

/// `history --compliance` and `diff --compliance`: the policy a host's stored contents are judged by.
struct PolicyOptions: ParsableArguments {
    @Flag(name: .long, help: "Show the host's compliance per rule instead (first failed, fixed, waived), each stored content audited against --rules and --waivers.")
    var compliance = false

    @Option(name: .long, help: ArgumentHelp("With --compliance: the rules file (default: the built-in rules).", valueName: "FILE"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("With --compliance: a waivers file, each waiver judged on the day of each content.", valueName: "FILE"))
    var waivers: String?

    func validatePolicy() throws {
        if !compliance, rules != nil || waivers != nil { throw ValidationError("--rules and --waivers go with --compliance") }
    }

    /// Audits each snapshot alone (rules that compare hosts are judged within the host) and
    /// assembles the timeline. Same content audited once per span, since waivers expire.
    func timeline(host: String, snapshots: [(at: Date, snapshot: HostSnapshot)], labels: [String: String]) throws -> ComplianceTimeline {
        let (ruleSet, source) = try loadRules(rules)
        let waiverFile = try waivers.map { path -> (WaiverSet, [UInt8]) in
            // Judged per content below; parsed here against today's horizon (a waiver beyond the maximum is an error anyway).
            try loadWaivers(path, today: CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970), maxDays: Int.max / 2)
        }
        var audits: [(at: Date, report: AuditReport)] = []
        for (at, snapshot) in snapshots {
            var builder = ReportBuilder(rules: ruleSet, rulesSource: source, failOn: .high)
            if let (set, bytes) = waiverFile { builder.waive(set, source: bytes, today: CalendarDay(secondsSinceEpoch: at.timeIntervalSince1970)) }
            builder.add([AuditHost(snapshot: snapshot, labels: labels)])
            audits.append((at, try builder.finish(at: at)))
        }
        return ComplianceTimeline(host: host, audits: audits)
    }
}
