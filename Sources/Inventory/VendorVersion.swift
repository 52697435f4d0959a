/// A driver or firmware version string read the way its vendor means it, so that versions of
/// the same family and device can be ordered and every other pair is *incomparable*.
///
/// Why vendor-aware: `ethtool -i` strings are not semantic versions. ice/i40e report
/// `NVM eetrack combo` (`4.20 0x80017785 1.3346.0`), mlx5 appends the board PSID and its major
/// number names the device family (`14.31.2006` is not older than `16.27.1016`), bnxt reports
/// firmware and package (`218.0.219.13/pkg 218.0.219.13`), ixgbe often only an eetrack ID, which
/// has no order at all. Comparing them as plain strings would call `4.9` newer than `4.20`; a
/// string that cannot be parsed must be a finding of its own, never "ok".
///
/// A version is a list of named ``Component``s (`nvm`, `eetrack`, `combo`, `pkg`, `bc`, `mfw`…);
/// its family says which of them order it (most significant first) and which only identify it
/// (an eetrack ID, an sfc datapath variant): two versions whose ordering parts are equal but
/// whose identifying parts differ are different images of unknown order, not equal.
public struct VendorVersion: Sendable, Hashable, CustomStringConvertible {
    /// One named part of a version string.
    public struct Component: Sendable, Hashable {
        public var name: String
        /// The part's numbers when it orders (`[4, 20]`); nil for identifying text (`0x80017785`).
        public var numbers: [Int]?
        /// The part as written.
        public var text: String

        public init(_ name: String, numbers: [Int]?, text: String) {
            self.name = name
            self.numbers = numbers
            self.text = text
        }
    }

    /// The string as reported, blanks trimmed and runs of blanks made one (drivers pad).
    public let raw: String
    public let family: VersionFamily
    public let context: VersionContext
    public let components: [Component]
    /// The names of the components that order the version, most significant first.
    public let ordering: [String]
    /// The names of the components that identify it without ordering it.
    public let identifying: [String]
    /// What must be equal for two versions to be ordered at all (an mlx major, a device), or nil.
    public let line: String?

    public var description: String { raw }

    /// Reads `text` in the generic scheme (any driver): nil when it holds no recognisable version.
    public init?(_ text: String) {
        self.init(text, family: .generic, context: VersionContext())
    }

    /// Reads `text` in `family`'s scheme; nil when the string is not of that form.
    public init?(_ text: String, family: VersionFamily, context: VersionContext) {
        guard let normal = Self.reported(text),
              let parsed = VersionSchemes.parse(normal, family: family, context: context) else { return nil }
        raw = normal
        self.family = family
        self.context = context
        components = parsed.components
        ordering = parsed.ordering
        identifying = parsed.identifying
        line = parsed.line
    }

    /// A PF's firmware version, read in the scheme of its driver's family.
    public static func firmware(_ text: String, _ context: VersionContext) -> VendorVersion? {
        VendorVersion(text, family: .firmware(driver: context.driver), context: context)
    }

    /// A PF's driver version: the kernel release for an in-tree driver, else the driver's own
    /// dotted numbering (versions of two drivers never order).
    public static func driver(_ text: String, _ context: VersionContext) -> VendorVersion? {
        VendorVersion(text, family: VersionSchemes.isKernelRelease(text, context) ? .kernel : .generic,
                      context: VersionContext(driver: context.driver, kernelRelease: context.kernelRelease))
    }

    /// The version text as the fleet groups it: blanks trimmed, runs of blanks made one; nil when
    /// nothing was reported (empty, or `N/A` as iavf and others write it).
    public static func reported(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard !words.isEmpty else { return nil }
        let joined = words.joined(separator: " ")
        if ["n/a", "na", "none", "unknown"].contains(joined.lowercased()) { return nil }
        return joined
    }

    public func component(_ name: String) -> Component? {
        components.first { $0.name == name }
    }

    /// The numbers of the most significant ordering component (for display and bounds).
    public var primaryNumbers: [Int]? {
        ordering.first.flatMap { component($0)?.numbers }
    }

