#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Report

/// `auto` decides by the stream: a terminal gets it, a file or pipe does not.
enum WhenOption: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// `--color`, for the commands that print verdicts.
struct ColorOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Colour PASS/WARN/FAIL and severities: auto (when standard output is a terminal and NO_COLOR is not set), always or never.",
        valueName: "WHEN"))
    var color: WhenOption = .auto

    /// The style for standard output. `NO_COLOR` (https://no-color.org: set and not empty) turns
    /// `auto` off, as does `TERM=dumb`; `--color always` is the user's explicit wish and wins.
    var style: TextStyle {
        switch color {
        case .always: return TextStyle(color: true)
        case .never: return .plain
        case .auto:
            let noColor = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
            let term = getenv("TERM").map { String(cString: $0) } ?? ""
            return TextStyle(color: isatty(1) == 1 && noColor.isEmpty && term != "dumb")
        }
    }
}

/// `--progress`, for the commands that can run long (import, fleet audit, prune, capture, migrate).
struct ProgressOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.",
        valueName: "WHEN"))
    var progress: WhenOption = .auto

    /// Runs `body` with a progress line for `label` — drawn only when asked for or when standard
    /// error is a terminal — and erases the line when `body` ends, also when it throws.
    func showing<T>(_ label: String, unit: String, _ body: (ProgressLine) throws -> T) rethrows -> T {
        let enabled = switch progress {
        case .always: true
        case .never: false
        case .auto: isatty(2) == 1
        }
        let line = ProgressLine(label: label, unit: unit, enabled: enabled)
        defer { line.finish() }
        return try body(line)
    }
}

/// One line on standard error, redrawn in place (`\r`, erase to end of line) at most five times a
/// second: `import: 2,048/10,000 snapshots (20%), 263/s, 30 s left`. `finish()` erases it, so
/// what the command prints afterwards starts on a clean line. Disabled, it does nothing at all.
final class ProgressLine {
    let label: String
    let unit: String
    let enabled: Bool
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var drawn = false

    init(label: String, unit: String, enabled: Bool) {
        self.label = label
        self.unit = unit
        self.enabled = enabled
    }

    /// `total` nil when it is not known (standard input): the line shows the count and the rate.
    /// An `approximate` total (estimated from bytes read) is shown as `~N`.
    func update(_ done: Int, of total: Int?, approximate: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(200), done != total { return }
        lastDrawn = now
        Console.error("\r\u{1B}[K" + Self.text(label: label, unit: unit, done: done, total: total, approximate: approximate, elapsed: Self.seconds(now - started)))
        drawn = true
    }

    func finish() {
        guard enabled, drawn else { return }
        Console.error("\r\u{1B}[K")
        drawn = false
    }

    /// The line's words (tested on their own): counts with thousands separators, the rate since
    /// the start, and the time left at that rate.
    static func text(label: String, unit: String, done: Int, total: Int?, approximate: Bool = false, elapsed: Double) -> String {
        var line = "\(label): \(grouped(done))"
        if let total {
            let percent = total > 0 ? done * 100 / total : 100
            line += "/\(approximate ? "~" : "")\(grouped(total)) \(unit) (\(percent)%)"
        } else {
            line += " \(unit)"
        }
        guard elapsed > 0.05, done > 0 else { return line }
        let rate = Double(done) / elapsed
        line += ", \(rate >= 10 ? grouped(Int(rate.rounded())) : String(Double(Int(rate * 10)) / 10))/s"
        if let total, total > done {
            line += ", \(duration(Double(total - done) / rate)) left"
        }
        return line
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
