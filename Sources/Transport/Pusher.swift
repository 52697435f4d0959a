#if canImport(Glibc)
import Glibc
#endif
import Inventory

/// A payload to deliver: the bytes, their type, and the key a receiver deduplicates re-sends by.
public struct Payload: Sendable {
    public var body: [UInt8]
    public var contentType: String
    /// Sent as `Idempotency-Key`: the report's run id, or the snapshot's content digest.
    public var idempotencyKey: String
    /// `audit-report` or `snapshot`.
    public var kind: String

    public init(body: [UInt8], contentType: String = "application/json", idempotencyKey: String, kind: String) {
        self.body = body
        self.contentType = contentType
        self.idempotencyKey = idempotencyKey
        self.kind = kind
    }
}

/// Delivers payloads with retries, and spools what could not be delivered so nothing is lost
/// when a receiver is down: the spool is re-sent, oldest first, by ``flush(policy:)``.
public struct Pusher {
    public var policy: RetryPolicy
    public var spool: Spool
    /// Progress and warnings, one line each (the CLI sends them to stderr). Never carries the token.
    public var notify: (String) -> Void
    /// Waits between retries (seconds); replaceable so library tests need not sleep.
    public var sleep: (Double) -> Void = { seconds in
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    public init(policy: RetryPolicy, spool: Spool, notify: @escaping (String) -> Void) {
        self.policy = policy
        self.spool = spool
        self.notify = notify
    }

    public enum Delivery: Sendable, Equatable {
        case delivered(status: Int, attempts: Int)
        /// Not delivered; kept in the spool under `item` for a later run.
        case spooled(item: String, reason: String)
        /// The receiver refused the payload itself; kept in `rejected/`.
        case rejected(reason: String)
    }

    /// Sends `payload` to `target`; what cannot be delivered now is spooled. Throws only when the
    /// payload could neither be delivered nor spooled (then it is lost, and the caller must say so).
    public func push(_ payload: Payload, to target: PushTarget) throws(TransportError) -> Delivery {
        try target.validate()
        let token: String?
        do { token = try target.token() } catch {
            // The token may be fixed later (a secret not yet rolled out): keep the payload.
            let entry = Self.entry(payload, target, attempts: 0, lastError: error.description)
            return .spooled(item: try spool.add(body: payload.body, entry: entry), reason: error.description)
        }
        if token != nil, target.url.lowercased().hasPrefix("http://"), !Self.isLoopback(target.displayURL) {
            notify("warning: sending a bearer token to \(target.displayURL) over plain http")
        }
        let outcome = attempt(payload.body, contentType: payload.contentType, key: payload.idempotencyKey, kind: payload.kind,
                              target: target, token: token, policy: policy)
        switch outcome {
        case .delivered(let status, let attempts):
            return .delivered(status: status, attempts: attempts)
        case .refusedPayload(let reason):
            let entry = Self.entry(payload, target, attempts: 1, lastError: reason)
            let name = try spool.add(body: payload.body, entry: entry)
            try spool.reject(Spool.Item(name: name, entry: entry), reason: reason)
            return .rejected(reason: reason)
        case .failed(let reason, let attempts, _):
            let entry = Self.entry(payload, target, attempts: attempts, lastError: reason)
            let name = try spool.add(body: payload.body, entry: entry)
            return .spooled(item: name, reason: reason)
        }
    }

    private static func entry(_ payload: Payload, _ target: PushTarget, attempts: Int, lastError: String) -> Spool.Entry {
        Spool.Entry(target: target, idempotencyKey: payload.idempotencyKey, contentType: payload.contentType,
                    kind: payload.kind, createdAt: now(), attempts: attempts, lastError: lastError)
    }

    public struct FlushSummary: Sendable, Equatable {
        public var delivered = 0
        public var rejected = 0
        public var remaining = 0
        /// Another process held the spool's lock; nothing was sent.
        public var busy = false
    }

    /// Re-sends spooled payloads oldest first; each leaves the spool only after a 2xx. Once a
    /// receiver is found down, its later items wait for the next flush (they would fail the same
    /// way); items for other receivers still go.
    public func flush(policy flushPolicy: RetryPolicy? = nil) throws -> FlushSummary {
        var summary = FlushSummary()
        let ran = try spool.withFlushLock {
            var down = Set<String>()
            let (items, damaged) = try spool.scan()
            for name in damaged {
                try spool.quarantine(name)
                notify("spool \(name).json is not a spool entry; moved to \(spool.directory)/rejected/ as it is")
            }
            for var item in items {
                if down.contains(item.entry.target.url) {
                    summary.remaining += 1
                    continue
                }
                let token: String?
                do { token = try item.entry.target.token() } catch {
                    notify("spool \(item.name): \(error); kept")
                    summary.remaining += 1
                    continue
                }
                let body = try spool.body(of: item)
                let outcome = attempt(body, contentType: item.entry.contentType, key: item.entry.idempotencyKey, kind: item.entry.kind,
                                      target: item.entry.target, token: token, policy: flushPolicy ?? policy)
                switch outcome {
                case .delivered(let status, _):
                    spool.remove(item)
                    summary.delivered += 1
                    notify("delivered spooled \(item.entry.kind) \(item.entry.idempotencyKey) to \(item.entry.target.displayURL) (HTTP \(status))")
                case .refusedPayload(let reason):
                    try spool.reject(item, reason: reason)
                    summary.rejected += 1
                    notify("spooled \(item.entry.kind) \(item.entry.idempotencyKey) refused by \(item.entry.target.displayURL): \(reason); moved to \(spool.directory)/rejected")
                case .failed(let reason, let attempts, let receiverDown):
                    item.entry.attempts += attempts
                    item.entry.lastError = reason
                    try spool.update(item)
                    summary.remaining += 1
                    notify("spooled \(item.entry.kind) \(item.entry.idempotencyKey) not delivered: \(reason); kept")
                    if receiverDown { down.insert(item.entry.target.url) }
                }
            }
        }
        if !ran {
            summary.busy = true
            summary.remaining = (try? spool.pending().count) ?? 0
        }
        return summary
    }

    enum Attempt: Equatable {
        case delivered(status: Int, attempts: Int)
        case refusedPayload(String)
        /// `receiverDown`: a connection-level or 5xx failure (a flush stops at it).
        case failed(String, attempts: Int, receiverDown: Bool)
    }

    func attempt(_ body: [UInt8], contentType: String, key: String, kind: String, target: PushTarget, token: String?, policy: RetryPolicy) -> Attempt {
        let headers = ["Content-Type: \(contentType)", "Idempotency-Key: \(key)", "X-Sriov-Audit-Kind: \(kind)"]
        var attempts = 0
        while true {
            attempts += 1
            let outcome = HTTPClient.post(body, headers: headers, target: target, token: token)
            let reason: String
            var retryAfter: Double?
            switch outcome {
            case .response(let status, let after, let text):
                if (200...299).contains(status) { return .delivered(status: status, attempts: attempts) }
                let detail = Self.snippet(text, token: token)
                switch status {
                case 401, 403:
                    return .failed("HTTP \(status) from \(target.displayURL): the receiver refused the credentials (check the token source)\(detail)",
                                   attempts: attempts, receiverDown: false)
                case 400, 413, 415, 422:
                    return .refusedPayload("HTTP \(status) from \(target.displayURL): the receiver refused the payload\(detail)")
                case 300...399:
                    return .failed("HTTP \(status) from \(target.displayURL): redirects are not followed (a token must not travel to another URL); push to the final URL",
                                   attempts: attempts, receiverDown: false)
                default:
                    guard RetryPolicy.isTransient(status: status) else {
                        return .failed("HTTP \(status) from \(target.displayURL)\(detail)", attempts: attempts, receiverDown: false)
                    }
                    reason = "HTTP \(status) from \(target.displayURL)\(detail)"
                    retryAfter = after.flatMap { RetryAfter.seconds($0, now: Self.now()) }
                }
            case .transportFailure(_, let message, let transient):
                let text = "\(target.displayURL): \(message.redacting(token))"
                guard transient else { return .failed(text, attempts: attempts, receiverDown: false) }
                reason = text
            }
            guard attempts <= policy.retries else { return .failed(reason, attempts: attempts, receiverDown: true) }
            if let retryAfter, retryAfter > policy.maxDelay {
                return .failed("\(reason); the receiver asked to wait \(Int(retryAfter)) s, longer than the \(Int(policy.maxDelay)) s limit",
                               attempts: attempts, receiverDown: true)
            }
            let wait = policy.delay(beforeRetry: attempts, retryAfter: retryAfter)
            notify("push to \(target.displayURL) failed (\(reason)); retry \(attempts) of \(policy.retries) in \(Self.seconds(wait))")
            sleep(wait)
        }
    }

    private static func snippet(_ body: String, token: String?) -> String {
        let flat = body.redacting(token).map { $0.isNewline ? " " : $0 }
        let text = String(String(flat).trimmingWhitespace.prefix(200))
        return text.isEmpty ? "" : ": \(text)"
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? "\((value * 100).rounded() / 100) s" : "\(Int(value.rounded())) s"
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func isLoopback(_ displayURL: String) -> Bool {
        let hostPart = displayURL.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        return hostPart.hasPrefix("127.") || hostPart.hasPrefix("localhost") || hostPart.hasPrefix("[::1]")
    }
}
