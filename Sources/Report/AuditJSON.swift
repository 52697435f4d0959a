import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON form of an audit, written finding by finding: a fleet audit has hundreds of thousands
/// of findings, and encoding them as one value would hold the whole document in memory twice.
/// The output is the same document `JSONEncoder` would print for ``AuditResult`` (pretty, sorted keys).
public enum AuditJSON {
    public static func write(_ result: AuditResult, to write: (String) -> Void) throws {
        let encoder = HostSnapshot.makeEncoder()
        let hosts = String(decoding: try encoder.encode(result.hosts), as: UTF8.self)
        write("{\n  \"findings\" : [")
        var first = true
        var chunk = ""
        for finding in result.findings {
            let text = String(decoding: try encoder.encode(finding), as: UTF8.self)
            chunk += (first ? "\n" : ",\n") + indent(text, by: "    ")
            first = false
            if chunk.utf8.count > 1 << 16 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk + (result.findings.isEmpty ? "\n\n  ]" : "\n  ]") + ",\n  \"hosts\" : " + indent(hosts, by: "  ", skipFirst: true) + "\n}\n")
    }

    private static func indent(_ text: String, by prefix: String, skipFirst: Bool = false) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { (skipFirst && $0.offset == 0) || $0.element.isEmpty ? String($0.element) : prefix + $0.element }
            .joined(separator: "\n")
    }
}
