import Foundation
import TestSupport
import XCTest

/// The scripted HTTP(S) receiver (Tests/Receiver/receiver.py) on 127.0.0.1, as a push test's
/// other end: it answers planned statuses and logs what arrived, never the token.
final class Receiver {
    struct Request: Decodable {
        var n: Int
        var path: String
        var status: Int
        var idempotency_key: String?
        var content_type: String?
        var kind: String?
        var authorization: String?
        var body_sha256: String
        var body_length: Int
        var time: Double
        var user_agent: String?
    }

    let process = Process()
    let port: Int
    let log: String
    var url: String { "http://127.0.0.1:\(port)/ingest" }
    var httpsURL: String { "https://127.0.0.1:\(port)/ingest" }

    /// Starts the receiver; `port` 0 picks a free one.
    init(in dir: String, name: String = "receiver", port: Int = 0, arguments: [String] = [], token: String? = nil) throws {
        log = "\(dir)/\(name).log"
        let portFile = "\(dir)/\(name).port"
        try? FileManager.default.removeItem(atPath: portFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.packageRoot + "/Tests/Receiver/receiver.py", "--port", String(port),
                             "--port-file", portFile, "--log", log] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["RECEIVER_TOKEN"] = token
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard process.isRunning, Date() < deadline else { throw CLIError("the test receiver did not start") }
            usleep(20_000)
        }
        self.port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) ?? 0
    }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    struct CLIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}

/// A port nothing listens on (bound, read, released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
