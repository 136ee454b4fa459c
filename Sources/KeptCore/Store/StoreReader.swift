/// A store's incidents read by hand over `JSONReader`, for a large store's start: Foundation's
/// JSONDecoder makes a container per object and looks up generic metadata per value, three
/// quarters of a start at 100,000 items.
///
/// It reads the shape the Codable types write and nothing else. Whatever it does not expect — a
/// member twice, a value of another kind, a number with a fraction, a word no enum has — makes it
/// give up, and the piece is decoded by JSONDecoder, which reads it as always or says what is
/// wrong. So where it answers, its answer is Codable's (held so by `StoreReaderTests`); members
/// it does not know are skipped, as Codable skips them.
enum StoreReader {
    /// The incidents of a JSON array, or nil: JSONDecoder is to read it.
    static func incidents(_ bytes: [UInt8]) -> [Incident]? {
        var r = JSONReader(bytes)
        do {
            var incidents: [Incident] = []
            try r.array { r throws(JSONReader.Failure) in incidents.append(try incident(&r)) }
            try r.end()
            return incidents
        } catch {
            return nil
        }
    }

    typealias Failure = JSONReader.Failure

    /// Each member once: a second is left to JSONDecoder.
    struct Seen {
        private var bits: UInt32 = 0
        mutating func first(_ n: UInt32, _ r: JSONReader) throws(Failure) {
            if bits & (1 << n) != 0 { throw Failure(message: "a member twice", offset: r.offset) }
            bits |= 1 << n
        }
    }

