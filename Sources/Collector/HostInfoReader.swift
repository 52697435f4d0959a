import Inventory

/// Pure parsers for the host identity files of a capture (`uname -a`, `/proc/cmdline`, hostname).
public enum HostIdentity {
    /// `uname -a`: `Linux NODENAME RELEASE VERSION... MACHINE GNU/Linux`. The nodename is nil when
    /// the kernel never got one (`(none)`).
    public static func parseUname(_ text: String) -> (nodename: String?, release: String?)? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count >= 3, words[0] == "Linux" else { return nil }
        let node = String(words[1])
        return (node == "(none)" || node.isEmpty ? nil : node, String(words[2]))
    }

    /// A hostname as found in a file: first line, trimmed; nil when empty or `(none)`.
    public static func parseHostname(_ text: String) -> String? {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map {
            $0.trimming(" \t\r")
        }
        guard let line, !line.isEmpty, line != "(none)" else { return nil }
        return line
    }

    /// `/proc/cmdline` content without its trailing newline; the rest verbatim (the kernel keeps a
    /// trailing blank when the boot loader passed one).
    public static func parseCommandLine(_ text: String) -> String {
        text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
