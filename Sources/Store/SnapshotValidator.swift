#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// Checks an imported snapshot before anything of it is stored: another host's JSON is input,
/// and a hostile or broken one must be refused with a reason, never half-stored.
public enum SnapshotValidator {
    /// Longest string literal accepted anywhere in a document (kernel command lines are at most
    /// a few KiB; nothing else comes close).
    public static let maxStringBytes = 16 * 1024
    /// Largest document accepted (a host with thousands of VFs is a few MB).
    public static let maxDocumentBytes = 64 << 20

    /// Checks on the raw bytes, before decoding (cheap, and keeps a gigantic string out of memory twice).
    ///
    /// Over a contiguous buffer, not a generic collection: called from other modules, a generic
    /// one ran unspecialized, through witness tables for every byte (a tenth of the server's time).
    public static func checkRaw(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { checkRaw($0) }
    }

    public static func checkRaw(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { checkRaw($0) }
    }

    static func checkRaw(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.count > maxDocumentBytes { return "document is \(bytes.count) bytes; the limit is \(maxDocumentBytes)" }
        guard let base = bytes.baseAddress else { return nil }
        let tooLong = "a string value is longer than \(maxStringBytes) bytes"
        let quote = Int32(UInt8(ascii: "\""))
        // memchr from quote to quote: a string's length is the distance between its quotes
        // (escapes counted as the bytes they are); a quote after an odd run of backslashes is
        // part of the string.
        func next(_ from: Int) -> Int? {
            guard from < bytes.count, let found = memchr(base + from, quote, bytes.count - from) else { return nil }
            return UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
        }
        var position = 0
        while let open = next(position) {
            let start = open + 1
            var search = start
            var close: Int?
            while let candidate = next(search) {
                var backslashes = 0
                while candidate - backslashes - 1 >= start, base[candidate - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                if backslashes % 2 == 0 {
                    close = candidate
                    break
                }
                search = candidate + 1
            }
            guard let close else { return bytes.count - start > maxStringBytes ? tooLong : nil }  // unterminated: to the end
            if close - start > maxStringBytes { return tooLong }
            position = close + 1
        }
        return nil
    }

    /// Checks on the decoded snapshot. Returns the reason for refusing it, or nil.
    public static func check(_ snapshot: HostSnapshot) -> String? {
        if snapshot.schemaVersion > HostSnapshot.currentSchemaVersion {
            return "schemaVersion \(snapshot.schemaVersion) was written by a newer sriov-audit (this one reads \(HostSnapshot.currentSchemaVersion))"
        }
        if snapshot.schemaVersion < 1 { return "schemaVersion \(snapshot.schemaVersion) is not a snapshot version" }
        if let why = hostnameProblem(snapshot.host.hostname) { return why }
        if let dup = firstDuplicate(snapshot.pciDevices.map(\.address)) { return "PCI address \(dup) appears twice in pciDevices" }
        if let dup = firstDuplicate(snapshot.physicalFunctions.map(\.address)) { return "PF \(dup) appears twice" }
        if let dup = firstDuplicate(snapshot.virtualFunctions.map(\.address)) { return "VF \(dup) appears twice" }
        if let dup = firstDuplicate(snapshot.interfaces.map(\.name)) { return "interface \(dup) appears twice" }
        if let dup = firstDuplicate(snapshot.iommuGroups.map(\.id)) { return "IOMMU group \(dup) appears twice" }
        for pf in snapshot.physicalFunctions {
            if let dup = firstDuplicate(pf.virtualFunctions.map(\.index)) { return "VF index \(dup) appears twice on \(pf.address)" }
        }
        for i in snapshot.interfaces {
            if let dup = firstDuplicate(i.vfs.map(\.index)) { return "VF \(dup) appears twice in the VF table of \(i.name)" }
            if let bad = i.vfs.first(where: { !(0...4095).contains($0.vlan) }) { return "VF \(bad.index) of \(i.name) has VLAN \(bad.vlan)" }
        }
        return nil
    }

    /// A hostname must be usable as a file and label value: letters, digits, `.`, `-`, `_`; no
    /// path separators, no `..`, at most 253 characters.
    public static func hostnameProblem(_ name: String) -> String? {
        if name.isEmpty { return "hostname is empty" }
        if name.utf8.count > 253 { return "hostname is longer than 253 characters" }
        if name.contains("/") || name.contains("..") || name.hasPrefix(".") || name.hasPrefix("-") {
            return "hostname \(shown(name)) is not a host name (path characters)"
        }
        let allowed = name.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "." || c == "-" || c == "_"
        }
        return allowed ? nil : "hostname \(shown(name)) has characters a host name cannot have"
    }

    private static func shown(_ text: String) -> String {
        "\"" + String(text.unicodeScalars.prefix(64).map { $0.value < 0x20 || $0.value > 0x7e ? "?" : Character($0) }) + "\""
    }

    private static func firstDuplicate<T: Hashable>(_ values: [T]) -> T? {
        var seen = Set<T>()
        for value in values where !seen.insert(value).inserted { return value }
        return nil
    }
}
