/// A driver or firmware version string as NIC drivers report it, parsed so that versions of the
/// same family can be ordered.
///
/// Why vendor-aware: `ethtool -i` strings are not semantic versions. ice/i40e report
/// `NVM eetrack combo` (`4.20 0x80017785 1.3346.0`), mlx5 appends the board PSID
/// (`22.36.1010 (MT_0000000359)`), bnxt reports firmware and package (`218.0.219.13/pkg 218.0.219.13`),
/// ixgbe often reports only an eetrack ID (`0x800006f1`), which has no order at all. Comparing them
/// as plain strings would call `4.9` newer than `4.20`; a string that cannot be parsed must be a
/// finding of its own, never "ok".
public struct VendorVersion: Sendable, Hashable, CustomStringConvertible {
    public enum Form: Sendable, Hashable {
        /// Dotted numbers, with an optional non-numeric remainder kept for display (`2.1.0`,
        /// `6.1.0-56-amd64`, `22.36.1010` with PSID `MT_0000000359`).
        case dotted([Int])
        /// Intel NVM image version, eetrack ID and combo (option ROM) version.
        case nvm(nvm: [Int], eetrack: UInt32, combo: [Int]?)
        /// Broadcom firmware and package versions: the package orders.
        case package(firmware: [Int], package: [Int])
        /// An eetrack ID alone: equal or not, never older or newer.
        case eetrack(UInt32)
    }

    public let raw: String
    public let form: Form
    /// What followed the version proper (mlx5's PSID, a kernel release's `-56-amd64`).
    public let qualifier: String?

    public var description: String { raw }

    /// Parses `text`; nil when it has no recognisable version in it.
    public init?(_ text: String) {
        let trimmed = text.trimmingBlanks
        guard !trimmed.isEmpty else { return nil }
        raw = trimmed
        let words = trimmed.split(separator: " ").map(String.init)
        // bnxt: "218.0.219.13/pkg 218.0.219.13"
        if words.count == 2, words[0].hasSuffix("/pkg"), let fw = Self.dotted(String(words[0].dropLast(4))).numbers,
           let pkg = Self.dotted(words[1]).numbers {
            form = .package(firmware: fw, package: pkg)
            qualifier = nil
            return
        }
        // ice / i40e: "4.20 0x80017785 1.3346.0" (combo optional)
        if words.count >= 2, let nvm = Self.dotted(words[0]).numbers, Self.dotted(words[0]).rest.isEmpty,
           let eetrack = Self.hex32(words[1]) {
            let combo = words.count >= 3 ? Self.dotted(words[2]).numbers : nil
            form = .nvm(nvm: nvm, eetrack: eetrack, combo: combo)
            qualifier = nil
            return
        }
        // ixgbe: "0x800006f1"; anything else that starts like hex is not a version.
        if words[0].hasPrefix("0x") || words[0].hasPrefix("0X") {
            guard words.count == 1, let eetrack = Self.hex32(words[0]) else { return nil }
            form = .eetrack(eetrack)
            qualifier = nil
            return
        }
        // Dotted, with whatever follows kept as qualifier: "22.36.1010 (MT_0000000359)", "6.1.0-56-amd64".
        let (numbers, rest) = Self.dotted(trimmed)
        guard let numbers else { return nil }
        form = .dotted(numbers)
        let q = rest.trimmingBlanks
        qualifier = q.isEmpty ? nil : q
    }

    /// The order of two versions, or nil when they cannot be ordered (different forms, or eetrack IDs).
    public func compare(_ other: VendorVersion) -> Ordering? {
        switch (form, other.form) {
        case (.dotted(let a), .dotted(let b)): return Self.compare(a, b)
        case (.nvm(let a, _, let ca), .nvm(let b, _, let cb)):
            let primary = Self.compare(a, b)
            if primary != .equal { return primary }
            guard let ca, let cb else { return .equal }
            return Self.compare(ca, cb)
        case (.package(_, let a), .package(_, let b)): return Self.compare(a, b)
        case (.eetrack(let a), .eetrack(let b)): return a == b ? .equal : nil
        // A bare dotted bound against an NVM string compares the NVM version ("4.20" vs "4.20 0x... 1.3346.0").
        case (.nvm(let a, _, _), .dotted(let b)), (.package(_, let a), .dotted(let b)): return Self.compare(a, b)
        case (.dotted(let a), .nvm(let b, _, _)), (.dotted(let a), .package(_, let b)): return Self.compare(a, b)
        default: return nil
        }
    }

    /// A text that sorts as the versions order, for SQL (`ORDER BY`, `<`, `GROUP BY`): the
    /// ordering numbers (dotted: all; NVM: the NVM version, then the combo; Broadcom: the
    /// package), ten digits each, trailing zero components dropped so that `4.2` and `4.2.0` get
    /// one key. Nil for an eetrack ID alone, which has no order. Keys of different forms compare
    /// as ``compare(_:)`` compares them across forms (by those numbers).
    public var sortKey: String? {
        func digits(_ numbers: [Int]) -> String {
            var trimmed = numbers
            while trimmed.last == 0 { trimmed.removeLast() }
            return trimmed.map { n in
                let text = String(max(0, n))
                return String(repeating: "0", count: max(0, 10 - text.count)) + text
            }.joined(separator: ".")
        }
        switch form {
        case .dotted(let numbers): return digits(numbers)
        case .nvm(let nvm, _, let combo): return digits(nvm) + (combo.map { " " + digits($0) } ?? "")
        case .package(_, let package): return digits(package)
        case .eetrack: return nil
        }
    }

    public enum Ordering: Sendable {
        case older, equal, newer
    }

    /// Component-wise, missing components count as 0 (`4.2` == `4.2.0`).
    static func compare(_ a: [Int], _ b: [Int]) -> Ordering {
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x < y { return .older }
            if x > y { return .newer }
        }
        return .equal
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
