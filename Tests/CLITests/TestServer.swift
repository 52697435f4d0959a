import Collector
import Foundation
import Inventory
import Store
import TestSupport
import XCTest

/// `sriov-audit serve` as a process on 127.0.0.1 (a free port, read from --port-file), for tests
/// that talk to it with the real clients: the CLI's push, curl, the load script.
final class TestServer {
    let process = Process()
    let port: Int
    let log: String
    let database: String

    var url: String { "http://127.0.0.1:\(port)" }
    var httpsURL: String { "https://127.0.0.1:\(port)" }

    /// `port` 0 picks a free one; a restarted server takes its old port (so clients' spools find it).
    init(in dir: String, database: String, name: String = "server", port: Int = 0, arguments: [String] = []) throws {
        self.database = database
        log = "\(dir)/\(name).log"
        let portFile = "\(dir)/\(name).port"
        try? FileManager.default.removeItem(atPath: portFile)
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        output.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:\(port)", "--port-file", portFile] + arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard process.isRunning, Date() < deadline else {
                throw Receiver.CLIError("the server did not start: \(Fixtures.read(log) ?? "")")
            }
            usleep(20_000)
        }
        self.port = Int((Fixtures.read(portFile) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// SIGTERM, then the exit status (graceful shutdown).
    @discardableResult
    func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL: the crash case.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { crash() }
    }
}

/// The load script's inputs for 64 hosts derived from the real igb capture: `DIR/fleet.jsonl`
/// (one compact snapshot per host) and `DIR/tokens` ("HOST TOKEN" lines), each host's push token
/// issued in `store`. Returns the tokens by host.
func writeLoadFleet(in dir: String, store: InventoryStore) throws -> [String: String] {
    let fleet = FleetBuilder(base: try Collector().collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after")))
    var tokens: [String: String] = [:]
    var lines = ""
    for n in 0..<64 {
        let host = fleet.host(n)
        tokens[host.host.hostname] = try store.issueToken(for: host.host.hostname)
        lines += String(decoding: try HostSnapshot.makeEncoder(pretty: false).encode(host), as: UTF8.self) + "\n"
    }
    try lines.write(toFile: dir + "/fleet.jsonl", atomically: true, encoding: .utf8)
    try tokens.map { "\($0.key) \($0.value)" }.sorted().joined(separator: "\n").write(toFile: dir + "/tokens", atomically: true, encoding: .utf8)
    return tokens
}

/// curl as a second client: the status and the body it got (`-k` never: TLS is verified).
struct Curl {
    var status: Int
    var body: String

    static func run(_ arguments: [String], in dir: String) throws -> Curl {
        let bodyFile = dir + "/curl-body-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: bodyFile) }
        let r = try shell("curl", ["-sS", "-o", bodyFile, "-w", "%{http_code}", "--max-time", "30"] + arguments)
        return Curl(status: Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, body: Fixtures.read(bodyFile) ?? "")
    }
}

/// The tokens a test issued must appear nowhere the server or the tools wrote: outputs, and
/// every file under `paths` (folders walked), searched as bytes (database files included).
func assertNoToken(_ tokens: [String], in paths: [String], texts: [String] = [], file: StaticString = #filePath, line: UInt = #line) {
    var places: [(String, Data)] = texts.enumerated().map { ("output \($0.offset)", Data($0.element.utf8)) }
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        let files = isDirectory.boolValue
            ? (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String }.map { path + "/" + $0 } ?? [])
            : [path]
        for file in files {
            if let data = FileManager.default.contents(atPath: file) { places.append((file, data)) }
        }
    }
    for token in tokens where !token.isEmpty {
        for (name, data) in places where data.range(of: Data(token.utf8)) != nil {
            XCTFail("a token appears in \(name)", file: file, line: line)
        }
    }
}
