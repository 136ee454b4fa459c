/// The parameters of each method, as typed values. A WHEN is a `When`: text in any form kept reads
/// (the `kept` CLI sends it resolved to a date or an RFC 3339 time, so its own zone and clock
/// decide), or an exact due from a door inside kept; everything else is decoded into its type,
/// and a value that is not one is refused by name.
public enum Params {
    public struct Open: MethodParams {
        public var client: String
        public var title: String
        public var noticed: When?
        public var severity: Severity?
        public var window: Int?
        public var playbook: Bool?
        public var note: String?
        /// The person at the client to write to.
        public var contact: String?
        /// The user's time zone (`America/New_York`): WHENs are read there, times are said there,
        /// and what is made keeps it. Without it, the daemon's.
        public var zone: String?
        public init(client: String, title: String, noticed: When? = nil, severity: Severity? = nil, window: Int? = nil,
                    playbook: Bool? = nil, note: String? = nil, contact: String? = nil, zone: String? = nil) {
            self.client = client; self.title = title; self.noticed = noticed; self.severity = severity
            self.window = window; self.playbook = playbook; self.note = note; self.contact = contact; self.zone = zone
        }

        public static let windowDays = 1...3650

        public func validate() throws(KeptError) {
            try TypedText.check(client, "client", limit: 200)
            try TypedText.check(title, "title", limit: 500)
            try TypedText.check(note, "note", limit: 10_000, optional: true)
            try TypedText.check(contact, "contact", limit: 200, optional: true)
            if let window, !Self.windowDays.contains(window) {
                throw .invalid("window", "the window must be between 1 and 3650 days, not \(window)")
            }
        }
    }

    public struct List: MethodParams {
        public var all: Bool?
        public var client: String?
        public init(all: Bool? = nil, client: String? = nil) { self.all = all; self.client = client }
    }

