import Foundation

extension FixtureBuilder {
    /// One listing of an ESXi host folder: the real output it is copied from (under
    /// `Tests/Fixtures/esxi/`), and the literal replacements a derived variant makes in it.
    public struct ESXiListing {
        public var fixture: String
        public var replacing: [(String, String)]

        public init(_ fixture: String, replacing: [(String, String)] = []) {
            self.fixture = fixture
            self.replacing = replacing
        }
    }

    /// A folder laid out as `contrib/esxi/collect.sh` writes it (file name → listing), with a
    /// `hostname` and `collected-at` file, built from the real outputs in a temporary folder.
    /// A replacement that does not occur in its file is an error: a derived variant says
    /// exactly what it changed, and a typo must not leave the real value in place unnoticed.
    public static func esxiHost(_ hostname: String, collectedAt: String = "2026-12-01T08:00:00Z",
                                _ listings: [String: ESXiListing]) throws -> String {
        let root = Fixtures.temporaryDirectory("esxi-\(hostname)")
        try write(root, "hostname", hostname + "\n")
        try write(root, "collected-at", collectedAt + "\n")
        for (name, listing) in listings {
            var text = try String(contentsOfFile: Fixtures.path("esxi/" + listing.fixture), encoding: .utf8)
            for (old, new) in listing.replacing {
                guard text.contains(old) else { throw BuildError(description: "\(listing.fixture) has no \"\(old)\" to replace") }
                text = text.replacingOccurrences(of: old, with: new)
            }
            try write(root, name, text)
        }
        return root
    }
}
