/// What a rule found about one subject (a host or a device) — the unit of every report.
public struct Finding: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, Hashable, Comparable {
        case pass, warn, fail

        public static func < (a: Status, b: Status) -> Bool {
            [Status.pass, .warn, .fail].firstIndex(of: a)! < [Status.pass, .warn, .fail].firstIndex(of: b)!
        }
    }

    /// The rule's id.
    public var rule: String
    /// The check kind's name.
    public var check: String
    public var severity: Severity
    public var status: Status
    public var host: String
    /// The PCI address, for device findings.
    public var bdf: String?
    public var message: String
    /// What to do about it; nil for passes.
    public var hint: String?
    /// The values the verdict rests on, for machines and for the curious.
    public var evidence: [String: String]
    /// The waiver that matched this violation: when active, the finding keeps its status and
    /// severity but no longer counts against the run; an expired one is shown and waives nothing.
    public var waiver: FindingWaiver?

    /// Whether an active waiver accepts this violation.
    public var isWaived: Bool { status != .pass && waiver?.state == .active }

    /// A violation at or above `severity` that no active waiver accepts: what `--fail-on`
    /// counts against a run.
    public func isBlocking(atOrAbove severity: Severity) -> Bool {
        status != .pass && self.severity >= severity && !isWaived
    }

    public init(rule: Rule, status: Status, host: String, bdf: String? = nil, message: String, hint: String? = nil,
                evidence: [String: String] = [:]) {
        self.rule = rule.id
        self.check = rule.check.rawValue
        self.severity = rule.severity
        self.status = status
        self.host = host
        self.bdf = bdf
        self.message = message
        self.hint = hint
        self.evidence = evidence
    }
}

extension Rule {
    /// A violation: FAIL from medium severity up, WARN below.
    func violation(host: String, bdf: String? = nil, _ message: String, hint: String? = nil, evidence: [String: String] = [:]) -> Finding {
        Finding(rule: self, status: severity >= .medium ? .fail : .warn, host: host, bdf: bdf, message: message, hint: hint, evidence: evidence)
    }

    func pass(host: String, _ message: String, evidence: [String: String] = [:]) -> Finding {
        Finding(rule: self, status: .pass, host: host, message: message, evidence: evidence)
    }
}
