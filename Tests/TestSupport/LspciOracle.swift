/// Reads what `lspci` printed, as the independent oracle the collector is compared with.
///
/// Test-only: the collector never reads lspci output; these parsers exist so that fidelity tests
/// compare against pciutils' own decoding of the same device.
public enum LspciOracle {
    /// One device block of `lspci -vvv` (optionally with its `-xxxx` hex dump).
    public struct Block: Sendable {
        public var header: String
        public var lines: [String]
        public var config: [UInt8]

        /// The first line containing `key`, trimmed.
        public func line(_ key: String) -> String? {
            lines.first { $0.contains(key) }?.trimmingCharacters(in: .whitespaces)
        }

        /// The value after `key` up to the next comma (e.g. `Total VFs:` → `8`).
        public func value(after key: String) -> String? {
            guard let line = lines.first(where: { $0.contains(key) }), let range = line.range(of: key) else { return nil }
            let rest = line[range.upperBound...].drop { $0 == " " || $0 == "\t" }
            return String(rest.prefix { $0 != "," })
        }
    }

    /// Splits `lspci -vvv` (plus optional hex lines) into device blocks keyed by the header's address.
    public static func blocks(_ text: String) -> [String: Block] {
        var result: [String: Block] = [:]
        var current: Block?
        var currentKey = ""
        func flush() { if let current { result[currentKey] = current } }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.isEmpty { continue }
            if !line.hasPrefix("\t") && !line.hasPrefix(" ") && line.range(of: "^[0-9a-f]{2,3}: ", options: .regularExpression) == nil {
                flush()
                currentKey = String(line.prefix { $0 != " " })
                current = Block(header: line, lines: [], config: [])
            } else if line.range(of: "^[0-9a-f]{2,3}: ", options: .regularExpression) != nil {
                let bytes = line.split(separator: ":", maxSplits: 1)[1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
                current?.config.append(contentsOf: bytes)
            } else {
                current?.lines.append(line)
            }
        }
        flush()
        return result
    }

    /// A line of `lspci -nnD`: `0000:04:00.0 Ethernet controller [0200]: Intel Corporation 82576 ... [8086:10c9] (rev 01)`.
    public struct NumericLine: Sendable {
        public var address: String
        public var className: String
        public var classID: String
        public var vendorID: String
        public var deviceID: String
        public var names: String
        public var revision: String?
    }

    public static func numeric(_ text: String) -> [NumericLine] {
        text.split(separator: "\n").compactMap { raw in
            let line = String(raw)
            guard let space = line.firstIndex(of: " ") else { return nil }
            let address = String(line[..<space])
            let rest = line[line.index(after: space)...]
            guard let classOpen = rest.range(of: " ["), let classClose = rest.range(of: "]: ") else { return nil }
            let className = String(rest[..<classOpen.lowerBound])
            let classID = String(rest[classOpen.upperBound..<classClose.lowerBound])
            var tail = String(rest[classClose.upperBound...])
            var revision: String?
            if let rev = tail.range(of: " (rev ") {
                revision = String(tail[rev.upperBound...].prefix(2))
                tail = String(tail[..<rev.lowerBound])
            }
            guard let idOpen = tail.range(of: " [", options: .backwards) ?? tail.range(of: "[", options: .backwards) else { return nil }
            let ids = tail[idOpen.upperBound...].dropLast().split(separator: ":")
            guard ids.count == 2 else { return nil }
            return NumericLine(
                address: address, className: className, classID: classID, vendorID: String(ids[0]),
                deviceID: String(ids[1]), names: String(tail[..<idOpen.lowerBound]), revision: revision
            )
        }
    }
}

import Foundation
