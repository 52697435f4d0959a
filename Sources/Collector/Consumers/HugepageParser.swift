import Inventory

/// Huge page counters: the sysfs files per size (host-wide and per NUMA node), and `/proc/meminfo`
/// for hosts (or copies) that have only that.
public enum HugepageParser {
    /// `counters` maps each sysfs counter file's host path to its content. Malformed values are
    /// errors naming the file.
    public static func pools(counters: [String: String]) throws(ConsumerFileError) -> [HugepagePool] {
        struct Key: Hashable { var node: Int?; var size: Int }
        var values: [Key: [String: Int]] = [:]
        for (path, text) in counters {
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 3, let sizeDir = parts.dropLast().last, sizeDir.hasPrefix("hugepages-"), sizeDir.hasSuffix("kB"),
                  let size = Int(sizeDir.dropFirst("hugepages-".count).dropLast(2)), let counter = parts.last else { continue }
            var node: Int?
            if let n = parts.firstIndex(where: { $0.hasPrefix("node") && Int($0.dropFirst(4)) != nil }), parts.contains("system") {
                node = Int(parts[n].dropFirst(4))
            }
            guard let value = Int(text.trimmingWhitespace), value >= 0 else {
                throw ConsumerFileError(line: 1, reason: "\(path): '\(text.trimmingWhitespace.prefix(32))' is not a page count")
            }
            values[Key(node: node, size: size), default: [:]][counter] = value
        }
        return values.compactMap { key, v -> HugepagePool? in
            guard let total = v["nr_hugepages"], let free = v["free_hugepages"] else { return nil }
            return HugepagePool(node: key.node, sizeKB: key.size, total: total, free: free, reserved: v["resv_hugepages"], surplus: v["surplus_hugepages"])
        }.sorted { ($0.node ?? -1, $0.sizeKB) < ($1.node ?? -1, $1.sizeKB) }
    }

    /// `/proc/meminfo`'s `HugePages_Total/Free/Rsvd/Surp` and `Hugepagesize` (the default size only).
    public static func meminfo(_ text: String) throws(ConsumerFileError) -> HugepagePool? {
        var fields: [String: Int] = [:]
        for (n, line) in text.split(separator: "\n").enumerated() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            guard key.hasPrefix("HugePages_") || key == "Hugepagesize" else { continue }
            let words = line[line.index(after: colon)...].split(separator: " ")
            guard let number = words.first.flatMap({ Int($0) }) else {
                throw ConsumerFileError(line: n + 1, reason: "\(key) has no number")
            }
            fields[key] = number
        }
        guard let size = fields["Hugepagesize"], let total = fields["HugePages_Total"], let free = fields["HugePages_Free"] else { return nil }
        return HugepagePool(node: nil, sizeKB: size, total: total, free: free, reserved: fields["HugePages_Rsvd"], surplus: fields["HugePages_Surp"])
    }
}
