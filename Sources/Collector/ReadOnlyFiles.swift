#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only way the collector touches the file system: open read-only, read, close.
///
/// Why a narrow gate: the collector must never write to /sys or /proc (a stray write to
/// `sriov_numvfs` destroys every VF on a production NIC). Funnelling every access through these
/// functions keeps that promise reviewable, and a test runs the CLI under strace to prove it.
enum ReadOnlyFiles {
    /// The result of reading one file.
    enum Read: Equatable {
        case contents([UInt8])
        case missing
        /// `errno` of the failing call, e.g. EACCES, EIO, ENODEV (a vanished device), EINVAL
        /// (sysfs attributes such as `speed` on a link that is down).
        case failed(Int32)
    }

    /// Reads a whole file (sysfs attributes are small; `limit` bounds hostile inputs). `directory`
    /// is an open directory that a relative `path` is resolved against (saves the kernel walking
    /// the same long sysfs path for every attribute).
    static func read(_ path: String, in directory: Int32 = AT_FDCWD, limit: Int = 1 << 20) -> Read {
        let fd = openat(directory, path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? .missing : .failed(code)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit - result.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            result.append(contentsOf: chunk[0..<n])
            // A short read is the end: sysfs returns a whole attribute in one read, and regular
            // files (captures) only come up short at their end. This halves the system calls.
            if n < chunk.count { break }
        }
        return .contents(result)
    }

    /// The target of a symbolic link, or nil when `path` is not a link.
    static func linkTarget(_ path: String, in directory: Int32 = AT_FDCWD) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlinkat(directory, path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Directory entries (no `.`/`..`), unsorted; nil when the directory cannot be opened.
    static func list(_ path: String, in directory: Int32 = AT_FDCWD) -> (entries: [String]?, errno: Int32) {
        let fd = openat(directory, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return (nil, errno) }
        guard let dir = fdopendir(fd) else {
            let code = errno
            close(fd)
            return (nil, code)
        }
        defer { closedir(dir) }
        return (entries(of: dir), 0)
    }

    /// The entries of an open directory stream, from its start.
    static func entries(of dir: OpaquePointer) -> [String] {
        rewinddir(dir)
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    enum Kind { case directory, regular, symlink, other, missing }

    /// What `path` is, without following a final symlink.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// 0 when `path` is a regular file (a link to one counts), else the errno that says why not
    /// (ENOENT for anything that is not a regular file): "absent" and "not allowed to look" differ.
    static func regularFileStatus(_ path: String) -> Int32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno }
        return info.st_mode & S_IFMT == S_IFREG ? 0 : ENOENT
    }

    /// True when `path` exists, following symlinks.
    static func exists(_ path: String, in directory: Int32 = AT_FDCWD) -> Bool {
        var info = stat()
        return fstatat(directory, path, &info, 0) == 0
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A fixed-size C char array (imported as a tuple) as a String, up to its first NUL.
func fixedCString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// `path` made absolute against the working directory and lexically normalised.
func absolutePath(_ path: String) -> String {
    var base = "/"
    if !path.hasPrefix("/") {
        var buffer = [CChar](repeating: 0, count: 4096)
        if getcwd(&buffer, buffer.count) != nil { base = cString(buffer) }
    }
    return joinLinkTarget(base: base, target: path)
}
