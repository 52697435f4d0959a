import Foundation

/// Paths of the real captures in `Tests/Fixtures` and of temporary derived trees.
public enum Fixtures {
    /// `Tests/Fixtures`, found from this source file's location.
    public static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()  // TestSupport
        url.deleteLastPathComponent()  // Tests
        return url.appendingPathComponent("Fixtures").path
    }()

    /// The package root (where Package.swift is).
    public static let packageRoot: String = URL(fileURLWithPath: directory).deletingLastPathComponent().deletingLastPathComponent().path

    public static func path(_ relative: String) -> String { directory + "/" + relative }

    /// The QEMU capture stages: (capture, stage, path).
    public static var qemuStages: [(capture: String, stage: String, path: String)] {
        ["igb-nvme-netdevsim", "nvme-netdevsim"].flatMap { capture in
            ["before", "after"].map { (capture, $0, path("qemu/\(capture)/\($0)")) }
        }
    }

    /// A new empty directory under the system temp folder.
    public static func temporaryDirectory(_ label: String = "sriov-audit-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
