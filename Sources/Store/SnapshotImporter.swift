import Dispatch
import Inventory
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an import did, per document.
public struct ImportReport: Codable, Sendable, Equatable {
    public struct Rejection: Codable, Sendable, Equatable {
        /// `FILE`, or `FILE:LINE` for a line of a JSON-lines file.
        public var source: String
        public var reason: String
    }

    public var new = 0
    public var unchanged = 0
    public var duplicate = 0
    public var rejected: [Rejection] = []

    public var total: Int { new + unchanged + duplicate + rejected.count }
}

/// How far an import has got, after each stored batch (for a progress line).
public struct ImportProgress: Sendable, Equatable {
    /// Documents stored or rejected so far.
    public var documents: Int
    /// Bytes of input read so far (a batch ahead of `documents`).
    public var bytesRead: Int
    /// All the input's bytes, when it is made of files; nil for standard input.
    public var totalBytes: Int?

    public init(documents: Int, bytesRead: Int, totalBytes: Int?) {
        self.documents = documents
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
    }

    /// The number of documents the whole input holds, estimated from the bytes read so far; exact
    /// once everything is read.
    public var estimatedTotal: Int? {
        guard let totalBytes, bytesRead > 0, documents > 0 else { return nil }
        return max(documents, Int((Double(documents) * Double(totalBytes) / Double(bytesRead)).rounded()))
    }
}

/// Loads snapshot JSON made by `collect --format json` on other hosts: a file holding one snapshot
/// (pretty or compact), a JSON-lines file (one compact snapshot per line), a folder of such files,
/// or standard input.
///
/// Documents are decoded and checked in parallel, then stored one transaction each, so a broken
/// document is rejected with its reason and the rest of the batch still lands.
public struct SnapshotImporter {
    public let store: InventoryStore
    public var labels: [String: String]
    /// Documents decoded per batch (bounded memory whatever the input size).
    public var batchSize = 256
    /// Called after every stored batch.
    public var progress: (ImportProgress) -> Void = { _ in }

    public init(store: InventoryStore, labels: [String: String] = [:]) {
        self.store = store
        self.labels = labels
    }

