import Inventory

/// Xen `xl` domain configuration files (xl.cfg(5)): the PCI functions a domain is given by its
/// `pci = [ "PCI_SPEC_STRING", … ]` list (xl-pci-configuration(5)).
///
/// Why read them: on a Xen host dom0 is Linux and the collector reads it like any other host,
/// but the guests that hold its VFs are named only in these files. A spec that does not parse
/// (a placeholder, a typo) is a warning naming the file and line; the other specs are kept.
public enum XenConfigParser {
    public struct Domain: Sendable, Equatable {
        public var name: String
        public var uuid: String?
        public var claims: [VFConsumer]
        /// Specs that could not be read, with their line.
        public var problems: [ConsumerFileError]
    }

    /// The domain of one config file. `path` is the file's path on the host.
    public static func domain(_ text: String, path: String) throws(ConsumerFileError) -> Domain {
        var lexer = XLConfigLexer(text)
        let settings = try lexer.settings()
        guard let name = settings.first(where: { $0.key == "name" })?.values.first?.text, !name.isEmpty else {
            throw ConsumerFileError(line: nil, reason: "no `name = \"…\"`: not an xl domain configuration")
        }
        let uuid = settings.first { $0.key == "uuid" }?.values.first?.text
        var claims: [VFConsumer] = []
        var problems: [ConsumerFileError] = []
        // `pci = [ … ]`, and `pci += [ … ]` appending to it.
        for setting in settings where setting.key == "pci" {
            for value in setting.values {
                do throws(ConsumerFileError) {
                    let spec = try pciSpec(value.text, line: value.line)
                    claims.append(VFConsumer(address: spec.address, kind: .xenDomain, name: name, uuid: uuid, running: nil,
                                             managed: spec.seize, attachment: "pci", sources: [path]))
                } catch {
                    problems.append(error)
                }
            }
        }
        return Domain(name: name, uuid: uuid, claims: claims, problems: problems)
    }

    /// A PCI_SPEC_STRING: `[DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE…]`, or the address as `bdf=…`.
    static func pciSpec(_ text: String, line: Int) throws(ConsumerFileError) -> (address: PCIAddress, seize: Bool?) {
        var bdf: String?
        var seize: Bool?
        for (position, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let item = String(part).trimmingWhitespace
            if let equals = item.firstIndex(of: "=") {
                let key = item[..<equals], value = item[item.index(after: equals)...]
                switch key {
                case "bdf": bdf = String(value)
                case "seize": seize = ["1", "yes", "true", "on"].contains(value.lowercased())
                default: continue
                }
            } else if position == 0 {
                bdf = item
            } else {
                throw ConsumerFileError(line: line, reason: "PCI spec \"\(text)\": \"\(item)\" is not KEY=VALUE")
            }
        }
        guard var address = bdf, !address.isEmpty else { throw ConsumerFileError(line: line, reason: "PCI spec \"\(text)\" names no device") }
        if let at = address.firstIndex(of: "@") { address = String(address[..<at]) }
        if address.hasSuffix(".*") {
            throw ConsumerFileError(line: line, reason: "PCI spec \"\(text)\" gives every function of a device (.*); its functions are not resolved, so they are not counted as claimed")
        }
        // The PCI domain is optional, as in lspci's output.
        let full = address.split(separator: ":").count == 2 ? "0000:" + address : address
        guard let parsed = PCIAddress(full) else {
            throw ConsumerFileError(line: line, reason: "PCI spec \"\(text)\": \"\(address)\" is not a PCI address ([DDDD:]BB:DD.F)")
        }
        return (parsed, seize)
    }
}

/// The lexical layer of xl.cfg: `KEY = VALUE` (or `KEY += VALUE`) settings separated by newlines
/// or `;`, where VALUE is a string in double or single quotes, a number, or a `[ … ]` list of
/// them that may span lines; `#` starts a comment.
struct XLConfigLexer {
    struct Value: Equatable {
        var text: String
        var line: Int
    }

    struct Setting: Equatable {
        var key: String
        var values: [Value]
    }

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func settings() throws(ConsumerFileError) -> [Setting] {
        var out: [Setting] = []
        while true {
            skipBlanks(newlines: true)
            guard let byte = peek() else { return out }
            if byte == UInt8(ascii: ";") { position += 1; continue }
            let keyLine = line
            let key = word()
            guard !key.isEmpty else { throw ConsumerFileError(line: line, reason: "expected a setting name, found \"\(Character(UnicodeScalar(byte)))\"") }
            skipBlanks(newlines: false)
            if peek() == UInt8(ascii: "+") { position += 1 }
            guard peek() == UInt8(ascii: "=") else { throw ConsumerFileError(line: keyLine, reason: "`\(key)` is not followed by `=`") }
            position += 1
            skipBlanks(newlines: false)
            out.append(Setting(key: key, values: try value()))
            skipBlanks(newlines: false)
            if let end = peek(), end != UInt8(ascii: "\n"), end != UInt8(ascii: ";") {
                throw ConsumerFileError(line: line, reason: "unexpected text after the value of `\(key)`")
            }
        }
    }

    private mutating func value() throws(ConsumerFileError) -> [Value] {
        guard let byte = peek() else { throw ConsumerFileError(line: line, reason: "a setting without a value at the end of the file") }
        if byte == UInt8(ascii: "[") {
            let opened = line
            position += 1
            var items: [Value] = []
            while true {
                skipBlanks(newlines: true)
                guard let next = peek() else { throw ConsumerFileError(line: opened, reason: "a list `[` that is never closed") }
                if next == UInt8(ascii: "]") { position += 1; return items }
                if next == UInt8(ascii: ",") { position += 1; continue }
                items.append(try scalar())
                skipBlanks(newlines: true)
                guard let after = peek() else { throw ConsumerFileError(line: opened, reason: "a list `[` that is never closed") }
                guard after == UInt8(ascii: ",") || after == UInt8(ascii: "]") else {
                    throw ConsumerFileError(line: opened, reason: "a list `[` that is not closed before the next setting")
                }
            }
        }
        return [try scalar()]
    }

    private mutating func scalar() throws(ConsumerFileError) -> Value {
        let start = line
        guard let quote = peek() else { throw ConsumerFileError(line: line, reason: "a value is missing") }
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            position += 1
            var text: [UInt8] = []
            while let byte = peek(), byte != quote {
                if byte == UInt8(ascii: "\n") { throw ConsumerFileError(line: start, reason: "a string that is not closed on its line") }
                text.append(byte)
                position += 1
            }
            guard peek() == quote else { throw ConsumerFileError(line: start, reason: "a string that is not closed") }
            position += 1
            return Value(text: String(decoding: text, as: UTF8.self), line: start)
        }
        let text = word()
        guard !text.isEmpty else { throw ConsumerFileError(line: start, reason: "\"\(Character(UnicodeScalar(quote)))\" does not start a value") }
        return Value(text: text, line: start)
    }

    /// Letters, digits and `_ . - : /` (names and numbers).
    private mutating func word() -> String {
        let start = position
        while let byte = peek(), byte.isASCIIWordByte { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipBlanks(newlines: Bool) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            case UInt8(ascii: "\n") where newlines: position += 1; line += 1
            case UInt8(ascii: "#"): while let b = peek(), b != UInt8(ascii: "\n") { position += 1; _ = b }
            default: return
            }
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }
}

private extension UInt8 {
    var isASCIIWordByte: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                                                                          UInt8(ascii: ":"), UInt8(ascii: "/")].contains(self)
    }
}
