#if canImport(Glibc)
import Glibc
#endif

/// Restores symlinks that a copy turned into small files holding the link target.
///
/// Why: sysfs captures travel through tools that do not keep symlinks (archive uploads, some
/// shared folders); `bus/pci/devices/0000:04:00.0` then becomes a 53-byte file containing
/// `../../../devices/...`. Neither libpci nor the collector can walk such a tree, so it is
/// mirrored into a temporary directory where such files are real links again and every other file
/// is a link to the original. The capture itself is never modified.
struct FlattenedLinks {
    /// True when the tree's PCI device entries are files instead of links or directories.
    static func isFlattened(sysfsRoot: String) -> Bool {
        guard let names = ReadOnlyFiles.list(sysfsRoot + "/bus/pci/devices").entries, let first = names.first else {
            return false
        }
        return ReadOnlyFiles.kind(sysfsRoot + "/bus/pci/devices/" + first) == .regular
    }

    /// The link target a file stands for, when it is such a file: relative, no newline, short.
    static func flattenedTarget(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0, info.st_size < 1024 else {
            return nil
        }
        guard case .contents(let bytes) = ReadOnlyFiles.read(path, limit: 1024),
              bytes.starts(with: Array("../".utf8)), !bytes.contains(0x0a), !bytes.contains(0)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct Mirror {
        let directory: String
        let restoredLinks: Int

        var sysfsRoot: String { directory + "/sys" }

        func remove() {
            _ = removeTree(directory)
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case cannotCreate(String, Int32)

        var description: String {
            switch self {
            case .cannotCreate(let path, let code): "cannot create \(path): \(ReadOnlyFiles.describe(errno: code))"
            }
        }
    }

    /// Mirrors `sysfsRoot` (a `.../sys` directory) into a new temporary directory.
    static func mirror(sysfsRoot: String) throws -> Mirror {
        var template = Array("/tmp/sriov-audit-capture.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure.cannotCreate("/tmp/sriov-audit-capture.*", errno) }
        let directory = String(cString: made)
        var restored = 0
        do {
            let source = absolutePath(sysfsRoot)
            try mirrorDirectory(from: source, to: directory + "/sys", restored: &restored)
        } catch {
            _ = removeTree(directory)
            throw error
        }
        return Mirror(directory: directory, restoredLinks: restored)
    }

    private static func mirrorDirectory(from source: String, to target: String, restored: inout Int) throws {
        guard mkdir(target, 0o755) == 0 else { throw Failure.cannotCreate(target, errno) }
        for name in ReadOnlyFiles.list(source).entries ?? [] {
            let from = source + "/" + name
            let to = target + "/" + name
            switch ReadOnlyFiles.kind(from) {
            case .directory:
                try mirrorDirectory(from: from, to: to, restored: &restored)
            case .symlink:
                if let link = ReadOnlyFiles.linkTarget(from), symlink(link, to) != 0 { throw Failure.cannotCreate(to, errno) }
            case .regular:
                if let link = flattenedTarget(from) {
                    guard symlink(link, to) == 0 else { throw Failure.cannotCreate(to, errno) }
                    restored += 1
                } else {
                    guard symlink(from, to) == 0 else { throw Failure.cannotCreate(to, errno) }
                }
            case .other, .missing:
                continue
            }
        }
    }
}

/// Removes a directory tree this process created (the mirror); never used on input trees.
@discardableResult
func removeTree(_ path: String) -> Bool {
    if ReadOnlyFiles.kind(path) == .directory {
        for name in ReadOnlyFiles.list(path).entries ?? [] { removeTree(path + "/" + name) }
        return rmdir(path) == 0
    }
    return unlink(path) == 0
}
