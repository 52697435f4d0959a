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

/// An Ed25519 key pair in the PEM forms OpenSSL writes and reads (RFC 8410): the private key as
/// PKCS#8 `PRIVATE KEY`, the public key as SubjectPublicKeyInfo `PUBLIC KEY`. So an auditor can
/// check a report with `openssl pkeyutl -verify -rawin` and no sriov-audit at hand, and a key
/// made by `openssl genpkey -algorithm ed25519` signs reports here.
///
/// Key material never appears in messages: errors name the file and what is wrong with it.
public enum SigningKey {
    /// What is wrong with a key file, by path; never its content.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    // The DER around the 32 key bytes: fixed for Ed25519 (RFC 8410 §7 and §4).
    static let privatePrefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// A new key pair's PEM texts.
    public static func generate() -> (privatePEM: String, publicPEM: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (pem("PRIVATE KEY", privatePrefix + Array(key.rawRepresentation)),
                pem("PUBLIC KEY", publicPrefix + Array(key.publicKey.rawRepresentation)))
    }

    /// The public key's PEM for a private key file's key (what `keygen` would have written beside it).
    public static func publicPEM(of key: Curve25519.Signing.PrivateKey) -> String {
        pem("PUBLIC KEY", publicPrefix + Array(key.publicKey.rawRepresentation))
    }

    /// Reads a private key file; refuses one that others may read, as ssh does.
    public static func loadPrivate(_ path: String) throws(Failure) -> Curve25519.Signing.PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(path: path, reason: "cannot read the signing key: \(String(cString: strerror(errno)))") }
        if info.st_mode & 0o077 != 0 {
            throw Failure(path: path, reason: "the signing key may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let der = try derBody(path, label: "PRIVATE KEY")
        guard der.count == privatePrefix.count + 32, Array(der.prefix(privatePrefix.count)) == privatePrefix,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
            throw Failure(path: path, reason: "not an Ed25519 private key (PKCS#8 PEM, as `sriov-audit keygen` or `openssl genpkey -algorithm ed25519` write)")
        }
        return key
    }

    public static func loadPublic(_ path: String) throws(Failure) -> Curve25519.Signing.PublicKey {
        let der = try derBody(path, label: "PUBLIC KEY")
        guard der.count == publicPrefix.count + 32, Array(der.prefix(publicPrefix.count)) == publicPrefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw Failure(path: path, reason: "not an Ed25519 public key (SubjectPublicKeyInfo PEM, as `sriov-audit keygen` or `openssl pkey -pubout` write)")
        }
        return key
    }

    /// The key's identity in manifests: SHA-256 of its 32 raw bytes, hex.
    public static func keyID(_ key: Curve25519.Signing.PublicKey) -> String {
        Inventory.SHA256.hexString(Array(Crypto.SHA256.hash(data: key.rawRepresentation)))
    }

    static func pem(_ label: String, _ der: [UInt8]) -> String {
        let text = Data(der).base64EncodedString()
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    private static func derBody(_ path: String, label: String) throws(Failure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(path: path, reason: "cannot read the key file")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let begin = text.firstRange(of: "-----BEGIN \(label)-----"),
              let end = text[begin.upperBound...].firstRange(of: "-----END \(label)-----") else {
            throw Failure(path: path, reason: "no `-----BEGIN \(label)-----` block (an Ed25519 key in PEM is expected)")
        }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)) else { throw Failure(path: path, reason: "the PEM block is not base64") }
        return Array(der)
    }

    /// Writes a new file with mode `mode`, refusing to replace one (a key is never overwritten).
    public static func create(_ path: String, _ text: String, mode: mode_t) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw Failure(path: path, reason: errno == EEXIST ? "exists already; a key is never overwritten (remove it first)" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw Failure(path: path, reason: "cannot write: \(String(cString: strerror(errno)))") }
        _ = fchmod(fd, mode)  // the umask may have cleared bits of a public key's 0644; never adds any to 0600
    }
}
