import Inventory

/// Collects the warnings of one collection run, in the order they happened.
///
/// Why a value passed `inout`: collection is single-threaded per snapshot, and a plain value keeps
/// the run free of shared mutable state.
struct WarningLog {
    private(set) var items: [CollectionWarning] = []

    mutating func add(_ kind: CollectionWarning.Kind, _ subject: String, _ message: String) {
        items.append(CollectionWarning(kind, subject: subject, message: message))
    }
}
