/// "Did you mean …?" for a misspelt name (a command, a check, a rules-file key): the closest known
/// name by edit distance, when it is close enough to be a typo rather than another word.
public enum Suggestion {
    /// The known name nearest to `word` (Damerau–Levenshtein: a swapped pair of letters is one
    /// edit), if at most a third of its letters (at least one, at most three) differ; ties go to
    /// the earlier name in `known`.
    public static func closest(to word: String, among known: some Sequence<String>) -> String? {
        let typed = Array(word.lowercased().unicodeScalars)
        guard !typed.isEmpty else { return nil }
        let allowed = min(3, max(1, typed.count / 3))
        var best: (name: String, distance: Int)?
        for name in known {
            let d = distance(typed, Array(name.lowercased().unicodeScalars))
            if d <= allowed, d < (best?.distance ?? .max) { best = (name, d) }
        }
        return best?.name
    }

    /// `` (did you mean `mac-unique`?)`` or nothing.
    public static func phrase(for word: String, among known: some Sequence<String>) -> String {
        closest(to: word, among: known).map { " (did you mean `\($0)`?)" } ?? ""
    }

    /// Optimal string alignment distance.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
