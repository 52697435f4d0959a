import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// node_exporter's textfile-collector format. Every label set is bounded by the fleet's own
/// inventory (host, rule, PF address, model, driver, firmware): no MACs, messages or VLAN IDs,
/// so a series count never grows with what a host happens to be misconfigured with. No client
/// timestamps (node_exporter rejects them); the run's time is a gauge of its own. Every rule gets a
/// findings series per host, 0 when clean, so alerts resolve instead of going stale.
public enum PrometheusText {
    public static func render(_ report: AuditReport) -> String {
        var out = ""
        // Two snapshots of one host (`--snapshot a.json --snapshot b.json`) would be duplicate
        // series, which node_exporter rejects whole: the first one stands for the host.
        var seen = Set<String>()
        var report = report
        report.hosts = report.hosts.filter { seen.insert($0.name).inserted }
        var findings: [String: Int] = [:]
        var waived: [String: Int] = [:]
        for finding in report.findings where finding.status != .pass {
            if finding.isWaived { waived[finding.host + "\u{0}" + finding.rule, default: 0] += 1 } else {
                findings[finding.host + "\u{0}" + finding.rule, default: 0] += 1
            }
        }

        // With a waivers file, each host and rule has two series: `state="open"` (what alerts
        // should fire on) and `state="waived"` (accepted risks, still visible). Without one the
        // series keep the labels they always had.
        let waiving = report.waivers != nil
        out += family("sriov_audit_findings", "Violations found by the last audit, by host and rule (0 when the rule passed)"
                      + (waiving ? "; state=waived counts those an active waiver accepts." : "."))
        for host in report.hosts {
            for rule in report.rules.rules {
                let labels = [("host", host.name), ("rule", rule.id), ("check", rule.check), ("severity", rule.severity.rawValue)]
                let key = host.name + "\u{0}" + rule.id
                if waiving {
                    out += sample("sriov_audit_findings", labels + [("state", "open")], Double(findings[key] ?? 0))
                    out += sample("sriov_audit_findings", labels + [("state", "waived")], Double(waived[key] ?? 0))
                } else {
                    out += sample("sriov_audit_findings", labels, Double(findings[key] ?? 0))
                }
            }
        }
        if let waivers = report.waivers, !waivers.waivers.isEmpty {
            out += family("sriov_audit_waiver_expiry_timestamp_seconds", "When each waiver stops applying (end of its expires day, UTC): alert before it lapses.")
            for w in waivers.waivers {
                out += sample("sriov_audit_waiver_expiry_timestamp_seconds", [("waiver", w.id), ("state", w.state.rawValue)],
                              Double((w.expires.daysSinceEpoch + 1) * 86_400))
            }
            out += family("sriov_audit_waiver_matched_findings", "Violations each waiver matched in the last audit (0 for a stale waiver).")
            for w in waivers.waivers {
                out += sample("sriov_audit_waiver_matched_findings", [("waiver", w.id), ("state", w.state.rawValue)], Double(w.matched))
            }
        }
        out += family("sriov_audit_host_compliant", "1 when the host has no violation at or above the run's fail-on severity.")
        for host in report.hosts {
            out += sample("sriov_audit_host_compliant", [("host", host.name)], host.blocking == 0 ? 1 : 0)
        }
        out += family("sriov_audit_host_info", "Always 1: the host's platform (linux, esxi) as a label, to join on host.")
        for host in report.hosts {
            out += sample("sriov_audit_host_info", [("host", host.name), ("platform", host.platform.rawValue)], 1)
        }
        out += family("sriov_audit_pf_vfs_configured", "VFs enabled on the PF (sriov_numvfs).")
        for host in report.hosts {
            for pf in host.physicalFunctions {
                if let n = pf.numVFs { out += sample("sriov_audit_pf_vfs_configured", [("host", host.name), ("pf", pf.bdf)], Double(n)) }
            }
        }
        out += family("sriov_audit_pf_vfs_supported", "VFs the PF supports (sriov_totalvfs).")
        for host in report.hosts {
            for pf in host.physicalFunctions {
                if let n = pf.totalVFs { out += sample("sriov_audit_pf_vfs_supported", [("host", host.name), ("pf", pf.bdf)], Double(n)) }
            }
        }
        out += family("sriov_audit_nic_firmware_info", "NIC identity of each PF: model, driver and firmware as ethtool -i reports them (always 1).")
        for host in report.hosts {
            for pf in host.physicalFunctions {
                out += sample("sriov_audit_nic_firmware_info", [
                    ("host", host.name), ("pf", pf.bdf), ("interface", pf.interface ?? ""), ("model", pf.model),
                    ("driver", pf.driver ?? ""), ("driver_version", pf.driverVersion ?? ""), ("firmware_version", pf.firmwareVersion ?? ""),
                ], 1)
            }
        }
        out += vfCounterFamilies(report)
        let drifting = report.hosts.filter { $0.featureDrift != nil }
        if !drifting.isEmpty {
            out += family("sriov_audit_offload_drift_interfaces", "PF interfaces whose offload features differ from the PFs of the same model, driver and firmware (offload-aligned).")
            for host in drifting { out += sample("sriov_audit_offload_drift_interfaces", [("host", host.name)], Double(host.featureDrift ?? 0)) }
        }
        out += family("sriov_audit_hosts_audited", "Hosts the last audit covered.")
        out += sample("sriov_audit_hosts_audited", [], Double(report.hosts.count))
        out += family("sriov_audit_rules_loaded", "Rules in the rules file the last audit ran.")
        out += sample("sriov_audit_rules_loaded", [], Double(report.rules.rules.count))
        out += lastRun(at: report.generatedAt, success: true)
        return out
    }

