import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A host's compliance over time, rule by rule (`history --compliance`, `diff --compliance`):
/// its standing at each stored content, when a rule first failed, when it was last fixed, and
/// whether it is waived now. Worked out from one audit per content (``AuditReport`` each), so it
/// reads the same policy over the whole history: "would today's rules have passed in June?".
public struct ComplianceTimeline: Codable, Sendable, Hashable {
    /// A rule's standing on one content: the worst unwaived finding, `waived` when every
    /// violation is waived, `notApplicable` when the rule found nothing to judge.
    public enum State: String, Codable, Sendable, Hashable {
        case pass, warn, fail, waived
        case notApplicable = "not-applicable"

        var isViolation: Bool { self == .warn || self == .fail }

        /// One finding's standing: its status, or `waived` when a waiver accepts it.
        init(_ finding: Finding) {
            self = finding.status == .pass ? .pass : finding.isWaived ? .waived : finding.status == .warn ? .warn : .fail
        }

        /// Worse is higher: an open failure over an open warning over accepted violations over a
        /// pass, so the worst of a group's findings is its standing (the worst unwaived finding,
        /// `waived` when every violation is waived). The control view ranks hosts the same way.
        var rank: Int {
            switch self {
            case .notApplicable: -1
            case .pass: 0
            case .waived: 1
            case .warn: 2
            case .fail: 3
            }
        }

        /// The standing of a group of findings; `notApplicable` when there are none.
        static func worst(_ findings: some Sequence<Finding>) -> State {
            findings.reduce(State.notApplicable) { worst, finding in
                let state = State(finding)
                return state.rank > worst.rank ? state : worst
            }
        }
    }

    public struct Point: Codable, Sendable, Hashable {
        public var at: Date
        public var state: State
        /// Violations (waived ones included).
        public var violations: Int
        /// The waiver accepting them, for `waived`.
        public var waiver: String?
    }

    public struct RuleHistory: Codable, Sendable, Hashable {
        public var rule: String
        public var severity: Severity
        public var current: State
        /// The first content at which the rule had an unwaived violation.
        public var firstFailed: Date?
        /// The latest change from a violation (waived or not) to a pass.
        public var fixed: Date?
        /// Since when the current waiver accepts its violations (nil unless `current` is `waived`).
        public var waivedSince: Date?
        /// Only the contents where the standing changed, oldest first.
        public var changes: [Point]
    }

    public var host: String
    public var rulesPath: String
    public var waiversPath: String?
    /// The contents audited, oldest first.
    public var contents: [Date]
    public var rules: [RuleHistory]

    /// The timeline of `audits` (one per content, oldest first; each a one-host report).
    public init(host: String, audits: [(at: Date, report: AuditReport)]) {
        self.host = host
        rulesPath = audits.last?.report.rules.path ?? ""
        waiversPath = audits.last?.report.waivers?.path
        contents = audits.map(\.at)
        let ruleInfos = audits.last?.report.rules.rules ?? []
        rules = ruleInfos.map { info in
            var history = RuleHistory(rule: info.id, severity: info.severity, current: .notApplicable, changes: [])
            for (at, report) in audits {
                let point = Self.point(info.id, at: at, report)
                if history.changes.last?.state != point.state || history.changes.last?.waiver != point.waiver { history.changes.append(point) }
                if point.state.isViolation, history.firstFailed == nil { history.firstFailed = at }
                if point.state == .pass, history.current.isViolation || history.current == .waived { history.fixed = at }
                if point.state == .waived, history.current != .waived { history.waivedSince = at }
                history.current = point.state
            }
            if history.current != .waived { history.waivedSince = nil }
            return history
        }
    }

    static func point(_ rule: String, at: Date, _ report: AuditReport) -> Point {
        let findings = report.findings.filter { $0.rule == rule }
        let violations = findings.filter { $0.status != .pass }
        let state = State.worst(findings)
        return Point(at: at, state: state, violations: violations.count,
                     waiver: state == .waived ? violations.compactMap(\.waiver?.id).first : nil)
    }

    /// The rules whose standing differs between the first and the last content (`diff --compliance`).
    public var changedRules: [(rule: String, from: State, to: State)] {
        rules.compactMap { r in
            guard let first = r.changes.first, let last = r.changes.last, first.state != last.state else { return nil }
            return (r.rule, first.state, last.state)
        }
    }

    /// The table `history --compliance` prints.
    public func text() -> String {
        let width = max(20, (rules.map(\.rule.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
        func time(_ d: Date?) -> String { d.map(Timestamp.text) ?? "-" }
        var out = "Compliance of \(host) over \(contents.count) content(s) (\(contents.first.map(Timestamp.text) ?? "-") to \(contents.last.map(Timestamp.text) ?? "-")), rules \(rulesPath)\(waiversPath.map { ", waivers \($0)" } ?? "")\n"
        out += pad("RULE", width) + pad("NOW", 16) + pad("FIRST FAILED", 26) + pad("FIXED", 26) + "WAIVED SINCE\n"
        for r in rules {
            out += pad(r.rule, width) + pad(r.current.rawValue.uppercased(), 16) + pad(time(r.firstFailed), 26) + pad(time(r.fixed), 26) + time(r.waivedSince) + "\n"
        }
        let moving = rules.filter { $0.changes.count > 1 }
        if !moving.isEmpty {
            out += "Changes:\n"
            for r in moving {
                for p in r.changes.dropFirst() {
                    out += "  \(Timestamp.text(p.at))  \(r.rule): \(p.state.rawValue)\(p.violations > 0 ? " (\(p.violations) violation(s))" : "")\(p.waiver.map { ", waiver \($0)" } ?? "")\n"
                }
            }
        }
        return out
    }
}

extension StoreText {
    /// `diff --compliance`: the rules whose standing changed between two contents.
    public static func complianceDiff(_ timeline: ComplianceTimeline) -> String {
        guard let from = timeline.contents.first, let to = timeline.contents.last else { return "" }
        var out = "Compliance of \(timeline.host): \(Timestamp.text(from)) → \(Timestamp.text(to)), rules \(timeline.rulesPath)\(timeline.waiversPath.map { ", waivers \($0)" } ?? "")\n"
        let changed = timeline.changedRules
        if changed.isEmpty { return out + "  no rule changed its standing\n" }
        for c in changed {
            let word = c.to == .pass && (c.from == .fail || c.from == .warn) ? "fixed"
                : (c.to == .fail || c.to == .warn) && (c.from == .pass || c.from == .notApplicable) ? "newly failing"
                : c.to == .waived ? "now waived" : "changed"
            out += "  \(c.rule): \(c.from.rawValue) → \(c.to.rawValue) (\(word))\n"
        }
        return out
    }
}
