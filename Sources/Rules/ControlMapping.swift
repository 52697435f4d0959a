import Inventory
import Yams

/// The controls of compliance frameworks a rule evidences: framework name → control IDs, as a
/// rules file writes them (`controls: {nist-800-53: [SC-7, AC-4], pci-dss-4.0: ["1.3.1"]}`).
///
/// Frameworks and IDs are free text on purpose: every organisation has its own internal catalogue
/// beside the public ones, and the tool must not pretend to know which are "valid" controls.
public struct ControlMapping: Sendable, Hashable, Codable {
    /// Framework → control IDs, each list in the order written, without duplicates.
    public var byFramework: [String: [String]]

    public init(_ byFramework: [String: [String]] = [:]) {
        self.byFramework = byFramework
    }

    public var isEmpty: Bool { byFramework.isEmpty }

    /// The frameworks, sorted (reports list them in this order).
    public var frameworks: [String] { byFramework.keys.sorted() }

    public init(from decoder: any Decoder) throws {
        byFramework = try decoder.singleValueContainer().decode([String: [String]].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(byFramework)
    }
}

extension RuleFileParser {
    /// `controls:`: a mapping of framework names to non-empty lists of control IDs.
    static func parseControls(_ node: Node, _ c: inout Context) -> ControlMapping {
        guard case .mapping(let map) = node else {
            c.error(node, "`controls` is a mapping of framework to control IDs (`nist-800-53: [SC-7, AC-4]`)")
            return ControlMapping()
        }
        var result: [String: [String]] = [:]
        for (k, v) in map {
            guard let framework = k.string, isWord(framework) else {
                c.error(k, "a framework name is a word of letters, digits, `-`, `_` or `.` (`nist-800-53`, `pci-dss-4.0`)")
                continue
            }
            let items: [Node]
            switch v {
            case .sequence(let list): items = Array(list)
            case .scalar: items = [v]
            default:
                c.error(v, "the controls of `\(framework)` are a list of IDs")
                continue
            }
            var ids: [String] = []
            for item in items {
                guard case .scalar(let scalar) = item, !scalar.string.trimming(" ").isEmpty else {
                    c.error(item, "a control ID of `\(framework)` is a non-empty string")
                    continue
                }
                if ids.contains(scalar.string) {
                    c.error(item, "control `\(scalar.string)` is listed twice for `\(framework)`")
                } else {
                    ids.append(scalar.string)
                }
            }
            if items.isEmpty { c.error(v, "`\(framework)` lists no control; drop it or name at least one") }
            if !ids.isEmpty { result[framework] = ids }
        }
        return ControlMapping(result)
    }

    private static func isWord(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
    }
}
