#if canImport(Glibc)
import Glibc
#endif
import Inventory
import Report
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Payloads that could not be delivered yet, kept on disk until a receiver answers 2xx.
///
/// Each item is two files named by creation time: `NAME.body` (the payload as it would have been
/// sent) and `NAME.json` (where to, with which key; written last, so an item without it was never
/// complete). Both appear atomically. Oldest first; an item leaves only after a 2xx. Payloads the
/// receiver refused as malformed (400, 413, 415, 422) move to `rejected/` for a human: sending
/// them again cannot succeed, and deleting them would lose the report.
public struct Spool: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Where and how an item goes; the token itself is never here (see ``PushTarget``).
    public struct Entry: Codable, Sendable, Hashable {
        public var target: PushTarget
        public var idempotencyKey: String
        public var contentType: String
        /// `audit-report` or `snapshot`, for messages.
        public var kind: String
        /// Unix time of the first attempt.
        public var createdAt: Double
        public var attempts: Int
        public var lastError: String?

        public init(target: PushTarget, idempotencyKey: String, contentType: String, kind: String, createdAt: Double,
                    attempts: Int = 0, lastError: String? = nil) {
            self.target = target
            self.idempotencyKey = idempotencyKey
            self.contentType = contentType
            self.kind = kind
            self.createdAt = createdAt
            self.attempts = attempts
            self.lastError = lastError
        }
    }

    public struct Item: Sendable {
        public var name: String
        public var entry: Entry
    }

    public func add(body: [UInt8], entry: Entry) throws(TransportError) -> String {
        try prepare()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let stamp = String(Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)).leftPadded(to: 19)
        let name = "\(stamp)-\(String(entry.idempotencyKey.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(16)))"
        do {
            var file = try AtomicFile(path: path(name, "body"), mode: 0o600)
            try file.write(bytes: body)
            try file.commit()
            try save(entry, as: name)
        } catch let failure as AtomicFile.Failure {
            throw .spool(path: failure.path, reason: failure.reason)
        } catch {
            throw .spool(path: directory, reason: "\(error)")
        }
        return name
    }

    /// Complete items, oldest first.
    public func pending() throws(TransportError) -> [Item] {
        try scan().items
    }

    /// Complete items, oldest first, and the names of metadata files that are not spool entries
    /// (damaged by hand or by a full disk): those must not block the rest.
    public func scan() throws(TransportError) -> (items: [Item], damaged: [String]) {
        let listing: [String]?
        do { listing = try AtomicFile.names(in: directory) } catch { throw .spool(path: directory, reason: error.reason) }
        let names = (listing ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }
        var items: [Item] = []
        var damaged: [String] = []
        for name in names.sorted() {
            guard let data = try? read(path(name, "json")), let entry = try? JSONDecoder().decode(Entry.self, from: Data(data)) else {
                damaged.append(name)
                continue
            }
            items.append(Item(name: name, entry: entry))
        }
        return (items, damaged)
    }

    /// Moves a damaged item's files to `rejected/` as they are, for a human to look at.
    public func quarantine(_ name: String) throws(TransportError) {
        let rejected = directory + "/rejected"
        do { try AtomicFile.makeDirectories(rejected, mode: 0o700) } catch { throw .spool(path: rejected, reason: error.reason) }
        for suffix in ["json", "body"] where rename(path(name, suffix), "\(rejected)/\(name).\(suffix).damaged") != 0 && errno != ENOENT {
            throw .spool(path: path(name, suffix), reason: String(cString: strerror(errno)))
        }
    }

    public func body(of item: Item) throws(TransportError) -> [UInt8] {
        try read(path(item.name, "body"))
    }

    /// Forgets a delivered item (metadata first: a crash in between leaves a body that is ignored).
    public func remove(_ item: Item) {
        unlink(path(item.name, "json"))
        unlink(path(item.name, "body"))
    }

    public func update(_ item: Item) throws(TransportError) {
        do { try save(item.entry, as: item.name) } catch { throw .spool(path: path(item.name, "json"), reason: error.reason) }
    }

    /// Moves an item the receiver refused as malformed to `rejected/`, with the reason.
    public func reject(_ item: Item, reason: String) throws(TransportError) {
        let rejected = directory + "/rejected"
        do { try AtomicFile.makeDirectories(rejected, mode: 0o700) } catch { throw .spool(path: rejected, reason: error.reason) }
        var entry = item.entry
        entry.lastError = reason
        let moved = Spool(directory: rejected)
        do { try moved.save(entry, as: item.name) } catch { throw .spool(path: rejected, reason: error.reason) }
        if rename(path(item.name, "body"), moved.path(item.name, "body")) != 0 {
            throw .spool(path: path(item.name, "body"), reason: String(cString: strerror(errno)))
        }
        unlink(path(item.name, "json"))
    }

    /// Runs `body` holding the spool's lock; returns false without running it when another
    /// process (an overlapping cron run) is flushing.
    public func withFlushLock(_ body: () throws -> Void) throws -> Bool {
        try prepare()
        let fd = open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TransportError.spool(path: directory + "/.lock", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        defer { flock(fd, LOCK_UN) }
        try body()
        return true
    }

    func path(_ name: String, _ suffix: String) -> String {
        "\(directory)/\(name).\(suffix)"
    }

    private func prepare() throws(TransportError) {
        do { try AtomicFile.makeDirectories(directory, mode: 0o700) } catch { throw .spool(path: directory, reason: error.reason) }
    }

    private func save(_ entry: Entry, as name: String) throws(AtomicFile.Failure) {
        let data: Data
        do { data = try JSONEncoder().encode(entry) } catch { throw AtomicFile.Failure(path: path(name, "json"), reason: "\(error)") }
        var file = try AtomicFile(path: path(name, "json"), mode: 0o600)
        try file.write(bytes: [UInt8](data))
        try file.commit()
    }

    private func read(_ path: String) throws(TransportError) -> [UInt8] {
        do { return try readWholeFile(path) } catch { throw .spool(path: path, reason: error.reason) }
    }
}

struct ReadFailure: Error {
    var reason: String
}

/// The bytes of a file, read with plain read(2) (no Foundation); `limit` guards against reading
/// something that is not what it claims to be (a token file pointed at a disk image).
func readWholeFile(_ path: String, limit: Int = Int.max) throws(ReadFailure) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ReadFailure(reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw ReadFailure(reason: String(cString: strerror(errno)))
        }
        if n == 0 { return bytes }
        bytes += chunk[0..<n]
        if bytes.count > limit { throw ReadFailure(reason: "larger than \(limit / 1024) KiB") }
    }
}
