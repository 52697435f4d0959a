import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SARIF 2.1.0, for code-scanning and security tools. Every rule of the rules file is a
/// `reportingDescriptor`; every violation a result whose physical location is the rule's line in
/// the rules file (code-scanning tools refuse results without one), with the host and BDF in
/// `properties` and a fingerprint of host + BDF + rule that stays stable across runs, so a tool
/// tracks one problem over time instead of seeing a new one each night. Passes are not results.
public enum SARIFReport {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintKey = "sriovAuditSubject/v1"

    public static func render(_ report: AuditReport) throws -> String {
        var out = ""
        try write(report) { out += $0 }
        return out
    }

    /// The log, written result by result: a fleet has hundreds of thousands of violations, and
    /// one encoded value would hold them all twice (a 10,000-host SARIF file is ~200 MB). The frame
    /// (tool, rules, run properties) is JSONEncoder's; each result is one line.
    public static func write(_ report: AuditReport, to write: (String) -> Void) throws {
        let ruleIndex = Dictionary(report.rules.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let artifactURI = uri(forPath: report.rules.path)
        let rules = report.rules.rules.map { rule in
            ReportingDescriptor(
                id: rule.id, name: rule.check,
                shortDescription: Message(text: rule.description ?? "\(rule.check) check"),
                fullDescription: Message(text: "\(rule.description ?? rule.check) (check: \(rule.check), severity: \(rule.severity.rawValue))"),
                defaultConfiguration: Configuration(level: level(rule.severity)),
                properties: ruleProperties(rule))
        }
        let log = Log(
            schema: schemaURI, version: "2.1.0",
            runs: [Run(
                tool: Tool(driver: Driver(
                    name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules: rules)),
                automationDetails: AutomationDetails(id: "sriov-audit/\(report.subject)/\(report.runId)"),
                invocations: [Invocation(executionSuccessful: true, endTimeUtc: report.generatedAt)],
                artifacts: [Artifact(location: ArtifactLocation(uri: artifactURI), hashes: ["sha-256": report.rules.sha256])],
                results: [],
                properties: ["runId": report.runId, "failOn": report.failOn.rawValue, "hosts": String(report.hosts.count)])])
        let frame = String(decoding: try AuditReport.makeEncoder().encode(log), as: UTF8.self)
        let marker = "\"results\" : ["
        guard let open = frame.firstRange(of: marker),
              let close = frame[open.upperBound...].firstIndex(where: { !$0.isWhitespace }), frame[close] == "]" else {
            throw SARIFFrameError()
        }
        write(String(frame[..<open.upperBound]))
        var chunk = ""
        var first = true
        let platforms = Dictionary(report.hosts.map { ($0.name, $0.platform) }, uniquingKeysWith: { a, _ in a })
        for finding in report.findings where finding.status != .pass {
            let index = ruleIndex[finding.rule]
            let rule = index.map { report.rules.rules[$0] }
            chunk += first ? "\n        " : ",\n        "
            first = false
            appendResult(finding, ruleIndex: index, line: max(1, rule?.line ?? 1), column: max(1, rule?.column ?? 1),
                         uri: artifactURI, platform: platforms[finding.host], to: &chunk)
            if chunk.utf8.count > 1 << 16 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk + (first ? "" : "\n      ") + String(frame[close...]) + "\n")
    }

    /// The rule's check and severity, and its controls as `framework/ID` tags (the property
    /// code-scanning tools filter on) when the rules file maps any.
    static func ruleProperties(_ rule: AuditReport.RuleInfo) -> RuleProperties {
        let tags = (rule.controls?.frameworks ?? []).flatMap { framework in
            (rule.controls?.byFramework[framework] ?? []).map { "\(framework)/\($0)" }
        }
        return RuleProperties(check: rule.check, severity: rule.severity.rawValue, tags: tags.isEmpty ? nil : tags)
    }

    struct SARIFFrameError: Error, CustomStringConvertible {
        var description: String { "internal error: the SARIF frame has no results array" }
    }

    /// One result as a single line of JSON (keys in SARIF's usual order).
    /// A result on a host that is not Linux names its platform (Linux results keep the properties they always had).
    static func appendResult(_ f: Finding, ruleIndex: Int?, line: Int, column: Int, uri: String, platform: HostPlatform? = nil,
                             to out: inout String) {
        let text = (f.bdf.map { "\(f.host) \($0): " } ?? "\(f.host): ") + f.message + (f.hint.map { " Hint: \($0)" } ?? "")
        out += "{\"ruleId\": "
        JSONTextWriter.appendString(f.rule, to: &out)
        if let ruleIndex { out += ", \"ruleIndex\": \(ruleIndex)" }
        out += ", \"kind\": \"fail\", \"level\": \"\(level(f.severity))\", \"message\": {\"text\": "
        JSONTextWriter.appendString(text, to: &out)
        out += "}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": "
        JSONTextWriter.appendString(uri, to: &out)
        out += "}, \"region\": {\"startLine\": \(line), \"startColumn\": \(column)}}}], \"partialFingerprints\": {\"\(fingerprintKey)\": \""
        out += fingerprint(host: f.host, bdf: f.bdf, rule: f.rule)
        out += "\"}"
        if let w = f.waiver, w.state == .active {
            // SARIF 2.1.0 §3.35: an accepted suppression recorded outside the source (`external`).
            out += ", \"suppressions\": [{\"kind\": \"external\", \"status\": \"accepted\", \"justification\": "
            JSONTextWriter.appendString(w.justification, to: &out)
            out += ", \"properties\": {\"waiver\": "
            JSONTextWriter.appendString(w.id, to: &out)
            out += ", \"owner\": "
            JSONTextWriter.appendString(w.owner, to: &out)
            out += ", \"ticket\": "
            JSONTextWriter.appendString(w.ticket, to: &out)
            out += ", \"expires\": \"\(w.expires)\"}}]"
        }
        out += ", \"properties\": {"
        var properties: [(String, String)] = [("host", f.host), ("severity", f.severity.rawValue), ("check", f.check)]
        if let platform, platform != .linux { properties.insert(("platform", platform.rawValue), at: 1) }
        if let bdf = f.bdf { properties.append(("bdf", bdf)) }
        if let w = f.waiver, w.state == .expired { properties.append(("expiredWaiver", "\(w.id) (expired \(w.expires))")) }
        for (key, value) in f.evidence.sorted(by: { $0.key < $1.key }) { properties.append(("evidence." + key, value)) }
        for (n, (key, value)) in properties.enumerated() {
            if n > 0 { out += ", " }
            JSONTextWriter.appendString(key, to: &out)
            out += ": "
            JSONTextWriter.appendString(value, to: &out)
        }
        out += "}}"
    }

    /// error for high and critical, warning for medium, note below: the levels code-scanning
    /// tools sort and gate on.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    static func fingerprint(host: String, bdf: String?, rule: String) -> String {
        SHA256.hex("\(host)\u{0}\(bdf ?? "")\u{0}\(rule)")
    }

