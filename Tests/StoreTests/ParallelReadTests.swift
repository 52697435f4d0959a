import Collector
import Foundation
import Inventory
@testable import Store
import Synchronization
import TestSupport
import XCTest

/// The fleet read on several threads: the same batches in the same order as the one-thread read,
/// whatever the timing, and a failure anywhere stops it cleanly.
final class ParallelReadTests: XCTestCase {
    func testResultsArriveInJobOrderWhateverTheTiming() throws {
        for workers in [1, 2, 5] {
            var seen: [Int] = []
            try OrderedWorkers<Int>.run(count: 40, workers: workers, window: workers, makeWorker: {
                return { index in
                    usleep(useconds_t((index * 7919) % 5 * 300))  // later jobs often finish first
                    return index * index
                }
            }, consume: { seen.append($0) })
            XCTAssertEqual(seen, (0..<40).map { $0 * $0 }, "\(workers) workers")
        }
        var none = 0
        try OrderedWorkers<Int>.run(count: 0, workers: 3, window: 3, makeWorker: { { $0 } }, consume: { _ in none += 1 })
        XCTAssertEqual(none, 0)
    }

    func testAFailingJobOrConsumerStopsTheRest() {
        struct Planted: Error, Equatable { let index: Int }
        let started = Mutex(0)
        XCTAssertThrowsError(try OrderedWorkers<Int>.run(count: 1_000, workers: 3, window: 3, makeWorker: {
            return { index in
                started.withLock { $0 += 1 }
                if index == 7 { throw Planted(index: 7) }
                return index
            }
        }, consume: { _ in })) { XCTAssertEqual($0 as? Planted, Planted(index: 7)) }
        XCTAssertLessThan(started.withLock { $0 }, 100, "jobs stop soon after a failure")

        var consumed: [Int] = []
        XCTAssertThrowsError(try OrderedWorkers<Int>.run(count: 1_000, workers: 3, window: 3, makeWorker: { { $0 } }, consume: { index in
            consumed.append(index)
            if index == 4 { throw Planted(index: 4) }
        })) { XCTAssertEqual($0 as? Planted, Planted(index: 4)) }
        XCTAssertEqual(consumed, [0, 1, 2, 3, 4])

        XCTAssertThrowsError(try OrderedWorkers<Int>.run(count: 5, workers: 2, window: 2, makeWorker: { throw Planted(index: -1) },
                                                          consume: { _ in })) { XCTAssertEqual($0 as? Planted, Planted(index: -1)) }
    }

    /// 130 hosts (three batches of the parallel read) from the real capture: every host's
    /// snapshot and labels equal what the one-thread read returns, in the same order.
    func testTheParallelFleetReadEqualsTheSequentialOne() throws {
        try TestDatabase.each("parallel") { db in
            let dir = Fixtures.temporaryDirectory("parallel-read")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = try db.open()
            let base = try Collector(options: .init(now: { Date(timeIntervalSince1970: 1_795_000_000) }))
                .collectCapture(at: Fixtures.path("qemu/igb-nvme-netdevsim/after"))
            for n in 0..<130 {
                var s = base
                s.host.hostname = String(format: "host-%03d", n)
                s.physicalFunctions[0].numVFs = n % 5
                _ = try store.store(s, labels: ["site": n % 2 == 0 ? "par1" : "fra2"])
            }
            var sequential: [(String, HostSnapshot, [String: String])] = []
            try store.forEachLatestSnapshot(batchSize: 60) { sequential += $0.map { ($0.snapshot.host.hostname, $0.snapshot, $0.labels) } }
            var parallel: [(String, HostSnapshot, [String: String])] = []
            var batches = 0
            try store.forEachLatestSnapshot(batchSize: 60, workers: 3, prepare: { $0 }) { batch in
                batches += 1
                parallel += batch.map { ($0.snapshot.host.hostname, $0.snapshot, $0.labels) }
            }
            XCTAssertEqual(batches, 3, "50, then 60, then 20")
            XCTAssertEqual(parallel.map(\.0), (0..<130).map { String(format: "host-%03d", $0) })
            XCTAssertEqual(parallel.map(\.0), sequential.map(\.0))
            XCTAssertEqual(parallel.map(\.1), sequential.map(\.1))
            XCTAssertEqual(parallel.map(\.2), sequential.map(\.2))
            XCTAssertEqual(parallel[3].1.physicalFunctions[0].numVFs, 3)
            var selected: [String] = []
            try store.forEachLatestSnapshot(matching: ["site": "fra2"], workers: 2, prepare: { $0.map(\.snapshot.host.hostname) }) { selected += $0 }
            XCTAssertEqual(selected.count, 65)
            XCTAssertTrue(selected.allSatisfy { Int($0.dropFirst(5))! % 2 == 1 })
        }
    }
}
