import ArgumentParser
import Store
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--db`, shared by every command that uses the inventory database.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The inventory database (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db).",
        valueName: "PATH"))
    var db: String?

    var path: String { db ?? StoreLocation.defaultPath() }

    func open(readOnly: Bool = false) throws -> InventoryStore {
        try InventoryStore(path: path, readOnly: readOnly)
    }
}

/// `--label key=value`, repeatable.
struct LabelOptions: ParsableArguments {
    @Option(name: .customLong("label"), help: ArgumentHelp(
        "Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...", valueName: "KEY=VALUE"))
    var labels: [String] = []

    func parsed() throws -> [String: String] {
        try Self.parse(labels, option: "--label")
    }

    static func parse(_ items: [String], option: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("\(option) wants KEY=VALUE (letters, digits, - _ . in the key), not \"\(item)\"")
            }
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }
}

/// A time on the command line: `2026-11-25T10:15:00Z`, or a date meaning the end of that day (UTC).
func parseTime(_ text: String, option: String) throws -> Date {
    if let date = try? Date(text, strategy: .iso8601) { return date }
    if text.count == 10, let date = try? Date(text + "T23:59:59Z", strategy: .iso8601) { return date }
    throw ValidationError("\(option) wants a time like 2026-11-25T10:15:00Z or a date like 2026-11-25, not \"\(text)\"")
}
