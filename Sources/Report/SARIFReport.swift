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
        let ruleIndex = Dictionary(report.rules.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byID = Dictionary(report.rules.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let artifact = ArtifactLocation(uri: uri(forPath: report.rules.path))
        let results = report.findings.filter { $0.status != .pass }.map { finding -> Result in
            let rule = byID[finding.rule]
            var properties: [String: String] = ["host": finding.host, "severity": finding.severity.rawValue, "check": finding.check]
            if let bdf = finding.bdf { properties["bdf"] = bdf }
            for (key, value) in finding.evidence { properties["evidence." + key] = value }
            let text = (finding.bdf.map { "\(finding.host) \($0): " } ?? "\(finding.host): ") + finding.message
                + (finding.hint.map { " Hint: \($0)" } ?? "")
            return Result(
                ruleId: finding.rule, ruleIndex: ruleIndex[finding.rule], kind: "fail", level: level(finding.severity),
                message: Message(text: text),
                locations: [Location(physicalLocation: PhysicalLocation(
                    artifactLocation: artifact,
                    region: Region(startLine: max(1, rule?.line ?? 1), startColumn: max(1, rule?.column ?? 1))))],
                partialFingerprints: [fingerprintKey: fingerprint(host: finding.host, bdf: finding.bdf, rule: finding.rule)],
                properties: properties)
        }
        let rules = report.rules.rules.map { rule in
            ReportingDescriptor(
                id: rule.id, name: rule.check,
                shortDescription: Message(text: rule.description ?? "\(rule.check) check"),
                fullDescription: Message(text: "\(rule.description ?? rule.check) (check: \(rule.check), severity: \(rule.severity.rawValue))"),
                defaultConfiguration: Configuration(level: level(rule.severity)),
                properties: ["check": rule.check, "severity": rule.severity.rawValue])
        }
        let log = Log(
            schema: schemaURI, version: "2.1.0",
            runs: [Run(
                tool: Tool(driver: Driver(
                    name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules: rules)),
                automationDetails: AutomationDetails(id: "sriov-audit/\(report.subject)/\(report.runId)"),
                invocations: [Invocation(executionSuccessful: true, endTimeUtc: report.generatedAt)],
                artifacts: [Artifact(location: artifact, hashes: ["sha-256": report.rules.sha256])],
                results: results,
                properties: ["runId": report.runId, "failOn": report.failOn.rawValue, "hosts": String(report.hosts.count)])])
        return String(decoding: try AuditReport.makeEncoder().encode(log), as: UTF8.self) + "\n"
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
        var results: [Result]
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
        var properties: [String: String]
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
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var kind: String
        var level: String
        var message: Message
        var locations: [Location]
        var partialFingerprints: [String: String]
        var properties: [String: String]
    }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }
    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
    }
}
