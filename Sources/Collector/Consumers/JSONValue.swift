import Inventory
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON document as a plain value tree, for the configuration files of other systems whose
/// shape varies by version (a selector object or a list of them; `DeviceIDs` as a list or a map
/// by NUMA node) and whose keys Go matches without regard to case (`IsRdma`, `isRdma`).
public indirect enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members sorted by key (the decoder does not give document order; nothing read here needs it).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .number(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v): for (k, x) in v { hasher.combine(k); hasher.combine(x) }
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !list.isAtEnd { values.append(try list.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let n = try? single.decode(Double.self) { self = .number(n) }
        else { self = .string(try single.decode(String.self)) }
    }

    /// Parses `text` as strictly as Go's encoding/json (no trailing commas, no comments: a file
    /// the device plugin or the kubelet would refuse is refused here too); the error names the line.
    public static func parse(_ text: String) throws(ConsumerFileError) -> JSONValue {
        let bytes = Array(text.utf8)
        var strict = JSONReader(bytes)
        do {
            try strict.skipValue()
            try strict.end()
        } catch let failure as JSONReader.Failure {
            let line = 1 + bytes.prefix(min(failure.offset, bytes.count)).reduce(0) { $0 + ($1 == 0x0a ? 1 : 0) }
            throw ConsumerFileError(line: line, reason: "not valid JSON: \(failure.message)")
        } catch {
            throw ConsumerFileError(line: nil, reason: "not valid JSON: \(error)")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context):
                let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
                throw ConsumerFileError(line: nil, reason: "not valid JSON: \(detail)")
            default:
                throw ConsumerFileError(line: nil, reason: "not valid JSON: \(error)")
            }
        } catch {
            throw ConsumerFileError(line: nil, reason: "not valid JSON: \(error)")
        }
    }

    /// The member named `key`, matched as Go's encoding/json matches it: exactly first, then
    /// without regard to case.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        if let exact = members.first(where: { $0.0 == key }) { return exact.1 }
        let lower = key.lowercased()
        return members.first { $0.0.lowercased() == lower }?.1
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var members: [(String, JSONValue)]? { if case .object(let m) = self { m } else { nil } }
    public var int: Int? {
        guard case .number(let n) = self, n == n.rounded(), abs(n) < 1e15 else { return nil }
        return Int(n)
    }
    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// Why one file of another system could not be used, with the line when the format has lines.
public struct ConsumerFileError: Error, Equatable, CustomStringConvertible {
    public var line: Int?
    public var reason: String

    public init(line: Int?, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
}
