import Foundation
import TestSupport
import XCTest

/// Proof that collection never opens anything under the sysfs root (or /proc) for writing: the CLI
/// runs under strace and every file-system call that could write is checked.
final class ReadOnlyTests: XCTestCase {
    private let writingCalls = "open,openat,openat2,creat,truncate,mkdir,mkdirat,unlink,unlinkat,rmdir,rename,renameat,renameat2,symlink,symlinkat,link,linkat,chmod,fchmodat,chown,fchownat,mknod,mknodat,setxattr,lsetxattr"

    private func trace(_ arguments: [String]) throws -> [String] {
        try XCTSkipUnless(toolExists("strace"), "SKIPPED: strace is not installed")
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/trace"
        // -y prints the path behind every descriptor, so openat(dirfd, "name") shows its directory.
        let result = try shell("strace", ["-f", "-qq", "-y", "-e", "trace=\(writingCalls)", "-o", log, CLI.binary] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return (Fixtures.read(log) ?? "").split(separator: "\n").map(String.init)
    }

    /// Lines that write, or open for writing, a path under one of `roots`. A symlink's first
    /// argument is the link's content, not a path that is written, so it is left out.
    private func writes(_ lines: [String], under roots: [String]) -> [String] {
        lines.filter { line in
            var paths = line.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            // Descriptor paths from -y: `openat(5</sys/devices/...>, "vendor", ...)`.
            let descriptors = line.split(separator: "<").dropFirst().compactMap { $0.split(separator: ">").first.map(String.init) }
            let call = line.drop { $0.isNumber || $0 == " " }.prefix { $0 != "(" }
            if call.hasPrefix("symlink"), !paths.isEmpty { paths.removeFirst() }
            let touched = paths + (call.hasSuffix("at") ? Array(descriptors.prefix(1)) : [])  // the *at() directory
            guard touched.contains(where: { path in roots.contains { path == $0 || path.hasPrefix($0 + "/") } }) else { return false }
            if call.hasPrefix("open") || call == "creat" {
                return call == "creat" || line.contains("O_WRONLY") || line.contains("O_RDWR") || line.contains("O_CREAT") || line.contains("O_TRUNC")
            }
            return true  // mkdir, unlink, rename, symlink...: any attempt counts, failed or not
        }
    }

    private func assertNoWrites(_ lines: [String], under roots: [String], file: StaticString = #filePath, line: UInt = #line) {
        let found = writes(lines, under: roots)
        XCTAssertTrue(found.isEmpty, "\(found.count) writing calls, first: \(found.prefix(3))", file: file, line: line)
    }

    func testCollectingACaptureWritesNothingUnderIt() throws {
        let root = try FixtureBuilder.withRealLinks(Fixtures.path("qemu/igb-nvme-netdevsim/after"))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = try trace(["collect", "--format", "json", "--root", root])
        // The trace sees the reads: libpci opened the config space of all 20 functions, read-only.
        let configOpens = lines.filter { $0.contains(root) && $0.contains("/config\"") && $0.contains("O_RDONLY") }
        let devices = configOpens.compactMap { line in
            line.range(of: "devices/[0-9a-f:.]+/config", options: .regularExpression).map { String(line[$0]) }
        }
        XCTAssertEqual(Set(devices).count, 20)
        XCTAssertGreaterThan(lines.filter { $0.contains(root) }.count, 200)
        assertNoWrites(lines, under: [root])
    }

    func testCollectingAFlattenedCaptureWritesOnlyItsPrivateMirror() throws {
        let root = Fixtures.path("qemu/igb-nvme-netdevsim/after")
        let lines = try trace(["collect", "--format", "json", "--root", root])
        assertNoWrites(lines, under: [root, Fixtures.directory])
        XCTAssertTrue(lines.contains { $0.contains("/tmp/sriov-audit-capture.") && $0.contains("symlink") }, "the mirror is built in /tmp")
    }

    func testLiveCollectionWritesNothingUnderSysOrProc() throws {
        let lines = try trace(["collect", "--format", "json"])
        XCTAssertGreaterThan(lines.filter { $0.contains("\"/sys/") }.count, 10)
        assertNoWrites(lines, under: ["/sys", "/proc"])
    }

    /// The detector itself: `capture` does write into its output folder, and the trace shows it.
    func testTheDetectorSeesWrites() throws {
        let dir = Fixtures.temporaryDirectory() + "/out"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let lines = try trace(["capture", dir])
        XCTAssertGreaterThan(writes(lines, under: [dir]).count, 50)
        assertNoWrites(lines, under: ["/sys", "/proc"])
    }
}
