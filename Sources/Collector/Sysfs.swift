#if canImport(Glibc)
import Glibc
#endif

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

    /// The tree itself as a directory whose names are paths relative to the root.
    var top: SysfsDirectory { SysfsDirectory(path: root, stream: nil) }

    /// Opens a directory of the tree, so that many attributes in it are read cheaply.
    func directory(_ relative: String) -> SysfsDirectory? {
        guard let stream = opendir(path(relative)) else { return nil }
        return SysfsDirectory(path: path(relative), stream: stream)
    }

    func attribute(_ relative: String, required: Bool = false, log: inout WarningLog) -> String? {
        top.attribute(relative, required: required, log: &log)
    }

    func parsed<T>(_ relative: String, required: Bool = false, log: inout WarningLog, _ parse: (String) -> T?) -> T? {
        top.parsed(relative, required: required, log: &log, parse)
    }

    func linkName(_ relative: String) -> String? { top.linkName(relative) }

    /// A link's target resolved against the link's own directory, as a path inside the tree.
    func resolvedLink(_ relative: String) -> String? {
        guard let target = ReadOnlyFiles.linkTarget(path(relative)) else { return nil }
        let directory = relative.split(separator: "/").dropLast().joined(separator: "/")
        return String(joinLinkTarget(base: directory, target: target).dropFirst())
    }

    func entries(_ relative: String) -> [String]? { top.entries(relative) }

    func exists(_ relative: String) -> Bool { top.exists(relative) }
}

/// One directory of a sysfs tree, held open; names inside it are resolved with the *at() calls.
final class SysfsDirectory {
    /// The directory's path, for messages.
    let path: String
    /// The open directory (one descriptor serves both listing and the *at() calls); nil for the
    /// tree's root, whose names are full relative paths.
    private let stream: OpaquePointer?
    private let fd: Int32

    init(path: String, stream: OpaquePointer?) {
        self.path = path
        self.stream = stream
        self.fd = stream.map { dirfd($0) } ?? AT_FDCWD
    }

    deinit {
        if let stream { closedir(stream) }
    }

    /// What a name is looked up as: relative to the open directory, or a full path for the root.
    private func key(_ name: String) -> String {
        fd == AT_FDCWD ? path + "/" + name : name
    }

    /// The attribute's text without the trailing newline.
    ///
    /// A missing file is silent unless `required` (many attributes are optional by kernel version
    /// or driver); an unreadable or non-text file is always a warning.
    func attribute(_ name: String, required: Bool = false, log: inout WarningLog) -> String? {
        switch ReadOnlyFiles.read(key(name), in: fd, limit: 64 * 1024) {
        case .contents(let bytes):
            guard let text = SysfsValues.text(bytes) else {
                log.add(.malformed, path + "/" + name, "not a text attribute (\(bytes.count) bytes)")
                return nil
            }
            return text
        case .missing:
            if required { log.add(.missing, path + "/" + name, "attribute is missing") }
            return nil
        case .failed(let code):
            log.add(.unreadable, path + "/" + name, ReadOnlyFiles.describe(errno: code))
            return nil
        }
    }

    /// Reads and parses an attribute; a value the parser refuses is a `malformed` warning.
    func parsed<T>(_ name: String, required: Bool = false, log: inout WarningLog, _ parse: (String) -> T?) -> T? {
        guard let text = attribute(name, required: required, log: &log) else { return nil }
        guard let value = parse(text) else {
            log.add(.malformed, path + "/" + name, "unexpected value \(quoted(text))")
            return nil
        }
        return value
    }

    /// The last path component of a link's target (`driver` → `igb`, `iommu_group` → `10`).
    func linkName(_ name: String) -> String? {
        guard let target = ReadOnlyFiles.linkTarget(key(name), in: fd) else { return nil }
        return target.split(separator: "/").last.map(String.init)
    }

    /// The entries of a subdirectory, or of this directory itself when `name` is nil.
    func entries(_ name: String? = nil) -> [String]? {
        guard let name else {
            guard let stream else { return ReadOnlyFiles.list(path).entries }
            return ReadOnlyFiles.entries(of: stream)
        }
        return ReadOnlyFiles.list(key(name), in: fd).entries
    }

    func exists(_ name: String) -> Bool {
        ReadOnlyFiles.exists(key(name), in: fd)
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
