import Synchronization

/// A token bucket per key (a push token): `rate` requests a second sustained, `burst` at once.
/// Why per token and not per address: a fleet behind one NAT shares an address, and a broken
/// host must not crowd out the others.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[Int64: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Nil when the request may go ahead; else the whole seconds to wait (for Retry-After).
    func wait(for key: Int64, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated).components.seconds) + Double((now - bucket.updated).components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

/// Idempotency keys whose request is still being stored: a retry that arrives meanwhile is told
/// to come back (429 + Retry-After, which the pusher retries) instead of being stored twice or
/// answered 409 (which it would not retry).
final class InFlightKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// False when the key is already in flight.
    func begin(_ key: String) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }

    func end(_ key: String) {
        _ = keys.withLock { $0.remove(key) }
    }
}
