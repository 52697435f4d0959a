extension StringProtocol {
    /// Without leading and trailing characters from `set`.
    public func trimming(_ set: String) -> String {
        let characters = Set(set)
        return trimming(where: characters.contains)
    }

    /// Without leading and trailing characters for which `drop` is true.
    public func trimming(where drop: (Character) -> Bool) -> String {
        var view = Substring(self)
        while let first = view.first, drop(first) { view = view.dropFirst() }
        while let last = view.last, drop(last) { view = view.dropLast() }
        return String(view)
    }

    /// Without leading and trailing whitespace of any kind (a token file's CRLF, a header's padding).
    public var trimmingWhitespace: String { trimming(where: \.isWhitespace) }

    /// Without leading and trailing blanks (firmware and version strings are often padded).
    public var trimmingBlanks: String { trimming(" \t\n") }
}

extension String {
    /// `7` → `007`: fixed-width numbers in names that must sort as text.
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
