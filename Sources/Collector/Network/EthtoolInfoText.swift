import Inventory

/// Parses the text of `ethtool -i IFNAME` into ``DriverInfo``.
///
/// Pure, the only reader of that format. Values are taken verbatim after `key: ` (drivers pad
/// firmware strings; netdevsim's ends in a blank), so they compare equal with the ioctl's strings.
/// A line that is missing stays absent (`expansion-rom-version:` is missing from ESXi's ethtool and
/// old releases), which is not the same as a line with nothing after it.
public enum EthtoolInfoText {
    public enum Outcome: Equatable, Sendable {
        case info(DriverInfo)
        /// ethtool said the driver does not implement the request (`lo`, some virtual devices).
        case unsupported(String)
        case malformed(String)
    }

    public static func parse(_ text: String) -> Outcome {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("Cannot get driver information") { return .unsupported(String(line)) }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            fields[key] = String(value)
        }
        guard let driver = fields["driver"], !driver.isEmpty else {
            return .malformed("no `driver:` line")
        }
        return .info(DriverInfo(
            driver: driver, version: fields["version"] ?? "", firmwareVersion: fields["firmware-version"] ?? "",
            expansionROMVersion: fields["expansion-rom-version"], busInfo: fields["bus-info"] ?? ""
        ))
    }
}

extension EthtoolInfoText {
    /// The first five lines `ethtool -i` prints, from the same fields, for capture folders.
    public static func render(_ info: DriverInfo) -> String {
        var text = "driver: \(info.driver)\nversion: \(info.version)\nfirmware-version: \(info.firmwareVersion)\n"
        if let erom = info.expansionROMVersion { text += "expansion-rom-version: \(erom)\n" }
        return text + "bus-info: \(info.busInfo)\n"
    }
}
