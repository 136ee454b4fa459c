/// A VTODO as a CalDAV server holds it, read back: what a client may have changed.
///
/// Lines are unfolded, parameters read with their quotes, TEXT values unescaped (RFC 5545 §3.1,
/// §3.3.11). A DUE with a TZID is read in that zone; one without is UTC (`Z`) or, floating, in
/// `floating`. Clients mark a task done in three ways; any of them is done.
public struct VTodo: Sendable, Equatable {
    public var uid: String?
    public var summary: String?
    public var description: String?
    public var due: Due?
    public var status: String?
    public var completed: Instant?
    public var percent: Int?
    public var sequence: Int?

    /// STATUS:COMPLETED, a COMPLETED time, or PERCENT-COMPLETE:100 — clients differ.
    public var isCompleted: Bool { status?.uppercased() == "COMPLETED" || completed != nil || percent == 100 }

    /// The first VTODO of an iCalendar object; nil when it has none.
    public init?(ics: String, floating: Zone = .utc) {
        var inTodo = false, depth = 0, found = false
        for line in ICalendar.unfolded(ics) {
            let (name, params, value) = ICalendar.split(line)
            if name == "BEGIN" {
                if inTodo { depth += 1 } else if value.uppercased() == "VTODO" { inTodo = true; found = true }
                continue
            }
            if name == "END" {
                if inTodo && depth > 0 { depth -= 1 } else if inTodo && value.uppercased() == "VTODO" { break }
                continue
            }
            guard inTodo, depth == 0 else { continue }
            switch name {
            case "UID": uid = value
            case "SUMMARY": summary = ICalendar.unescaped(value)
            case "DESCRIPTION": description = ICalendar.unescaped(value)
            case "STATUS": status = value
            case "PERCENT-COMPLETE": percent = Int(value)
            case "SEQUENCE": sequence = Int(value)
            case "COMPLETED": completed = ICalendar.dateTime(parsing: value, zone: .utc)
            case "DUE":
                if params["VALUE"]?.uppercased() == "DATE" || (value.count == 8 && !value.contains("T")) {
                    due = ICalendar.date(parsing: value).map(Due.on)
                } else {
                    let zone = params["TZID"].flatMap { ICalendar.zone(tzid: $0) } ?? floating
                    due = ICalendar.dateTime(parsing: value, zone: zone).map(Due.at)
                }
            default: continue
            }
        }
        guard found else { return nil }
    }
}
