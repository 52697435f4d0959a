import Inventory

/// `ethtool -k IFNAME` as text: the only reader of that format, and the writer of the form
/// `capture` keeps (`cmd/ethtool-k-IFNAME.txt`).
///
/// ethtool prints most features by their kernel names, but a legacy offload flag that covers
/// exactly one feature is printed under the flag's long name instead (`generic-receive-offload`
/// for `rx-gro`), and a flag covering several is printed as a group line followed by its
/// features, indented (`tcp-segmentation-offload:` then `\ttx-tcp-segmentation: on`). The
/// reader maps the first back to kernel names and skips the group lines, so what it returns is
/// keyed like ETHTOOL_GFEATURES. `capture` writes kernel names only, in the same line syntax.
public enum EthtoolFeaturesText {
    public enum Outcome: Equatable {
        case features(NetdevFeatures)
        /// "Cannot get device feature names" and its kin: the driver does not answer.
        case unsupported
        case malformed(String)
    }

    /// ethtool's legacy flags whose pattern names one kernel feature (its `off_flag_def`).
    static let singleFeatureFlags: [String: String] = [
        "rx-checksumming": "rx-checksum", "udp-fragmentation-offload": "tx-udp-fragmentation",
        "generic-segmentation-offload": "tx-generic-segmentation", "generic-receive-offload": "rx-gro",
        "large-receive-offload": "rx-lro", "rx-vlan-offload": "rx-vlan-hw-parse", "tx-vlan-offload": "tx-vlan-hw-insert",
        "ntuple-filters": "rx-ntuple-filter", "receive-hashing": "rx-hashing",
    ]
    /// The legacy flags that cover several features: printed as a group line when they do.
    static let groupFlags: Set<String> = ["tx-checksumming", "scatter-gather", "tcp-segmentation-offload"]

    public static func parse(_ text: String) -> Outcome {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.contains(where: { $0.hasPrefix("Cannot get device feature") || $0.hasPrefix("Cannot get device") }),
           !lines.contains(where: { $0.hasPrefix("Features for") }) {
            return .unsupported
        }
        var on: [String] = [], off: [String] = [], fixed: [String] = []
        var sawHeader = false
        for (n, line) in lines.enumerated() {
            if line.hasPrefix("Features for ") { sawHeader = true; continue }
            if line.trimming(" \t\r").isEmpty { continue }
            guard sawHeader else { return .malformed("line \(n + 1): expected \"Features for IFNAME:\" first") }
            let indented = line.first == "\t" || line.first == " "
            let body = line.trimming(" \t\r")
            guard let colon = body.firstIndex(of: ":") else { return .malformed("line \(n + 1): no \"name: state\" in \(quoted(body))") }
            var name = String(body[..<colon])
            let rest = body[body.index(after: colon)...].split(separator: " ").map(String.init)
            guard let state = rest.first, state == "on" || state == "off" else {
                return .malformed("line \(n + 1): state of \(name) is not on or off")
            }
            if !indented {
                // A group line is followed by its features, indented; the line itself is a summary.
                let next = lines.indices.contains(n + 1) ? lines[n + 1] : ""
                if groupFlags.contains(name), next.first == "\t" || next.first == " " { continue }
                if let kernelName = singleFeatureFlags[name] { name = kernelName }
            }
            if state == "on" { on.append(name) } else { off.append(name) }
            if rest.dropFirst().joined(separator: " ").contains("[fixed]") { fixed.append(name) }
        }
        guard sawHeader else { return .malformed("no \"Features for IFNAME:\" line") }
        return .features(NetdevFeatures(on: on, off: off, fixed: fixed))
    }

    /// The capture's form: ethtool's line syntax under kernel names, in name order.
    public static func render(_ interface: String, _ features: NetdevFeatures) -> String {
        let fixed = Set(features.fixed)
        let all = (features.on.map { ($0, "on") } + features.off.map { ($0, "off") }).sorted { $0.0 < $1.0 }
        return "Features for \(interface):\n" + all.map { "\($0.0): \($0.1)\(fixed.contains($0.0) ? " [fixed]" : "")\n" }.joined()
    }

    private static func quoted(_ s: String) -> String { "\"\(s)\"" }
}