    /// A relative path stays relative (resolved against the checkout by code-scanning tools);
    /// an absolute one becomes a `file://` URI.
    static func uri(forPath path: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/".unicodeScalars)
        var encoded = ""
        for byte in path.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, allowed.contains(scalar) { encoded.unicodeScalars.append(scalar) } else { encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    // The subset of the SARIF object model this report uses.
    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable {
        var tool: Tool
        var automationDetails: AutomationDetails
        var invocations: [Invocation]
        var artifacts: [Artifact]
        /// Always empty here: results are streamed into the frame by `write(_:to:)`.
        var results: [String]
        var properties: [String: String]
    }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name: String
        var version: String
        var semanticVersion: String
        var rules: [ReportingDescriptor]
    }
    struct ReportingDescriptor: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var defaultConfiguration: Configuration
        var properties: RuleProperties
    }
    struct RuleProperties: Encodable {
        var check: String
        var severity: String
        var tags: [String]?
    }
    struct Configuration: Encodable { var level: String }
    struct Message: Encodable { var text: String }
    struct AutomationDetails: Encodable { var id: String }
    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var endTimeUtc: Date
    }
    struct Artifact: Encodable {
        var location: ArtifactLocation
        var hashes: [String: String]
    }
    struct ArtifactLocation: Encodable { var uri: String }
}
