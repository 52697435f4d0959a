#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Inventory
import Store

/// `vf-counters`: drops and errors per packet since the host's previous observation, per VF
/// (IFLA_VF_STATS or the driver's sysfs counters) and per PF and VF netdev (IFLA_STATS64).
///
/// Counters are observations: a rate needs two of them, so a host seen once is "cannot judge"
/// (collect again), and a counter that went down (a reboot, a driver reload, VFs re-created)
/// makes that device's interval unjudgeable rather than a huge negative rate.
struct CounterRule {
    let rule: Rule
    let maxDropRatio: Double
    let maxErrorRatio: Double
    let minPackets: Int

    func findings(_ subject: AuditSubject, _ history: CounterHistory?, _ pfs: [PFFact]) -> [Finding] {
        guard rule.selector.matchesLabels(subject.labels) else { return [] }
        let host = subject.hostname
        guard let history, let current = history.current else {
            return [rule.unknown(host: host, "no traffic counters were read in this observation: cannot judge")]
        }
        guard let previous = history.previous, let previousAt = history.previousAt else {
            return [rule.unknown(host: host, "first observation with counters (\(Timestamp.text(history.currentAt))): drop and error rates need a second collection",
                                 hint: "collect again later; rates are measured between two stored observations")]
        }
        let seconds = history.currentAt.timeIntervalSince(previousAt)
        let interval = "in the \(Self.duration(seconds)) since \(Timestamp.text(previousAt))"
        let selected = pfs.compactMap(\.pf).filter { rule.selector.matches(PFView(hostName: subject.hostname, labels: subject.labels, pf: $0)) }
        let selectedPFs = Set(selected.map(\.address))
        let selectedNames = Set(selected.flatMap(\.interfaces))
        let selectedVFs = Set(selected.flatMap { history.vfsOfPF[$0.address] ?? [] })
        var findings: [Finding] = []
        var judged = 0, reset = 0

        let before = Dictionary(previous.vfs.map { (Self.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        for vf in current.vfs where selectedNames.contains(vf.interface) || vf.address.map(selectedVFs.contains) == true {
            guard let old = before[Self.key(vf)] else { continue }
            let d = { (a: UInt64?, b: UInt64?) -> Int64? in
                guard let a, let b else { return nil }
                return Int64(clamping: a) - Int64(clamping: b)
            }
            let deltas = [d(vf.rxPackets, old.rxPackets), d(vf.txPackets, old.txPackets), d(vf.rxDropped, old.rxDropped), d(vf.txDropped, old.txDropped)]
            if deltas.contains(where: { ($0 ?? 0) < 0 }) { reset += 1; continue }
            guard let drops = Self.sum(deltas[2], deltas[3]) else { continue }  // drops not reported (kernels before 4.19)
            let packets = Self.sum(deltas[0], deltas[1]) ?? 0
            judged += 1
            let total = packets + drops
            guard total >= Int64(minPackets), Double(drops) / Double(total) > maxDropRatio else { continue }
            let who = "VF \(vf.index) of \(vf.interface)"
            findings.append(rule.violation(
                host: host, bdf: vf.address?.description,
                "\(who) dropped \(drops) of \(total) packets (\(Self.percent(Double(drops) / Double(total)))) \(interval), above \(Self.percent(maxDropRatio))",
                hint: "check the guest's rings and CPU (rx drops) or the VF's rate limit (tx drops); `ip -s link show \(vf.interface)`",
                evidence: ["drops": String(drops), "packets": String(packets), "seconds": String(Int(seconds)), "source": vf.source]))
        }

        let linksBefore = Dictionary(previous.links.map { ($0.address?.description ?? $0.interface, $0) }, uniquingKeysWith: { a, _ in a })
        for link in current.links {
            guard let address = link.address, selectedPFs.contains(address) || selectedVFs.contains(address),
                  let old = linksBefore[address.description] else { continue }
            let now = [link.rxPackets, link.txPackets, link.rxErrors, link.txErrors, link.rxDropped, link.txDropped]
            let then = [old.rxPackets, old.txPackets, old.rxErrors, old.txErrors, old.rxDropped, old.txDropped]
            guard zip(now, then).allSatisfy({ $0 >= $1 }) else { reset += 1; continue }
            let delta = zip(now, then).map { Int64(clamping: $0 - $1) }
            let (packets, errors, drops) = (delta[0] + delta[1], delta[2] + delta[3], delta[4] + delta[5])
            judged += 1
            let total = packets + drops + errors
            guard total >= Int64(minPackets) else { continue }
            let role = selectedPFs.contains(address) ? "PF" : "VF netdev"
            if Double(errors) / Double(total) > maxErrorRatio {
                findings.append(rule.violation(
                    host: host, bdf: address.description,
                    "\(role) \(link.interface) counted \(errors) errors in \(total) packets (\(Self.percent(Double(errors) / Double(total)))) \(interval), above \(Self.percent(maxErrorRatio))",
                    hint: "check the cable, optics and switch port; `ethtool -S \(link.interface)`",
                    evidence: ["errors": String(errors), "packets": String(packets), "seconds": String(Int(seconds))]))
            }
            if Double(drops) / Double(total) > maxDropRatio {
                findings.append(rule.violation(
                    host: host, bdf: address.description,
                    "\(role) \(link.interface) dropped \(drops) of \(total) packets (\(Self.percent(Double(drops) / Double(total)))) \(interval), above \(Self.percent(maxDropRatio))",
                    hint: "`ethtool -S \(link.interface)` tells which queue drops; check ring sizes and RSS",
                    evidence: ["drops": String(drops), "packets": String(packets), "seconds": String(Int(seconds))]))
            }
        }
        if reset > 0 {
            findings.append(rule.unknown(host: host, "\(reset) device(s) counted less than before \(interval) (reboot, driver reload or VFs re-created): their interval cannot be judged"))
        }
        if findings.isEmpty {
            findings.append(rule.pass(host: host, "\(judged) device(s) within drop and error limits \(interval)",
                                      evidence: ["judged": String(judged), "seconds": String(Int(seconds))]))
        }
        return findings
    }

    private static func key(_ c: VFCounters) -> String { c.address?.description ?? "\(c.interface)#\(c.index)" }

    private static func sum(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case (nil, nil): nil
        default: (a ?? 0) + (b ?? 0)
        }
    }

    /// A ratio as a percentage with two decimals (`0.10%`).
    static func percent(_ ratio: Double) -> String {
        let hundredths = Int((ratio * 10_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return "\(s / 3600) h"
    }
}
