import Inventory
import Rules
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs an audit through ``AuditEngine`` and assembles the report: findings, per-host totals,
/// and the few facts reports list per host (PF models, firmware, VF counts).
public struct ReportBuilder {
    private var engine: AuditEngine
    private var given: [AuditHost] = []
    private let rulesFile: AuditReport.RulesFile
    private let failOn: Severity
    private var waivers: (book: WaiverBook, sha256: String)?

    /// - Parameter rulesSource: the rules file's bytes as read (hashed into the report, and what
    ///   per-host results are kept under in a fleet database).
    public init(rules: RuleSet, rulesSource: some Sequence<UInt8>, failOn: Severity) {
        let source = Array(rulesSource)
        engine = AuditEngine(rules: rules, rulesSource: source)
        self.failOn = failOn
        rulesFile = AuditReport.RulesFile(
            path: rules.path, sha256: SHA256.hex(source),
            rules: rules.rules.map {
                AuditReport.RuleInfo(id: $0.id, check: $0.check.rawValue, severity: $0.severity, description: $0.description,
                                     line: $0.position.line, column: $0.position.column, controls: $0.controls.isEmpty ? nil : $0.controls)
            })
    }

    /// Applies a waivers file (read from `source`) to the findings, judging expiry on `today`.
    public mutating func waive(_ set: WaiverSet, source: some Sequence<UInt8>, today: CalendarDay) {
        waivers = (WaiverBook(set, today: today), SHA256.hex(Array(source)))
        // A waiver written for a PF covers its VFs: the report then needs each VF's PF.
        engine.readVFOwners = set.waivers.contains { $0.pf != nil }
    }

    /// Hosts given in memory (capture folders, snapshot files, this host), audited by ``finish(runId:at:)``.
    public mutating func add(_ batch: [AuditHost]) {
        given += batch
    }

    /// The report of the hosts given with ``add(_:)``.
    public func finish(runId: String = UUID().uuidString.lowercased(), at time: Date = Date()) throws -> AuditReport {
        report(try engine.run(given), runId: runId, at: time)
    }

    /// The report of `subjects` from a fleet database, per-host results kept in it for the next run.
    /// `phases` hears where the time went (``AuditEngine/Outcome/phases``, then the report's
    /// assembly); `progress(done, total)` follows the hosts being checked.
    public func fleet(store: InventoryStore, subjects: [AuditSubject], workers: Int,
                      runId: String = UUID().uuidString.lowercased(), at time: Date = Date(),
                      progress: (Int, Int) -> Void = { _, _ in },
                      phases: (String, Double) -> Void = { _, _ in }) throws -> AuditReport {
        let outcome = try engine.run(store: store, subjects: subjects, workers: workers, progress: progress)
        for (phase, seconds) in outcome.phases { phases(phase, seconds) }
        let started = ContinuousClock.now
        let assembled = report(outcome, runId: runId, at: time)
        let d = (ContinuousClock.now - started).components
        phases("report totals", Double(d.seconds) + Double(d.attoseconds) / 1e18)
        return assembled
    }

