import Inventory
import NIOPosix
import Store
import Synchronization

/// Stores pushed snapshots with group commit: whatever arrived while the previous transaction
/// was being written goes into the next one, on one writer thread, one commit for all of them.
/// Each caller is answered only after the transaction that holds its snapshot committed, with
/// its own outcome (a snapshot the store refuses costs only itself).
///
/// Why: SQLite takes one writer at a time, and every transaction pays for its lock and its
/// commit; requests that each waited for the write lock would queue behind one another, while a
/// batch takes it once, without weakening "acknowledged means committed".
final class GroupCommitWriter: Sendable {
    typealias Item = InventoryStore.BatchItem

    private struct Pending {
        var items: [(Item, CheckedContinuation<StoreOutcome, any Error>)] = []
        var writing = false
    }

    private let store: InventoryStore
    private let thread: NIOThreadPool
    private let state = Mutex(Pending())
    /// The most snapshots one transaction takes.
    let maxBatch: Int

    init(store: InventoryStore, maxBatch: Int = 256) {
        self.store = store
        self.maxBatch = maxBatch
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    func shutdown() async {
        try? await thread.shutdownGracefully()
    }

    /// Stores one snapshot; returns once it is committed (or throws why it was not).
    func store(_ item: Item) async throws -> StoreOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLock { pending -> Bool in
                pending.items.append((item, continuation))
                if pending.writing { return false }
                pending.writing = true
                return true
            }
            if startWriter { thread.submit { _ in self.drain() } }
        }
    }

    /// On the writer thread: one transaction per round, until nothing is pending.
    private func drain() {
        while true {
            let batch = state.withLock { pending -> [(Item, CheckedContinuation<StoreOutcome, any Error>)] in
                let batch = Array(pending.items.prefix(maxBatch))
                pending.items.removeFirst(batch.count)
                if batch.isEmpty { pending.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let results = try store.storeBatch(batch.map(\.0))
                for ((_, continuation), result) in zip(batch, results) { continuation.resume(with: result.mapError { $0 }) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
    }
}
