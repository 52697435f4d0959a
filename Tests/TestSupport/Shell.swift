import Foundation

/// Runs a program and captures its output: the tests' way to ask the real tools (`ip`, `ethtool`,
/// `lspci`, `python3`, `strace`) for their view of the same thing.
public struct ShellResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutData: Data
}

@discardableResult
public func shell(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
                  directory: String? = nil) throws -> ShellResult {
    let process = Process()
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if executable.hasPrefix("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let input {
        inPipe.fileHandleForWriting.write(input)
        try inPipe.fileHandleForWriting.close()
    }
    // Read both pipes concurrently so a chatty stderr cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ShellResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData
    )
}

/// True when `name` is an executable on PATH (or an absolute path).
public func toolExists(_ name: String) -> Bool {
    if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    var directories = path.split(separator: ":").map(String.init)
    directories += ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    return directories.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + name) }
}

public var isRoot: Bool { getuid() == 0 }
