/// When something is due: at an exact instant, or on a day.
///
/// Written as one string: `2026-12-05` (a day) or `2026-12-05T13:00:00Z` (an instant).
public enum Due: Hashable, Sendable, CustomStringConvertible {
    case at(Instant)
    case on(LocalDate)

    public var description: String {
        switch self {
        case .at(let i): i.description
        case .on(let d): d.description
        }
    }

    public init?(stored text: String) {
        if let d = LocalDate(iso: text) { self = .on(d) } else if let i = Instant(rfc3339: text) { self = .at(i) } else { return nil }
    }

    /// The local day it falls on.
    public func date(in zone: Zone) -> LocalDate {
        switch self {
        case .at(let i): zone.date(of: i)
        case .on(let d): d
        }
    }

    /// The moment it is due: the instant itself, or `remindAt` on the day.
    public func instant(in zone: Zone, remindAt: TimeOfDay) -> Instant {
        switch self {
        case .at(let i): i
        case .on(let d): zone.instant(d, remindAt)
        }
    }

    public var isDateOnly: Bool { if case .on = self { true } else { false } }

    /// The year it is written with: the day's, or the instant's in UTC.
    public var year: Int {
        switch self {
        case .on(let d): d.year
        case .at(let i): LocalDate(daysSinceEpoch: i.seconds >= 0 ? i.seconds / 86_400 : (i.seconds - 86_399) / 86_400).year
        }
    }

    /// For people: `2026-12-05` or `2026-12-05 14:00` local.
    public func format(in zone: Zone) -> String {
        switch self {
        case .at(let i): zone.format(i)
        case .on(let d): d.description
        }
    }
}

extension Due: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let v = Due(stored: text) else { throw TextNotUnderstood("not a date or an RFC 3339 time: \(text)") }
        self = v
    }
}
