import Crypto
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signs a run's report files (`audit --sign KEY`): a detached Ed25519 signature `FILE.sig` (the
/// 64 raw bytes, as `openssl pkeyutl -sign -rawin` writes them) beside every report file, and an
/// evidence manifest naming the run, the policy and each file's SHA-256, signed the same way.
///
/// The Prometheus textfile is a live metric node_exporter reads as `latest.prom` and the next run
/// replaces; its signed copy is kept as `STEM.prom.txt`, a name node_exporter ignores.
public struct EvidenceSigner: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init(keyPath: String) throws(SigningKey.Failure) {
        key = try SigningKey.loadPrivate(keyPath)
    }

    public init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// The manifest written, with its path.
    public struct Signed: Sendable {
        public var path: String
        public var manifest: EvidenceManifest
        public var files: [EvidenceManifest.FileHash] { manifest.files }
    }

    /// Signs `files` (paths in `directory`, as ``ReportDirectory/write(_:formats:renderedJSON:)``
    /// returned them without the `latest.*` copies) and writes the manifest.
    public func sign(_ report: AuditReport, files: [String], directory: String, prometheus: Bool) throws -> Signed {
        let stem = ReportDirectory.stem(report)
        var paths = files
        if prometheus {
            let copy = "\(directory)/\(stem).prom.txt"
            try AtomicFile.copy("\(directory)/latest.prom", to: copy)
            paths.append(copy)
        }
        var hashes: [EvidenceManifest.FileHash] = []
        for path in paths {
            let (sha256, bytes) = try EvidenceManifest.hash(file: path)
            try signFile(path)
            hashes.append(.init(path: AtomicFile.split(path).base, sha256: sha256, bytes: bytes))
        }
        let waiverFile = report.waivers.map { EvidenceManifest.FileHash(path: $0.path, sha256: $0.sha256, bytes: nil) }
        let manifest = EvidenceManifest(
            format: EvidenceManifest.formatName, runId: report.runId, generatedAt: report.generatedAt, tool: report.tool,
            rules: .init(path: report.rules.path, sha256: report.rules.sha256, bytes: nil), waivers: waiverFile,
            hosts: report.hosts.map { .init(name: $0.name, collectedAt: $0.collectedAt, contentHash: $0.contentHash) },
            files: hashes.sorted { $0.path < $1.path },
            signature: .init(algorithm: "Ed25519", publicKeySHA256: SigningKey.keyID(key.publicKey)))
        let path = "\(directory)/\(EvidenceManifest.fileName(stem: stem))"
        let text = String(decoding: try AuditReport.makeEncoder().encode(manifest), as: UTF8.self) + "\n"
        try AtomicFile.write(text, to: path)
        try signFile(path)
        return Signed(path: path, manifest: manifest)
    }

    /// Writes `PATH.sig`: the Ed25519 signature of the file's bytes.
    func signFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvidenceError(path: path, reason: "cannot read to sign") }
        let signature = try key.signature(for: data)
        try AtomicFile.write(bytes: Array(signature), to: path + ".sig")
    }
}
