/// A small, strict XML reader for the files libvirt writes: elements, attributes, text, comments,
/// CDATA, processing instructions, a skipped DOCTYPE and the predefined and numeric entities.
///
/// Why not FoundationXML: it links libxml2 and the whole of Foundation into the collector (and
/// doubles its memory); libvirt's files use a small, regular part of XML. Malformed input is an
/// error naming the line and column, never a partial tree.
public struct XMLElement: Sendable, Hashable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// The element's own text (character data between its children), trimmed.
    public var text: String
    /// Where the start tag is (1-based).
    public var line: Int

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The local part of the name (`nova:instance` → `instance`).
    public var localName: String { name.split(separator: ":").last.map(String.init) ?? name }
}

public struct XMLError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "\(line):\(column): \(reason)" }
}

public enum XMLReader {
    /// The document's root element.
    public static func parse(_ text: String) throws(XMLError) -> XMLElement {
        var p = Parser(bytes: Array(text.utf8))
        return try p.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ reason: String) -> XMLError { XMLError(line: line, column: i - lineStart + 1, reason: reason) }

        var atEnd: Bool { i >= bytes.count }
        /// Whether the text at the cursor starts with `s` (compared byte by byte, no copies: it
        /// runs for every character of a document).
        func peek(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            return s.withUTF8Buffer { literal in
                for k in 0..<n where bytes[i + k] != literal[k] { return false }
                return true
            }
        }

        mutating func advance(_ n: Int = 1) {
            for _ in 0..<n where i < bytes.count {
                if bytes[i] == 0x0a { line += 1; lineStart = i + 1 }
                i += 1
            }
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d }

        mutating func skipSpace() { while !atEnd, Self.isSpace(bytes[i]) { advance() } }

        mutating func skip(until end: StaticString, what: String) throws(XMLError) {
            while !atEnd && !peek(end) { advance() }
            guard !atEnd else { throw fail("unterminated \(what)") }
            advance(end.utf8CodeUnitCount)
        }

        /// Comments, processing instructions and the DOCTYPE before or after the root.
        mutating func misc() throws(XMLError) {
            while true {
                skipSpace()
                if peek("<?") { try skip(until: "?>", what: "processing instruction") }
                else if peek("<!--") { try skip(until: "-->", what: "comment") }
                else if peek("<!DOCTYPE") { try skip(until: ">", what: "DOCTYPE") }
                else { return }
            }
        }

        mutating func document() throws(XMLError) -> XMLElement {
            if peek("\u{FEFF}") { advance(3) }
            try misc()
            guard peek("<") else { throw fail(atEnd ? "empty document" : "text before the root element") }
            let root = try element()
            try misc()
            guard atEnd else { throw fail("content after the root element") }
            return root
        }

        mutating func name() throws(XMLError) -> String {
            let start = i
            while !atEnd {
                let b = bytes[i]
                if Self.isSpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") || b == UInt8(ascii: "=") || b == UInt8(ascii: "<")
                    || b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") { break }
                advance()
            }
            guard i > start else { throw fail("a name was expected") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func element() throws(XMLError) -> XMLElement {
            let startLine = line
            advance()  // <
            let tag = try name()
            var attributes: [String: String] = [:]
            while true {
                skipSpace()
                guard !atEnd else { throw fail("unterminated start tag <\(tag)>") }
                if peek("/>") {
                    advance(2)
                    return XMLElement(name: tag, attributes: attributes, children: [], text: "", line: startLine)
                }
                if peek(">") { advance(); break }
                let attribute = try name()
                skipSpace()
                guard peek("=") else { throw fail("attribute \(attribute) of <\(tag)> has no value") }
                advance()
                skipSpace()
                guard !atEnd, bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\"") else {
                    throw fail("the value of \(attribute) must be quoted")
                }
                let quote = bytes[i]
                advance()
                let start = i
                while !atEnd && bytes[i] != quote {
                    guard bytes[i] != UInt8(ascii: "<") else { throw fail("'<' in the value of \(attribute)") }
                    advance()
                }
                guard !atEnd else { throw fail("unterminated value of \(attribute)") }
                guard attributes[attribute] == nil else { throw fail("attribute \(attribute) repeated in <\(tag)>") }
                attributes[attribute] = try decodeEntities(bytes[start..<i])
                advance()
            }
            var children: [XMLElement] = []
            var text: [UInt8] = []
            while true {
                guard !atEnd else { throw fail("<\(tag)> (line \(startLine)) is never closed") }
                if peek("</") {
                    advance(2)
                    let end = try name()
                    guard end == tag else { throw fail("</\(end)> closes <\(tag)> (line \(startLine))") }
                    skipSpace()
                    guard peek(">") else { throw fail("malformed end tag </\(end)") }
                    advance()
                    let value = try decodeEntities(text[...])
                    return XMLElement(name: tag, attributes: attributes, children: children,
                                      text: value.trimmingWhitespace, line: startLine)
                } else if peek("<!--") {
                    try skip(until: "-->", what: "comment")
                } else if peek("<![CDATA[") {
                    advance(9)
                    let start = i
                    while !atEnd && !peek("]]>") { advance() }
                    guard !atEnd else { throw fail("unterminated CDATA section") }
                    text += Array(bytes[start..<i]).map { $0 == UInt8(ascii: "&") ? 0x1a : $0 }  // no entities in CDATA
                    advance(3)
                } else if peek("<?") {
                    try skip(until: "?>", what: "processing instruction")
                } else if peek("<") {
                    children.append(try element())
                } else {
                    text.append(bytes[i])
                    advance()
                }
            }
        }

        func decodeEntities(_ raw: ArraySlice<UInt8>) throws(XMLError) -> String {
            guard raw.contains(UInt8(ascii: "&")) || raw.contains(0x1a) else { return String(decoding: raw, as: UTF8.self) }
            var out: [UInt8] = []
            var k = raw.startIndex
            while k < raw.endIndex {
                let byte = raw[k]
                if byte == 0x1a { out.append(UInt8(ascii: "&")); k += 1; continue }
                guard byte == UInt8(ascii: "&") else { out.append(byte); k += 1; continue }
                guard let semi = raw[k...].firstIndex(of: UInt8(ascii: ";")), semi - k <= 10 else { throw fail("'&' that starts no entity") }
                let entity = String(decoding: raw[(k + 1)..<semi], as: UTF8.self)
                switch entity {
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "amp": out.append(UInt8(ascii: "&"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    let scalar: UInt32? = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                        : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                    guard let scalar, let u = Unicode.Scalar(scalar) else { throw fail("unknown entity &\(entity);") }
                    out += Array(String(Character(u)).utf8)
                }
                k = semi + 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
