import Inventory

/// The per-host data-plane checks: `firmware-pending`, `eswitch-mode`, `vf-rate`,
/// `migration-ready`, and the `require`/`forbid` part of `offload-aligned` (its comparison
/// across hosts is ``OffloadRule``; `vf-counters` compares observations in ``CounterRule``).
///
/// A check whose source was not read (devlink absent, consumers not read) says once that it
/// cannot judge the host: it never passes on what it did not see.
enum HealthChecks {
    static func run(_ rule: Rule, _ host: FactsHost) -> [Finding] {
        guard rule.selector.matchesLabels(host.labels) else { return [] }
        guard let health = host.facts.health else {
            return [rule.unknown(host: host.name, "the snapshot was stored before the data plane was read: cannot judge",
                                 hint: "collect again with this version")]
        }
        switch (rule.check, rule.parameters) {
        case (.firmwarePending, _): return firmwarePending(rule, host, health)
        case (.eswitchMode, .eswitchMode(let mode)): return eswitch(rule, host, health, mode)
        case (.vfRate, .vfRate(let range)): return rates(rule, host, health, range)
        case (.migrationReady, _): return MigrationCheck.run(rule, host)
        case (.offloadAligned, .offloadAligned(_, let require, let forbid)): return policy(rule, host, health, require, forbid)
        default: return []
        }
    }

    /// The PF addresses the rule's selector takes.
    static func selectedPFs(_ rule: Rule, _ host: FactsHost) -> [PFView] {
        host.pfViews.filter { rule.selector.matches($0) }
    }

    // MARK: - firmware-pending

    private static func firmwarePending(_ rule: Rule, _ host: FactsHost, _ health: HealthFacts) -> [Finding] {
        guard health.devlinkRead else {
            return [rule.unknown(host: host.name, "devlink was not read on this host: stored and running firmware cannot be compared",
                                 hint: "devlink needs Linux 5.1 or later with CONFIG_NET_DEVLINK")]
        }
        var findings: [Finding] = []
        var compared = 0
        var silent: [String] = []
        for view in selectedPFs(rule, host) {
            guard let device = health.device(view.pf.address) else { continue }
            guard device.reportsStored else { silent.append(view.pf.address.description); continue }
            compared += 1
            for p in device.pending {
                findings.append(rule.violation(
                    host: host.name, bdf: view.pf.address.description,
                    "\(p.name) \(p.stored) is flashed but \(p.running) runs on \(view.pf.interfaces.first ?? device.handle): the new firmware waits for a reset",
                    hint: "reset the device (`devlink dev reload \(device.handle) action fw_activate`) or reboot in a maintenance window",
                    evidence: ["component": p.name, "running": p.running, "stored": p.stored, "handle": device.handle]))
            }
        }
        if findings.isEmpty {
            let note = silent.isEmpty ? "" : "; \(silent.count) PF(s) report no stored versions (\(silent.joined(separator: ", ")))"
            findings.append(rule.pass(host: host.name, "stored firmware equals running firmware on \(compared) PF(s)\(note)",
                                      evidence: ["compared": String(compared)]))
        }
        return findings
    }

    // MARK: - eswitch-mode

    private static func eswitch(_ rule: Rule, _ host: FactsHost, _ health: HealthFacts, _ mode: String) -> [Finding] {
        guard health.devlinkRead else {
            return [rule.unknown(host: host.name, "devlink was not read on this host: eswitch modes unknown")]
        }
        var findings: [Finding] = []
        var checked = 0
        for view in selectedPFs(rule, host) where view.pf.numVFs != nil || view.pf.totalVFs != nil {
            let name = view.pf.interfaces.first ?? view.pf.address.description
            guard let device = health.device(view.pf.address) else {
                findings.append(rule.unknown(host: host.name, bdf: view.pf.address.description, "PF \(name) has no devlink instance: its eswitch mode is unknown"))
                continue
            }
            guard let actual = device.eswitchMode else {
                findings.append(rule.unknown(host: host.name, bdf: view.pf.address.description,
                                             "PF \(name): the driver reports no eswitch mode (no `devlink dev eswitch` support)"))
                continue
            }
            checked += 1
            if actual != mode {
                findings.append(rule.violation(host: host.name, bdf: view.pf.address.description,
                                               "PF \(name) is in \(actual) mode, expected \(mode)",
                                               hint: "`devlink dev eswitch set \(device.handle) mode \(mode)` (with no VFs created)",
                                               evidence: ["mode": actual, "expected": mode, "handle": device.handle]))
            }
        }
        if findings.isEmpty { findings.append(rule.pass(host: host.name, "\(checked) PF(s) in \(mode) mode", evidence: ["checked": String(checked)])) }
        return findings
    }

    // MARK: - vf-rate

