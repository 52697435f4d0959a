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
                appendString(key, to: &out)
                out += " : "
                appendString(f.evidence[key] ?? "", to: &out)
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
        appendString(f.status.rawValue, to: &out)
        out += "\n    }"
    }

    private static func field(_ key: String, _ value: String, to out: inout String) {
        out += "      \"\(key)\" : "
        appendString(value, to: &out)
        out += ",\n"
    }

    /// A JSON string literal with JSONEncoder's escapes: quote, backslash, the short forms of
    /// \b \f \n \r \t, other control characters as \u00XX; everything else as it is.
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var plainStart = value.utf8.startIndex
        let utf8 = value.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index = utf8.index(after: index)
                continue
            }
            out += value[plainStart..<index]
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x08: out += "\\b"
            case 0x0c: out += "\\f"
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\u00" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]], as: UTF8.self)
            }
            index = utf8.index(after: index)
            plainStart = index
        }
        out += value[plainStart..<index]
        out += "\""
    }
}
