import Foundation

/// Derives test trees from the real captures, in temporary folders; the captures themselves are
/// never modified.
public enum FixtureBuilder {
    /// A ghw snapshot tarball unpacked into capture layout (`ROOT/sysfs/sys/...`), with no `cmd/`.
    public static func ghwCapture(_ tarball: String) throws -> String {
        let root = Fixtures.temporaryDirectory("ghw")
        let sysfs = root + "/sysfs"
        try FileManager.default.createDirectory(atPath: sysfs, withIntermediateDirectories: true)
        let result = try shell("tar", ["-xzf", Fixtures.path("ghw/\(tarball)"), "-C", sysfs])
        guard result.status == 0 else { throw BuildError(description: "tar failed: \(result.stderr)") }
        return root
    }

    /// A copy of a capture without its raw netlink dump, so that interfaces and VF tables come
    /// from `ip -d -j link` alone (as in captures made by other tools, or before the dump existed).
    public static func ipLinkOnly(_ capture: String) throws -> String {
        let root = Fixtures.temporaryDirectory("ip-only")
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.copyItem(atPath: capture, toPath: root)
        try FileManager.default.removeItem(atPath: root + "/cmd/rtnetlink-getlink.bin")
        return root
    }

    /// A copy of a capture stage in which every symlink that was stored as a file holding its
    /// target is a real symlink again, as `sriov-audit capture` and the QEMU harness made it.
    public static func withRealLinks(_ stage: String) throws -> String {
        let root = Fixtures.temporaryDirectory("links")
        try copyRestoringLinks(from: stage, to: root)
        return root
    }

    public static func copyRestoringLinks(from source: String, to destination: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source) {
            let from = source + "/" + name
            let to = destination + "/" + name
            let attributes = try fm.attributesOfItem(atPath: from)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try copyRestoringLinks(from: from, to: to)
            case .typeSymbolicLink?:
                try fm.createSymbolicLink(atPath: to, withDestinationPath: try fm.destinationOfSymbolicLink(atPath: from))
            case .typeRegular?:
                let data = fm.contents(atPath: from) ?? Data()
                if data.count < 1024, data.starts(with: Array("../".utf8)), !data.contains(0x0a) {
                    try fm.createSymbolicLink(atPath: to, withDestinationPath: String(decoding: data, as: UTF8.self))
                } else {
                    fm.createFile(atPath: to, contents: data)
                }
            default:
                continue
            }
        }
    }

    // MARK: editing a derived tree

    public static func write(_ root: String, _ relative: String, _ content: String) throws {
        let path = root + "/" + relative
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(content.utf8)) else {
            throw BuildError(description: "cannot write \(path)")
        }
    }

    public static func remove(_ root: String, _ relative: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relative)
    }

    public static func link(_ root: String, _ relative: String, to target: String) throws {
        let path = root + "/" + relative
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    /// The device directory (relative to the capture root) that `bus/pci/devices/BDF` points to.
    public static func deviceDirectory(_ root: String, _ bdf: String) throws -> String {
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: root + "/sysfs/sys/bus/pci/devices/" + bdf)
        return "sysfs/sys/" + target.replacingOccurrences(of: "../../../", with: "")
    }

    public struct BuildError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }
}
