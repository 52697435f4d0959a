import Foundation
import Inventory
import TestSupport
import XCTest

/// contrib/esxi/collect.sh under busybox's sh (ESXi's shell), with `esxcli` and `vmware`
/// replaced by scripts that replay real recorded outputs (`Tests/Fixtures/esxi/`) and
/// log every call: it saves what `import-esxi` reads, runs only listing commands, notes the
/// commands that fail, and streams a tarball over standard input/output as over SSH.
final class ESXiCollectScriptTests: XCTestCase {
    private var cleanup: [String] = []

    override func tearDown() {
        for path in cleanup { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A bin folder whose `esxcli` answers from recorded outputs: XML where a recording of the
    /// XML form is published (nic list, nic get of vmnic0, vm process list), the text form
    /// otherwise (sriovnic lists, hardware pci list), which the import reads as well. The
    /// sriovnic list is the Cisco guide's, moved to the warlock host's vmnic0 (0000:18:00.0) so
    /// the recordings describe one host; `nic get` of any other uplink fails as esxcli does.
    private func fakeHost() throws -> (bin: String, log: String) {
        let replies = try FixtureBuilder.esxiHost("replies", [
            "nic-list": .init("warlock-nic-list.xml"),
            "sriovnic-list": .init("cisco-vic-sriovnic-list.txt", replacing: [("0000:1b:00.0  nenic", "0000:18:00.0  ixgben")]),
            "vf-list": .init("cisco-vic-sriovnic-vf-list-vmnic0.txt", replacing: [("00000:027:", "00000:024:")]),
            "nic-get": .init("warlock-ixgben-nic-get.xml"),
            "pci-list": .init("vmware-communities-hardware-pci-list.txt"),
            "vm-process-list": .init("warlock-vm-process-list.xml"),
        ])
        cleanup.append(replies)
        let bin = Fixtures.temporaryDirectory("esxi-bin")
        cleanup.append(bin)
        let log = bin + "/calls.log"
        let esxcli = """
            #!/bin/busybox sh
            echo "esxcli $*" >> \(log)
            case "$*" in
            "--formatter=xml network nic list") cat \(replies)/nic-list ;;
            "--formatter=xml network sriovnic list") cat \(replies)/sriovnic-list ;;
            "--formatter=xml network sriovnic vf list -n vmnic0") cat \(replies)/vf-list ;;
            "--formatter=xml network nic get -n vmnic0") cat \(replies)/nic-get ;;
            "--formatter=xml network nic get -n "*) echo "Error: Unable to find NIC ${6:-}" >&2; exit 1 ;;
            "--formatter=xml hardware pci list") cat \(replies)/pci-list ;;
            "--formatter=xml vm process list") cat \(replies)/vm-process-list ;;
            *) echo "unexpected: $*" >&2; exit 9 ;;
            esac

            """
        try FixtureBuilder.write(bin, "esxcli", esxcli)
        try FixtureBuilder.write(bin, "vmware", "#!/bin/busybox sh\necho 'VMware ESXi 8.0.2 build-22380479'\n")
        for tool in ["esxcli", "vmware"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + tool)
        }
        return (bin, log)
    }

    func testCollectSavesWhatImportReadsAndRunsOnlyListings() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "SKIPPED: busybox is not installed")
        let (bin, log) = try fakeHost()
        let out = Fixtures.temporaryDirectory("esxi-collect") + "/esx-lab"
        cleanup.append((out as NSString).deletingLastPathComponent)
        let script = Fixtures.packageRoot + "/contrib/esxi/collect.sh"
        let environment = ["PATH": bin + ":/usr/bin:/bin"]
        // The name is the system's (busybox's own `hostname`, as on ESXi).
        let name = try shell("/bin/busybox", ["hostname"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let run = try shell("/bin/busybox", ["sh", script, out], environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "sriov-audit: listings of \(name) saved in \(out)\n")

        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(files, ["collect-errors", "collected-at", "hardware-pci-list.xml", "hostname", "nic-get-vmnic0.xml", "nic-list.xml",
                               "sriovnic-list.xml", "sriovnic-vf-list-vmnic0.xml", "version", "vm-process-list.xml"])
        let errors = try String(contentsOfFile: out + "/collect-errors", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(errors.count, 14, "each of vmnic1…vmnic7: esxcli's message, then the failed command")
        XCTAssertEqual(errors.first, "Error: Unable to find NIC vmnic1")
        XCTAssertEqual(errors.dropFirst().first, "esxcli --formatter=xml network nic get -n vmnic1 failed (exit 1)")

        // Only listings ran: every esxcli call is a `list` or a `get`.
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(calls.count, 4 + 8 + 1, "four listings, nic get of 8 uplinks, the VFs of the one SR-IOV uplink")
        XCTAssertTrue(calls.allSatisfy { $0.contains(" list") || $0.contains(" get ") }, "\(calls)")

        let imported = try CLI.run(["import-esxi", out, "--format", "json"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let snapshot = try HostSnapshot(jsonBytes: Array(imported.stdoutData))
        XCTAssertEqual(snapshot.host.hostname, name)
        XCTAssertEqual(snapshot.host.kernelRelease, "VMware ESXi 8.0.2 build-22380479")
        XCTAssertEqual(snapshot.interfaces.count, 8)
        let pf = try XCTUnwrap(snapshot.physicalFunctions.first)
        XCTAssertEqual(pf.address, PCIAddress("0000:18:00.0"))
        XCTAssertEqual(pf.reportedFirmware, "3.30 0x800014a5, 20.5.15")
        XCTAssertEqual(pf.virtualFunctions.count, 8)
        XCTAssertEqual(snapshot.warnings.filter { $0.subject == "collect-errors" }.count, 14, "collect.sh's failures travel with the snapshot")
        XCTAssertEqual(snapshot.warnings.filter { $0.kind == .inconsistent }, [], "the replies describe one host")

        // Over SSH: the script on standard input, a tarball on standard output.
        let tarball = (out as NSString).deletingLastPathComponent + "/esx.tar.gz"
        let piped = try shell("/bin/sh", ["-c", "/bin/busybox sh -s -- --tar < '\(script)' > '\(tarball)'"], environment: environment)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        let listing = try shell("tar", ["-tzf", tarball])
        XCTAssertEqual(Set(listing.stdout.split(separator: "\n").map { $0.replacingOccurrences(of: "./", with: "") }.filter { !$0.isEmpty }), Set(files))
    }
}