    private static func rates(_ rule: Rule, _ host: FactsHost, _ health: HealthFacts, _ range: ClosedRange<Int>?) -> [Finding] {
        let selected = Set(selectedPFs(rule, host).map(\.pf.address))
        let netdevSelected = Set(host.facts.netdevPFs.filter { rule.selector.matches(netdev: $0, labels: host.labels) }.map(\.name))
        let speeds = Dictionary(health.links.map { ($0.name, $0.speedMbps) }, uniquingKeysWith: { a, _ in a })
        var findings: [Finding] = []
        // Settings that contradict themselves or the link, on every VF with a rate.
        for r in health.rates where r.pf.map(selected.contains) ?? netdevSelected.contains(r.interface) {
            let who = "VF \(r.index) of \(r.interface)"
            let (low, high) = (r.minTxRate ?? 0, r.maxTxRate ?? 0)
            if high > 0, low > high {
                findings.append(rule.violation(host: host.name, bdf: r.address?.description, "\(who): min_tx_rate \(low) Mb/s is above max_tx_rate \(high) Mb/s",
                                               hint: "`ip link set \(r.interface) vf \(r.index) min_tx_rate \(min(low, high)) max_tx_rate \(high)`",
                                               evidence: ["min_tx_rate": String(low), "max_tx_rate": String(high)]))
            }
            if high > 0, let speed = speeds[r.interface] ?? nil, speed > 0, high > speed {
                findings.append(rule.violation(host: host.name, bdf: r.address?.description,
                                               "\(who): max_tx_rate \(high) Mb/s is above the PF's link speed \(speed) Mb/s: the limit has no effect",
                                               hint: "set a rate below \(speed) Mb/s, or remove it",
                                               evidence: ["max_tx_rate": String(high), "link_speed": String(speed)]))
            }
        }
        // The policy's range, on every selected VF (a VF without a rate has 0).
        var checked = 0
        if let range {
            findings += host.incompleteVFTables(rule.selector).map { rule.cannotJudge(host: host.name, $0, pfAddress: host.pfAddress(of: $0)) }
            let byPF = Dictionary(health.rates.map { ("\($0.pf?.description ?? $0.interface)#\($0.index)", $0) }, uniquingKeysWith: { a, _ in a })
            let wanted = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
            for vf in host.vfViews(rule.selector) {
                guard vf.config != nil else {
                    findings.append(rule.unknown(host: host.name, bdf: vf.bdf, "\(vf.subject): its PF reports no VF settings: the rate cannot be judged"))
                    continue
                }
                checked += 1
                let high = byPF["\(vf.pfAddress?.description ?? vf.pfInterface ?? "?")#\(vf.index)"]?.maxTxRate ?? 0
                guard !range.contains(high) else { continue }
                let name = "VF \(vf.index) of \(vf.pfInterface ?? "?")"
                findings.append(rule.violation(host: host.name, bdf: vf.bdf,
                                               high == 0 ? "\(name) has no max_tx_rate; policy wants \(wanted) Mb/s" : "\(name): max_tx_rate \(high) Mb/s is outside \(wanted) Mb/s",
                                               hint: "`ip link set \(vf.pfInterface ?? "PF") vf \(vf.index) max_tx_rate RATE`",
                                               evidence: ["max_tx_rate": String(high), "wanted": wanted]))
            }
        } else {
            checked = health.rates.filter { $0.pf.map(selected.contains) ?? netdevSelected.contains($0.interface) }.count
        }
        if findings.isEmpty { findings.append(rule.pass(host: host.name, "\(checked) VF rate setting(s) within policy", evidence: ["checked": String(checked)])) }
        return findings
    }

    // MARK: - offload-aligned: require / forbid

    private static func policy(_ rule: Rule, _ host: FactsHost, _ health: HealthFacts, _ require: [String], _ forbid: [String]) -> [Finding] {
        guard !require.isEmpty || !forbid.isEmpty else { return [] }
        let selected = Set(selectedPFs(rule, host).map(\.pf.address))
        let netdevSelected = Set(host.facts.netdevPFs.filter { rule.selector.matches(netdev: $0, labels: host.labels) }.map(\.name))
        var findings: [Finding] = []
        for link in health.links where link.pf.map(selected.contains) ?? netdevSelected.contains(link.name) {
            guard let features = link.features else {
                findings.append(rule.unknown(host: host.name, bdf: link.pf?.description, "\(link.name): no offload features were read: cannot judge"))
                continue
            }
            let missing = require.filter { features.isOn($0) == false }
            let unknown = (require + forbid).filter { features.isOn($0) == nil }
            let present = forbid.filter { features.isOn($0) == true }
            for name in missing {
                findings.append(rule.violation(host: host.name, bdf: link.pf?.description, "\(link.name): \(name) is off, policy requires it on",
                                               hint: features.fixed.contains(name) ? "\(name) is fixed by the driver: this NIC cannot meet the policy"
                                                   : "`ethtool -K \(link.name) \(name) on`",
                                               evidence: ["feature": name, "state": "off"]))
            }
            for name in present {
                findings.append(rule.violation(host: host.name, bdf: link.pf?.description, "\(link.name): \(name) is on, policy forbids it",
                                               hint: features.fixed.contains(name) ? "\(name) is fixed by the driver: this NIC cannot meet the policy"
                                                   : "`ethtool -K \(link.name) \(name) off`",
                                               evidence: ["feature": name, "state": "on"]))
            }
            if !unknown.isEmpty, missing.isEmpty, present.isEmpty {
                findings.append(rule.unknown(host: host.name, bdf: link.pf?.description,
                                             "\(link.name): the kernel names no feature \(unknown.joined(separator: ", ")): cannot judge"))
            }
        }
        return findings
    }
}

extension Rule {
    /// "Cannot judge": never a pass, never a failure of the run on its own (a WARN).
    func unknown(host: String, bdf: String? = nil, _ message: String, hint: String? = nil, evidence: [String: String] = [:]) -> Finding {
        Finding(rule: self, status: .warn, host: host, bdf: bdf, message: message, hint: hint, evidence: evidence)
    }
}
