import HeapModule

/// The next reminder time of every item, ordered, so the next deadline is found in O(log n).
///
/// Entries are never removed from the heap when an item's time changes: stale ones are skipped
/// when they reach the top (the map holds each item's current time).
public struct ReminderQueue: Sendable {
    struct Entry: Comparable, Sendable {
        var at: Instant
        var item: ItemID
        static func < (a: Entry, b: Entry) -> Bool { (a.at, a.item) < (b.at, b.item) }
    }

    private var heap = Heap<Entry>()
    private var current: [ItemID: Instant] = [:]

    public init() {}

    /// A queue holding these next reminder times, built at once (O(n)).
    init(_ next: [(item: ItemID, at: Instant)]) {
        current.reserveCapacity(next.count)
        for (item, at) in next { current[item] = at }
        rebuild()
    }

    public var count: Int { current.count }

    /// Sets (or clears, with nil) the next reminder time of `item`.
    public mutating func set(_ item: ItemID, _ at: Instant?) {
        guard current[item] != at else { return }
        current[item] = at
        if let at { heap.insert(Entry(at: at, item: item)) }
        if heap.count > 4 * current.count + 64 { rebuild() }
    }

    /// The earliest reminder time, and its item.
    public mutating func earliest() -> (at: Instant, item: ItemID)? {
        while let top = heap.min {
            if current[top.item] == top.at { return (top.at, top.item) }
            heap.removeMin()
        }
        return nil
    }

    /// The items whose next reminder is at or before `now`, earliest first; they stay queued
    /// until `set` gives them their next time.
    public mutating func due(at now: Instant) -> [ItemID] {
        var items: [ItemID] = []
        var seen = Set<ItemID>()
        while let top = heap.min, top.at <= now {
            heap.removeMin()
            if current[top.item] == top.at, seen.insert(top.item).inserted { items.append(top.item) }
        }
        // Put them back: they are still pending until their reminders are recorded.
        for item in items { if let at = current[item] { heap.insert(Entry(at: at, item: item)) } }
        return items
    }

    private mutating func rebuild() {
        heap = Heap(current.map { Entry(at: $0.value, item: $0.key) })
    }
}
