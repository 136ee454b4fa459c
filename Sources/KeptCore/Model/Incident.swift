/// One mistake with one client, and everything due while trust is rebuilt.
public struct Incident: Codable, Sendable, Equatable {
    public var id: Int
    public var client: String
    public var title: String
    /// The person at the client the drafts are addressed to (`Dear Dana,`).
    public var contact: String?
    /// The client's people a letter goes to and is copied to, as mailboxes (`Dana Scully <dana@acme.example>`).
    public var to: [String]?
    public var cc: [String]?
    public var note: String?
    public var noticed: Instant
    public var severity: Severity
    public var windowDays: Int
    /// `noticed` plus `windowDays` local days, fixed when the incident opens.
    public var windowEnd: Instant
    public var opened: Instant
    public var closed: Closure?
    public var items: [Item]
    public var timeline: [Event]
    /// The zone the incident was opened in: its playbook steps, check-ins and window days are
    /// local times there. Nil (stores from before zones were kept): the daemon's zone.
    public var zone: String?

    public init(id: Int, client: String, title: String, contact: String? = nil, note: String?, noticed: Instant, severity: Severity,
                windowDays: Int, windowEnd: Instant, opened: Instant, items: [Item] = [], timeline: [Event] = [], zone: String? = nil) {
        self.id = id; self.client = client; self.title = title; self.contact = contact; self.note = note; self.noticed = noticed
        self.severity = severity; self.windowDays = windowDays; self.windowEnd = windowEnd; self.opened = opened
        self.items = items; self.timeline = timeline; self.zone = zone
    }

    public var isOpen: Bool { closed == nil }

    /// The day of the window `now` falls on, 1 to `windowDays`: calendar days in `zone`, so an
    /// incident noticed on the 13th is on day 11 all through the 23rd.
    public func day(at now: Instant, in zone: Zone) -> Int {
        let days = zone.local(min(now, windowEnd)).date.daysSinceEpoch - zone.local(noticed).date.daysSinceEpoch
        return max(1, min(windowDays, Int(days) + 1))
    }

    public func item(_ number: Int) -> Item? { number >= 1 && number <= items.count ? items[number - 1] : nil }

    public struct Closure: Codable, Sendable, Equatable {
        public var at: Instant
        public var outcome: Outcome
        public var note: String?
    }
}

public enum Severity: String, Codable, Sendable, CaseIterable {
    case minor, major, critical
}

/// How an incident ended: the client came back, came back stronger, or was lost.
public enum Outcome: String, Codable, Sendable, CaseIterable {
    case recovered, strengthened, lost
}

/// One entry of an incident's append-only timeline.
public struct Event: Codable, Sendable, Equatable {
    public var at: Instant
    public var what: String
    public var item: String?
    public var text: String?

    public init(at: Instant, what: String, item: String? = nil, text: String? = nil) {
        self.at = at; self.what = what; self.item = item; self.text = text
    }
}