    public struct Incident: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        public var incident: Int
        public init(incident: Int) { self.incident = incident }
    }

    public struct Close: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        public var incident: Int
        public var outcome: Outcome
        public var note: String?
        public init(incident: Int, outcome: Outcome, note: String? = nil) { self.incident = incident; self.outcome = outcome; self.note = note }

        public func validate() throws(KeptError) { try TypedText.check(note, "note", limit: 10_000, optional: true) }
    }

    public struct Promise: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        public var incident: Int
        public var text: String
        public var due: When?
        public var every: Interval?
        public var from: When?
        public var until: When?
        /// A due that has passed is refused unless this says it is meant (recording a promise late).
        public var allowPast: Bool?
        /// The user's time zone (`America/New_York`): WHENs are read there, times are said there,
        /// and what is made keeps it. Without it, the daemon's.
        public var zone: String?
        public init(incident: Int, text: String, due: When? = nil, every: Interval? = nil, from: When? = nil, until: When? = nil,
                    allowPast: Bool? = nil, zone: String? = nil) {
            self.incident = incident; self.text = text; self.due = due; self.every = every; self.from = from; self.until = until
            self.allowPast = allowPast; self.zone = zone
        }

        public func validate() throws(KeptError) {
            try TypedText.check(text, "text", limit: 16_000)
            switch (due, every) {
            case (nil, nil): throw .invalid("due", "a promise needs a due time, or an interval it repeats at")
            case (.some, .some): throw .invalid("every", "a promise is due once or repeats, not both")
            case (.some, nil) where from != nil:
                throw .invalid("from", "a first occurrence is for a promise that repeats, not one due once")
            case (.some, nil) where until != nil:
                throw .invalid("until", "a last day is for a promise that repeats, not one due once")
            default: break
            }
        }
    }

    public struct Done: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        public var note: String?
        public var at: When?
        /// For `root-cause`: the kind of cause found.
        public var cause: Cause?
        /// The user's time zone (`America/New_York`): WHENs are read there, times are said there,
        /// and what is made keeps it. Without it, the daemon's.
        public var zone: String?
        public init(item: ItemRef, note: String? = nil, at: When? = nil, cause: Cause? = nil, zone: String? = nil) {
            self.item = item; self.note = note; self.at = at; self.cause = cause; self.zone = zone
        }

        public func validate() throws(KeptError) { try TypedText.check(note, "note", limit: 10_000, optional: true) }
    }

    public struct Snooze: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        /// A duration from now (`4h`) …
        public var duration: Interval?
        /// … or a WHEN.
        public var until: When?
        /// The user's time zone (`America/New_York`): WHENs are read there, times are said there,
        /// and what is made keeps it. Without it, the daemon's.
        public var zone: String?
        public init(item: ItemRef, duration: Interval? = nil, until: When? = nil, zone: String? = nil) {
            self.item = item; self.duration = duration; self.until = until; self.zone = zone
        }

        public func validate() throws(KeptError) {
            switch (duration, until) {
            case (nil, nil): throw .invalid("duration", "a snooze needs how long (4h, 3d) or until when")
            case (.some, .some): throw .invalid("until", "a snooze is for a while or until a time, not both")
            default: break
            }
        }
    }

    public struct Release: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        public var reason: String
        public init(item: ItemRef, reason: String) { self.item = item; self.reason = reason }

        public func validate() throws(KeptError) { try TypedText.check(reason, "reason", limit: 2000) }
    }

    public struct Note: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        public var text: String
        public init(item: ItemRef, text: String) { self.item = item; self.text = text }

        public func validate() throws(KeptError) { try TypedText.check(text, "text", limit: 10_000) }
    }

    /// One item, by its id (`1.2`; an occurrence's id names its item).
    public struct OneItem: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        public init(item: ItemRef) { self.item = item }
    }

    public struct Draft: MethodParams {
        public var target: RequestTarget { RequestTarget(item: item) }
        public var item: ItemRef
        /// Put the letter in the Drafts folder (`letters.drafts`) too.
        public var save: Bool?
        public init(item: ItemRef, save: Bool? = nil) { self.item = item; self.save = save }
    }

    /// `incident.contact`: who at the client letters go to.
    public struct Contact: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        public var incident: Int
        public var to: [String]
        public var cc: [String]?
        public init(incident: Int, to: [String], cc: [String]? = nil) { self.incident = incident; self.to = to; self.cc = cc }

        public func validate() throws(KeptError) {
            guard to.count + (cc?.count ?? 0) <= 20 else { throw .invalid("to", "at most 20 addresses") }
            for raw in to + (cc ?? []) { try TypedText.check(raw, "to", limit: 300) }
        }
    }

    public struct Checkin: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        public var incident: Int
        public var note: String?
        public init(incident: Int, note: String? = nil) { self.incident = incident; self.note = note }

        public func validate() throws(KeptError) { try TypedText.check(note, "note", limit: 10_000, optional: true) }
    }

    public struct Agenda: MethodParams {
        public var days: Int?
        public init(days: Int? = nil) { self.days = days }

        public static let range = 0...3650

        public func validate() throws(KeptError) {
            if let days, !Self.range.contains(days) { throw .invalid("days", "the agenda looks 0 to 3650 days ahead, not \(days)") }
        }
    }

    public struct Ledger: MethodParams {
        public var client: String?
        public init(client: String? = nil) { self.client = client }
    }

    public struct Report: MethodParams {
        public var target: RequestTarget { RequestTarget(incident: incident) }
        /// One incident, open or closed; every open one without it.
        public var incident: Int?
        /// `html` adds the page; the record itself is always in the answer.
        public var format: ReportFormat?
        public init(incident: Int? = nil, format: ReportFormat? = nil) { self.incident = incident; self.format = format }
    }

    public struct Export: MethodParams {
        public var format: ExportFormat?
        public init(format: ExportFormat? = nil) { self.format = format }
    }

    /// No parameters: `{}`, or none at all; any member is refused.
    public struct None: MethodParams {
        public init() {}
        public init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: NoKeys.self) }
        public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: NoKeys.self) }

        struct NoKeys: CodingKey {
            init?(stringValue: String) { nil }
            init?(intValue: Int) { nil }
            var stringValue: String { "" }
            var intValue: Int? { nil }
        }
    }
}

/// What `root-cause` found: a process to fix, or a judgement to train.
public enum Cause: String, NamedChoice, Sendable {
    /// Fix the process, add a fail-safe.
    case systemic
    /// Training.
    case judgement

    public static func refusal(_ raw: String) -> String {
        "the cause is systemic (fix the process) or judgement (training), not \(raw.debugDescription)"
    }
}

/// How `export` writes the store.
public enum ExportFormat: String, NamedChoice, Sendable {
    /// The whole store, as the daemon keeps it.
    case json
    /// Every due, for a calendar.
    case ics

    public static func refusal(_ raw: String) -> String { "unknown export format \(raw.debugDescription) (json, ics)" }
}

public enum ReportFormat: String, NamedChoice, Sendable {
    /// Drawn in characters by the CLI.
    case text
    /// The page, drawn by the daemon.
    case html

    public static func refusal(_ raw: String) -> String { "unknown report format \(raw.debugDescription) (text, html)" }
}

/// The checks every text a person types goes through: not empty once trimmed, not absurdly long.
enum TypedText {
    static func check(_ raw: String?, _ field: String, limit: Int, optional: Bool = false) throws(KeptError) {
        guard let raw else {
            if optional { return }
            throw .invalid(field, "the \(field) is missing")
        }
        let trimmed = raw.trimmingWhitespace()
        if trimmed.isEmpty, !optional { throw .invalid(field, "the \(field) is empty") }
        guard trimmed.count <= limit else { throw .invalid(field, "the \(field) is longer than \(limit) characters") }
    }

    /// The text as kept stores it: trimmed, nil when nothing is left.
    static func trimmed(_ raw: String?) -> String? {
        guard let t = raw?.trimmingWhitespace(), !t.isEmpty else { return nil }
        return t
    }
}
