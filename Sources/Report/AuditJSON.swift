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
            chunk += first ? "\n" : ",\n"
            appendFinding(finding, to: &chunk)
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

    /// One finding as JSONEncoder prints it inside the report (pretty, sorted keys, slashes
    /// unescaped, four spaces in): written by hand because the generic encoder was a fifth of a
    /// fleet audit's time. Keys in byte order, as `.sortedKeys` sorts them.
    static func appendFinding(_ f: Finding, to out: inout String) {
        out += "    {\n"
        if let bdf = f.bdf { field("bdf", bdf, to: &out) }
        field("check", f.check, to: &out)
        if f.evidence.isEmpty {
            out += "      \"evidence\" : {\n\n      },\n"
        } else {
            out += "      \"evidence\" : {\n"
            let keys = f.evidence.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (n, key) in keys.enumerated() {
                out += "        "
                JSONTextWriter.appendString(key, to: &out)
                out += " : "
                JSONTextWriter.appendString(f.evidence[key] ?? "", to: &out)
                out += n == keys.count - 1 ? "\n" : ",\n"
            }
            out += "      },\n"
        }
        if let hint = f.hint { field("hint", hint, to: &out) }
        field("host", f.host, to: &out)
        field("message", f.message, to: &out)
        field("rule", f.rule, to: &out)
        field("severity", f.severity.rawValue, to: &out)
        out += "      \"status\" : "
        JSONTextWriter.appendString(f.status.rawValue, to: &out)
        if let w = f.waiver {
            out += ",\n      \"waiver\" : {\n"
            let fields = [("expires", w.expires.description), ("id", w.id), ("owner", w.owner), ("reason", w.reason),
                          ("state", w.state.rawValue), ("ticket", w.ticket)]
            for (n, (key, value)) in fields.enumerated() {
                out += "        \"\(key)\" : "
                JSONTextWriter.appendString(value, to: &out)
                out += n == fields.count - 1 ? "\n" : ",\n"
            }
            out += "      }"
        }
        out += "\n    }"
    }

    private static func field(_ key: String, _ value: String, to out: inout String) {
        out += "      \"\(key)\" : "
        JSONTextWriter.appendString(value, to: &out)
        out += ",\n"
    }
}
