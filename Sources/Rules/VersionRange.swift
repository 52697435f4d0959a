import Inventory

/// A set of versions written the way operators write floors and windows: `>=22.36.1010`,
/// `>=4.20 <4.40`, `=0x800006f1`, `*`. Conditions are separated by blanks or commas and all must hold.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<", equal = "="
    }

    public struct Condition: Sendable, Hashable {
        public var op: Operator
        public var version: VendorVersion
    }

    public let text: String
    public let conditions: [Condition]

    public var description: String { text }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case badCondition(String)

        public var description: String {
            switch self {
            case .empty: "an empty version range (use \"*\" for any version)"
            case .badCondition(let c): "\"\(c)\" is not a version condition (>=, >, <=, < or = followed by a version)"
            }
        }
    }

    public init(_ text: String) throws {
        self.text = text
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !parts.isEmpty else { throw ParseError.empty }
        if parts == ["*"] {
            conditions = []
            return
        }
        var result: [Condition] = []
        var i = 0
        while i < parts.count {
            var part = parts[i]
            guard let op = Operator.allCases.first(where: { part.hasPrefix($0.rawValue) }) else {
                throw ParseError.badCondition(part)
            }
            part.removeFirst(op.rawValue.count)
            // NVM strings hold blanks: ">=4.20 0x80017785 1.3346.0" — a version word directly after
            // an operator swallows the following words that do not start a new condition.
            var words = part.isEmpty ? [] : [part]
            while i + 1 < parts.count, !Operator.allCases.contains(where: { parts[i + 1].hasPrefix($0.rawValue) }) {
                i += 1
                words.append(parts[i])
            }
            guard let version = VendorVersion(words.joined(separator: " ")) else { throw ParseError.badCondition(parts[i]) }
            result.append(Condition(op: op, version: version))
            i += 1
        }
        conditions = result
    }

    public enum Verdict: Sendable, Equatable {
        case inside, outside
        /// A condition could not be decided (an eetrack ID against a floor): a finding of its own.
        case undecidable(String)
    }

    public func contains(_ version: VendorVersion) -> Verdict {
        for c in conditions {
            guard let order = version.compare(c.version) else {
                return .undecidable("\(version.raw) cannot be ordered against \(c.version.raw)")
            }
            let holds: Bool = switch c.op {
            case .greaterOrEqual: order != .older
            case .greater: order == .newer
            case .lessOrEqual: order != .newer
            case .less: order == .older
            case .equal: order == .equal
            }
            if !holds { return .outside }
        }
        return .inside
    }
}