    /// What a run that could not audit leaves behind: the time and `success 0`, so an alert on
    /// `sriov_audit_last_run_success == 0` or a stale timestamp fires.
    public static func failedRun(at time: Date) -> String {
        lastRun(at: time, success: false)
    }

    private static func lastRun(at time: Date, success: Bool) -> String {
        family("sriov_audit_last_run_timestamp_seconds", "Unix time the last audit run finished.")
            + sample("sriov_audit_last_run_timestamp_seconds", [], time.timeIntervalSince1970.rounded())
            + family("sriov_audit_last_run_success", "1 when the last audit run completed (whatever its verdict), 0 when it could not run.")
            + sample("sriov_audit_last_run_success", [], success ? 1 : 0)
    }

    /// Each VF's counters as Prometheus counters (`_total`), labelled by host, PF interface and
    /// VF (its PCI address): bounded by the inventory, like every other series here.
    private static func vfCounterFamilies(_ report: AuditReport) -> String {
        let hosts = report.hosts.filter { !($0.vfCounters ?? []).isEmpty }
        guard !hosts.isEmpty else { return "" }
        let series: [(String, String, KeyPath<AuditReport.VFCounterSample, UInt64?>)] = [
            ("sriov_audit_vf_rx_packets_total", "Packets the VF received, as its PF reports them.", \.rxPackets),
            ("sriov_audit_vf_tx_packets_total", "Packets the VF sent, as its PF reports them.", \.txPackets),
            ("sriov_audit_vf_rx_bytes_total", "Bytes the VF received.", \.rxBytes),
            ("sriov_audit_vf_tx_bytes_total", "Bytes the VF sent.", \.txBytes),
            ("sriov_audit_vf_rx_dropped_total", "Received packets the PF dropped for the VF.", \.rxDropped),
            ("sriov_audit_vf_tx_dropped_total", "Packets the VF sent that were dropped.", \.txDropped),
        ]
        var out = ""
        for (name, help, path) in series {
            var samples = ""
            for host in hosts {
                for c in host.vfCounters ?? [] {
                    if let value = c[keyPath: path] {
                        samples += sample(name, [("host", host.name), ("pf_interface", c.pfInterface), ("vf", c.vf)], Double(value))
                    }
                }
            }
            guard !samples.isEmpty else { continue }
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n" + samples
        }
        return out
    }

    private static func family(_ name: String, _ help: String) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    }

    private static func sample(_ name: String, _ labels: [(String, String)], _ value: Double) -> String {
        let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        let number = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return "\(name)\(rendered) \(number)\n"
    }

    /// The exposition format's label-value escapes: backslash, double quote, newline.
    static func escape(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
