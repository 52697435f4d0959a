/// Read access to one sysfs tree: the live `/sys` or a capture's `sysfs/sys`.
///
/// Paths passed in are relative to the tree (`bus/pci/devices/0000:04:00.0/vendor`); warnings name
/// the real file so an operator can look at it.
struct Sysfs {
    /// The directory that stands for `/sys`.
    let root: String

    func path(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }

    /// The attribute's text without the trailing newline.
    ///
    /// A missing file is silent unless `required` (many attributes are optional by kernel version
    /// or driver); an unreadable or non-text file is always a warning.
    func attribute(_ relative: String, required: Bool = false, log: inout WarningLog) -> String? {
        let full = path(relative)
        switch ReadOnlyFiles.read(full, limit: 64 * 1024) {
        case .contents(let bytes):
            guard let text = SysfsValues.text(bytes) else {
                log.add(.malformed, full, "not a text attribute (\(bytes.count) bytes)")
                return nil
            }
            return text
        case .missing:
            if required { log.add(.missing, full, "attribute is missing") }
            return nil
        case .failed(let code):
            log.add(.unreadable, full, ReadOnlyFiles.describe(errno: code))
            return nil
        }
    }

    /// Reads and parses an attribute; a value the parser refuses is a `malformed` warning.
    func parsed<T>(
        _ relative: String, required: Bool = false, log: inout WarningLog, _ parse: (String) -> T?
    ) -> T? {
        guard let text = attribute(relative, required: required, log: &log) else { return nil }
        guard let value = parse(text) else {
            log.add(.malformed, path(relative), "unexpected value \(quoted(text))")
            return nil
        }
        return value
    }

    /// The last path component of a link's target (`driver` → `igb`, `iommu_group` → `10`).
    func linkName(_ relative: String) -> String? {
        guard let target = ReadOnlyFiles.linkTarget(path(relative)) else { return nil }
        return target.split(separator: "/").last.map(String.init)
    }

    /// A link's target resolved against the link's own directory, as a path inside the tree.
    func resolvedLink(_ relative: String) -> String? {
        guard let target = ReadOnlyFiles.linkTarget(path(relative)) else { return nil }
        let directory = relative.split(separator: "/").dropLast().joined(separator: "/")
        return String(joinLinkTarget(base: directory, target: target).dropFirst())
    }

    func entries(_ relative: String) -> [String]? {
        ReadOnlyFiles.list(path(relative)).entries
    }

    func exists(_ relative: String) -> Bool {
        ReadOnlyFiles.exists(path(relative))
    }
}

/// A value for a message: quoted, control characters escaped, at most 80 characters.
func quoted(_ text: String) -> String {
    var shown = String(text.prefix(80)).unicodeScalars.map { scalar -> String in
        scalar.value < 0x20 || scalar.value == 0x7f ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
    }.joined()
    if text.count > 80 { shown += "…" }
    return "\"\(shown)\""
}
