import Inventory

/// The output formats of `audit --format`.
public enum ReportFormat: String, Sendable, CaseIterable, Hashable {
    /// The terminal verdict (virt-host-validate style).
    case table
    case json
    case junit
    case sarif
    /// Prometheus textfile for node_exporter.
    case prom
    case html
    case md

    /// The file name suffix in an output folder.
    public var fileExtension: String {
        switch self {
        case .table: "txt"
        case .json: "json"
        case .junit: "junit.xml"
        case .sarif: "sarif"
        case .prom: "prom"
        case .html: "html"
        case .md: "md"
        }
    }

    /// Parses `junit,sarif,json`: every name must be known, each at most once.
    public static func parseList(_ text: String) throws(FormatListError) -> [ReportFormat] {
        var result: [ReportFormat] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part).trimming(" ")
            let alias = ["markdown": "md", "prometheus": "prom", "text": "table"][name] ?? name
            guard let format = ReportFormat(rawValue: alias) else { throw FormatListError(name: name) }
            if !result.contains(format) { result.append(format) }
        }
        return result
    }

    public struct FormatListError: Error, CustomStringConvertible, Sendable {
        public var name: String
        public var description: String {
            "unknown format '\(name)'; formats: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