    /// `source` is a file, a folder, or `-` for standard input.
    public func importSnapshots(from source: String) throws -> ImportReport {
        var report = ImportReport()
        if source == "-" {
            var position = InputPosition(before: 0, total: nil)
            try importStream(fd: 0, name: "stdin", report: &report, position: &position)
            return report
        }
        var info = stat()
        guard stat(source, &info) == 0 else {
            throw StoreError.rejected("\(source): \(String(cString: strerror(errno)))")
        }
        let files: [String]
        if info.st_mode & S_IFMT == S_IFDIR {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []
            files = names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") || $0.hasSuffix(".ndjson") }.sorted()
                .map { source + "/" + $0 }
        } else {
            files = [source]
        }
        var sizes: [Int] = []
        for file in files {
            var fileInfo = stat()
            sizes.append(stat(file, &fileInfo) == 0 ? Int(fileInfo.st_size) : 0)
        }
        var position = InputPosition(before: 0, total: sizes.reduce(0, +))
        for (file, size) in zip(files, sizes) {
            defer { position.before += size }
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                report.rejected.append(.init(source: file, reason: String(cString: strerror(errno))))
                continue
            }
            defer { close(fd) }
            try importStream(fd: fd, name: file, report: &report, position: &position)
        }
        return report
    }

    /// Where the import is in its whole input: the bytes of the files before the current one.
    private struct InputPosition {
        var before: Int
        var total: Int?
    }

    /// A pretty document (first line `{`) is one snapshot; otherwise every non-empty line is one.
    /// Batches are decoded on all cores while the previous batch is being written.
    private func importStream(fd: Int32, name: String, report: inout ImportReport, position: inout InputPosition) throws {
        var reader = LineReader(fd: fd)
        var pending: [Document] = []
        var inFlight: DecodedBatch?
        var lineNumber = 0
        func written(_ report: ImportReport) {
            progress(ImportProgress(documents: report.total, bytesRead: position.before + reader.consumed, totalBytes: position.total))
        }
        func flush(_ documents: [Document], report: inout ImportReport) throws {
            let next = DecodedBatch(documents)
            if let previous = inFlight {
                try write(previous, report: &report)
                written(report)
            }
            inFlight = next
        }
        while let line = try reader.next() {
            lineNumber += 1
            if lineNumber == 1, line.elementsEqual("{".utf8) || line.elementsEqual("{\r".utf8) {
                var whole = Array(line) + [0x0a]
                while let more = try reader.next() {
                    whole += more
                    whole.append(0x0a)
                    if whole.count > SnapshotValidator.maxDocumentBytes { break }
                }
                pending.append(Document(source: name, bytes: whole[...]))
                break
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
            pending.append(Document(source: "\(name):\(lineNumber)", bytes: line))
            if pending.count >= batchSize {
                try flush(pending, report: &report)
                pending.removeAll(keepingCapacity: true)
            }
        }
        if !pending.isEmpty { try flush(pending, report: &report) }
        if let last = inFlight {
            try write(last, report: &report)
            written(report)
        }
    }

    struct Document: Sendable {
        var source: String
        var bytes: ArraySlice<UInt8>
    }

    /// A batch being decoded and checked in the background, on every core.
    private final class DecodedBatch: @unchecked Sendable {
        let documents: [Document]
        private var prepared: [Prepared]
        private let done = DispatchGroup()

        init(_ documents: [Document]) {
            self.documents = documents
            prepared = [Prepared](repeating: Prepared(), count: documents.count)
            done.enter()
            DispatchQueue.global().async { [self] in
                prepared.withUnsafeMutableBufferPointer { buffer in
                    nonisolated(unsafe) let out = buffer
                    DispatchQueue.concurrentPerform(iterations: documents.count) { i in
                        out[i] = SnapshotImporter.prepare(documents[i].bytes)
                    }
                }
                done.leave()
            }
        }

        var results: [Prepared] {
            done.wait()
            return prepared
        }
    }

    /// Stores a decoded batch in one transaction (``InventoryStore/storeBatch(_:)``): one commit
    /// per batch rather than per snapshot, and a snapshot the store refuses is reported with its
    /// source while the rest of the batch is stored.
    private func write(_ batch: DecodedBatch, report: inout ImportReport) throws {
        var items: [InventoryStore.BatchItem] = []
        var positions: [Int] = []
        var rejected: [(position: Int, rejection: ImportReport.Rejection)] = []
        for (position, (document, item)) in zip(batch.documents, batch.results).enumerated() {
            guard let snapshot = item.snapshot, let rows = item.rows else {
                rejected.append((position, .init(source: document.source, reason: item.rejection ?? "not a snapshot")))
                continue
            }
            items.append(InventoryStore.BatchItem(snapshot: snapshot, rows: rows, labels: labels))
            positions.append(position)
        }
        if !items.isEmpty {
            for (position, result) in zip(positions, try store.storeBatch(items)) {
                switch result {
                case .success(.new): report.new += 1
                case .success(.unchanged): report.unchanged += 1
                case .success(.duplicate): report.duplicate += 1
                case .failure(let error):
                    let why = if case .rejected(let reason) = error { reason } else { "\(error)" }
                    rejected.append((position, .init(source: batch.documents[position].source, reason: why)))
                }
            }
        }
        // In the order of the input, as a reader of the report expects.
        report.rejected += rejected.sorted { $0.position < $1.position }.map(\.rejection)
    }

    fileprivate struct Prepared: @unchecked Sendable {
        var snapshot: HostSnapshot?
        var rows: SnapshotRows?
        var rejection: String?
    }

    fileprivate static func prepare(_ bytes: ArraySlice<UInt8>) -> Prepared {
        if let why = SnapshotValidator.checkRaw(bytes) { return Prepared(rejection: why) }
        let snapshot: HostSnapshot
        do {
            snapshot = try HostSnapshot(jsonBytes: Array(bytes))
        } catch {
            return Prepared(rejection: "not a snapshot: \(error)")
        }
        if let why = SnapshotValidator.check(snapshot) { return Prepared(rejection: why) }
        return Prepared(snapshot: snapshot, rows: SnapshotRows(snapshot))
    }
}

/// Reads a file descriptor line by line with a bounded buffer.
struct LineReader {
    let fd: Int32
    /// Bytes handed out so far, newlines included.
    private(set) var consumed = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// The next line without its newline; nil at the end.
    mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                let line = buffer[start..<newline]
                consumed += newline + 1 - start
                start = newline + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                consumed += buffer.count - start
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.rejected("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else { buffer += chunk[0..<n] }
        }
    }
}
