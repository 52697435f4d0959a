import Prometheus
import Synchronization

/// What `/metrics` shows, in Prometheus text: ingest by outcome, refusals by reason, request
/// latency, the fleet's size and staleness, and the scheduled audit's last run and findings.
/// Labels carry routes, outcomes, rules and severities — never a token, a host name or a path
/// a client chose (unbounded label values would grow the registry without end).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let received: [String: Counter]
    private let rejected = Mutex<[String: Counter]>([:])
    private let latency = Mutex<[String: DurationHistogram]>([:])
    let reportsReceived: Counter
    let hostsKnown: Gauge
    let hostsStale: Gauge
    let auditLastRun: Gauge
    let auditDuration: Gauge
    let auditSuccess: Gauge
    let auditHosts: Gauge
    private let findings = Mutex<[String: Gauge]>([:])

    static let outcomes = ["new", "unchanged", "duplicate"]
    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    init() {
        var received: [String: Counter] = [:]
        for outcome in Self.outcomes {
            received[outcome] = registry.makeCounter(name: "sriov_audit_snapshots_received_total", labels: [("outcome", outcome)],
                                                     help: "Snapshots acknowledged, by what storing them did")
        }
        self.received = received
        reportsReceived = registry.makeCounter(name: "sriov_audit_host_reports_received_total", help: "Audit reports hosts pushed about themselves")
        hostsKnown = registry.makeGauge(name: "sriov_audit_hosts_known", help: "Hosts in the inventory database")
        hostsStale = registry.makeGauge(name: "sriov_audit_hosts_stale", help: "Hosts not seen for longer than --stale-after")
        auditLastRun = registry.makeGauge(name: "sriov_audit_fleet_audit_last_run_timestamp_seconds", help: "When the last scheduled fleet audit finished (Unix time)")
        auditDuration = registry.makeGauge(name: "sriov_audit_fleet_audit_duration_seconds", help: "How long the last scheduled fleet audit took")
        auditSuccess = registry.makeGauge(name: "sriov_audit_fleet_audit_success", help: "1 when the last scheduled fleet audit ran and found nothing at or above --fail-on, 0 otherwise")
        auditHosts = registry.makeGauge(name: "sriov_audit_fleet_audit_hosts", help: "Hosts the last scheduled fleet audit covered")
        // Every refusal reason is listed from the start, so a dashboard sees zeros, not gaps.
        for reason in ["unauthorized", "forbidden", "too_large", "unsupported_media_type", "invalid", "rate_limited", "busy", "timeout", "not_found", "conflict"] {
            _ = rejectedCounter(reason)
        }
    }

    func received(_ outcome: String) { received[outcome]?.increment() }

    func rejected(_ reason: String) { rejectedCounter(reason).increment() }

    private func rejectedCounter(_ reason: String) -> Counter {
        rejected.withLock { counters in
            if let counter = counters[reason] { return counter }
            let counter = registry.makeCounter(name: "sriov_audit_requests_rejected_total", labels: [("reason", reason)],
                                               help: "Requests refused, by reason")
            counters[reason] = counter
            return counter
        }
    }

    /// One request's latency, by route pattern (`/v1/hosts/{name}`, never the concrete path).
    func observe(route: String, method: String, status: Int, duration: Duration) {
        let key = "\(method) \(route) \(status / 100)xx"
        let histogram = latency.withLock { histograms in
            if let histogram = histograms[key] { return histogram }
            let histogram = registry.makeDurationHistogram(
                name: "sriov_audit_http_request_duration_seconds",
                labels: [("route", route), ("method", method), ("status", "\(status / 100)xx")],
                buckets: Self.buckets, help: "HTTP request latency")
            histograms[key] = histogram
            return histogram
        }
        histogram.record(duration)
    }

    /// The last run's findings by rule, severity and status; rules that no longer fire go to 0.
    func setFindings(_ counts: [FindingKey: Int]) {
        findings.withLock { gauges in
            for gauge in gauges.values { gauge.set(0.0) }
            for (key, count) in counts {
                let id = "\(key.rule)|\(key.severity)|\(key.status)"
                let gauge = gauges[id] ?? registry.makeGauge(
                    name: "sriov_audit_fleet_audit_findings",
                    labels: [("rule", key.rule), ("severity", key.severity), ("status", key.status)],
                    help: "Findings of the last scheduled fleet audit (status pass, warn, fail, or waived for violations an active waiver accepts)")
                gauges[id] = gauge
                gauge.set(Double(count))
            }
        }
    }

    struct FindingKey: Hashable {
        var rule: String
        var severity: String
        var status: String
    }

    func text() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }
}
