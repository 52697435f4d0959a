#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// When to try again: exponential backoff with jitter on connection errors, 408/425/429 and 5xx,
/// honouring the server's Retry-After; never on other 4xx (asking again will not change the answer).
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt.
    public var retries: Int
    /// The first backoff, in seconds; doubled each retry.
    public var baseDelay: Double
    /// No single wait is longer than this.
    public var maxDelay: Double

    public init(retries: Int = 4, baseDelay: Double = 1, maxDelay: Double = 120) {
        self.retries = max(0, retries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The wait before retry number `retry` (1-based): base·2^(retry-1), scaled by a random factor
    /// in [0.5, 1] so that a fleet that lost its receiver at the same moment does not come back
    /// in lock step, capped at `maxDelay`. A Retry-After the server sent wins, within the cap.
    public func delay<R: RandomNumberGenerator>(beforeRetry retry: Int, retryAfter: Double?, using random: inout R) -> Double {
        if let retryAfter { return min(max(0, retryAfter), maxDelay) }
        let exponential = baseDelay * Double(1 << min(max(0, retry - 1), 20))
        return min(exponential * Double.random(in: 0.5...1, using: &random), maxDelay)
    }

    public func delay(beforeRetry retry: Int, retryAfter: Double?) -> Double {
        var random = SystemRandomNumberGenerator()
        return delay(beforeRetry: retry, retryAfter: retryAfter, using: &random)
    }

    /// Whether an HTTP status is worth asking again for.
    public static func isTransient(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500...599).contains(status)
    }
}

/// The Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Seconds to wait from `now` (Unix time); nil when the value is neither form.
    public static func seconds(_ value: String, now: Double) -> Double? {
        let text = value.trimmingWhitespace
        if !text.isEmpty, text.allSatisfy(\.isASCII), let n = Int(text), n >= 0 { return Double(n) }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - now)
    }

    /// IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, as Unix time.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return Double(timegm(&t))
    }
}