    static func incident(_ r: inout JSONReader) throws(Failure) -> Incident {
        var id: Int?, client: String?, title: String?, contact: String?, to: [String]?, cc: [String]?, note: String?
        var noticed: Instant?, severity: Severity?, windowDays: Int?, windowEnd: Instant?, opened: Instant?
        var closed: Incident.Closure?, items: [Item]?, timeline: [Event]?, zone: String?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "id": try seen.first(0, r); id = try int(&r)
            case "client": try seen.first(1, r); client = try r.string()
            case "title": try seen.first(2, r); title = try r.string()
            case "contact": try seen.first(3, r); contact = try optional(&r) { r throws(Failure) in try r.string() }
            case "to": try seen.first(4, r); to = try optional(&r, strings)
            case "cc": try seen.first(5, r); cc = try optional(&r, strings)
            case "note": try seen.first(6, r); note = try optional(&r) { r throws(Failure) in try r.string() }
            case "noticed": try seen.first(7, r); noticed = try r.instant()
            case "severity": try seen.first(8, r); severity = try word(&r)
            case "windowDays": try seen.first(9, r); windowDays = try int(&r)
            case "windowEnd": try seen.first(10, r); windowEnd = try r.instant()
            case "opened": try seen.first(11, r); opened = try r.instant()
            case "closed": try seen.first(12, r); closed = try optional(&r, closure)
            case "items": try seen.first(13, r); items = try list(&r, item)
            case "timeline": try seen.first(14, r); timeline = try list(&r, event)
            case "zone": try seen.first(15, r); zone = try optional(&r) { r throws(Failure) in try r.string() }
            default: try r.skip()
            }
        }
        var incident = Incident(id: try r.required(id, "id"), client: try r.required(client, "client"), title: try r.required(title, "title"),
                                contact: contact, note: note, noticed: try r.required(noticed, "noticed"),
                                severity: try r.required(severity, "severity"), windowDays: try r.required(windowDays, "windowDays"),
                                windowEnd: try r.required(windowEnd, "windowEnd"), opened: try r.required(opened, "opened"),
                                items: try r.required(items, "items"), timeline: try r.required(timeline, "timeline"), zone: zone)
        incident.to = to
        incident.cc = cc
        incident.closed = closed
        return incident
    }

    static func closure(_ r: inout JSONReader) throws(Failure) -> Incident.Closure {
        var at: Instant?, outcome: Outcome?, note: String?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "at": try seen.first(0, r); at = try r.instant()
            case "outcome": try seen.first(1, r); outcome = try word(&r)
            case "note": try seen.first(2, r); note = try optional(&r) { r throws(Failure) in try r.string() }
            default: try r.skip()
            }
        }
        return Incident.Closure(at: try r.required(at, "at"), outcome: try r.required(outcome, "outcome"), note: note)
    }

    static func item(_ r: inout JSONReader) throws(Failure) -> Item {
        var number: Int?, kind: Item.Kind?, step: PlaybookStep?, text: String?, created: Instant?, due: Due?
        var every: Interval?, until: Due?, marks: [Mark]?, zone: String?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "number": try seen.first(0, r); number = try int(&r)
            case "kind": try seen.first(1, r); kind = try word(&r)
            case "step": try seen.first(2, r); step = try optional(&r) { r throws(Failure) in try word(&r) }
            case "text": try seen.first(3, r); text = try r.string()
            case "created": try seen.first(4, r); created = try r.instant()
            case "due": try seen.first(5, r); due = try self.due(&r)
            case "every": try seen.first(6, r); every = try optional(&r, interval)
            case "until": try seen.first(7, r); until = try optional(&r, self.due)
            case "marks": try seen.first(8, r); marks = try list(&r, mark)
            case "zone": try seen.first(9, r); zone = try optional(&r) { r throws(Failure) in try r.string() }
            default: try r.skip()
            }
        }
        var item = Item(number: try r.required(number, "number"), kind: try r.required(kind, "kind"), step: step,
                        text: try r.required(text, "text"), created: try r.required(created, "created"), due: try r.required(due, "due"),
                        every: every, until: until, zone: zone)
        item.marks = try r.required(marks, "marks")
        return item
    }

    static func mark(_ r: inout JSONReader) throws(Failure) -> Mark {
        var occurrence: Int?
        var mark = Mark(occurrence: 0)
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "occurrence": try seen.first(0, r); occurrence = try int(&r)
            case "done": try seen.first(1, r); mark.done = try optional(&r) { r throws(Failure) in try r.instant() }
            case "note": try seen.first(2, r); mark.note = try optional(&r) { r throws(Failure) in try r.string() }
            case "cause": try seen.first(3, r); mark.cause = try optional(&r) { r throws(Failure) in try word(&r) }
            case "released": try seen.first(4, r); mark.released = try optional(&r) { r throws(Failure) in try r.string() }
            case "releasedAt": try seen.first(5, r); mark.releasedAt = try optional(&r) { r throws(Failure) in try r.instant() }
            case "snoozes": try seen.first(6, r); mark.snoozes = try optional(&r) { r throws(Failure) in try list(&r, snooze) }
            case "reminded": try seen.first(7, r); mark.reminded = try optional(&r) { r throws(Failure) in try list(&r, reminderKind) }
            case "drafted": try seen.first(8, r); mark.drafted = try optional(&r) { r throws(Failure) in try r.instant() }
            default: try r.skip()
            }
        }
        mark.occurrence = try r.required(occurrence, "occurrence")
        return mark
    }

    static func snooze(_ r: inout JSONReader) throws(Failure) -> Snooze {
        var at: Instant?, until: Instant?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "at": try seen.first(0, r); at = try r.instant()
            case "until": try seen.first(1, r); until = try r.instant()
            default: try r.skip()
            }
        }
        return Snooze(at: try r.required(at, "at"), until: try r.required(until, "until"))
    }

    static func event(_ r: inout JSONReader) throws(Failure) -> Event {
        var at: Instant?, what: String?, item: String?, text: String?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "at": try seen.first(0, r); at = try r.instant()
            case "what": try seen.first(1, r); what = try r.string()
            case "item": try seen.first(2, r); item = try optional(&r) { r throws(Failure) in try r.string() }
            case "text": try seen.first(3, r); text = try optional(&r) { r throws(Failure) in try r.string() }
            default: try r.skip()
            }
        }
        return Event(at: try r.required(at, "at"), what: try r.required(what, "what"), item: item, text: text)
    }

    // MARK: Values

    static func int(_ r: inout JSONReader) throws(Failure) -> Int { Int(try r.int()) }

    /// An enum's word (its raw value).
    static func word<T: RawRepresentable<String>>(_ r: inout JSONReader) throws(Failure) -> T {
        let at = r.offset
        guard let value = T(rawValue: try r.string()) else { throw Failure(message: "not a word of \(T.self)", offset: at) }
        return value
    }

    static func due(_ r: inout JSONReader) throws(Failure) -> Due {
        let at = r.offset
        guard let value = Due(stored: try r.string()) else { throw Failure(message: "not a due", offset: at) }
        return value
    }

    static func interval(_ r: inout JSONReader) throws(Failure) -> Interval {
        let at = r.offset
        guard let value = try? Interval(parsing: try r.string()) else { throw Failure(message: "not an interval", offset: at) }
        return value
    }

    static func reminderKind(_ r: inout JSONReader) throws(Failure) -> Rules.ReminderKind {
        let at = r.offset
        guard let value = Rules.ReminderKind(name: try r.string()) else { throw Failure(message: "not a reminder kind", offset: at) }
        return value
    }

    static func strings(_ r: inout JSONReader) throws(Failure) -> [String] { try list(&r) { r throws(Failure) in try r.string() } }

    static func list<T>(_ r: inout JSONReader, _ element: (inout JSONReader) throws(Failure) -> T) throws(Failure) -> [T] {
        var values: [T] = []
        try r.array { r throws(Failure) in values.append(try element(&r)) }
        return values
    }

    /// `null` as nil, as Codable reads an optional member.
    static func optional<T>(_ r: inout JSONReader, _ read: (inout JSONReader) throws(Failure) -> T) throws(Failure) -> T? {
        if try r.null() { return nil }
        return try read(&r)
    }
}