    public enum Ordering: Sendable {
        case older, equal, newer
    }

    /// The order of two versions; nil when they cannot be ordered: other families, other lines
    /// (devices, mlx majors, nfp applications), no ordering part (an eetrack ID alone), or equal
    /// ordering parts but different identifying parts. With `component`, only that named part
    /// is compared (`mfw` of `mfw 8.25.7.0 storm 8.20.0.0`).
    public func compare(_ other: VendorVersion, component name: String? = nil) -> Ordering? {
        incomparability(other, component: name) == nil ? order(other, component: name) : nil
    }

    /// Why two versions cannot be ordered, in words; nil when they can.
    public func incomparability(_ other: VendorVersion, component name: String? = nil) -> String? {
        if family != other.family { return "\(raw) (\(family.rawValue)) and \(other.raw) (\(other.family.rawValue)) are versions of different families" }
        if let a = line, let b = other.line, a != b { return "\(raw) and \(other.raw) belong to different lines (\(a) vs \(b))" }
        if let name {
            guard component(name)?.numbers != nil, other.component(name)?.numbers != nil else {
                return "\(raw) and \(other.raw) do not both carry an ordered `\(name)` part"
            }
            return nil
        }
        guard order(other, component: nil) == nil else { return nil }
        for version in [self, other] where version.primaryNumbers == nil {
            guard let name = version.ordering.first else { break }
            if let part = version.component(name) {
                return "the `\(name)` part of \(version.raw) (\(part.text)) has no order"
            }
            return "\(version.raw) has no `\(name)` part to order by (only \(version.components.map(\.name).joined(separator: ", ")))"
        }
        let differing = identifying.filter { name in
            guard let a = component(name)?.text, let b = other.component(name)?.text else { return false }
            return a.lowercased() != b.lowercased()
        }
        return "\(raw) and \(other.raw) are different images with no order (different \(differing.joined(separator: ", ")))"
    }

    private func order(_ other: VendorVersion, component name: String?) -> Ordering? {
        if let name {
            guard let a = component(name)?.numbers, let b = other.component(name)?.numbers else { return nil }
            return Self.compare(a, b)
        }
        var compared = 0
        for part in ordering {
            guard let a = component(part)?.numbers, let b = other.component(part)?.numbers else { break }
            let result = Self.compare(a, b)
            if result != .equal { return result }
            compared += 1
        }
        // Equal as far as both go: what identifies the image must agree where both say it.
        var identified = 0
        for part in identifying {
            guard let a = component(part)?.text, let b = other.component(part)?.text else { continue }
            if a.lowercased() != b.lowercased() { return nil }
            identified += 1
        }
        return compared > 0 || identified > 0 ? .equal : nil
    }

    /// A text that sorts as the versions order within one family and line, for SQL (`ORDER
    /// BY`, `GROUP BY`): the family and line, then each ordering part's numbers. Trailing zero
    /// numbers are dropped so that `4.2` and `4.2.0` get one key; each number is written as ten
    /// digits after a mark that sorts a negative number (`-rc7`'s build) below the end of a part
    /// (`.`) and a positive one above it, as `compare(_:_:)` orders them. Nil
    /// when the version has no ordering part.
    public var sortKey: String? {
        func digits(_ numbers: [Int]) -> String {
            var trimmed = numbers
            while trimmed.last == 0 { trimmed.removeLast() }
            return trimmed.map { n in
                let text = String(n < 0 ? 1_000_000_000 + n : n)
                return (n < 0 ? "-" : "/") + String(repeating: "0", count: max(0, 10 - text.count)) + text
            }.joined() + "."
        }
        let parts = ordering.prefix { component($0)?.numbers != nil }.compactMap { component($0)?.numbers }
        guard !parts.isEmpty else { return nil }
        return "\(family.rawValue)/\(line ?? ""):" + parts.map(digits).joined(separator: " ")
    }

    /// Component-wise, missing components count as 0 (`4.2` == `4.2.0`).
    public static func compare(_ a: [Int], _ b: [Int]) -> Ordering {
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x < y { return .older }
            if x > y { return .newer }
        }
        return .equal
    }
}
