import Inventory
import Yams

/// Reads a waivers file (YAML, `waivers.schema.json`) into a ``WaiverSet``; every mistake is
/// reported at once as `FILE:LINE:COL: message`, like a rules file's.
///
/// A waiver must say who accepted what, why, under which ticket and until when: `reason`,
/// `owner`, `ticket` and `expires` are required, and `expires` may lie at most `maxDaysAhead`
/// days after `today` (a waiver without a horizon is a permanent exception nobody reviews).
/// A waiver already past its date is not a mistake: it is read, and reported as expired.
public enum WaiverFileParser {
    /// The longest a waiver may run by default: a year, the usual review cycle.
    public static let defaultMaxDaysAhead = 365

    static let keys = ["id", "rule", "host", "labels", "bdf", "pf", "platform", "reason", "owner", "ticket", "expires"]

    public static func parse(_ text: String, path: String, today: CalendarDay,
                             maxDaysAhead: Int = defaultMaxDaysAhead) throws(RuleFileErrors) -> WaiverSet {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw RuleFileErrors(errors: [RuleFileParser.yamlError(error, path: path)])
        } catch {
            throw RuleFileErrors(errors: [RuleFileError(path: path, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
        var c = RuleFileParser.Context(path: path)
        guard let root, case .mapping(let top) = root else {
            throw RuleFileErrors(errors: [RuleFileError(path: path, line: 1, column: 1, message: "a waivers file is a mapping with a `waivers:` list")])
        }
        var waivers: [Waiver] = []
        var seen = false
        for (keyNode, value) in top {
            switch keyNode.string ?? "" {
            case "version":
                if value.int != 1 { c.error(value, "only waivers file version 1 is known") }
            case "waivers":
                seen = true
                guard case .sequence(let list) = value else {
                    c.error(value, "`waivers` must be a list of waivers")
                    continue
                }
                var ids: [String: Int] = [:]
                for item in list {
                    guard let waiver = parseWaiver(item, path: path, today: today, maxDaysAhead: maxDaysAhead, &c) else { continue }
                    if let first = ids[waiver.id] {
                        c.error(item, "duplicate waiver id `\(waiver.id)` (first at line \(first))")
                    } else {
                        ids[waiver.id] = waiver.position.line
                        waivers.append(waiver)
                    }
                }
            default:
                let key = keyNode.string ?? ""
                let hint = Suggestion.closest(to: key, among: ["version", "waivers"]).map { "did you mean `\($0)`?" } ?? "expected `version` or `waivers`"
                c.error(keyNode, "unknown key `\(key)` (\(hint))")
            }
        }
        if !seen { c.error(root, "no `waivers:` list") }
        if !c.errors.isEmpty { throw RuleFileErrors(errors: c.errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }) }
        return WaiverSet(path: path, waivers: waivers)
    }

    private static func parseWaiver(_ node: Node, path: String, today: CalendarDay, maxDaysAhead: Int,
                                    _ c: inout RuleFileParser.Context) -> Waiver? {
        guard case .mapping(let map) = node else {
            c.error(node, "a waiver is a mapping with `rule`, `reason`, `owner`, `ticket` and `expires`")
            return nil
        }
        let before = c.errors.count
        let line = node.mark?.line ?? 1, column = node.mark?.column ?? 1
        var values: [String: Node] = [:]
        for (k, v) in map {
            let key = k.string ?? ""
            if keys.contains(key) { values[key] = v } else {
                c.error(k, "`\(key)` is not a waiver key\(Suggestion.phrase(for: key, among: keys))")
            }
        }
        func text(_ key: String, required: Bool) -> String? {
            guard let n = values[key] else {
                if required { c.error(node, "waiver has no `\(key)`\(key == "ticket" ? " (the change or risk ticket that records the acceptance)" : "")") }
                return nil
            }
            guard case .scalar(let s) = n, !s.string.trimming(" ").isEmpty else {
                c.error(n, "`\(key)` is a non-empty text")
                return nil
            }
            return s.string
        }
        let id = text("id", required: false)
        if let id, !id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) {
            c.error(values["id"] ?? node, "`id` must be a word of letters, digits, `-`, `_` or `.`")
        }
        var rules: [String] = []
        if let n = values["rule"] {
            rules = RuleFileParser.strings(n, "rule", &c)
            if rules.isEmpty || rules.contains(where: { $0.isEmpty }) { c.error(n, "`rule` names a rule id (or a glob on rule ids)") }
        } else {
            c.error(node, "waiver has no `rule` (the rule id whose findings it accepts)")
        }
        let host = text("host", required: false), bdf = text("bdf", required: false), pf = text("pf", required: false)
        var platform: HostPlatform?
        if let name = text("platform", required: false) {
            platform = HostPlatform(rawValue: name)
            if platform == nil {
                c.error(values["platform"] ?? node, "`platform` is one of \(HostPlatform.allCases.map(\.rawValue).joined(separator: ", ")), not `\(name)`")
            }
        }
        var labels: [String: String] = [:]
        if let n = values["labels"] {
            if case .mapping(let pairs) = n {
                for (lk, lv) in pairs {
                    if let key = lk.string, case .scalar(let value) = lv { labels[key] = value.string } else { c.error(lk, "labels are `key: value` strings") }
                }
            } else {
                c.error(n, "`labels` is a mapping of label to value")
            }
        }
        let reason = text("reason", required: true), owner = text("owner", required: true), ticket = text("ticket", required: true)
        var expires: CalendarDay?
        if let n = values["expires"] {
            if case .scalar(let s) = n, let day = CalendarDay(s.string) {
                expires = day
                let limit = CalendarDay(daysSinceEpoch: today.daysSinceEpoch + maxDaysAhead)
                if day > limit {
                    c.error(n, "`expires` \(day) is more than \(maxDaysAhead) days after today (\(today)); the latest allowed is \(limit)")
                }
            } else {
                c.error(n, "`expires` is a date, YYYY-MM-DD (`2027-03-31`), not `\(n.string ?? "?")`")
            }
        } else {
            c.error(node, "waiver has no `expires` (the last day it applies, YYYY-MM-DD)")
        }
        guard c.errors.count == before, let reason, let owner, let ticket, let expires else { return nil }
        return Waiver(id: id ?? "\(path):\(line)", rules: rules, host: host, labels: labels, bdf: bdf, pf: pf, platform: platform, reason: reason,
                      owner: owner, ticket: ticket, expires: expires, position: SourcePosition(line: line, column: column))
    }
}
