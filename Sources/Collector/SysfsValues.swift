import Inventory

/// Pure parsers for the text of sysfs attributes.
///
/// Every function takes the raw file content and returns nil for anything that is not exactly the
/// form the kernel writes: a garbage value must become a warning, never a plausible number.
public enum SysfsValues {
    /// The content without its one trailing newline (sysfs ends every value with one).
    public static func text(_ bytes: [UInt8]) -> String? {
        guard let s = String(validatingUTF8CString: bytes) else { return nil }
        return s.hasSuffix("\n") ? String(s.dropLast()) : s
    }

    /// `0x8086` → `8086` (IDs are 16-bit): lower-case, four digits.
    public static func id16(_ text: String) -> String? {
        guard let v = prefixedHex(text), v <= 0xffff else { return nil }
        return hex(v, width: 4)
    }

    /// `sriov_vf_device`, which the kernel prints with `%x` (no prefix, no padding): `10ca`, `10`.
    public static func bareID16(_ text: String) -> String? {
        guard (1...4).contains(text.count), text.allSatisfy(\.isHexDigit), let v = Int(text, radix: 16) else { return nil }
        return hex(v, width: 4)
    }

    /// `0x020000` → `020000` (24-bit class code).
    public static func classCode(_ text: String) -> String? {
        guard let v = prefixedHex(text), v <= 0xff_ffff else { return nil }
        return hex(v, width: 6)
    }

    /// `0x01` → `01` (8-bit revision).
    public static func revision(_ text: String) -> String? {
        guard let v = prefixedHex(text), v <= 0xff else { return nil }
        return hex(v, width: 2)
    }

    /// A decimal integer as the kernel prints it (optional leading minus, no blanks).
    public static func integer(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 20 else { return nil }
        return Int(text)
    }

    /// A non-negative decimal integer (counts such as `sriov_numvfs`).
    public static func count(_ text: String) -> Int? {
        guard let v = integer(text), v >= 0 else { return nil }
        return v
    }

    /// `0` / `1` flags (`sriov_drivers_autoprobe`, `carrier`).
    public static func flag(_ text: String) -> Bool? {
        switch text {
        case "0": return false
        case "1": return true
        default: return nil
        }
    }

    /// `numa_node`: a node number, or nil for the kernel's `-1` (no affinity).
    public static func numaNode(_ text: String) -> Int?? {
        guard let v = integer(text), v >= -1 else { return .none }
        return .some(v == -1 ? nil : v)
    }

    /// `speed` of a netdev in Mb/s: nil inside for `-1` (unknown), nil outside for garbage.
    public static func speed(_ text: String) -> Int?? {
        guard let v = integer(text) else { return .none }
        return .some(v < 0 || v == Int(UInt32.max) ? nil : v)
    }

    /// A PCIe link speed string such as `8.0 GT/s PCIe`, or `Unknown`.
    public static func linkSpeed(_ text: String) -> String? {
        if text == "Unknown" { return text }
        let parts = text.split(separator: " ")
        guard parts.count >= 2, Double(parts[0]) != nil, parts[1] == "GT/s" else { return nil }
        return text
    }

    /// A link width (`current_link_width`): a small positive integer; 0 means no link.
    public static func linkWidth(_ text: String) -> Int? {
        guard let v = count(text), v <= 32 else { return nil }
        return v
    }

    private static func prefixedHex(_ text: String) -> Int? {
        guard text.hasPrefix("0x"), text.count > 2, text.count <= 10 else { return nil }
        return Int(text.dropFirst(2), radix: 16)
    }
}

/// Lexical path arithmetic for sysfs link targets: `base` joined with a relative `target`,
/// `..` and `.` folded. Why not realpath(3): in a capture the targets may not exist at all.
func joinLinkTarget(base: String, target: String) -> String {
    var parts = target.hasPrefix("/") ? [] : base.split(separator: "/").map(String.init)
    for component in target.split(separator: "/") {
        switch component {
        case ".": continue
        case "..": if !parts.isEmpty { parts.removeLast() }
        default: parts.append(String(component))
        }
    }
    return "/" + parts.joined(separator: "/")
}

extension String {
    /// Decodes UTF-8 and refuses NUL bytes inside the text (a binary file is not an attribute).
    init?(validatingUTF8CString bytes: [UInt8]) {
        guard !bytes.contains(0) else { return nil }
        guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
        self = s
    }
}
