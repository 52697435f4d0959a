import Inventory
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one check engine: every audit — a capture folder, a snapshot file, the fleet database —
/// runs here, over the audit facts a store keeps for each snapshot.
///
/// How it works: the per-host part of every rule (all the per-host checks, and what a fleet
/// check finds on one host alone) is worked out once per (snapshot content, rules fingerprint,
/// host labels) and kept in the store (`audit_results`), so a scheduled audit where 1% of the
/// hosts changed works out 1% of them again; the cross-host part runs as GROUP BY queries over
/// the fact tables (``FleetRule``). Hosts given in memory (``run(_:)``) are stored in a private
/// in-memory store first and audited the same way.
public struct AuditEngine: Sendable {
    /// The checks' own version: bump it when a check's logic or wording changes, so results kept
    /// by an older build are worked out again instead of reused.
    public static let checksVersion = 5

    public let rules: RuleSet
    /// What per-host results are kept under: the checks' version, the facts' version and the
    /// rules file's bytes. Nil: results are neither read nor kept.
    public let fingerprint: String?

    /// An engine whose per-host results are kept in the store under the rules file's bytes.
    public init(rules: RuleSet, rulesSource: some Sequence<UInt8>) {
        self.rules = rules
        fingerprint = SHA256.hex(Array("sriov-audit checks \(Self.checksVersion) facts \(AuditFacts.version)\n".utf8) + Array(rulesSource))
    }

    /// An engine that keeps nothing (rules built in code, tests).
    public init(rules: RuleSet) {
        self.rules = rules
        fingerprint = nil
    }

    public struct Outcome: Sendable {
        /// The audited hosts, in report order.
        public var subjects: [AuditSubject]
        /// The findings, rule by rule in the rules file's order.
        public var findings: [Finding]
        /// The PFs of each audited snapshot (what reports list per host).
        public var pfFacts: [Int64: [PFFact]]
        /// The claims of guests and pods per snapshot, for reports that list VFs by consumer.
        public var consumers: [Int64: [VFConsumer]] = [:]
        /// Each audited host's counters at the audited observation, by subject position: what
        /// reports show as VF counters.
        public var counters: [Int: CounterObservation] = [:]
        /// Per host (subject position), the PF interfaces whose offload features differ from
        /// their group's; empty when no `offload-aligned` rule ran.
        public var featureDrift: [Int: Int] = [:]
        /// Hosts whose per-host results were worked out in this run (the rest were kept ones).
        public var evaluated: Int
        /// Where the time went, phase by phase (`SRIOV_AUDIT_TIMING=1` prints them).
        public var phases: [(phase: String, seconds: Double)] = []
        /// Each audited snapshot's content hash (what a signed evidence manifest names).
        public var contentHashes: [Int64: String] = [:]
        /// Per snapshot, each VF's address → its PF; read only with ``readVFOwners``.
        public var vfOwners: [Int64: [String: AuditFacts.VF.Owner]] = [:]
    }

    /// Whether ``Outcome/vfOwners`` is read (waivers that name a PF need it; one more query).
    public var readVFOwners = false

    /// Audits hosts given in memory: stored in a private in-memory store, then audited as a fleet
    /// is. Each host is its own subject, even two snapshots of one host.
    public func run(_ hosts: [AuditHost]) throws -> Outcome {
        let store = try InventoryStore.inMemory()
        var engine = AuditEngine(rules: rules)
        engine.readVFOwners = readVFOwners
        return try engine.run(store: store, subjects: try Self.storeSubjects(hosts, in: store), workers: 1)
    }

    /// Stores hosts given in memory, each as a subject of its own (even two snapshots of one host).
    static func storeSubjects(_ hosts: [AuditHost], in store: InventoryStore) throws -> [AuditSubject] {
        var subjects: [AuditSubject] = []
        for (seq, host) in hosts.enumerated() {
            // A stored name per subject; the audit reports the host's own name.
            var snapshot = host.snapshot
            snapshot.host.hostname = "\(seq) \(host.name)"
            let outcome = try store.store(snapshot, labels: host.labels)
            let id: Int64 = switch outcome { case .new(let id), .unchanged(let id), .duplicate(let id): id }
            subjects.append(AuditSubject(seq: seq, snapshotID: id, hostname: host.name, labels: host.labels,
                                         collectedAt: host.snapshot.collectedAt, kernelRelease: host.snapshot.host.kernelRelease,
                                         platform: host.snapshot.source.platform))
        }
        return subjects
    }

