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
        var inString = false, escaped = false, length = 0
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    continue
                }
                length += 1
                if length > maxStringBytes { return "a string value is longer than \(maxStringBytes) bytes" }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                length = 0
            }
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
