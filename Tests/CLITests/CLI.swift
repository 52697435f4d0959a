import Foundation
import Inventory
import TestSupport
import XCTest

/// The built `sriov-audit` binary, run as a user runs it.
enum CLI {
    static var binary: String {
        Bundle.main.bundleURL.appendingPathComponent("sriov-audit").path
    }

    @discardableResult
    static func run(_ arguments: [String], prefix: [String] = [], environment: [String: String]? = nil) throws -> ShellResult {
        if prefix.isEmpty { return try shell(binary, arguments, environment: environment) }
        return try shell(prefix[0], Array(prefix.dropFirst()) + [binary] + arguments)
    }

    static func snapshot(_ arguments: [String], prefix: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> HostSnapshot {
        let result = try run(["collect", "--format", "json"] + arguments, prefix: prefix)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        return try HostSnapshot.makeDecoder().decode(HostSnapshot.self, from: result.stdoutData)
    }

    static let schema = Fixtures.packageRoot + "/Sources/Inventory/host-snapshot.schema.json"
    static let reportSchema = Fixtures.packageRoot + "/Sources/Report/audit-report.schema.json"

    /// Validates JSON against the shipped schema with python's jsonschema (Draft 2020-12).
    static func validate(_ json: Data, schema: String = CLI.schema, file: StaticString = #filePath, line: UInt = #line) throws {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(json.load(sys.stdin)), key=str)
            for e in errors[:5]: print(list(e.absolute_path), e.message)
            sys.exit(1 if errors else 0)
            """
        let result = try shell("python3", ["-c", script, schema], input: json)
        XCTAssertEqual(result.status, 0, "schema: \(result.stdout) \(result.stderr)", file: file, line: line)
    }
}
