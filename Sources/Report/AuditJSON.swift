import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON report (`audit-report.schema.json`), written finding by finding: a fleet audit has
/// hundreds of thousands of findings, and encoding them as one value would hold the whole document
/// in memory twice. The output is the document `JSONEncoder` prints for ``AuditReport`` (pretty,
/// sorted keys), byte for byte; a test holds the two equal.
public enum AuditJSON {
    public static func write(_ report: AuditReport, to write: (String) -> Void) throws {
        let encoder = AuditReport.makeEncoder()
        var skeleton = report
        skeleton.findings = []
        let frame = String(decoding: try encoder.encode(skeleton), as: UTF8.self)
        let marker = "\"findings\" : [\n\n  ]"
        guard let cut = frame.firstRange(of: marker) else {
            // Not reachable with JSONEncoder's pretty printer; fall back to encoding the whole report.
            write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
            return
        }
        if report.findings.isEmpty {
            write(frame + "\n")
            return
        }
        write(String(frame[..<cut.lowerBound]) + "\"findings\" : [")
        var first = true
        var chunk = ""
        for finding in report.findings {
            let text = String(decoding: try encoder.encode(finding), as: UTF8.self)
            chunk += (first ? "\n" : ",\n") + indent(text, by: "    ")
            first = false
            if chunk.utf8.count > 1 << 16 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk + "\n  ]" + String(frame[cut.upperBound...]) + "\n")
    }

    /// The whole report as one string (small reports, pushes).
    public static func render(_ report: AuditReport) throws -> String {
        var out = ""
        try write(report) { out += $0 }
        return out
    }

    private static func indent(_ text: String, by prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? String($0) : prefix + $0 }
            .joined(separator: "\n")
    }
}