    private func report(_ outcome: AuditEngine.Outcome, runId: String, at time: Date) -> AuditReport {
        let hosts = outcome.subjects.map { subject in
            var host = Self.facts(subject, pfs: outcome.pfFacts[subject.snapshotID] ?? [])
            host.consumers = outcome.consumers[subject.snapshotID].map(Self.consumers)
            if let counters = outcome.counters[subject.seq], !counters.vfs.isEmpty {
                host.vfCounters = counters.vfs.map {
                    AuditReport.VFCounterSample(vf: $0.address?.description ?? "\($0.interface)#\($0.index)", pfInterface: $0.interface, index: $0.index,
                                                source: $0.source, rxPackets: $0.rxPackets, txPackets: $0.txPackets, rxBytes: $0.rxBytes,
                                                txBytes: $0.txBytes, rxDropped: $0.rxDropped, txDropped: $0.txDropped)
                }
            }
            host.featureDrift = outcome.featureDrift[subject.seq]
            host.contentHash = outcome.contentHashes[subject.snapshotID]
            return host
        }
        var findings = outcome.findings
        var waiversFile: AuditReport.WaiversFile?
        if let waivers {
            let applied = waivers.book.apply(to: findings, hosts: Self.waiverHosts(outcome))
            findings = applied.findings
            waiversFile = AuditReport.WaiversFile(path: waivers.book.set.path, sha256: waivers.sha256, today: waivers.book.today,
                                                  waivers: applied.statuses)
        }
        var counts: [String: (pass: Int, warn: Int, fail: Int, waived: Int, blocking: Int)] = [:]
        for finding in findings {
            var c = counts[finding.host] ?? (0, 0, 0, 0, 0)
            if finding.isWaived {
                c.waived += 1
            } else {
                switch finding.status {
                case .pass: c.pass += 1
                case .warn: c.warn += 1
                case .fail: c.fail += 1
                }
            }
            if finding.isBlocking(atOrAbove: failOn) { c.blocking += 1 }
            counts[finding.host] = c
        }
        let reportHosts = hosts.map { host -> AuditReport.Host in
            var h = host
            let c = counts[host.name] ?? (0, 0, 0, 0, 0)
            (h.pass, h.warn, h.fail, h.blocking) = (c.pass, c.warn, c.fail, c.blocking)
            h.waived = waivers == nil ? nil : c.waived
            h.status = c.fail > 0 ? .fail : c.warn > 0 ? .warn : .pass
            return h
        }
        let blocking = reportHosts.reduce(0) { $0 + $1.blocking }
        let summary = AuditReport.Summary(
            hosts: reportHosts.count, pass: reportHosts.reduce(0) { $0 + $1.pass }, warn: reportHosts.reduce(0) { $0 + $1.warn },
            fail: reportHosts.reduce(0) { $0 + $1.fail }, waived: waivers == nil ? nil : reportHosts.reduce(0) { $0 + ($1.waived ?? 0) },
            blocking: blocking, compliant: blocking == 0)
        // A run's time in whole seconds, as reports have always given it (JUnit's timestamp has no fraction).
        var report = AuditReport(
            schemaVersion: AuditReport.schemaVersion, runId: runId, generatedAt: Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down)),
            tool: .init(name: "sriov-audit", version: SriovAuditVersion.current), rules: rulesFile, failOn: failOn,
            hosts: reportHosts, findings: findings, summary: summary)
        report.waivers = waiversFile
        report.controls = ControlSummary.frameworks(report)
        return report
    }

    /// Per host name, its labels and which PF each device belongs to (what waivers match on).
    static func waiverHosts(_ outcome: AuditEngine.Outcome) -> [String: WaiverBook.Host] {
        var hosts: [String: WaiverBook.Host] = [:]
        for subject in outcome.subjects {
            var host = WaiverBook.Host(labels: subject.labels, platform: subject.platform)
            let pfs = outcome.pfFacts[subject.snapshotID] ?? []
            var byOwner: [AuditFacts.VF.Owner: WaiverBook.PFName] = [:]
            for fact in pfs {
                if let pf = fact.pf {
                    let name = WaiverBook.PFName(address: pf.address.description, interfaces: pf.interfaces)
                    byOwner[fact.owner] = name
                    host.pfOf[name.address] = name
                }
            }
            for (vf, owner) in outcome.vfOwners[subject.snapshotID] ?? [:] {
                if let pf = byOwner[owner] { host.pfOf[vf] = pf }
            }
            hosts[subject.hostname] = host
        }
        return hosts
    }

    /// Claims grouped by consumer, in order of first appearance (claims come sorted by address).
    static func consumers(_ claims: [VFConsumer]) -> [AuditReport.Consumer] {
        var order: [String] = []
        var byOwner: [String: AuditReport.Consumer] = [:]
        for claim in claims {
            if byOwner[claim.owner] == nil {
                order.append(claim.owner)
                byOwner[claim.owner] = AuditReport.Consumer(name: claim.label, kind: claim.kind.rawValue, running: claim.running, devices: [])
            }
            byOwner[claim.owner]?.devices.append(claim.address.description)
        }
        return order.compactMap { byOwner[$0] }
    }

    static func facts(_ subject: AuditSubject, pfs: [PFFact]) -> AuditReport.Host {
        let list = pfs.compactMap(\.pf).map { pf in
            AuditReport.PF(
                bdf: pf.address.description, interface: pf.interfaces.first, model: pf.device?.modelKey ?? "unknown",
                modelName: pf.device?.modelName ?? "unknown model", driver: pf.driver, driverVersion: pf.driverVersion,
                firmwareVersion: pf.firmware, numVFs: pf.numVFs, totalVFs: pf.totalVFs)
        }
        return AuditReport.Host(
            name: subject.hostname, labels: subject.labels, collectedAt: subject.collectedAt, kernelRelease: subject.kernelRelease,
            platform: subject.platform, status: .pass, pass: 0, warn: 0, fail: 0, blocking: 0, physicalFunctions: list)
    }
}
