import Inventory

/// A civil date (UTC), as waivers expire: `2027-03-31` means "through the end of that day, UTC".
/// Kept as days since 1970-01-01 so that "how far ahead" and "has it passed" are plain integer
/// comparisons, with no calendar or time zone database involved.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The UTC day of a point in time given as seconds since the epoch.
    public init(secondsSinceEpoch seconds: Double) {
        daysSinceEpoch = Int((seconds / 86_400).rounded(.down))
    }

    /// `YYYY-MM-DD`, a real date of the proleptic Gregorian calendar; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y) else { return nil }
        daysSinceEpoch = Self.days(year: y, month: m, day: d)
    }

    public var description: String {
        let (y, m, d) = Self.civil(daysSinceEpoch)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(m) + "-" + two(d)
    }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = CalendarDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        Int(Timestamp.days(fromCivil: Int64(year), Int64(month), Int64(day)))
    }

    static func civil(_ days: Int) -> (Int, Int, Int) {
        let (y, m, d) = Timestamp.civil(fromDays: Int64(days))
        return (Int(y), Int(m), Int(d))
    }
}

/// An accepted risk: findings of a rule on some hosts or devices that a named owner accepted,
/// for a reason, under a ticket, until a date. The InSpec/OpenSCAP shape compliance teams know.
public struct Waiver: Sendable, Hashable {
    /// The waiver's name in reports: its `id`, or `FILE:LINE` when it has none.
    public var id: String
    /// Rule ids (or globs on them) whose findings it accepts.
    public var rules: [String]
    /// Glob on the host name.
    public var host: String?
    /// Host labels that must all be present with these values.
    public var labels: [String: String]
    /// Glob on the finding's PCI address.
    public var bdf: String?
    /// Glob on a PF's address or interface: the PF's findings and its VFs'.
    public var pf: String?
    /// The hosts' platform (`esxi`): accepts, say, that ESXi cannot show IOMMU state, on every
    /// ESXi host and only there, without listing host names.
    public var platform: HostPlatform?
    public var reason: String
    public var owner: String
    public var ticket: String
    /// The last day it applies (UTC).
    public var expires: CalendarDay
    public var position: SourcePosition

    public init(id: String, rules: [String], host: String? = nil, labels: [String: String] = [:], bdf: String? = nil, pf: String? = nil,
                platform: HostPlatform? = nil, reason: String, owner: String, ticket: String, expires: CalendarDay, position: SourcePosition) {
        self.id = id
        self.rules = rules
        self.host = host
        self.labels = labels
        self.bdf = bdf
        self.pf = pf
        self.platform = platform
        self.reason = reason
        self.owner = owner
        self.ticket = ticket
        self.expires = expires
        self.position = position
    }

    /// The patterns of `rules` that match none of `ids` (a mistyped rule id never waives anything).
    public func unmatchedRulePatterns(among ids: [String]) -> [String] {
        rules.filter { pattern in !ids.contains { glob(pattern, $0) } }
    }

    /// Whether it is still in force on `today`.
    public func isActive(on today: CalendarDay) -> Bool { today <= expires }
}

/// A parsed waivers file.
public struct WaiverSet: Sendable, Hashable {
    public var path: String
    public var waivers: [Waiver]

    public init(path: String, waivers: [Waiver]) {
        self.path = path
        self.waivers = waivers
    }
}

/// The waiver a finding matched, as reports show it.
public struct FindingWaiver: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, Hashable {
        /// In force: the finding is accepted and does not count against the run.
        case active
        /// Past its date: shown, so nobody believes the risk is still accepted; waives nothing.
        case expired
    }

    public var id: String
    public var state: State
    public var reason: String
    public var owner: String
    public var ticket: String
    public var expires: CalendarDay

    /// The acceptance in one line, as SARIF's suppression justification and JUnit's skip message
    /// carry it: `REASON (waiver ID, owner O, ticket T, expires DAY)`.
    public var justification: String {
        "\(reason) (waiver \(id), owner \(owner), ticket \(ticket), expires \(expires))"
    }

    public init(_ waiver: Waiver, state: State) {
        id = waiver.id
        self.state = state
        reason = waiver.reason
        owner = waiver.owner
        ticket = waiver.ticket
        expires = waiver.expires
    }
}
