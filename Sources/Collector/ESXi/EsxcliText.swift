/// The two text forms `esxcli` prints on a terminal: tables (`network sriovnic list`,
/// `sriovnic vf list`) and `Key: Value` blocks (`network nic get`, `vm process list`,
/// `hardware pci list`).
///
/// The quirks are real ones from published outputs: a table's dash line may be one unbroken run
/// (Cisco's guide), may be missing (the VF list in the same guide), and rows need not line up
/// with the header once a document has re-indented them; the last column (a description) holds
/// spaces. Blocks nest by indentation (`Driver Info:` and its deeper lines) and may carry a
/// heading line above the fields.
enum EsxcliText {
    /// Whether most lines are `Key: Value` (or a `Key:` opening a nested block).
    static func looksLikeBlocks(_ lines: [String]) -> Bool {
        let content = lines.filter { !$0.trimming(" \t").isEmpty }
        let pairs = content.filter { $0.contains(": ") || $0.trimming(" \t").hasSuffix(":") }
        return !content.isEmpty && pairs.count * 2 >= content.count
    }

    // MARK: tables

    /// Rows of a table under its header. A row with fewer values than columns is a warning
    /// naming its line (a truncated output), and the other rows are still read.
    static func table(_ lines: [String], file: String) throws(ESXiInputError) -> (records: [EsxcliRecord], warnings: [ESXiInputError]) {
        guard let headerIndex = lines.firstIndex(where: { !$0.trimming(" \t").isEmpty }) else { return ([], []) }
        let header = lines[headerIndex]
        let names = columns(header)
        guard names.count >= 2 else {
            throw ESXiInputError(file: file, line: headerIndex + 1, "not an esxcli table or Key: Value listing: the first line has no column headings (\(header.trimming(" ").prefix(60)))")
        }
        var rowStart = headerIndex + 1
        // A dash line of one run per column gives exact column positions (empty cells stay empty).
        var starts: [Int]?
        if rowStart < lines.count, let dashes = dashRuns(lines[rowStart]) {
            rowStart += 1
            if dashes.count == names.count { starts = dashes }
        }
        var records: [EsxcliRecord] = []
        var warnings: [ESXiInputError] = []
        for index in rowStart..<lines.count {
            let row = lines[index]
            if row.trimming(" \t").isEmpty { continue }
            let values = starts.flatMap { aligned(row, at: $0) } ?? split(row, into: names.count)
            guard let values else {
                warnings.append(ESXiInputError(file: file, line: index + 1,
                                               "row has fewer values than the \(names.count) columns (\(names.joined(separator: ", "))): \(row.trimming(" ").prefix(60)); row skipped"))
                continue
            }
            records.append(EsxcliRecord(fields: zip(names, values).map { (EsxcliOutput.normalise($0), $1) }, line: index + 1))
        }
        return (records, warnings)
    }

    /// Header names: runs separated by two or more blanks (`VF ID  Active  PCI Address`).
    static func columns(_ header: String) -> [String] {
        var names: [String] = []
        var current = ""
        var blanks = 0
        for character in header {
            if character == " " || character == "\t" {
                blanks += character == "\t" ? 2 : 1
                continue
            }
            if blanks >= 2, !current.isEmpty {
                names.append(current)
                current = ""
            } else if blanks == 1, !current.isEmpty {
                current.append(" ")
            }
            blanks = 0
            current.append(character)
        }
        if !current.isEmpty { names.append(current) }
        return names
    }

    /// The start column of each run of dashes, when the line is dashes and blanks only.
    static func dashRuns(_ line: String) -> [Int]? {
        let chars = Array(line)
        guard chars.contains("-"), chars.allSatisfy({ $0 == "-" || $0 == " " || $0 == "\t" }) else { return nil }
        var starts: [Int] = []
        for (i, c) in chars.enumerated() where c == "-" && (i == 0 || chars[i - 1] != "-") { starts.append(i) }
        return starts
    }

    /// Cells cut at the dash line's columns, when every cut falls on a blank (the row lines up);
    /// nil for a row that does not line up or stops before the last column.
    static func aligned(_ row: String, at starts: [Int]) -> [String]? {
        var chars = Array(row)
        while let end = chars.last, end == " " || end == "\t" { chars.removeLast() }
        // A row that stops before the last column is cut short, not a row of empty cells.
        guard let last = starts.last, chars.count > last else { return nil }
        for start in starts.dropFirst() where start < chars.count && start > 0 && chars[start - 1] != " " { return nil }
        return starts.indices.map { k in
            let from = min(starts[k], chars.count)
            let to = k + 1 < starts.count ? min(starts[k + 1], chars.count) : chars.count
            return String(chars[from..<to]).trimming(" \t")
        }
    }

    /// Cells split at blanks, the last column taking the rest of the line (a description).
    static func split(_ row: String, into count: Int) -> [String]? {
        var values: [String] = []
        var rest = Substring(row).drop { $0 == " " || $0 == "\t" }
        while values.count < count - 1, !rest.isEmpty {
            let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            values.append(String(rest[..<end]))
            rest = rest[end...].drop { $0 == " " || $0 == "\t" }
        }
        let last = rest.trimming(" \t")
        guard values.count == count - 1, !last.isEmpty else { return nil }
        return values + [last]
    }

    // MARK: blocks

    /// `Key: Value` blocks: a blank line or a heading line (not indented, not a pair) starts a
    /// new record; a `Key:` whose next line is indented deeper opens a nested name.
    static func blocks(_ lines: [String], file: String) throws(ESXiInputError) -> (records: [EsxcliRecord], warnings: [ESXiInputError]) {
        var records: [EsxcliRecord] = []
        var current: EsxcliRecord?
        var nesting: [(indent: Int, name: String)] = []
        func finish() {
            if let record = current, !record.fields.isEmpty || record.heading != nil { records.append(record) }
            current = nil
            nesting = []
        }
        for (index, line) in lines.enumerated() {
            let body = line.trimming(" \t")
            if body.isEmpty { finish(); continue }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            let pair = splitPair(body)
            if pair == nil, indent == 0 {
                finish()
                current = EsxcliRecord(fields: [], line: index + 1, heading: body)
                continue
            }
            if current == nil { current = EsxcliRecord(fields: [], line: index + 1) }
            guard let (key, value) = pair else {
                // An indented line that is not a pair continues the previous value (a wrapped description).
                if let last = current?.fields.indices.last { current?.fields[last].value += " " + body }
                continue
            }
            while let top = nesting.last, top.indent >= indent { nesting.removeLast() }
            let name = (nesting.map(\.name) + [EsxcliOutput.normalise(key)]).joined(separator: ".")
            let next = lines[(index + 1)...].first { !$0.trimming(" \t").isEmpty }
            let nextIndent = next.map { $0.prefix { $0 == " " || $0 == "\t" }.count } ?? 0
            if value.isEmpty, nextIndent > indent, let next, splitPair(next.trimming(" \t")) != nil {
                nesting.append((indent, EsxcliOutput.normalise(key)))
            } else {
                current?.fields.append((name, value))
            }
        }
        finish()
        return (records, [])
    }

    /// `Key: Value` split at the first ": " (values hold colons: MACs, paths), or `Key:`.
    static func splitPair(_ body: String) -> (String, String)? {
        if let range = body.range(of: ": ") {
            return (String(body[..<range.lowerBound]), String(body[range.upperBound...]).trimming(" \t"))
        }
        if body.hasSuffix(":"), !body.dropLast().contains(":") { return (String(body.dropLast()), "") }
        return nil
    }
}
