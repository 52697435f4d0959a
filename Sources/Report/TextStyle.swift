import Rules

/// How terminal text is decorated: ANSI colours for a person at a terminal, nothing for a file, a
/// pipe, a report folder or anyone who set `NO_COLOR`. The CLI decides (`--color auto|always|never`);
/// renderers only apply it, so every file report stays plain.
public struct TextStyle: Sendable, Hashable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    /// No decoration: what every file and pipe gets.
    public static let plain = TextStyle(color: false)

    /// `PASS` green, `WARN` yellow, `FAIL` bold red.
    public func status(_ status: Finding.Status, _ text: String) -> String {
        switch status {
        case .pass: paint(text, "32")
        case .warn: paint(text, "33")
        case .fail: paint(text, "1;31")
        }
    }

    /// `[critical]` bold red, `[high]` red, `[medium]` yellow, `[low]` cyan, `[info]` dim.
    public func severity(_ severity: Severity, _ text: String) -> String {
        switch severity {
        case .critical: paint(text, "1;31")
        case .high: paint(text, "31")
        case .medium: paint(text, "33")
        case .low: paint(text, "36")
        case .info: paint(text, "2")
        }
    }

    /// A verdict line: green when good, bold red when not.
    public func verdict(_ good: Bool, _ text: String) -> String { paint(text, good ? "32" : "1;31") }

    /// Secondary text (hints).
    public func dim(_ text: String) -> String { paint(text, "2") }

    /// Bold (host names).
    public func bold(_ text: String) -> String { paint(text, "1") }

    private func paint(_ text: String, _ sgr: String) -> String {
        color ? "\u{1B}[\(sgr)m\(text)\u{1B}[0m" : text
    }
}
