#if canImport(Glibc)
import Glibc
#endif

/// Files that appear whole or not at all: written to a temporary name in the same folder, flushed
/// to disk, then renamed over the target. A reader (node_exporter, a dashboard, `push --flush`)
/// never sees half a report, and a crash leaves the previous file in place.
public struct AtomicFile: ~Copyable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public let path: String
    private let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []

    /// Opens the temporary file (mode `mode`, created beside `path`).
    public init(path: String, mode: mode_t = 0o644) throws(Failure) {
        self.path = path
        let (dir, base) = AtomicFile.split(path)
        temporary = "\(dir)/.\(base).tmp.\(getpid())"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 { throw Failure(path: path, reason: AtomicFile.errnoText()) }
    }

    public mutating func write(_ text: String) throws(Failure) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flushBuffer() }
    }

    public mutating func write(bytes: [UInt8]) throws(Failure) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flushBuffer() }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    /// Flushes, syncs and renames into place; the target is replaced only now.
    public mutating func commit() throws(Failure) {
        try flushBuffer()
        if fsync(fd) != 0 { let reason = AtomicFile.errnoText(); discard(); throw Failure(path: path, reason: reason) }
        close(fd)
        fd = -1
        if rename(temporary, path) != 0 { let reason = AtomicFile.errnoText(); unlink(temporary); throw Failure(path: path, reason: reason) }
        let dir = AtomicFile.split(path).dir
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// Drops the temporary file; the target is untouched.
    public mutating func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporary)
    }

    private mutating func flushBuffer() throws(Failure) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = AtomicFile.errnoText()
                discard()
                throw Failure(path: path, reason: reason)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(Failure) {
        var file = try AtomicFile(path: path, mode: mode)
        try file.write(text)
        try file.commit()
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(Failure) {
        var file = try AtomicFile(path: path, mode: mode)
        try file.write(bytes: bytes)
        try file.commit()
    }

    /// Copies `source` to `path` atomically (a report's `latest.*` from the run's own file,
    /// without rendering it a second time).
    public static func copy(_ source: String, to path: String, mode: mode_t = 0o644) throws(Failure) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(path: source, reason: errnoText()) }
        defer { close(input) }
        var file = try AtomicFile(path: path, mode: mode)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: source, reason: errnoText())
            }
            if n == 0 { break }
            try file.write(bytes: Array(chunk[0..<n]))
        }
        try file.commit()
    }

    /// The names in a folder (no `.` and `..`); nil when the folder does not exist.
    public static func names(in directory: String) throws(Failure) -> [String]? {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return nil }
            throw Failure(path: directory, reason: errnoText())
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and its parents (`mkdir -p`).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(Failure) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { throw Failure(path: current, reason: errnoText()) }
        }
        var st = stat()
        if stat(path, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR { throw Failure(path: path, reason: "not a directory") }
    }

    static func split(_ path: String) -> (dir: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
