import Collector
import Foundation
import Inventory
import TestSupport

/// The real `ethtool -i` outputs of `Fixtures/ethtool/driver-info-samples.txt` and of the captures,
/// read through the collector's own parser, as the version tests use them.
struct DriverInfoSample {
    var info: DriverInfo
    /// `vendor:device` when the source names the device.
    var device: String?
    /// Where the sample comes from (its `# source:` line, or the capture file).
    var source: String

    var context: VersionContext { VersionContext(driver: info.driver, device: device) }

    /// Every sample block of the samples file, then every `ethtool -i` file of the captures.
    static func all() throws -> [DriverInfoSample] {
        var result: [DriverInfoSample] = []
        let file = Fixtures.path("ethtool/driver-info-samples.txt")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for block in text.components(separatedBy: "\n---\n").dropFirst() {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
            let comments = lines.filter { $0.hasPrefix("# ") }
            let source = comments.first { $0.hasPrefix("# source: ") }.map { String($0.dropFirst(10)) } ?? file
            let device = comments.first { $0.hasPrefix("# device: ") }.map { String($0.dropFirst(10)) }
            let body = lines.filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            guard case .info(let info) = EthtoolInfoText.parse(body) else { throw SampleError(source: source) }
            result.append(DriverInfoSample(info: info, device: device, source: source))
        }
        let captures = Fixtures.path("qemu")
        let names = FileManager.default.enumerator(atPath: captures)?.compactMap { $0 as? String } ?? []
        for name in names.sorted() where name.hasSuffix(".txt") && name.contains("ethtool-i-") {
            let path = captures + "/" + name
            guard case .info(let info) = EthtoolInfoText.parse(try String(contentsOfFile: path, encoding: .utf8)) else { continue }
            result.append(DriverInfoSample(info: info, device: nil, source: path))
        }
        let exporter = Fixtures.path("node_exporter__ethtool-i__e1000e.txt")
        if case .info(let info) = EthtoolInfoText.parse(try String(contentsOfFile: exporter, encoding: .utf8)) {
            result.append(DriverInfoSample(info: info, device: nil, source: exporter))
        }
        return result
    }

    struct SampleError: Error, CustomStringConvertible {
        var source: String
        var description: String { "a sample from \(source) is not ethtool -i output" }
    }
}
