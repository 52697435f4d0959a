/// One record of an `esxcli` command's output: a row of a table, a structure of
/// `--formatter=xml` or `--formatter=keyvalue`, or a block of `Key: Value` lines.
///
/// Why one shape for four forms: the same command prints a table on a terminal and XML to a
/// script, and an operator saves whichever they ran. Field names are compared normalised
/// (letters and digits only, lower case), so the table's `Owner World ID`, the XML's
/// `OwnerWorldID` and the key-value form's `OwnerWorldID` are one field; nested structures
/// (`Driver Info:` → `Firmware Version`) are reached as `driverinfo.firmwareversion`.
public struct EsxcliRecord: Sendable, Hashable {
    /// Fields in output order: the normalised name and the value as printed (trimmed).
    public var fields: [(name: String, value: String)]
    /// Where the record starts in its file (1-based), for messages.
    public var line: Int
    /// A block's heading line (`vm process list` prints the VM's name, `hardware pci list` the
    /// address, above the indented fields); nil for other forms.
    public var heading: String?

    public init(fields: [(name: String, value: String)], line: Int, heading: String? = nil) {
        self.fields = fields
        self.line = line
        self.heading = heading
    }

    /// The value of a field, by any spelling of its name (`PCI Address`, `PCIAddress`).
    public subscript(_ name: String) -> String? {
        let key = EsxcliOutput.normalise(name)
        return fields.first { $0.name == key }?.value
    }

    public static func == (a: EsxcliRecord, b: EsxcliRecord) -> Bool {
        a.line == b.line && a.heading == b.heading && a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(line)
        for field in fields { hasher.combine(field.name); hasher.combine(field.value) }
    }
}

/// A saved `esxcli` output that cannot be read, named by file and line.
public struct ESXiInputError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, _ reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `FILE:LINE` (or `FILE`): where the problem is, as warnings name it.
    public var position: String { file + (line.map { ":\($0)" } ?? "") }

    public var description: String { "\(position): \(reason)" }
}

/// Reads any of the forms `esxcli` prints into records; the one place these outputs are parsed.
public enum EsxcliOutput {
    /// `PCI Address` → `pciaddress`; `Driver Info.Firmware Version` → `driverinfo.firmwareversion`.
    public static func normalise(_ name: some StringProtocol) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.unicodeScalars.append(Unicode.Scalar(byte + 32))
            default: continue
            }
        }
        return out
    }

    /// The records of one output, its form recognised from the text itself, and warnings for
    /// rows that could not be read (the rest is kept). An empty output (a command that listed
    /// nothing) is no records; text in none of esxcli's forms is an error.
    public static func records(_ text: String, file: String) throws(ESXiInputError) -> (records: [EsxcliRecord], warnings: [ESXiInputError]) {
        let trimmed = text.trimming(" \t\r\n")
        if trimmed.isEmpty { return ([], []) }
        if trimmed.hasPrefix("<") { return (try xml(text, file: file), []) }
        if trimmed.hasPrefix("structure[") { return (try keyValueFormatter(text, file: file), []) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if EsxcliText.looksLikeBlocks(lines) { return try EsxcliText.blocks(lines, file: file) }
        return try EsxcliText.table(lines, file: file)
    }

    /// `--formatter=xml`: `<output><root>?<list type="structure"><structure><field name=…>`, or a
    /// single `<structure>` (`network nic get`). Nested structures become dotted names; a list
    /// of strings becomes one value joined with ", ".
    static func xml(_ text: String, file: String) throws(ESXiInputError) -> [EsxcliRecord] {
        let root: XMLElement
        do { root = try XMLReader.parse(text) } catch {
            throw ESXiInputError(file: file, line: error.line, "not well-formed esxcli XML: \(error.reason)")
        }
        guard root.localName == "output" else {
            throw ESXiInputError(file: file, line: root.line, "not esxcli XML: the document is <\(root.name)>, not <output>")
        }
        var structures: [XMLElement] = []
        func collect(_ element: XMLElement) {
            for child in element.children {
                if child.localName == "structure" { structures.append(child) } else { collect(child) }
            }
        }
        collect(root)
        return structures.map { structure in
            var fields: [(name: String, value: String)] = []
            flatten(structure, prefix: "", into: &fields)
            return EsxcliRecord(fields: fields, line: structure.line)
        }
    }

    private static func flatten(_ structure: XMLElement, prefix: String, into fields: inout [(name: String, value: String)]) {
        for field in structure.children where field.localName == "field" {
            let name = prefix + normalise(field.attributes["name"] ?? "")
            guard let value = field.children.first else {
                fields.append((name, field.text))
                continue
            }
            switch value.localName {
            case "structure": flatten(value, prefix: name + ".", into: &fields)
            case "list": fields.append((name, value.children.map(\.text).joined(separator: ", ")))
            default: fields.append((name, value.text))
            }
        }
    }

    /// `--formatter=keyvalue`: `structure[3].Nic.MACAddress.string=f8:f2:1e:bc:f0:80`, one
    /// record per index (the type name, `Nic`, is not part of the field's name).
    static func keyValueFormatter(_ text: String, file: String) throws(ESXiInputError) -> [EsxcliRecord] {
        var records: [Int: EsxcliRecord] = [:]
        var order: [Int] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimming(" \t\r")
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "="), line.hasPrefix("structure["),
                  let close = line.firstIndex(of: "]"), let index = Int(line[line.index(line.startIndex, offsetBy: 10)..<close]) else {
                throw ESXiInputError(file: file, line: offset + 1, "not an esxcli key-value line (structure[N].Type.Field.type=value): \(line.prefix(60))")
            }
            // Type.Field.type (Field may itself be dotted for a nested structure).
            let path = line[line.index(after: close)..<equals].split(separator: ".")
            guard path.count >= 3 else {
                throw ESXiInputError(file: file, line: offset + 1, "a key-value line names no field: \(line.prefix(60))")
            }
            let name = path.dropFirst().dropLast().map { normalise($0) }.joined(separator: ".")
            if records[index] == nil {
                records[index] = EsxcliRecord(fields: [], line: offset + 1)
                order.append(index)
            }
            records[index]?.fields.append((name, String(line[line.index(after: equals)...])))
        }
        return order.compactMap { records[$0] }
    }
}
