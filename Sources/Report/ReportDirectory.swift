#if canImport(Glibc)
import Glibc
#endif
import Rules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The output folder of `audit --out`: per run a file per format named after the host (or
/// `fleet`), the UTC time and the run id, plus a stable `latest.<ext>` replaced atomically, for
/// whatever reads "the current report". The Prometheus textfile is written only as `latest.prom`:
/// node_exporter reads every `*.prom` in its folder, and a history of them would be duplicate series.
public struct ReportDirectory {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Writes every format; returns the paths written, history file first. `renderedJSON`, when
    /// given, is the report's JSON already rendered (for a push): written as it is, not again.
    /// The `latest.*` files are replaced only once every run file is written, `latest.json`
    /// last: a reader that sees this run in `latest.json` finds its other formats in place.
    public func write(_ report: AuditReport, formats: [ReportFormat], renderedJSON: String? = nil) throws -> [String] {
        try AtomicFile.makeDirectories(path)
        var written: [String] = []
        var latestCopies: [(format: ReportFormat, target: String, latest: String)] = []
        let stem = Self.stem(report)
        for format in formats {
            let latest = "\(path)/latest.\(format.fileExtension)"
            if format == .prom {
                try AtomicFile.write(PrometheusText.render(report), to: latest)
                written.append(latest)
                continue
            }
            let target = "\(path)/\(stem).\(format.fileExtension)"
            if format == .json, let renderedJSON {
                try AtomicFile.write(renderedJSON, to: target)
            } else {
                try Self.render(report, as: format, to: target)
            }
            latestCopies.append((format, target, latest))
            written += [target, latest]
        }
        for copy in latestCopies.filter({ $0.format != .json }) + latestCopies.filter({ $0.format == .json }) {
            try AtomicFile.copy(copy.target, to: copy.latest)
        }
        return written
    }

    /// Deletes the history files of `subject` beyond the newest `keep` runs (all formats of a run
    /// go together); `latest.*` and other subjects' files are never touched. Returns what it removed.
    public func prune(subject: String, keep: Int) throws -> [String] {
        let prefix = Self.safeName(subject) + "-"
        var runs: [String: [String]] = [:]
        for name in try AtomicFile.names(in: path) ?? [] {
            guard name.hasPrefix(prefix) else { continue }
            // SUBJECT-YYYYMMDDTHHMMSSZ-RUNID8.EXT: the run is the stamp and the id.
            let rest = name.dropFirst(prefix.count)
            let run = rest.prefix(16 + 1 + 8)
            guard run.count == 25, run.dropFirst(16).first == "-", run.prefix(16).last == "Z",
                  run.prefix(8).allSatisfy(\.isNumber), rest.dropFirst(25).first == "." else { continue }
            runs[String(run), default: []].append(name)
        }
        var removed: [String] = []
        for run in runs.keys.sorted(by: >).dropFirst(max(0, keep)) {
            for name in runs[run] ?? [] where unlink("\(path)/\(name)") == 0 { removed.append("\(path)/\(name)") }
        }
        return removed.sorted()
    }

    /// Streams the report in `format` into `target`, atomically.
    public static func render(_ report: AuditReport, as format: ReportFormat, to target: String) throws {
        var file = try AtomicFile(path: target)
        switch format {
        case .json, .sarif:
            var failure: AtomicFile.Failure?
            let sink: (String) -> Void = { chunk in
                guard failure == nil else { return }
                do throws(AtomicFile.Failure) { try file.write(chunk) } catch { failure = error }
            }
            if format == .json { try AuditJSON.write(report, to: sink) } else { try SARIFReport.write(report, to: sink) }
            if let failure { throw failure }
        default:
            try file.write(text(report, as: format))
        }
        try file.commit()
    }

    /// The report in `format` as one string.
    public static func text(_ report: AuditReport, as format: ReportFormat) throws -> String {
        switch format {
        case .table: AuditText.render(report)
        case .json: try AuditJSON.render(report)
        case .junit: JUnitReport.render(report)
        case .sarif: try SARIFReport.render(report)
        case .prom: PrometheusText.render(report)
        case .html: HTMLReport.render(report)
        case .md: MarkdownReport.render(report)
        }
    }

    /// The run's file names before the extension: `SUBJECT-YYYYMMDDTHHMMSSZ-RUNID8`.
    static func stem(_ report: AuditReport) -> String {
        "\(safeName(report.subject))-\(stamp(report.generatedAt))-\(report.runId.prefix(8))"
    }

    /// `20261125T220301Z`.
    static func stamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// A host name as a file name: letters, digits, `.`, `_`, `-`; anything else becomes `_`.
    static func safeName(_ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "_" + cleaned : cleaned
    }
}
