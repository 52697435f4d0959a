import Crypto
import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks a folder of signed evidence (`sriov-audit verify DIR --key PUB`): every manifest's
/// signature, then every file it names — present, the same SHA-256, its own signature valid —
/// and no file of a signed run that the manifest does not name. Each problem names its file.
public enum EvidenceVerifier {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String { "\(file): \(reason)" }
    }

    public struct Run: Sendable, Hashable {
        public var manifest: String
        public var runId: String?
        public var generatedAt: Date?
        /// Files named by the manifest that verified.
        public var verified: [String]
    }

    public struct Outcome: Sendable {
        public var runs: [Run]
        public var problems: [Problem]
        /// Report files of runs that were not signed (and `latest.*` copies): not evidence, not errors.
        public var unsigned: [String]
        public var ok: Bool { problems.isEmpty }
    }

    public static func verify(directory: String, key: Curve25519.Signing.PublicKey) throws -> Outcome {
        guard let names = try AtomicFile.names(in: directory) else {
            throw EvidenceError(path: directory, reason: "no such folder")
        }
        let manifests = names.filter { $0.hasSuffix(".evidence.json") }.sorted()
        guard !manifests.isEmpty else {
            throw EvidenceError(path: directory, reason: "no evidence manifest (*.evidence.json) here: was the audit run with --sign?")
        }
        let keyID = SigningKey.keyID(key)
        var runs: [Run] = []
        var problems: [Problem] = []
        var covered = Set<String>()
        var stems: [String] = []
        var strays: [String] = []  // runs whose manifest cannot vouch: their files are not judged one by one
        for name in manifests {
            let stem = String(name.dropLast(".evidence.json".count))
            stems.append(stem)
            covered.formUnion([name, name + ".sig"])
            let path = "\(directory)/\(name)"
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append(Problem(file: name, reason: "cannot be read"))
                continue
            }
            let manifest = try? AuditReport.makeDecoder().decode(EvidenceManifest.self, from: data)
            // A manifest whose signature fails vouches for nothing: its files are not checked
            // against it (nor reported as strays), the one problem is the manifest.
            let unchecked = manifest.map { " (its \($0.files.count) file(s) cannot be checked against it)" } ?? ""
            switch checkSignature(of: path, data: data, key: key) {
            case .valid: break
            case .missing:
                problems.append(Problem(file: name, reason: "has no signature (\(name).sig is missing)\(unchecked)"))
                strays.append(stem)
                continue
            case .invalid:
                if let other = manifest?.signature.publicKeySHA256, other != keyID {
                    problems.append(Problem(file: name, reason: "was signed with another key (public key sha256 \(other.prefix(16))…), not this one (\(keyID.prefix(16))…)"))
                } else {
                    problems.append(Problem(file: name, reason: "was changed after signing (its signature does not verify)\(unchecked)"))
                }
                strays.append(stem)
                continue
            }
            guard let manifest, manifest.format == EvidenceManifest.formatName else {
                problems.append(Problem(file: name, reason: "is signed but is not a \(EvidenceManifest.formatName) manifest"))
                strays.append(stem)
                continue
            }
            var verified: [String] = []
            for file in manifest.files {
                covered.formUnion([file.path, file.path + ".sig"])
                let filePath = "\(directory)/\(file.path)"
                guard names.contains(file.path) else {
                    problems.append(Problem(file: file.path, reason: "is missing (named by \(name))"))
                    continue
                }
                let (sha256, bytes) = try EvidenceManifest.hash(file: filePath)
                if sha256 != file.sha256 {
                    problems.append(Problem(file: file.path, reason: "was changed: SHA-256 \(sha256.prefix(16))… (\(bytes) bytes), the manifest says \(file.sha256.prefix(16))…\(file.bytes.map { " (\($0) bytes)" } ?? "")"))
                    continue
                }
                switch checkSignature(of: filePath, data: FileManager.default.contents(atPath: filePath) ?? Data(), key: key) {
                case .valid: verified.append(file.path)
                case .missing: problems.append(Problem(file: file.path, reason: "has no signature (\(file.path).sig is missing)"))
                case .invalid: problems.append(Problem(file: file.path + ".sig", reason: "does not verify \(file.path) with this key"))
                }
            }
            runs.append(Run(manifest: name, runId: manifest.runId, generatedAt: manifest.generatedAt, verified: verified))
        }
        // A file of a signed run that its manifest does not name was added (or renamed) later.
        var unsigned: [String] = []
        for name in names.sorted() where !covered.contains(name) && !name.hasPrefix(".") {
            if strays.contains(where: { name.hasPrefix($0 + ".") }) { continue }
            if stems.contains(where: { name.hasPrefix($0 + ".") }) {
                problems.append(Problem(file: name, reason: "belongs to a signed run but is not in its manifest (added after signing)"))
            } else {
                unsigned.append(name)
            }
        }
        return Outcome(runs: runs, problems: problems, unsigned: unsigned)
    }

    enum SignatureCheck { case valid, missing, invalid }

    static func checkSignature(of path: String, data: Data, key: Curve25519.Signing.PublicKey) -> SignatureCheck {
        guard let signature = FileManager.default.contents(atPath: path + ".sig") else { return .missing }
        return key.isValidSignature(signature, for: data) ? .valid : .invalid
    }
}
