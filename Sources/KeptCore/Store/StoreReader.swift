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

    /// A reader of one value.
    typealias Read<T> = (inout JSONReader) throws(Failure) -> T

    /// The members of one object, each read once: a second is left to JSONDecoder.
    struct Seen {
        private var bits: UInt32 = 0

        /// Member `n`'s value, read by `value`.
        mutating func read<T>(_ n: UInt32, _ r: inout JSONReader, _ value: Read<T>) throws(Failure) -> T {
            if bits & (1 << n) != 0 { throw Failure(message: "a member twice", offset: r.offset) }
            bits |= 1 << n
            return try value(&r)
        }

        /// Member `n`'s value, or nil for `null`, as Codable reads an optional member.
        mutating func optional<T>(_ n: UInt32, _ r: inout JSONReader, _ value: Read<T>) throws(Failure) -> T? {
            try read(n, &r) { r throws(Failure) in try r.null() ? nil : try value(&r) }
        }
    }

    static func incident(_ r: inout JSONReader) throws(Failure) -> Incident {
        var id: Int?, client: String?, title: String?, contact: String?, to: [String]?, cc: [String]?, note: String?
        var noticed: Instant?, severity: Severity?, windowDays: Int?, windowEnd: Instant?, opened: Instant?
        var closed: Incident.Closure?, items: [Item]?, timeline: [Event]?, zone: String?
        var seen = Seen()
        try r.object { r, name throws(Failure) in
            switch name {
            case "id": id = try seen.read(0, &r, int)
            case "client": client = try seen.read(1, &r, string)
            case "title": title = try seen.read(2, &r, string)
            case "contact": contact = try seen.optional(3, &r, string)
            case "to": to = try seen.optional(4, &r, strings)
            case "cc": cc = try seen.optional(5, &r, strings)
            case "note": note = try seen.optional(6, &r, string)
            case "noticed": noticed = try seen.read(7, &r, instant)
            case "severity": severity = try seen.read(8, &r, word)
            case "windowDays": windowDays = try seen.read(9, &r, int)
            case "windowEnd": windowEnd = try seen.read(10, &r, instant)
            case "opened": opened = try seen.read(11, &r, instant)
            case "closed": closed = try seen.optional(12, &r, closure)
            case "items": items = try seen.read(13, &r, Self.items)
            case "timeline": timeline = try seen.read(14, &r, events)
            case "zone": zone = try seen.optional(15, &r, string)
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
            case "at": at = try seen.read(0, &r, instant)
            case "outcome": outcome = try seen.read(1, &r, word)
            case "note": note = try seen.optional(2, &r, string)
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
            case "number": number = try seen.read(0, &r, int)
            case "kind": kind = try seen.read(1, &r, word)
            case "step": step = try seen.optional(2, &r, word)
            case "text": text = try seen.read(3, &r, string)
            case "created": created = try seen.read(4, &r, instant)
            case "due": due = try seen.read(5, &r, Self.due)
            case "every": every = try seen.optional(6, &r, interval)
            case "until": until = try seen.optional(7, &r, Self.due)
            case "marks": marks = try seen.read(8, &r, Self.marks)
            case "zone": zone = try seen.optional(9, &r, string)
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
            case "occurrence": occurrence = try seen.read(0, &r, int)
            case "done": mark.done = try seen.optional(1, &r, instant)
            case "note": mark.note = try seen.optional(2, &r, string)
            case "cause": mark.cause = try seen.optional(3, &r, word)
            case "released": mark.released = try seen.optional(4, &r, string)
            case "releasedAt": mark.releasedAt = try seen.optional(5, &r, instant)
            case "snoozes": mark.snoozes = try seen.optional(6, &r, snoozes)
            case "reminded": mark.reminded = try seen.optional(7, &r, reminderKinds)
            case "drafted": mark.drafted = try seen.optional(8, &r, instant)
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
            case "at": at = try seen.read(0, &r, instant)
            case "until": until = try seen.read(1, &r, instant)
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
            case "at": at = try seen.read(0, &r, instant)
            case "what": what = try seen.read(1, &r, string)
            case "item": item = try seen.optional(2, &r, string)
            case "text": text = try seen.optional(3, &r, string)
            default: try r.skip()
            }
        }
        return Event(at: try r.required(at, "at"), what: try r.required(what, "what"), item: item, text: text)
    }

    // MARK: Values

    static func int(_ r: inout JSONReader) throws(Failure) -> Int { Int(try r.int()) }
    static func string(_ r: inout JSONReader) throws(Failure) -> String { try r.string() }
    static func instant(_ r: inout JSONReader) throws(Failure) -> Instant { try r.instant() }

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

    static func strings(_ r: inout JSONReader) throws(Failure) -> [String] { try list(&r, string) }
    static func items(_ r: inout JSONReader) throws(Failure) -> [Item] { try list(&r, item) }
    static func events(_ r: inout JSONReader) throws(Failure) -> [Event] { try list(&r, event) }
    static func marks(_ r: inout JSONReader) throws(Failure) -> [Mark] { try list(&r, mark) }
    static func snoozes(_ r: inout JSONReader) throws(Failure) -> [Snooze] { try list(&r, snooze) }
    static func reminderKinds(_ r: inout JSONReader) throws(Failure) -> [Rules.ReminderKind] { try list(&r, reminderKind) }

    static func list<T>(_ r: inout JSONReader, _ element: Read<T>) throws(Failure) -> [T] {
        var values: [T] = []
        try r.array { r throws(Failure) in values.append(try element(&r)) }
        return values
    }
}
