import Inventory
import Logging
import NIOCore
import NIOPosix
import Report
import Rules
import ServiceLifecycle
import Store
import Transport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The scheduled fleet audit inside the server: every `every`, the latest snapshot of every host
/// is audited against the rules, every report format is written to `out` (as `audit --format …
/// --out` does), the fleet report is optionally forwarded with the push machinery, and the run's
/// time, duration, result and findings go to `/metrics`.
///
/// Runs never overlap: one loop runs one audit after the other, the next `every` after the
/// previous one finished. A graceful shutdown waits for the run under way.
struct FleetAuditService: Service {
    let schedule: ServerOptions.ScheduledAudit
    /// Where the fleet is (the server's own options: database and password).
    let options: ServerOptions
    let metrics: ServerMetrics
    let logger: Logger
    let pool: NIOThreadPool

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            do {
                let outcome = try await pool.runIfActive { try auditOnce() }
                let duration = ContinuousClock.now - started
                record(outcome, duration: duration)
            } catch {
                metrics.auditSuccess.set(0.0)
                metrics.auditLastRun.set(Date().timeIntervalSince1970)
                logger.error("scheduled fleet audit failed", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: schedule.every) } } catch { return }
        }
    }

    struct Outcome: Sendable {
        var hosts: Int
        var compliant: Bool
        var findings: [ServerMetrics.FindingKey: Int]
        var delivered: Bool
    }

    /// One audit, on a thread of the pool (it reads the whole fleet and writes files).
    func auditOnce() throws -> Outcome {
        // Writable: per-host results are kept for the next run, so a run re-checks only the hosts
        // whose content changed since.
        let store = try options.openStore()
        let subjects = try store.latestSubjects()
        // An empty fleet is not a compliant one: nothing is written, and the run does not count as a success.
        guard !subjects.isEmpty else { return Outcome(hosts: 0, compliant: false, findings: [:], delivered: true) }
        var builder = ReportBuilder(rules: schedule.rules, rulesSource: schedule.rulesSource, failOn: schedule.failOn)
        if let path = schedule.waivers {
            let today = CalendarDay(secondsSinceEpoch: Date().timeIntervalSince1970)
            let (set, bytes) = try ServerOptions.ScheduledAudit.readWaivers(path, today: today, maxDays: schedule.maxWaiverDays)
            builder.waive(set, source: bytes, today: today)
        }
        let report = try builder.fleet(store: store, subjects: subjects, workers: max(1, System.coreCount - 1))
        let json = try AuditJSON.render(report)  // once: the report file and the forwarded body are this text
        let directory = ReportDirectory(path: schedule.out)
        try AtomicFile.makeDirectories(schedule.out)
        let written = try directory.write(report, formats: schedule.formats, renderedJSON: json)
        if let signer = schedule.signer {
            let signed = try signer.sign(report, files: written.filter { !$0.contains("/latest.") }, directory: schedule.out,
                                         prometheus: schedule.formats.contains(.prom))
            logger.info("signed the fleet audit's reports", metadata: ["manifest": "\(signed.path)", "files": "\(signed.files.count)"])
        }
        _ = try directory.prune(subject: report.subject, keep: schedule.keepRuns)
        var counts: [ServerMetrics.FindingKey: Int] = [:]
        for finding in report.findings {
            // An accepted risk is counted apart, so that an alert on status="fail" is about open problems.
            let status = finding.isWaived ? "waived" : finding.status.rawValue
            counts[ServerMetrics.FindingKey(rule: finding.rule, severity: finding.severity.rawValue, status: status), default: 0] += 1
        }
        var delivered = true
        if !schedule.push.isEmpty {
            let pusher = Pusher(policy: schedule.pushPolicy, spool: Spool(directory: schedule.spool), notify: { line in logger.warning("\(line)") })
            let payload = Payload(body: Array(json.utf8), idempotencyKey: report.runId, kind: "audit-report")
            for target in schedule.push {
                switch try pusher.push(payload, to: target) {
                case .delivered: break
                case .spooled(_, let reason), .rejected(let reason):
                    delivered = false
                    logger.warning("fleet report not delivered", metadata: ["target": "\(target.displayURL)", "reason": "\(reason)"])
                }
            }
        }
        return Outcome(hosts: report.hosts.count, compliant: report.summary.compliant, findings: counts, delivered: delivered)
    }

    private func record(_ outcome: Outcome, duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        metrics.auditLastRun.set(Date().timeIntervalSince1970)
        metrics.auditDuration.set(seconds)
        metrics.auditHosts.set(Double(outcome.hosts))
        metrics.auditSuccess.set(outcome.compliant ? 1.0 : 0.0)
        metrics.setFindings(outcome.findings)
        logger.info("scheduled fleet audit", metadata: [
            "hosts": "\(outcome.hosts)", "compliant": "\(outcome.compliant)", "seconds": "\((seconds * 1000).rounded() / 1000)",
            "forwarded": "\(outcome.delivered)",
        ])
    }
}
