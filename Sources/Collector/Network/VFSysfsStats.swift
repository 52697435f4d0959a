import Inventory

/// The per-VF counters some PF drivers keep in sysfs, under the PF's device:
///
///     device/sriov/N/stats          one file of `name : value` lines (mlx5 in MLNX_OFED)
///     device/sriov/N/stats/NAME     one file per counter (Intel's out-of-tree i40e and ice)
///
/// Pure, the only reader of both forms. Names outside ``VFCounters/sysfsNames`` are ignored; a
/// value that is not a count is a problem naming the counter, and the others are still read.
public enum VFSysfsStats {
    /// The `name : value` file: counters by name, and the lines that could not be read.
    public static func parse(lines text: String) -> (values: [String: UInt64], problems: [String]) {
        var values: [String: UInt64] = [:]
        var problems: [String] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimming(" \t\r")
            guard !trimmed.isEmpty else { continue }
            let parts = trimmed.split(separator: ":", maxSplits: 1).map { $0.trimming(" \t") }
            guard parts.count == 2 else { problems.append("line \(n + 1): no \"name : value\""); continue }
            guard let value = UInt64(parts[1]) else { problems.append("line \(n + 1): \(parts[0]) is not a count"); continue }
            values[parts[0]] = value
        }
        return (values, problems)
    }

    /// One counter file's content (a decimal count and a newline).
    public static func value(_ text: String) -> UInt64? {
        UInt64(text.trimming(" \t\r\n"))
    }

    /// Counters by name applied to a VF's counters; true when any known name was present.
    public static func apply(_ values: [String: UInt64], to counters: inout VFCounters) -> Bool {
        var any = false
        for (name, value) in values where counters.set(sysfsName: name, value) { any = true }
        return any
    }
}