    /// Audits `subjects` (their `seq` must be their position) from `store`, on `workers` threads.
    /// With a ``fingerprint``, kept per-host results are reused and new ones kept, if the store
    /// takes writes; a read-only store is audited all the same. `progress(done, total)` follows the
    /// hosts whose checks are worked out (those without kept results), on the calling thread.
    public func run(store: InventoryStore, subjects: [AuditSubject], workers: Int,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        var clock = PhaseClock()
        let keys = subjects.map { AuditResultKey(snapshotID: $0.snapshotID, labels: $0.labels) }
        var kept: [AuditResultKey: [UInt8]] = [:]
        if let fingerprint { kept = try store.cachedResults(fingerprint: fingerprint, for: keys) }
        clock.lap("read kept per-host results")

        // Kept results are decoded on every core; one that cannot be read (written by another
        // build, damaged) is worked out again like a missing one, never trusted or fatal.
        var decoded: [AuditResultKey: HostResults] = [:]
        var toDecode: [(AuditResultKey, String, [UInt8])] = []
        var queued = Set<AuditResultKey>()
        for (key, subject) in zip(keys, subjects) where queued.insert(key).inserted {
            if let body = kept[key] { toDecode.append((key, subject.hostname, body)) }
        }
        kept = [:]
        if !toDecode.isEmpty {
            let rules = self.rules
            let batches = stride(from: 0, to: toDecode.count, by: 500).map { toDecode[$0..<min($0 + 500, toDecode.count)] }
            try OrderedWorkers<[(AuditResultKey, HostResults?)]>.run(
                count: batches.count, workers: workers, window: workers * 2,
                makeWorker: { { index in batches[index].map { ($0.0, try? HostResults(decoding: $0.2, rules: rules, host: $0.1)) } } },
                consume: { for (key, results) in $0 { decoded[key] = results } })
        }
        clock.lap("decode kept per-host results")

        // Work out the per-host results no run kept: facts read in one pass, decoded and
        // checked on every core.
        var labelsOf: [AuditResultKey: (name: String, labels: [String: String])] = [:]
        for (key, subject) in zip(keys, subjects) where decoded[key] == nil && labelsOf[key] == nil {
            labelsOf[key] = (subject.hostname, subject.labels)
        }
        let missing = labelsOf.keys.sorted { ($0.snapshotID, $0.labels) < ($1.snapshotID, $1.labels) }
        var fresh: [AuditResultKey: HostResults] = [:]
        var toKeep: [(AuditResultKey, [UInt8])] = []
        let keeping = fingerprint != nil
        if !missing.isEmpty {
            let encoded = try store.encodedFacts(of: Array(Set(missing.map(\.snapshotID))))
            let chunks = stride(from: 0, to: missing.count, by: 250).map { missing[$0..<min($0 + 250, missing.count)] }
            let rules = self.rules
            let path = store.path
            let work = chunks.map { chunk in chunk.compactMap { key in labelsOf[key].map { (key, $0, encoded[key.snapshotID] ?? []) } } }
            // Each worker also encodes what it worked out, for keeping.
            try OrderedWorkers<[(AuditResultKey, HostResults, [UInt8])]>.run(
                count: work.count, workers: workers, window: workers * 2,
                makeWorker: {
                    { index in
                        try work[index].map { key, who, body in
                            let facts = try InventoryStore.decodeFacts(body, snapshotID: key.snapshotID, path: path)
                            let results = HostResults.evaluate(rules, FactsHost(name: who.name, labels: who.labels, facts: facts))
                            return (key, results, keeping ? results.encoded() : [])
                        }
                    }
                },
                consume: {
                    for (key, results, stored) in $0 { fresh[key] = results; toKeep.append((key, stored)) }
                    progress(fresh.count, missing.count)
                })
            clock.lap("per-host checks of \(missing.count) host(s)")
            if let fingerprint {
                do {
                    try store.saveResults(fingerprint: fingerprint, toKeep)
                } catch StoreError.cannotWrite(_, _) {
                    // A database this user may only read is audited all the same; results are simply not kept.
                }
                clock.lap("keep per-host results")
            }
        }

        // Per-host findings by rule position, host by host in report order.
        var byRule: [[Finding]] = Array(repeating: [], count: rules.rules.count)
        for key in keys {
            guard let results = decoded[key] ?? fresh[key] else { continue }
            for (position, findings) in results.perRule.enumerated() where !findings.isEmpty { byRule[position] += findings }
        }
        clock.lap("assemble per-host findings")

        let pfFacts = try store.pfFacts(of: Array(Set(subjects.map(\.snapshotID))))
        clock.lap("read PF facts")
        for (position, rule) in rules.rules.enumerated() where FleetRule.isFleet(rule.check) {
            byRule[position] = try FleetRule(rule: rule, subjects: subjects, pfFacts: pfFacts, store: store).findings(direct: byRule[position])
            clock.lap("fleet check \(rule.id)")
        }
        // The data plane: features compared across hosts, counters between observations.
        var drift: [Int: Int] = [:]
        let featureRules = rules.rules.indices.filter { rules.rules[$0].check == .offloadAligned }
        if !featureRules.isEmpty {
            let features = try store.interfaceFeatures(of: Array(Set(subjects.map(\.snapshotID))))
            for position in featureRules {
                guard case .offloadAligned(let scope, _, _) = rules.rules[position].parameters else { continue }
                let result = OffloadRule(rule: rules.rules[position], scope: scope, subjects: subjects, pfFacts: pfFacts, features: features)
                    .findings(direct: byRule[position])
                byRule[position] = result.findings
                for (seq, n) in result.drift { drift[seq, default: 0] += n }
                for subject in subjects where drift[subject.seq] == nil { drift[subject.seq] = 0 }
            }
            clock.lap("offload-aligned")
        }
        let observed = subjects.map { ($0.snapshotID, $0.collectedAt) }
        // Two observations per host only when a rule compares them; reports need the current one.
        let histories = rules.rules.contains { $0.check == .vfCounters } ? try store.counterHistories(observed) : [:]
        for (position, rule) in rules.rules.enumerated() {
            guard case .vfCounters(let drop, let error, let minimum) = rule.parameters else { continue }
            let check = CounterRule(rule: rule, maxDropRatio: drop, maxErrorRatio: error, minPackets: minimum)
            // Per host there is only the platform gate's "cannot judge" (PlatformGate), kept.
            byRule[position] += subjects.filter { $0.platform.unexposed(.trafficCounters) == nil }.flatMap { check.findings($0, histories[$0.seq], pfFacts[$0.snapshotID] ?? []) }
        }
        clock.lap("counters")
        let consumers = try store.consumerClaims(of: Array(Set(subjects.map(\.snapshotID))))
        clock.lap("read consumer claims")
        var outcome = Outcome(subjects: subjects, findings: Array(byRule.joined()), pfFacts: pfFacts, evaluated: missing.count, phases: clock.laps)
        outcome.consumers = consumers
        outcome.counters = histories.isEmpty ? try store.currentCounters(observed) : histories.compactMapValues(\.current)
        outcome.featureDrift = drift
        let snapshotIDs = Array(Set(subjects.map(\.snapshotID)))
        outcome.contentHashes = try store.contentHashes(of: snapshotIDs)
        if readVFOwners { outcome.vfOwners = try store.vfOwners(of: snapshotIDs) }
        return outcome
    }
}

/// A host to audit given in memory: its snapshot and the labels the command line gives it.
public struct AuditHost: Sendable {
    public let snapshot: HostSnapshot
    public let labels: [String: String]

    public init(snapshot: HostSnapshot, labels: [String: String] = [:]) {
        self.snapshot = snapshot
        self.labels = labels
    }

    public var name: String { snapshot.host.hostname }
}

/// Phase timers for an audit: each lap is the time since the previous one.
struct PhaseClock {
    private var last = ContinuousClock.now
    private(set) var laps: [(phase: String, seconds: Double)] = []

    mutating func lap(_ phase: String) {
        let now = ContinuousClock.now
        let d = (now - last).components
        laps.append((phase, Double(d.seconds) + Double(d.attoseconds) / 1e18))
        last = now
    }
}
