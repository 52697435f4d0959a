import Dispatch
import Synchronization

/// Runs numbered jobs on several threads and hands their results to the calling thread in job
/// order: a fleet audit reads and checks batches of hosts on every core while one thread folds
/// the results together in a fixed order, so the report does not depend on thread timing.
///
/// At most `window` jobs are started ahead of the one the caller is waiting for, so memory stays
/// bounded. The first error (a job's or the caller's) stops the rest; the workers are always
/// joined before ``run(count:workers:window:makeWorker:consume:)`` returns.
public enum OrderedWorkers<Output: Sendable> {
    private struct State {
        var nextJob = 0
        var done: [Int: Output] = [:]
        var failure: (any Error)?
        var stopped = false
    }

    /// - Parameter makeWorker: called once on each worker thread; returns that thread's job
    ///   function (which may hold per-thread resources, such as its own database connection).
    public static func run(
        count: Int, workers: Int, window: Int,
        makeWorker: @escaping @Sendable () throws -> (Int) throws -> Output,
        consume: (Output) throws -> Void
    ) throws {
        guard count > 0 else { return }
        let state = Mutex(State())
        let ready = DispatchSemaphore(value: 0)  // one signal per stored result or failure
        let slots = DispatchSemaphore(value: max(1, window))  // jobs that may start ahead
        let group = DispatchGroup()
        let threads = max(1, min(workers, count))

        for _ in 0..<threads {
            DispatchQueue.global().async(group: group) {
                do {
                    let job = try makeWorker()
                    while true {
                        slots.wait()
                        let claimed = state.withLock { s -> Int? in
                            guard !s.stopped, s.failure == nil, s.nextJob < count else { return nil }
                            defer { s.nextJob += 1 }
                            return s.nextJob
                        }
                        guard let index = claimed else {
                            slots.signal()  // let the next worker see the end too
                            return
                        }
                        let output = try job(index)
                        state.withLock { $0.done[index] = output }
                        ready.signal()
                    }
                } catch {
                    state.withLock { if $0.failure == nil { $0.failure = error } }
                    slots.signal()
                    ready.signal()
                }
            }
        }
        defer {
            state.withLock { $0.stopped = true }
            for _ in 0..<threads { slots.signal() }
            group.wait()
        }
        for index in 0..<count {
            var output: Output?
            while output == nil {
                let (found, failure) = state.withLock { s -> (Output?, (any Error)?) in
                    (s.done.removeValue(forKey: index), s.failure)
                }
                if let found {
                    output = found
                } else if let failure {
                    throw failure
                } else {
                    ready.wait()
                }
            }
            slots.signal()
            if let output { try consume(output) }
        }
    }
}
