import Inventory
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs an audit and keeps, per host, the few facts reports need besides findings (PF models,
/// firmware, VF counts), so a fleet can still be fed batch by batch and never held in memory whole.
public struct ReportBuilder {
    private var session: AuditSession
    private var hosts: [AuditReport.Host] = []
    private let rulesFile: AuditReport.RulesFile
    private let failOn: Severity

    /// - Parameter rulesSource: the rules file's bytes as read (hashed into the report).
    public init(rules: RuleSet, rulesSource: some Sequence<UInt8>, failOn: Severity) {
        session = AuditSession(rules: rules)
        self.failOn = failOn
        rulesFile = AuditReport.RulesFile(
            path: rules.path, sha256: SHA256.hex(rulesSource),
            rules: rules.rules.map {
                AuditReport.RuleInfo(id: $0.id, check: $0.check.rawValue, severity: $0.severity, description: $0.description,
                                     line: $0.position.line, column: $0.position.column)
            })
    }

    public mutating func add(_ batch: [AuditHost]) {
        add(Self.prepare(batch, rules: session.rules))
    }

    /// The per-host half of an audit for a batch: everything that needs no other host. Pure, so
    /// a fleet audit prepares batches on every core and ``add(_:)-(PreparedBatch)`` folds them in.
    public struct PreparedBatch: Sendable {
        let hosts: [AuditHost]
        let findings: HostFindings
        let facts: [AuditReport.Host]
    }

    public static func prepare(_ batch: [AuditHost], rules: RuleSet) -> PreparedBatch {
        PreparedBatch(hosts: batch, findings: HostFindings(rules: rules, hosts: batch), facts: batch.map(facts))
    }

    /// Adds a prepared batch; batches must come in the order the hosts are to be reported.
    public mutating func add(_ prepared: PreparedBatch) {
        session.add(prepared.hosts, hostFindings: prepared.findings)
        hosts += prepared.facts
    }

    public func finish(runId: String = UUID().uuidString.lowercased(), at time: Date = Date()) -> AuditReport {
        let result = session.finish()
        var counts: [String: (pass: Int, warn: Int, fail: Int, blocking: Int)] = [:]
        for finding in result.findings {
            var c = counts[finding.host] ?? (0, 0, 0, 0)
            switch finding.status {
            case .pass: c.pass += 1
            case .warn: c.warn += 1
            case .fail: c.fail += 1
            }
            if finding.isBlocking(atOrAbove: failOn) { c.blocking += 1 }
            counts[finding.host] = c
        }
        let reportHosts = hosts.map { host -> AuditReport.Host in
            var h = host
            let c = counts[host.name] ?? (0, 0, 0, 0)
            (h.pass, h.warn, h.fail, h.blocking) = c
            h.status = c.fail > 0 ? .fail : c.warn > 0 ? .warn : .pass
            return h
        }
        let blocking = reportHosts.reduce(0) { $0 + $1.blocking }
        let summary = AuditReport.Summary(
            hosts: reportHosts.count, pass: reportHosts.reduce(0) { $0 + $1.pass }, warn: reportHosts.reduce(0) { $0 + $1.warn },
            fail: reportHosts.reduce(0) { $0 + $1.fail }, blocking: blocking, compliant: blocking == 0)
        return AuditReport(
            schemaVersion: AuditReport.schemaVersion, runId: runId, generatedAt: time,
            tool: .init(name: "sriov-audit", version: SriovAuditVersion.current), rules: rulesFile, failOn: failOn,
            hosts: reportHosts, findings: result.findings, summary: summary)
    }

    static func facts(_ host: AuditHost) -> AuditReport.Host {
        let snapshot = host.snapshot
        let pfs = snapshot.physicalFunctions.map { pf -> AuditReport.PF in
            let device = host.device(at: pf.address)
            return AuditReport.PF(
                bdf: pf.address.description, interface: pf.interfaces.first, model: device?.modelKey ?? "unknown",
                modelName: device?.modelName ?? "unknown model",
                driver: device?.driver ?? pf.driverInfo?.driver, driverVersion: pf.reportedDriverVersion,
                firmwareVersion: pf.reportedFirmware, numVFs: pf.numVFs, totalVFs: pf.totalVFs)
        }
        return AuditReport.Host(
            name: host.name, labels: host.labels, collectedAt: snapshot.collectedAt, kernelRelease: snapshot.host.kernelRelease,
            status: .pass, pass: 0, warn: 0, fail: 0, blocking: 0, physicalFunctions: pfs)
    }
}
