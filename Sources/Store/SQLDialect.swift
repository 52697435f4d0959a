/// Every difference between SQLite and PostgreSQL the store depends on, in one place.
///
/// The store's SQL is written once, in the subset both read alike; where they differ (lists
/// passed as one JSON parameter, two-argument min/max, column types in DDL, placeholders) the
/// text comes from here. Why JSON array parameters for lists: a read-only SQLite connection may
/// not create a temporary table, and one parameter keeps every statement preparable once.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The smaller of two values (`min(a, b)` is an aggregate in PostgreSQL).
    func least(_ a: String, _ b: String) -> String {
        self == .sqlite ? "min(\(a), \(b))" : "least(\(a), \(b))"
    }

    func greatest(_ a: String, _ b: String) -> String {
        self == .sqlite ? "max(\(a), \(b))" : "greatest(\(a), \(b))"
    }

    /// A subquery of the integers in the JSON array parameter `parameter` (`?1`, `?`).
    func integers(_ parameter: String) -> String {
        self == .sqlite ? "(SELECT value FROM json_each(\(parameter)))"
            : "(SELECT jsonb_array_elements_text(\(parameter)::jsonb)::bigint)"
    }

    /// A subquery of the strings in the JSON array parameter `parameter`.
    func strings(_ parameter: String) -> String {
        self == .sqlite ? "(SELECT value FROM json_each(\(parameter)))"
            : "(SELECT jsonb_array_elements_text(\(parameter)::jsonb))"
    }

    /// A FROM item whose rows are the elements (column `value`) of the JSON array parameter.
    func elements(_ parameter: String) -> String {
        self == .sqlite ? "json_each(\(parameter))" : "jsonb_array_elements(\(parameter)::jsonb) AS e(value)"
    }

    /// Element `index` of a JSON array `value` (of ``elements(_:)``) as an integer.
    func integer(at index: Int) -> String {
        self == .sqlite ? "json_extract(value, '$[\(index)]')" : "(value->>\(index))::bigint"
    }

    /// Element `index` of a JSON array `value` as text.
    func string(at index: Int) -> String {
        self == .sqlite ? "json_extract(value, '$[\(index)]')" : "(value->>\(index))"
    }

    /// The rows of `table` whose `snapshot_id` is in the JSON array parameter `?`, with no sort:
    /// the wanted ids drive the join and each is looked up by the table's key.
    func rowsOfSnapshots(_ table: String, alias: String = "x", key: String = "snapshot_id") -> String {
        self == .sqlite
            ? "SELECT \(alias).* FROM json_each(?) w JOIN \(table) \(alias) ON \(alias).\(key) = w.value"
            : "SELECT \(alias).* FROM jsonb_array_elements_text(?::jsonb) AS w(value) JOIN \(table) \(alias) ON \(alias).\(key) = w.value::bigint"
    }

    /// Records an observation (parameters: host id, time, snapshot id, tool version, source
    /// kind, source path) and makes its snapshot the host's latest when it is newer than every
    /// observation stored so far (read before it is added). PostgreSQL does both in one
    /// statement; SQLite, which has no data-modifying WITH, in two.
    func observationAndLatest() -> [String] {
        let latest = """
            UPDATE hosts SET latest_snapshot_id = CASE
                WHEN ?2 > coalesce((SELECT max(collected_at) FROM observations WHERE host_id = ?1), '') THEN ?3
                ELSE latest_snapshot_id END
            WHERE id = ?1
            """
        let observation = """
            INSERT INTO observations (host_id, collected_at, snapshot_id, tool_version, source_kind, source_path)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """
        return self == .sqlite ? [latest, observation] : ["WITH latest AS (\(latest) RETURNING id) \(observation)"]
    }

    /// After rows were inserted with their ids given (a copy), what makes the next id drawn
    /// follow them: nothing for SQLite (a new rowid is the largest plus one), the identity's
    /// sequence moved on for PostgreSQL.
    func identityCatchUp(table: String) -> String? {
        self == .sqlite ? nil
            : "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)"
    }

    /// Schema DDL, written in SQLite's words, in this dialect's. PostgreSQL gets 64-bit integers
    /// (SQLite's INTEGER is 64-bit; MACs and ids need it), identity keys, BYTEA, and byte-wise
    /// text order (`COLLATE "C"`), so that every ORDER BY and comparison sorts as SQLite does and
    /// reports come out identical on both.
    func ddl(_ sqlite: String) -> String {
        guard self == .postgres else { return sqlite }
        var out = ""
        for line in sqlite.split(separator: "\n", omittingEmptySubsequences: false) {
            var text = String(line)
            if let comment = text.range(of: "--") {
                // Comments are kept as they are; only the code before them is translated.
                let code = String(text[..<comment.lowerBound])
                out += Self.translateDDL(code) + String(text[comment.lowerBound...]) + "\n"
                continue
            }
            text = Self.translateDDL(text)
            out += text + "\n"
        }
        return out
    }

    private static func translateDDL(_ code: String) -> String {
        var text = code
        text = text.replacing("id INTEGER PRIMARY KEY,", with: "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,")
        text = replaceWord("INTEGER", with: "BIGINT", in: text)
        text = replaceWord("BLOB", with: "BYTEA", in: text)
        text = replaceWord("TEXT", with: "TEXT COLLATE \"C\"", in: text)
        text = text.replacing(") WITHOUT ROWID", with: ")")
        return text
    }

    /// Replaces `word` where it stands as a whole word (not inside `content_hash TEXT`'s name).
    private static func replaceWord(_ word: String, with replacement: String, in text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: word) {
            let before = rest[..<range.lowerBound]
            let after = rest[range.upperBound...]
            let startsWord = before.last.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
            let endsWord = after.first.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
            out += before
            out += startsWord && endsWord ? replacement : word
            rest = after
        }
        return out + rest
    }

    /// A script's statements, split at the semicolons outside quotes and `--` comments.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        var comment = false
        var previous: Character?
        for c in sql {
            defer { previous = c }
            if comment {
                current.append(c)
                if c == "\n" { comment = false }
                continue
            }
            if let open = quote {
                current.append(c)
                if c == open { quote = nil }
                continue
            }
            if c == "-", previous == "-" { comment = true }
            if c == "'" || c == "\"" { quote = c }
            if c == ";" {
                let text = trimmed(current)
                if !text.isEmpty { statements.append(text) }
                current = ""
                continue
            }
            current.append(c)
        }
        let text = trimmed(current)
        if !text.isEmpty, !text.split(separator: "\n").allSatisfy({ trimmed(String($0)).hasPrefix("--") }) {
            statements.append(text)
        }
        return statements
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// SQLite's placeholders (`?`, `?N`) as PostgreSQL's (`$N`), outside quoted text. A bare `?`
    /// takes the number after the highest used so far, as SQLite numbers them.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 8)
        var highest = 0
        var quote: Character?
        var index = sql.startIndex
        while index < sql.endIndex {
            let c = sql[index]
            if let open = quote {
                out.append(c)
                if c == open { quote = nil }
                index = sql.index(after: index)
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                out.append(c)
                index = sql.index(after: index)
                continue
            }
            guard c == "?" else {
                out.append(c)
                index = sql.index(after: index)
                continue
            }
            var end = sql.index(after: index)
            while end < sql.endIndex, sql[end].isASCII, sql[end].isNumber { end = sql.index(after: end) }
            let digits = sql[sql.index(after: index)..<end]
            let number = Int(digits) ?? (highest + 1)
            highest = max(highest, number)
            out += "$\(number)"
            index = end
        }
        return out
    }
}
