#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one place times are written and read as text: ISO 8601 in UTC to the millisecond.
///
/// Why milliseconds: two collections of one host within the same second (two capture folders
/// imported in a row, a timer and a manual run) are two observations and must both be kept and
/// ordered. Why two written forms: a time on a whole second is written as before
/// (`2026-12-01T10:00:00Z`) so that documents and reports of whole-second times stay byte for byte
/// what they were; the store writes every time with its milliseconds (``storeText(_:)``), so
/// that text order is time order.
public enum Timestamp {
    /// A time cut to whole milliseconds (what every written form keeps).
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: milliseconds(date).asSeconds)
    }

    /// `2026-12-01T10:00:00Z`, or `2026-12-01T10:00:00.123Z` when the time has milliseconds.
    public static func text(_ date: Date) -> String {
        let ms = milliseconds(date)
        return format(ms, fraction: ms.value % 1000 != 0)
    }

    /// `2026-12-01T10:00:00.000Z`: always with milliseconds, so that stored times sort as text.
    public static func storeText(_ date: Date) -> String {
        format(milliseconds(date), fraction: true)
    }

    /// Reads any ISO 8601 time with a zone (`Z` or `±hh:mm`), with or without a fraction of a
    /// second (kept to the millisecond); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        if let fast = parseUTC(Array(text.utf8)) { return fast }
        // Other zones and forms: Foundation's parser, with and without fractional seconds.
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return truncated(date) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return nil
    }

    private struct Milliseconds {
        var value: Int64
        var asSeconds: Double { Double(value) / 1000 }
    }

    private static func milliseconds(_ date: Date) -> Milliseconds {
        Milliseconds(value: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    private static func format(_ ms: Milliseconds, fraction: Bool) -> String {
        let (seconds, milli) = ms.value.quotientAndRemainder(dividingBy: 1000)
        var secs = seconds
        var millis = milli
        if millis < 0 { secs -= 1; millis += 1000 }
        let (days, secondOfDay) = secs.quotientAndRemainder(dividingBy: 86_400)
        var day = days
        var second = secondOfDay
        if second < 0 { day -= 1; second += 86_400 }
        let (year, month, dayOfMonth) = civil(fromDays: day)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ value: Int64, _ digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        put(year, 4); out.append(UInt8(ascii: "-")); put(month, 2); out.append(UInt8(ascii: "-")); put(dayOfMonth, 2)
        out.append(UInt8(ascii: "T"))
        put(second / 3600, 2); out.append(UInt8(ascii: ":")); put(second / 60 % 60, 2); out.append(UInt8(ascii: ":")); put(second % 60, 2)
        if fraction { out.append(UInt8(ascii: ".")); put(millis, 3) }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff…]Z`, the form this tool writes.
    private static func parseUTC(_ b: [UInt8]) -> Date? {
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b.last == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(b[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var millis: Int64 = 0
        if b.count > 20 {
            // A fraction: a dot, at least one digit, then the Z; digits past the third are cut.
            guard b[19] == UInt8(ascii: "."), b.count > 21 else { return nil }
            var scale: Int64 = 100
            for i in 20..<(b.count - 1) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                millis += Int64(b[i] - UInt8(ascii: "0")) * scale
                scale /= 10
            }
        }
        let days = days(fromCivil: year, month, day)
        let ms = ((days * 86_400) + hour * 3600 + minute * 60 + second) * 1000 + millis
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar); waiver dates
    // (Rules.CalendarDay) count their days with the same two functions.
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }
}

extension Timestamp {
    /// For `JSONEncoder`: times as ``text(_:)`` writes them.
    public static let encodingStrategy = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(text(date))
    }

    /// For `JSONDecoder`: times as ``parse(_:)`` reads them.
    public static let decodingStrategy = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
        }
        return date
    }
}
