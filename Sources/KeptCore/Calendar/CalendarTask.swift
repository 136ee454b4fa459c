import Glibc

/// One VTODO kept keeps on the user's CalDAV calendar: a due occurrence, or an incident (the
/// parent its dues are RELATED-TO).
///
/// kept owns the summary, the description and the due; the phone owns completion. A task for an
/// occurrence that is done, released or missed stays, marked COMPLETED or CANCELLED.
public struct CalendarTask: Sendable, Equatable {
    public var uid: String
    /// Nil for an incident's own task.
    public var occurrence: OccurrenceID?
    public var incident: Int
    public var owned: Owned
    public var categories: [String]
    /// The incident's task, for an occurrence's.
    public var parent: String?
    /// Minutes before the due for a VALARM (`calendar.alarms`); nil: none.
    public var alarmMinutes: Int?

    /// What kept owns of a task: written by kept, put back by kept when a client changes it.
    public struct Owned: Codable, Sendable, Equatable {
        public var summary: String
        public var description: String
        /// A date (`2026-12-05`) or an RFC 3339 instant; nil for an incident's task.
        public var due: String?
        /// The zone a timed due is written in (`DUE;TZID=…`).
        public var zone: String?
        public var status: Status
        /// When it was done, for a COMPLETED task.
        public var completed: Instant?

        /// Byte for byte: a text kept would now write differently is written again even where
        /// Unicode calls the two the same (and no description is normalised to be compared).
        public static func == (a: Owned, b: Owned) -> Bool {
            a.status == b.status && a.completed == b.completed && a.due == b.due && a.zone == b.zone
                && sameBytes(a.summary, b.summary) && sameBytes(a.description, b.description)
        }

        static func sameBytes(_ a: String, _ b: String) -> Bool {
            guard a.utf8.count == b.utf8.count else { return false }
            var a = a, b = b
            return a.withUTF8 { x in b.withUTF8 { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
        }
    }

    public enum Status: String, Codable, Sendable {
        case needsAction = "NEEDS-ACTION", completed = "COMPLETED", cancelled = "CANCELLED"
    }

    /// What a TZID parameter may hold unquoted, and a tz database name does (`America/Argentina/Buenos_Aires`).
    static let tzidCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-+".unicodeScalars)

    /// The file name of its resource in the collection.
    public var fileName: String { uid.map { $0 == "@" ? "-" : $0 } .reduce(into: "") { $0.append($1) } + ".ics" }
}

extension CalendarTask {
    /// The task as an iCalendar object (RFC 5545), CRLF lines folded at 75 octets.
    public func ics(sequence: Int, stamp: Instant) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kept//kept \(KeptVersion.current)//EN", "CALSCALE:GREGORIAN"]
        var todo = ["BEGIN:VTODO", "UID:\(uid)", "DTSTAMP:\(ICalendar.utc(stamp))", "SEQUENCE:\(sequence)",
                    "SUMMARY:" + ICalendar.text(owned.summary), "DESCRIPTION:" + ICalendar.text(owned.description)]
        if let due = owned.due.flatMap(Due.init(stored:)) {
            switch due {
            case .on(let date): todo.append("DUE;VALUE=DATE:\(ICalendar.date(date))")
            case .at(let instant):
                // A zone by its database name, at a local time that names one instant; else UTC.
                let local = owned.zone.flatMap(Zone.named).map { ($0, $0.local(instant)) }
                if let name = owned.zone, name.unicodeScalars.allSatisfy({ CalendarTask.tzidCharacters.contains($0) }),
                   let (zone, local) = local, zone.instant(local.date, local.time) == instant,
                   let vtimezone = zone.vtimezone(around: instant) {
                    todo.append("DUE;TZID=\(name):\(ICalendar.date(local.date))T\(pad2(Int64(local.time.hour)))\(pad2(Int64(local.time.minute)))\(pad2(Int64(local.time.second)))")
                    lines += vtimezone
                } else {
                    todo.append("DUE:\(ICalendar.utc(instant))")
                }
            }
        }
        todo.append("STATUS:\(owned.status.rawValue)")
        if owned.status == .completed {
            todo += ["COMPLETED:\(ICalendar.utc(owned.completed ?? stamp))", "PERCENT-COMPLETE:100"]
        }
        if !categories.isEmpty { todo.append("CATEGORIES:" + categories.map(ICalendar.text).joined(separator: ",")) }
        if let parent { todo.append("RELATED-TO;RELTYPE=PARENT:\(parent)") }
        if let minutes = alarmMinutes, owned.status == .needsAction, owned.due != nil {
            todo += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + ICalendar.text(owned.summary),
                     "TRIGGER;RELATED=END:-PT\(minutes)M", "END:VALARM"]
        }
        todo.append("END:VTODO")
        lines += todo
        lines.append("END:VCALENDAR")
        return lines.map(ICalendar.fold).joined(separator: "\r\n") + "\r\n"
    }
}

