#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a signed audit run consists of: which policy judged which content, and the exact bytes
/// of every report file it wrote. Signed itself (`NAME.sig` beside it), so an auditor can tell
/// later that nothing was changed, added to or left out of the evidence.
public struct EvidenceManifest: Codable, Sendable, Hashable {
    public static let formatName = "sriov-audit-evidence/1"

    public var format: String
    public var runId: String
    public var generatedAt: Date
    public var tool: AuditReport.Tool
    public var rules: FileHash
    public var waivers: FileHash?
    public var hosts: [Host]
    public var files: [FileHash]
    public var signature: SignatureInfo

    /// A file named by path (rules and waivers: as given; report files: the name in the folder).
    public struct FileHash: Codable, Sendable, Hashable {
        public var path: String
        public var sha256: String
        public var bytes: Int?
    }

    /// An audited host and the content hash of the snapshot the run judged.
    public struct Host: Codable, Sendable, Hashable {
        public var name: String
        public var collectedAt: Date
        public var contentHash: String?
    }

    public struct SignatureInfo: Codable, Sendable, Hashable {
        /// Always `Ed25519`: detached signatures of the bytes themselves (RFC 8032).
        public var algorithm: String
        /// SHA-256 of the signing key's public half: which key to verify with.
        public var publicKeySHA256: String
    }

    /// The manifest's file name for a run whose report files start with `stem`.
    static func fileName(stem: String) -> String { "\(stem).evidence.json" }

    /// A file's SHA-256 and size, read in 1 MiB pieces (a fleet's SARIF runs to hundreds of MB).
    static func hash(file path: String) throws(EvidenceError) -> (sha256: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EvidenceError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = Crypto.SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw EvidenceError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            total += n
        }
        return (Inventory.SHA256.hexString(Array(hasher.finalize())), total)
    }
}

/// A problem with evidence (a file that cannot be read or written), by path.
public struct EvidenceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
