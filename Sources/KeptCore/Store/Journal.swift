/// Where changes are made durable: the store's files (`StoreFile`), or memory in tests
/// (`MemoryJournal`, in the KeptTestSupport target). The keeper writes every change here before it applies or answers it.
public protocol Journal: AnyObject, Sendable {
    /// What the user is told the store is.
    var documentPath: String { get }
    /// Bytes in the journal not yet folded into the document.
    var journalBytes: Int { get }
    /// True when the journal has grown enough to be folded into the document.
    var wantsCompaction: Bool { get }
    /// Makes `records` durable, or throws and keeps none of them.
    func append(_ records: [JournalRecord]) throws(StoreError)
    /// Writes `state` as the whole document and empties the journal.
    func compact(_ state: StoreState) throws(StoreError)
}

extension StoreFile: Journal {}
