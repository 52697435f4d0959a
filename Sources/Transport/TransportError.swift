/// What went wrong delivering a payload, in words that never contain the token or a URL's
/// credentials.
public enum TransportError: Error, CustomStringConvertible, Sendable, Equatable {
    case badURL(url: String, reason: String)
    case tokenUnreadable(source: String, reason: String)
    case spool(path: String, reason: String)

    public var description: String {
        switch self {
        case .badURL(let url, let reason): "cannot push to \(url): \(reason)"
        case .tokenUnreadable(let source, let reason): "cannot read the token from \(source): \(reason)"
        case .spool(let path, let reason): "spool \(path): \(reason)"
        }
    }
}
