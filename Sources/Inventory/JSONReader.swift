#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A strict, allocation-light pull reader for JSON text.
///
/// Why not JSONDecoder: decoding a 64-VF snapshot through Codable spends most of its time in the
/// runtime's generic-metadata lookups (and their locks when several threads decode at once); a
/// fleet import decodes thousands. ``HostSnapshot/init(jsonBytes:)`` uses this reader instead, and
/// a test holds both decoders to the same result on every fixture.
public struct JSONReader {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var i = 0
    /// The key being read, for messages.
    private(set) var key = ""

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func fail(_ message: String) -> Failure {
        Failure(message: key.isEmpty ? message : "\(message) (in \"\(key)\")", offset: i)
    }

    private mutating func skipBlanks() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipBlanks()
        guard i < bytes.count, bytes[i] == c else {
            throw fail(i < bytes.count ? "expected '\(Character(Unicode.Scalar(c)))'" : "unexpected end of the document (truncated)")
        }
        i += 1
    }

    /// Consumes `null` if it is next.
    public mutating func consumeNull() -> Bool {
        skipBlanks()
        if i + 4 <= bytes.count, bytes[i] == 0x6e, bytes[i + 1] == 0x75, bytes[i + 2] == 0x6c, bytes[i + 3] == 0x6c {
            i += 4
            return true
        }
        return false
    }

    /// Reads an object, calling `body` for each key with the reader positioned at its value; the
    /// body must read or skip that value.
    public mutating func object(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(0x7b)
        skipBlanks()
        if i < bytes.count, bytes[i] == 0x7d { i += 1; return }
        while true {
            let name = try string()
            try expect(0x3a)
            let outer = key
            key = name
            try body(&self, name)
            key = outer
            skipBlanks()
            guard i < bytes.count else { throw fail("unexpected end of the document (truncated)") }
            if bytes[i] == 0x2c { i += 1; continue }
            if bytes[i] == 0x7d { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }

    public mutating func array(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(0x5b)
        skipBlanks()
        if i < bytes.count, bytes[i] == 0x5d { i += 1; return }
        while true {
            try body(&self)
            skipBlanks()
            guard i < bytes.count else { throw fail("unexpected end of the document (truncated)") }
            if bytes[i] == 0x2c { i += 1; continue }
            if bytes[i] == 0x5d { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    public mutating func array<T>(_ element: (inout JSONReader) throws -> T) throws -> [T] {
        var result: [T] = []
        try array { result.append(try element(&$0)) }
        return result
    }

    public mutating func string() throws -> String {
        try expect(0x22)
        let start = i
        // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
        var ascii = true
        while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x5c {
            let c = bytes[i]
            if c < 0x20 { throw fail("control character in a string") }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < bytes.count else { throw fail("unexpected end of the document (truncated)") }
        if bytes[i] == 0x22 {
            defer { i += 1 }
            if ascii {
                let end = i
                return bytes.withUnsafeBufferPointer { buffer in
                    String(unsafeUninitializedCapacity: end - start) { out in
                        _ = out.initialize(fromContentsOf: buffer[start..<end])
                        return end - start
                    }
                }
            }
            guard let s = String(validating: bytes[start..<i], as: UTF8.self) else { throw fail("string is not UTF-8") }
            return s
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not UTF-8") }
                return s
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != 0x5c { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case 0x22, 0x5c, 0x2f: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard i + 2 <= bytes.count, bytes[i] == 0x5c, bytes[i + 1] == 0x75 else { throw fail("lone surrogate in a string") }
                    i += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw fail("bad surrogate pair in a string") }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("bad escape in a string")
            }
        }
        throw fail("unexpected end of the document (truncated)")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x57)
            case 0x41...0x46: d = UInt32(c - 0x37)
            default: throw fail("bad \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// An integer; a fraction or exponent is an error (as for Codable's Int).
    public mutating func int() throws -> Int {
        skipBlanks()
        var negative = false
        if i < bytes.count, bytes[i] == 0x2d { negative = true; i += 1 }
        let start = i
        var value = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[i] - 0x30))
            if o1 || o2 { throw fail("number does not fit an integer") }
            value = a
            i += 1
        }
        guard i > start else { throw fail("expected a number") }
        if i < bytes.count, bytes[i] == 0x2e || bytes[i] == 0x65 || bytes[i] == 0x45 { throw fail("expected an integer") }
        return negative ? -value : value
    }

    public mutating func bool() throws -> Bool {
        skipBlanks()
        if i + 4 <= bytes.count, bytes[i] == 0x74, bytes[i + 1] == 0x72, bytes[i + 2] == 0x75, bytes[i + 3] == 0x65 { i += 4; return true }
        if i + 5 <= bytes.count, bytes[i] == 0x66, bytes[i + 1] == 0x61, bytes[i + 2] == 0x6c, bytes[i + 3] == 0x73, bytes[i + 4] == 0x65 { i += 5; return false }
        throw fail("expected true or false")
    }

    /// Skips any value (unknown keys are ignored, as Codable does).
    /// The next value's JSON text as written, consumed: for the small, rarely present parts of a
    /// document (a host's consumer view) that are decoded with `JSONDecoder`.
    public mutating func rawValue() throws -> ArraySlice<UInt8> {
        skipBlanks()
        let start = i
        try skipValue()
        return bytes[start..<i]
    }

    /// The next value decoded by `JSONDecoder` from its text; errors name the key being read.
    public mutating func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        let text = try rawValue()
        do {
            return try JSONDecoder().decode(T.self, from: Data(text))
        } catch {
            throw fail("not a valid \(T.self): \(error)")
        }
    }

    public mutating func skipValue() throws {
        skipBlanks()
        guard i < bytes.count else { throw fail("unexpected end of the document (truncated)") }
        switch bytes[i] {
        case 0x7b: try object { r, _ in try r.skipValue() }
        case 0x5b: try array { try $0.skipValue() }
        case 0x22: _ = try string()
        case 0x74, 0x66: _ = try bool()
        case 0x6e: if !consumeNull() { throw fail("unexpected value") }
        default:
            let start = i
            while i < bytes.count, let c = Optional(bytes[i]), (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45 { i += 1 }
            if i == start { throw fail("unexpected character") }
        }
    }

    /// After the top-level value: only blanks may follow.
    public mutating func end() throws {
        skipBlanks()
        if i != bytes.count { throw fail("unexpected text after the document") }
    }

    // Optional helpers: absent is handled by the caller, `null` reads as nil.
    public mutating func optionalString() throws -> String? { consumeNull() ? nil : try string() }
    public mutating func optionalInt() throws -> Int? { consumeNull() ? nil : try int() }
    public mutating func optionalBool() throws -> Bool? { consumeNull() ? nil : try bool() }
}
