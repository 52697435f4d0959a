import Foundation
import TestSupport

// sriov-audit-fixtures: derives test and benchmark trees from the real captures.
//   sriov-audit-fixtures large-host OUTDIR [PFS [VFS_PER_PF]]
let arguments = CommandLine.arguments.dropFirst()
guard arguments.first == "large-host", arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: sriov-audit-fixtures large-host OUTDIR [PFS [VFS_PER_PF]]\n".utf8))
    exit(2)
}
let list = Array(arguments)
let output = list[1]
let builder = LargeHostBuilder(pfs: list.count > 2 ? Int(list[2]) ?? 8 : 8, vfsPerPF: list.count > 3 ? Int(list[3]) ?? 128 : 128)
if FileManager.default.fileExists(atPath: output) {
    FileHandle.standardError.write(Data("\(output) exists; choose a new folder\n".utf8))
    exit(2)
}
do {
    try builder.build(at: output)
    print("built \(output): \(builder.pfs) PFs x \(builder.vfsPerPF) VFs")
} catch {
    FileHandle.standardError.write(Data("failed: \(error)\n".utf8))
    exit(1)
}
