/// Something the collector could not read or did not believe, carried inside the snapshot.
///
/// Why inside: a snapshot with a missing firmware string must say so wherever it travels (the
/// store, a report, another host's import), or an absent value reads like a clean one.
public struct CollectionWarning: Codable, Sendable, Hashable {
    /// What kind of trouble, so rules and reports can group warnings.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A file or attribute that should be there is not.
        case missing
        /// The file exists but could not be read (permission, I/O error).
        case unreadable
        /// The content does not have the expected form.
        case malformed
        /// A device disappeared between being listed and being read (VF removal mid-scan).
        case vanished
        /// A source disagrees with another (e.g. numvfs vs. the virtfn links).
        case inconsistent
        /// A whole source is unavailable (no netlink, no ethtool output in a capture...).
        case unavailable
    }

    public var kind: Kind
    /// The file, device or source concerned: a path, a BDF, or an interface name.
    public var subject: String
    public var message: String

    public init(_ kind: Kind, subject: String, message: String) {
        self.kind = kind
        self.subject = subject
        self.message = message
    }
}

extension CollectionWarning: CustomStringConvertible {
    public var description: String { "\(kind.rawValue): \(subject): \(message)" }
}
