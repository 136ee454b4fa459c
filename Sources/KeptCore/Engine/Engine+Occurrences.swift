/// The occurrences of an item, numbered as their ids say, and the three rules every view and
/// change reads them by: how one is numbered, how one is named, and what its status is.
extension Engine {
    /// One occurrence of an item: `3.2#4` is the fourth due of item 3.2.
    public struct Numbered: Sendable {
        public var id: OccurrenceID
        public var due: Due
        public var mark: Mark?
    }

    /// Every occurrence of `item`, numbered from 1.
    public func occurrences(of item: Item, in incident: Incident) -> [Numbered] {
        let itemID = ItemID(incident: incident.id, number: item.number)
        return rules.occurrences(of: item).enumerated().map { i, due in
            Numbered(id: OccurrenceID(item: itemID, index: i + 1), due: due, mark: item.mark(i + 1))
        }
    }

    /// Kept, late, missed, released, overdue or upcoming, at `now`.
    public func status(of occurrence: Numbered, in incident: Incident, now: Instant) -> Rules.Status {
        rules.status(of: occurrence.due, mark: occurrence.mark, windowEnd: incident.windowEnd, now: now)
    }

    /// How kept names an occurrence to the user: `3.2` for an item due once, `3.2#4` when it recurs.
    public static func name(of occurrence: OccurrenceID, recurring: Bool) -> String {
        recurring ? occurrence.description : occurrence.item.description
    }

    func name(of occurrence: OccurrenceID, _ item: Item) -> String { Self.name(of: occurrence, recurring: item.every != nil) }
}
