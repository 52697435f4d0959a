import Inventory

/// A set of versions written the way operators write floors and windows: `>=22.36.1010`,
/// `>=4.20 <4.40`, `=0x800006f1`, `*`. Conditions are separated by blanks or commas and all must hold.
///
/// A bound is read in the scheme of the version it is held against (an Intel NVM bound as an
/// Intel NVM, an mlx5 bound with its major number as the device family), so a bound of another
/// family or device cannot be decided rather than silently ordered. With a `component`, only
/// that named part of a multi-part string is compared (`mfw` of `mfw 8.25.7.0 storm 8.20.0.0`).
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<", equal = "="
    }

    public struct Condition: Sendable, Hashable {
        public var op: Operator
        /// The bound as written: read again in the scheme of each version it is held against.
        public var bound: String
        /// The bound's numbers when it is plain dotted numbers (what a `component` range compares).
        public var numbers: [Int]?
    }

    public let text: String
    public let conditions: [Condition]
    /// The named part of a multi-part version the range applies to; nil for the whole version.
    public let component: String?

    public var description: String { component.map { "\(text) (\($0))" } ?? text }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case badCondition(String)
        /// A bound of a `component` range that is not plain dotted numbers.
        case notNumbers(bound: String, component: String)

        public var description: String {
            switch self {
            case .empty: "an empty version range (use \"*\" for any version)"
            case .badCondition(let c): "\"\(c)\" is not a version condition (>=, >, <=, < or = followed by a version)"
            case .notNumbers(let bound, let component): "the bound \"\(bound)\" of the `\(component)` part is not dotted numbers (e.g. 8.37)"
            }
        }
    }

    public init(_ text: String, component: String? = nil) throws(ParseError) {
        self.text = text
        self.component = component
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !parts.isEmpty else { throw .empty }
        if parts == ["*"] {
            conditions = []
            return
        }
        var result: [Condition] = []
        var i = 0
        while i < parts.count {
            var part = parts[i]
            guard let op = Operator.allCases.first(where: { part.hasPrefix($0.rawValue) }) else {
                throw .badCondition(part)
            }
            part.removeFirst(op.rawValue.count)
            // NVM strings hold blanks: ">=4.20 0x80017785 1.3346.0" — a version word directly after
            // an operator swallows the following words that do not start a new condition.
            var words = part.isEmpty ? [] : [part]
            while i + 1 < parts.count, !Operator.allCases.contains(where: { parts[i + 1].hasPrefix($0.rawValue) }) {
                i += 1
                words.append(parts[i])
            }
            let bound = words.joined(separator: " ")
            let generic = VendorVersion(bound)
            let numbers = generic.flatMap { $0.components.count == 1 ? $0.primaryNumbers : nil }
            if let component {
                guard numbers != nil else { throw .notNumbers(bound: bound, component: component) }
            } else {
                // A bound is valid when some vendor's scheme reads it (`nic-2.0.7` is an nfp
                // application, `bc 7.10.4` a Broadcom bootcode); which one applies is decided
                // against each version.
                let readable = generic != nil || VersionFamily.allCases.contains { VendorVersion(bound, family: $0, context: VersionContext()) != nil }
                guard readable else { throw .badCondition(op.rawValue + bound) }
            }
            result.append(Condition(op: op, bound: bound, numbers: numbers))
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
            let order: VendorVersion.Ordering
            if let component {
                // One named part against a bound written as plain numbers.
                guard let part = version.component(component) else { return .undecidable("\(version.raw) has no `\(component)` part") }
                guard let mine = part.numbers, let theirs = c.numbers else {
                    return .undecidable("the `\(component)` part \(part.text) of \(version.raw) cannot be ordered against \(c.bound)")
                }
                order = VendorVersion.compare(mine, theirs)
            } else {
                guard let bound = VendorVersion(c.bound, family: version.family, context: version.context) else {
                    return .undecidable("the bound \(c.bound) is not a \(version.family.rawValue) version (\(version.family.expectedFormat))")
                }
                guard let ordered = version.compare(bound) else {
                    return .undecidable(version.incomparability(bound) ?? "\(version.raw) cannot be ordered against \(bound.raw)")
                }
                order = ordered
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
