import Inventory

/// Applies a waivers file to an audit's findings: each violation is matched against the waivers
/// in file order, an active waiver preferred to an expired one; passes are never waived.
/// Pure, and given the day: expiry is tested with any clock.
public struct WaiverBook: Sendable {
    /// What a waiver needs to know of a host: its labels and its PFs (a `pf:` waiver covers the
    /// PF's own findings and those of its VFs).
    public struct Host: Sendable {
        public var labels: [String: String]
        /// PF address → the PF's address and interface names (also for VF addresses, mapped to their PF).
        public var pfOf: [String: PFName]
        public var platform: HostPlatform

        public init(labels: [String: String], pfOf: [String: PFName] = [:], platform: HostPlatform = .linux) {
            self.labels = labels
            self.pfOf = pfOf
            self.platform = platform
        }
    }

    public struct PFName: Sendable, Hashable {
        public var address: String
        public var interfaces: [String]

        public init(address: String, interfaces: [String]) {
            self.address = address
            self.interfaces = interfaces
        }
    }

    /// A waiver's standing after a run, as reports list it.
    public struct Status: Codable, Sendable, Hashable {
        public enum State: String, Codable, Sendable, Hashable {
            /// In force and accepting at least one violation.
            case active
            /// Past its date: the violations it matched count again.
            case expired
            /// In force but matching no violation: fixed, or mistyped; review and remove it.
            case stale
        }

        public var id: String
        public var rules: [String]
        public var state: State
        /// Violations it matched (accepted when active; merely named when expired).
        public var matched: Int
        public var owner: String
        public var ticket: String
        public var reason: String
        public var expires: CalendarDay
        /// Where it is written in the waivers file (1-based).
        public var line: Int
    }

    public let set: WaiverSet
    public let today: CalendarDay

    public init(_ set: WaiverSet, today: CalendarDay) {
        self.set = set
        self.today = today
    }

    /// The findings with their waivers attached, and each waiver's standing.
    public func apply(to findings: [Finding], hosts: [String: Host]) -> (findings: [Finding], statuses: [Status]) {
        var matched = Array(repeating: 0, count: set.waivers.count)
        let active = set.waivers.indices.filter { set.waivers[$0].isActive(on: today) }
        let expired = set.waivers.indices.filter { !set.waivers[$0].isActive(on: today) }
        var out = findings
        for n in out.indices where out[n].status != .pass {
            let finding = out[n]
            let host = hosts[finding.host] ?? Host(labels: [:])
            if let w = active.first(where: { matches(set.waivers[$0], finding, host) }) {
                out[n].waiver = FindingWaiver(set.waivers[w], state: .active)
                matched[w] += 1
            } else if let w = expired.first(where: { matches(set.waivers[$0], finding, host) }) {
                out[n].waiver = FindingWaiver(set.waivers[w], state: .expired)
                matched[w] += 1
            }
        }
        let statuses = set.waivers.enumerated().map { n, w in
            Status(id: w.id, rules: w.rules, state: !w.isActive(on: today) ? .expired : matched[n] == 0 ? .stale : .active,
                   matched: matched[n], owner: w.owner, ticket: w.ticket, reason: w.reason, expires: w.expires, line: w.position.line)
        }
        return (out, statuses)
    }

    func matches(_ w: Waiver, _ f: Finding, _ host: Host) -> Bool {
        guard w.rules.contains(where: { glob($0, f.rule) }) else { return false }
        if let pattern = w.host, !glob(pattern, f.host) { return false }
        if let platform = w.platform, platform != host.platform { return false }
        if !w.labels.allSatisfy({ host.labels[$0.key] == $0.value }) { return false }
        if let pattern = w.bdf {
            guard let bdf = f.bdf, glob(pattern, bdf) else { return false }
        }
        if let pattern = w.pf {
            guard let bdf = f.bdf, let pf = host.pfOf[bdf],
                  glob(pattern, pf.address) || pf.interfaces.contains(where: { glob(pattern, $0) }) else { return false }
        }
        return true
    }
}
