#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A streaming JSON writer that prints what Foundation's `JSONEncoder` prints with
/// `.sortedKeys` and `.withoutEscapingSlashes` (pretty: two-space indent, `"key" : value`, an
/// empty container as `[` newline newline indent `]`; compact: no spaces at all), byte for byte.
///
/// Why by hand: the snapshot and the audit report are the documents every push, import and report
/// carries, and the generic encoder built the whole value tree and the whole document in memory
/// (a third of `collect --format json`'s time and 10 MB on a 1,024-VF host). The caller writes
/// keys in byte order, as `.sortedKeys` would sort them; the output goes to `sink` in chunks of
/// about 64 KiB, so the document is never held whole.
public struct JSONTextWriter {
    private var buffer: [UInt8] = []
    private let pretty: Bool
    private let sink: ([UInt8]) -> Void
    /// One entry per open container: has it had an element yet.
    private var hasElement: [Bool] = []

    public init(pretty: Bool, sink: @escaping ([UInt8]) -> Void) {
        self.pretty = pretty
        self.sink = sink
        buffer.reserveCapacity(1 << 16 + 4096)
    }

    // MARK: containers

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member of the open object: the separator, indentation and `"key" : `.
    public mutating func key(_ name: String) {
        separate()
        Self.appendString(name, to: &buffer)
        if pretty {
            buffer.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
        } else {
            buffer.append(UInt8(ascii: ":"))
        }
    }

    /// Starts an element of the open array.
    public mutating func element() { separate() }

    // MARK: values

    public mutating func string(_ value: String) { Self.appendString(value, to: &buffer) }
    public mutating func int(_ value: Int) { buffer.append(contentsOf: String(value).utf8) }
    public mutating func bool(_ value: Bool) { buffer.append(contentsOf: (value ? "true" : "false").utf8) }

    /// Members whose value is absent are left out, as the synthesised `Encodable` leaves them out.
    public mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    public mutating func member(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    public mutating func member(_ name: String, strings: [String]?) {
        guard let strings else { return }
        key(name)
        beginArray()
        for value in strings {
            element()
            string(value)
        }
        endArray()
    }

    /// A member whose value is written by `JSONEncoder` (with the same options) and spliced in at
    /// the current depth: for small, rarely present parts (a host's consumer inventory) that are
    /// not worth a writer of their own. Absent values are left out.
    public mutating func member<T: Encodable>(_ name: String, encodable value: T?) {
        guard let value else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        key(name)
        guard pretty else {
            buffer.append(contentsOf: data)
            return
        }
        // Every line after the first moves right by the depth of this member; the empty line of an
        // empty container stays empty, as JSONEncoder prints it.
        var lineStart = false
        for byte in data {
            if lineStart && byte != 0x0a { indent() }
            lineStart = byte == 0x0a
            buffer.append(byte)
        }
    }

    /// Ends the document (with a newline when it is a file of its own) and hands the rest to the sink.
    public mutating func finish(newline: Bool) {
        if newline { buffer.append(0x0a) }
        flush()
    }

    // MARK: layout

    private mutating func open(_ bracket: UInt8) {
        buffer.append(bracket)
        hasElement.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        let empty = !(hasElement.removeLast())
        if pretty {
            // JSONEncoder's empty container: the bracket, an empty line, the closing bracket.
            buffer.append(contentsOf: empty ? [0x0a, 0x0a] : [0x0a])
            indent()
        }
        buffer.append(bracket)
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func separate() {
        let first = !(hasElement.last ?? true)
        if !hasElement.isEmpty { hasElement[hasElement.count - 1] = true }
        if !first { buffer.append(UInt8(ascii: ",")) }
        if pretty {
            buffer.append(0x0a)
            indent()
        }
    }

    private mutating func indent() {
        for _ in 0..<hasElement.count { buffer.append(contentsOf: [0x20, 0x20]) }
    }

    private mutating func flush() {
        guard !buffer.isEmpty else { return }
        sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: strings

    /// A JSON string literal with `JSONEncoder`'s escapes: quote, backslash, the short forms of
    /// \b \f \n \r \t, other control characters as \u00XX; everything else (slashes included) as it is.
    public static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                out.append(byte)
                continue
            }
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0c: out.append(UInt8(ascii: "f"))
            case 0x0a: out.append(UInt8(ascii: "n"))
            case 0x0d: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The same literal appended to a `String` (the audit report's hand-written findings). Most
    /// strings need no escape and are appended as they are.
    public static func appendString(_ value: String, to out: inout String) {
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += value
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 8)
        appendString(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }
}
