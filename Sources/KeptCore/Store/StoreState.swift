/// Everything kept knows, as one JSON document (`store.json`).
///
/// Incidents are never deleted, so incident `n` lives at `incidents[n - 1]` and ids are never reused.
public struct StoreState: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    /// Random, made when the store is created; part of every Message-ID.
    public var storeID: String
    /// The last journal record folded into this document.
    public var seq: Int64
    public var incidents: [Incident]
    public var outbox: [OutboxEntry]
    /// Per channel: the last success, the last failure, and the recent permanent failures —
    /// kept here so `kept status` tells the same after a restart. (Absent in older stores.)
    public var deliveries: [ChannelName: ChannelHistory]?
    /// The key of the last weekly digest put in the outbox (`digest/2026-11-23`).
    public var lastDigest: ReminderKey?
    /// The Message-IDs of the replies handled: a reply delivered twice acts once.
    public var replied: Set<String>?
    /// The CalDAV calendar's tasks as published (absent without a calendar).
    public var calendar: CalendarState?

    public init(storeID: String) {
        self.version = StoreState.currentVersion
        self.storeID = storeID
        self.seq = 0
        self.incidents = []
        self.outbox = []
        self.deliveries = [:]
    }

    /// How one channel has been doing.
    public struct ChannelHistory: Codable, Sendable, Equatable {
        public var lastSuccess: Instant?
        public var lastFailure: Instant?
        public var lastError: String?
        /// Reminders this channel gave up on (permanent failures), newest last, at most `kept`.
        public var givenUp: [GivenUp] = []
        public static let kept = 20

        public init() {}
    }

    public struct GivenUp: Codable, Sendable, Equatable {
        public var key: ReminderKey
        public var at: Instant
        public var error: String
        public init(key: ReminderKey, at: Instant, error: String) { self.key = key; self.at = at; self.error = error }
    }

    mutating func updateHistory(_ channel: ChannelName, _ body: (inout ChannelHistory) -> Void) {
        var all = deliveries ?? [:]
        var history = all[channel] ?? ChannelHistory()
        body(&history)
        all[channel] = history
        deliveries = all
    }

    public var nextIncidentID: Int { incidents.count + 1 }

    public func incident(_ id: Int) -> Incident? { id >= 1 && id <= incidents.count ? incidents[id - 1] : nil }

    public func item(_ id: ItemID) -> Item? { incident(id.incident)?.item(id.number) }

    /// Applies a change that was validated before it was journaled.
    public mutating func apply(_ record: JournalRecord) {
        seq = record.seq
        let at = record.at
        switch record.change {
        case .open(let incident):
            incidents.append(incident)

        case .addItem(let id, let item):
            incidents[id - 1].items.append(item)
            incidents[id - 1].timeline.append(Event(at: at, what: item.kind == .promise ? "promised" : "added",
                                                    item: ItemID(incident: id, number: item.number).description, text: item.text))

        case .done(let occ, let doneAt, let note, let cause):
            updateMark(occ) { $0.done = doneAt; $0.note = note; $0.cause = cause }
            let text = [cause.map { "cause: \($0.rawValue)" }, note].compactMap { $0 }.joined(separator: "; ")
            incidents[occ.item.incident - 1].timeline.append(Event(at: at, what: "done", item: occ.description, text: text.isEmpty ? nil : text))

        case .snooze(let occ, let until):
            updateMark(occ) { m in m.snoozes = (m.snoozes ?? []) + [Snooze(at: at, until: until)] }
            incidents[occ.item.incident - 1].timeline.append(
                Event(at: at, what: "snoozed", item: occ.description, text: "until \(until)"))

        case .release(let occs, let reason):
            for occ in occs {
                updateMark(occ) { $0.released = reason; $0.releasedAt = at }
                incidents[occ.item.incident - 1].timeline.append(Event(at: at, what: "released", item: occ.description, text: reason))
            }

        case .checkin(let id, let note):
            incidents[id - 1].timeline.append(Event(at: at, what: "checkin", text: note))

        case .note(let occ, let text):
            incidents[occ.item.incident - 1].timeline.append(Event(at: at, what: "note", item: occ.description, text: text))

        case .replied(let id):
            replied = (replied ?? []).union([id])

        case .drafted(let occ, let folder):
            updateMark(occ) { $0.drafted = at }
            incidents[occ.item.incident - 1].timeline.append(Event(at: at, what: "drafted", item: occ.description, text: "the letter is in \(folder)"))

        case .contact(let id, let name, let to, let cc):
            incidents[id - 1].contact = name
            incidents[id - 1].to = to
            incidents[id - 1].cc = cc.isEmpty ? nil : cc
            incidents[id - 1].timeline.append(Event(at: at, what: "contact", text: (to + cc.map { "cc " + $0 }).joined(separator: ", ")))

        case .letterSent(let id, let occ, let text):
            incidents[id - 1].timeline.append(Event(at: at, what: "letter", item: occ?.description, text: text))

        case .close(let id, let outcome, let note, let released):
            for occ in released {
                updateMark(occ) { $0.released = "incident closed: \(outcome.rawValue)"; $0.releasedAt = at }
            }
            incidents[id - 1].closed = Incident.Closure(at: at, outcome: outcome, note: note)
            incidents[id - 1].timeline.append(Event(at: at, what: "closed", text: outcome.rawValue + (note.map { ": " + $0 } ?? "")))

        case .enqueue(let entry, let covered):
            if let occ = entry.key.occurrence {
                updateMark(occ) { m in
                    var kinds = m.reminded ?? []
                    for case .occurrence(_, let kind) in covered + [entry.key] where !kinds.contains(kind) { kinds.append(kind) }
                    m.reminded = kinds
                }
            }
            if case .digest(let week) = entry.key {
                var later = true
                if case .digest(let last)? = lastDigest { later = last < week }
                if later { lastDigest = entry.key }
            }
            if !entry.isDone { outbox.append(entry) }

        case .attempt(let key, let channel):
            updateChannel(key, channel) { $0.inFlight = true; $0.attempts += 1 }

        case .delivered(let key, let channel):
            updateChannel(key, channel) { $0.inFlight = false; $0.delivered = at; $0.lastError = nil; $0.retryAt = nil }
            updateHistory(channel) { $0.lastSuccess = at }
            if let entry = outbox.firstIndex(where: { $0.key == key }) {
                if let id = outbox[entry].reminder.incident, id >= 1, id <= incidents.count {
                    incidents[id - 1].timeline.append(Event(at: at, what: "reminded", item: outbox[entry].reminder.item,
                                                            text: "\(outbox[entry].key.spoken) via \(channel)"))
                }
                if outbox[entry].isDone { outbox.remove(at: entry) }
            }

        case .failed(let key, let channel, let error, let permanent, let retryAt):
            updateChannel(key, channel) { c in
                c.inFlight = false
                c.lastError = error
                c.retryAt = retryAt
                if permanent { c.permanentError = error }
            }
            updateHistory(channel) { h in
                h.lastFailure = at
                h.lastError = error
                if permanent {
                    h.givenUp.append(GivenUp(key: key, at: at, error: error))
                    if h.givenUp.count > ChannelHistory.kept { h.givenUp.removeFirst(h.givenUp.count - ChannelHistory.kept) }
                }
            }
            if let entry = outbox.firstIndex(where: { $0.key == key }), outbox[entry].isDone { outbox.remove(at: entry) }

        case .calendarTasks(let collection, let tasks):
            if calendar?.collection != collection { calendar = CalendarState(collection: collection) }
            calendar!.tasks.merge(tasks) { _, new in new }

        case .calendarSynced(let collection, let token):
            if calendar?.collection != collection { calendar = CalendarState(collection: collection) }
            calendar!.syncToken = token
            calendar!.lastSync = at
        }
    }

    mutating func updateMark(_ occ: OccurrenceID, _ body: (inout Mark) -> Void) {
        incidents[occ.item.incident - 1].items[occ.item.number - 1].updateMark(occ.index, body)
    }

    mutating func updateChannel(_ key: ReminderKey, _ channel: ChannelName, _ body: (inout ChannelState) -> Void) {
        guard let e = outbox.firstIndex(where: { $0.key == key }),
              let c = outbox[e].channels.firstIndex(where: { $0.channel == channel }) else { return }
        body(&outbox[e].channels[c])
    }
}
