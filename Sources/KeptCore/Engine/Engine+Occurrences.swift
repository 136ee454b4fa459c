/// The occurrences of an item, numbered as their ids say, and the three rules every view and
/// change reads them by: how one is numbered, how one is named, and what its status is.
extension Engine {
    /// One occurrence of an item: `3.2#4` is the fourth due of item 3.2.
    public struct Occurrence: Sendable {
        public var id: OccurrenceID
        public var due: Due
        public var mark: Mark?
        /// When it is due, when its grace ends, when it counts as missed: in its item's zone.
        public var times: Rules.Times

        /// Kept, late, missed, released, overdue or upcoming, at `now`.
        public func status(at now: Instant) -> Rules.Status { Rules.status(times, mark: mark, now: now) }
    }

    /// Every occurrence of `item`, numbered from 1.
    public func occurrences(of item: Item, in incident: Incident) -> [Occurrence] {
        let itemID = ItemID(incident: incident.id, number: item.number)
        let rules = rules.for(item, in: incident)
        let dues = rules.occurrences(of: item)
        var times = timesCache.get(itemID) ?? []
        if times.count != dues.count { times = dues.map { rules.times($0, windowEnd: incident.windowEnd) } }
        let marks = MarkLookup(item.marks)
        return dues.enumerated().map { i, due in
            Occurrence(id: OccurrenceID(item: itemID, index: i + 1), due: due, mark: marks[i + 1], times: times[i])
        }
    }

    /// One occurrence of `item`, if it has that many.
    public func occurrence(_ index: Int, of item: Item, in incident: Incident) -> Occurrence? {
        let itemID = ItemID(incident: incident.id, number: item.number)
        let rules = rules.for(item, in: incident)
        let dues = rules.occurrences(of: item)
        guard index >= 1, index <= dues.count else { return nil }
        let due = dues[index - 1]
        let times = if let cached = timesCache.get(itemID), cached.count == dues.count {
            cached[index - 1]
        } else {
            rules.times(due, windowEnd: incident.windowEnd)
        }
        return Occurrence(id: OccurrenceID(item: itemID, index: index), due: due, mark: item.mark(index), times: times)
    }

    /// The zone `item`'s times are local to: its own, its incident's, else the daemon's.
    public func zone(of item: Item, in incident: Incident) -> Zone { rules.for(item, in: incident).zone }

    /// How kept names an occurrence to the user: `3.2` for an item due once, `3.2#4` when it recurs.
    public static func name(of occurrence: OccurrenceID, recurring: Bool) -> String {
        recurring ? occurrence.description : occurrence.item.description
    }

    func name(of occurrence: OccurrenceID, _ item: Item) -> String { Self.name(of: occurrence, recurring: item.every != nil) }
}
