import Collector
import Foundation
import Inventory
import Store
import TestSupport

// sriov-audit-fixtures: derives test and benchmark data from the real captures.
//   sriov-audit-fixtures large-host OUTDIR [PFS [VFS_PER_PF]]
//   sriov-audit-fixtures fleet OUT.jsonl HOSTS [VFS_PER_HOST]
//   sriov-audit-fixtures read-timing FLEET.db
//   sriov-audit-fixtures consumer-host OUTDIR
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    fail("usage: sriov-audit-fixtures large-host OUTDIR [PFS [VFS_PER_PF]] | fleet OUT.jsonl HOSTS [VFS_PER_HOST] | consumer-host OUTDIR")
}
let output = arguments[1]
if arguments[0] == "read-timing" {
    // Times reading every host's latest snapshot back from a store and nothing else: the part of
    // a fleet audit (`audit --db`) that is the Store's.
    do {
        let store = try InventoryStore(path: output, readOnly: true)
        let start = Date()
        var hosts = 0, vfs = 0
        try store.forEachLatestSnapshot { batch in
            hosts += batch.count
            vfs += batch.reduce(0) { $0 + $1.snapshot.virtualFunctions.count }
        }
        print(String(format: "%d hosts, %d VFs read back in %.2f s", hosts, vfs, Date().timeIntervalSince(start)))
        exit(0)
    } catch { fail("failed: \(error)") }
}
if FileManager.default.fileExists(atPath: output) { fail("\(output) exists; choose a new path") }
do {
    switch arguments[0] {
    case "consumer-host":
        // The capture of the CLI tests' KVM and Kubernetes host: two guests on one VF, a pod, a pool.
        try ConsumerFixtures.write(try ConsumerFixtures.exampleFiles(), to: output)
        print("built \(output): igb/NVMe capture with libvirt, device plugin, kubelet and Nova files")
    case "large-host":
        let builder = LargeHostBuilder(pfs: arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8,
                                       vfsPerPF: arguments.count > 3 ? Int(arguments[3]) ?? 128 : 128)
        try builder.build(at: output)
        print("built \(output): \(builder.pfs) PFs x \(builder.vfsPerPF) VFs")
    case "fleet":
        guard arguments.count >= 3, let hosts = Int(arguments[2]) else { fail("fleet OUT.jsonl HOSTS [VFS_PER_HOST]") }
        let vfs = arguments.count > 3 ? Int(arguments[3]) ?? 64 : 64
        let tree = NSTemporaryDirectory() + "sriov-audit-fleet-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: tree) }
        try LargeHostBuilder(pfs: 1, vfsPerPF: vfs).build(at: tree)
        let base = try Collector().collectCapture(at: tree)
        try FleetBuilder(base: base).writeJSONLines(count: hosts, to: output)
        print("wrote \(output): \(hosts) hosts with \(base.virtualFunctions.count) VFs each")
    case "store-timing":
        // Times InventoryStore.store alone on already-decoded snapshots: where the import's time goes.
        guard arguments.count >= 3 else { fail("store-timing NEW.db FLEET.jsonl") }
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[2])))
        let snapshots = try data.split(separator: 0x0a).map { try HostSnapshot(jsonBytes: Array($0)) }
        let store = try InventoryStore(path: output)
        var start = Date()
        let rows = snapshots.map(SnapshotRows.init)
        let rowSeconds = Date().timeIntervalSince(start)
        start = Date()
        for (s, r) in zip(snapshots, rows) { _ = try store.store(s, rows: r, labels: [:]) }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%d snapshots: rows and digest %.2f ms each, store %.2f ms each", snapshots.count,
                     rowSeconds * 1000 / Double(snapshots.count), seconds * 1000 / Double(snapshots.count)))
    default:
        fail("unknown fixture kind \(arguments[0])")
    }
} catch {
    fail("failed: \(error)")
}
