import KeptCore
import Synchronization

/// A journal in memory, for tests of the daemon's own loop: it keeps what was appended and fails
/// on demand, as a full disk would.
public final class MemoryJournal: Journal {
    private struct State {
        var records: [JournalRecord] = []
        var failure: String?
    }
    private let state = Mutex(State())

    public init() {}

    public var documentPath: String { "memory" }
    public var journalBytes: Int { state.withLock { $0.records.count } }
    public var wantsCompaction: Bool { false }

    /// Every record appended since the last compaction, in order.
    public var records: [JournalRecord] { state.withLock { $0.records } }

    /// While set, every write fails with this reason.
    public var failure: String? {
        get { state.withLock { $0.failure } }
        set { state.withLock { $0.failure = newValue } }
    }

    public func append(_ records: [JournalRecord]) throws(StoreError) {
        let failed: String? = state.withLock { s in
            if let reason = s.failure { return reason }
            s.records += records
            return nil
        }
        if let failed { throw StoreError(.io, "cannot write the journal: \(failed)") }
    }

    public func compact(_ state: StoreState) throws(StoreError) {
        let failed: String? = self.state.withLock { s in
            if let reason = s.failure { return reason }
            s.records = []
            return nil
        }
        if let failed { throw StoreError(.io, "cannot write the document: \(failed)") }
    }
}
