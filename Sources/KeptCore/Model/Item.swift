/// Something due within an incident: a playbook step, a check-in or a promise.
public struct Item: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case step, checkin, promise }

    public var number: Int
    public var kind: Kind
    public var step: PlaybookStep?
    public var text: String
    public var created: Instant
    /// The first (or only) occurrence.
    public var due: Due
    /// For recurring promises: the step between occurrences, and the last day they may fall on.
    public var every: Interval?
    public var until: Due?
    /// What happened to occurrences, sparse, by occurrence index.
    public var marks: [Mark]
    /// The zone the promise was made in, when it is not its incident's: its occurrences keep their
    /// local time there, whatever zone the daemon runs in.
    public var zone: String?

    public init(number: Int, kind: Kind, step: PlaybookStep? = nil, text: String, created: Instant, due: Due,
                every: Interval? = nil, until: Due? = nil, zone: String? = nil) {
        self.number = number; self.kind = kind; self.step = step; self.text = text; self.created = created
        self.due = due; self.every = every; self.until = until; self.marks = []; self.zone = zone
    }

    public func mark(_ occurrence: Int) -> Mark? { marks.first { $0.occurrence == occurrence } }

    public mutating func updateMark(_ occurrence: Int, _ body: (inout Mark) -> Void) {
        if let i = marks.firstIndex(where: { $0.occurrence == occurrence }) {
            body(&marks[i])
        } else {
            var m = Mark(occurrence: occurrence)
            body(&m)
            marks.append(m)
            marks.sort { $0.occurrence < $1.occurrence }
        }
    }
}

/// What happened to one occurrence: done, released, snoozed, which reminders went out.
public struct Mark: Codable, Sendable, Equatable {
    public var occurrence: Int
    public var done: Instant?
    public var note: String?
    /// For `root-cause`: what kind of cause it found.
    public var cause: Cause?
    public var released: String?
    public var releasedAt: Instant?
    public var snoozes: [Snooze]?
    /// Reminder kinds already handled (sent, or covered by a later one): `lead`, `due`, `overdue1`, …
    public var reminded: [Rules.ReminderKind]?
    /// When its letter was put in the Drafts folder (`letters.drafts`): never again after.
    public var drafted: Instant?

    public init(occurrence: Int) { self.occurrence = occurrence }

    public var isResolved: Bool { done != nil || released != nil }
}

/// A snooze moves the reminder, never the due time: reminders between `at` and `until` are held
/// back and one goes out at `until`.
public struct Snooze: Codable, Sendable, Equatable {
    public var at: Instant
    public var until: Instant
    public init(at: Instant, until: Instant) { self.at = at; self.until = until }
}

/// An item's marks looked up by occurrence: a few are searched in place, many (a recurring
/// promise's) through a table made once — never a table per item when most have none.
struct MarkLookup {
    private let marks: [Mark]
    private let table: [Int: Mark]?

    init(_ marks: [Mark]) {
        self.marks = marks
        table = marks.count > 8 ? Dictionary(marks.map { ($0.occurrence, $0) }, uniquingKeysWith: { first, _ in first }) : nil
    }

    var isEmpty: Bool { marks.isEmpty }

    subscript(occurrence: Int) -> Mark? {
        if marks.isEmpty { return nil }
        if let table { return table[occurrence] }
        return marks.first { $0.occurrence == occurrence }
    }
}
