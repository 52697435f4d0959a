/// The lexical pieces every version scheme is built from: dotted number runs, 32-bit hex words,
/// Broadcom's bootcode numbers. Kept apart from the schemes so that each scheme reads as the
/// format it parses.
extension VersionSchemes {
    /// The text of the leading number run.
    static func numberText(_ text: String, _ rest: String) -> String {
        String(text.prefix(text.count - rest.count))
    }

    /// The numbers of a word that is dotted numbers and nothing else.
    static func fullDotted(_ word: String) -> [Int]? {
        let (numbers, rest) = dotted(word)
        return rest.isEmpty ? numbers : nil
    }

    /// A bootcode version: `7.10.4`, `3.44a` (a letter after the last number counts as one
    /// more number, a = 1), tg3's `5751-v3.44a` (chip, then the version).
    static func bootcodeNumbers(_ word: String) -> [Int]? {
        var text = Substring(word)
        if let dash = text.firstIndex(of: "-"), text[..<dash].allSatisfy(\.isNumber) {
            text = text[text.index(after: dash)...]
            if text.first == "v" { text = text.dropFirst() }
        }
        let (numbers, rest) = dotted(String(text))
        guard let numbers else { return nil }
        if rest.isEmpty { return numbers }
        guard rest.count == 1, let letter = rest.first, letter.isASCII, letter.isLowercase, let ascii = letter.asciiValue else { return nil }
        return numbers + [Int(ascii) - 96]
    }

    /// The leading `N(.N)*` of `text` and what follows it.
    static func dotted(_ text: String) -> (numbers: [Int]?, rest: String) {
        var numbers: [Int] = []
        var current = ""
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c.isASCII, c.isNumber {
                current.append(c)
            } else if c == ".", !current.isEmpty {
                guard let n = Int(current) else { return (nil, text) }
                numbers.append(n)
                current = ""
            } else {
                break
            }
            index = text.index(after: index)
        }
        if !current.isEmpty {
            guard let n = Int(current) else { return (nil, text) }
            numbers.append(n)
        } else if !numbers.isEmpty {
            index = text.index(before: index)  // a trailing '.' belongs to the rest
        }
        return (numbers.isEmpty ? nil : numbers, String(text[index...]))
    }

    static func hex32(_ word: String) -> UInt32? {
        guard word.hasPrefix("0x") || word.hasPrefix("0X"), (3...10).contains(word.count) else { return nil }
        return UInt32(word.dropFirst(2), radix: 16)
    }
}

extension String {
    /// The string without blanks, for the igb scheme (the driver pads a minor number: `0. 4-1`).
    var replacingBlanks: String { String(filter { $0 != " " }) }
}
