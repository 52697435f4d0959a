import Yams

/// The parameters of the data-plane checks (`vf-counters`, `offload-aligned`, `vf-rate`,
/// `firmware-pending`, `eswitch-mode`, `migration-ready`), with `rules check`'s positions.
extension RuleFileParser {
    static func parseHealthParameters(_ check: CheckKind, _ v: [String: Node], _ rule: Node, _ c: inout Context) -> CheckParameters {
        switch check {
        case .vfCounters:
            return .vfCounters(maxDropRatio: ratio(v["max-drop-ratio"], "max-drop-ratio", default: 0.001, &c),
                               maxErrorRatio: ratio(v["max-error-ratio"], "max-error-ratio", default: 0.0001, &c),
                               minPackets: v["min-packets"].flatMap { count($0, "min-packets", &c) } ?? 1000)
        case .offloadAligned:
            let require = v["require"].map { strings($0, "require", &c) } ?? []
            let forbid = v["forbid"].map { strings($0, "forbid", &c) } ?? []
            for name in Set(require).intersection(forbid).sorted() {
                if let n = v["forbid"] { c.error(n, "`\(name)` is both required and forbidden") }
            }
            return .offloadAligned(scope: scope(v["scope"], default: .fleet, &c), require: require, forbid: forbid)
        case .vfRate:
            guard let n = v["max-tx-rate"] else { return .vfRate(maxTxRate: nil) }
            guard case .mapping(let map) = n else {
                c.error(n, "`max-tx-rate` is {min: MBPS, max: MBPS}")
                return .vfRate(maxTxRate: nil)
            }
            var bounds: [String: Int] = [:]
            for (k, value) in map {
                guard let key = k.string, key == "min" || key == "max" else { c.error(k, "`max-tx-rate` takes `min` and `max` (Mb/s)"); continue }
                if let number = count(value, "max-tx-rate.\(key)", &c) { bounds[key] = number }
            }
            let low = bounds["min"] ?? 1, high = bounds["max"] ?? Int.max
            guard low <= high, high > 0 else {
                c.error(n, "`max-tx-rate`: min \(low) is above max \(high)")
                return .vfRate(maxTxRate: nil)
            }
            return .vfRate(maxTxRate: max(low, 1)...high)
        case .eswitchMode:
            guard let n = v["mode"], let mode = scalar(n, "mode", &c) else {
                c.error(rule, "`eswitch-mode` needs `mode: legacy` or `mode: switchdev`")
                return .eswitchMode(mode: "legacy")
            }
            guard ["legacy", "switchdev"].contains(mode) else {
                c.error(n, "`mode` is legacy or switchdev, not `\(mode)`")
                return .eswitchMode(mode: "legacy")
            }
            return .eswitchMode(mode: mode)
        default:
            return .none
        }
    }

    /// A fraction between 0 and 1 (`0.001`, or `0.1%`).
    private static func ratio(_ n: Node?, _ name: String, default value: Double, _ c: inout Context) -> Double {
        guard let n else { return value }
        guard let text = n.string else { c.error(n, "`\(name)` is a fraction (0.001) or a percentage (0.1%)"); return value }
        let parsed = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let parsed, parsed >= 0, parsed <= 1 else {
            c.error(n, "`\(name)` is a fraction between 0 and 1 (0.001) or a percentage (0.1%), not `\(text)`")
            return value
        }
        return parsed
    }
}
