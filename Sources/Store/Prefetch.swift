import Dispatch
import Synchronization

/// Runs a producer on another thread, one batch ahead of its consumer: while the caller audits
/// batch N, batch N+1 is read from the database. On a two-core host that overlaps the two halves
/// of a fleet audit instead of adding them. At most `depth` batches wait, so memory stays bounded.
final class Prefetch<Batch: Sendable>: Sendable {
    private struct State {
        var queue: [Batch] = []
        var finished = false
        var failure: (any Error)?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let items = DispatchSemaphore(value: 0)
    private let slots: DispatchSemaphore

    init(depth: Int = 1) {
        slots = DispatchSemaphore(value: max(1, depth))
    }

    struct Cancelled: Error {}

    /// Called by the producer; throws ``Cancelled`` once the consumer has stopped.
    func put(_ batch: Batch) throws {
        slots.wait()
        let cancelled = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.queue.append(batch)
            return false
        }
        if cancelled { throw Cancelled() }
        items.signal()
    }

    /// Called by the producer when done (with its error, if any).
    func finish(_ error: (any Error)?) {
        state.withLock {
            $0.finished = true
            $0.failure = error
        }
        items.signal()
    }

    /// Runs `produce` on a background thread and `consume` here for each batch, in order.
    static func run(depth: Int = 1, produce: @escaping @Sendable (Prefetch<Batch>) throws -> Void, consume: (Batch) throws -> Void) throws {
        let channel = Prefetch<Batch>(depth: depth)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do {
                try produce(channel)
                channel.finish(nil)
            } catch is Cancelled {
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
            done.signal()
        }
        defer {
            // Stop the producer (it may be waiting for a slot) and wait for it to leave.
            channel.state.withLock { $0.cancelled = true }
            channel.slots.signal()
            done.wait()
        }
        while true {
            channel.items.wait()
            let next = channel.state.withLock { state -> (Batch?, Bool, (any Error)?) in
                if !state.queue.isEmpty { return (state.queue.removeFirst(), false, nil) }
                return (nil, state.finished, state.failure)
            }
            if let batch = next.0 {
                channel.slots.signal()
                try consume(batch)
            } else if next.1 {
                if let failure = next.2 { throw failure }
                return
            }
        }
    }
}
