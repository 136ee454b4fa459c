/// One change to the store, as written to the journal.
///
/// A change is fully decided before it is written (ids, times, what it releases), so replaying the
/// journal after a restart rebuilds exactly the state that was acknowledged.
public enum Change: Codable, Sendable, Equatable {
    case open(incident: Incident)
    case addItem(incident: Int, item: Item)
    case done(occurrence: OccurrenceID, at: Instant, note: String?, cause: Cause?)
    case snooze(occurrence: OccurrenceID, until: Instant)
    case release(occurrences: [OccurrenceID], reason: String)
    case checkin(incident: Int, note: String?)
    /// A note on an occurrence, from a reply (`note …`) or `kept note`.
    case note(occurrence: OccurrenceID, text: String)
    /// A reply was handled: its Message-ID never acts again.
    case replied(messageID: String)
    /// A letter the user sent the client, seen through its logging address: on the timeline as
    /// "sent to …: subject" (with the occurrence it was for, if any).
    case letterSent(incident: Int, occurrence: OccurrenceID?, text: String)
    case close(incident: Int, outcome: Outcome, note: String?, released: [OccurrenceID])
    /// The occurrence's letter was put in the Drafts folder.
    case drafted(occurrence: OccurrenceID, folder: String)
    /// Who at the client letters go to (`name` greets them in the drafts).
    case contact(incident: Int, name: String?, to: [String], cc: [String])
    /// A reminder enters the outbox; `covered` are earlier reminders it stands in for.
    case enqueue(entry: OutboxEntry, covered: [ReminderKey])
    /// A channel is about to be tried: after a crash, the channel checks what it already did.
    case attempt(key: ReminderKey, channel: ChannelName)
    case delivered(key: ReminderKey, channel: ChannelName)
    case failed(key: ReminderKey, channel: ChannelName, error: String, permanent: Bool, retryAt: Instant?)
    /// The calendar server has these tasks as kept wrote or last read them (written, read back, gone).
    case calendarTasks(collection: String, tasks: [String: CalendarState.Published])
    /// A sync ended: the collection's new sync token (nil: none, or start over with a full listing).
    case calendarSynced(collection: String, token: String?)
}

/// A journal line: the change, its sequence number, and when it was made.
public struct JournalRecord: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: Instant
    public var change: Change

    public init(seq: Int64, at: Instant, change: Change) { self.seq = seq; self.at = at; self.change = change }
}

extension JournalRecord {
    /// The record as a journal line written straight to bytes, for the change made most — an item
    /// added, before anything has happened to it — and nil for every other, which JSONEncoder
    /// writes. Foundation's encoder was 6% of keptd's samples over a run of promises, cold again
    /// by each next one. JSONDecoder reads both to the same record; a test holds them to it.
    public func writtenDirectly() -> [UInt8]? {
        guard case .addItem(let incident, let item) = change, item.marks.isEmpty else { return nil }
        var json = JSONWriter(capacity: 320)
        json.beginObject()
        json.key("seq"); json.int(seq)
        json.key("at"); json.instant(at)
        json.key("change"); json.beginObject()
        json.key("addItem"); json.beginObject()
        json.key("incident"); json.int(incident)
        json.key("item"); json.beginObject()
        json.key("number"); json.int(item.number)
        json.key("kind"); json.string(item.kind.rawValue)
        if let step = item.step { json.key("step"); json.string(step.rawValue) }
        json.key("text"); json.string(item.text)
        json.key("created"); json.instant(item.created)
        json.key("due"); json.string(item.due.description)
        if let every = item.every { json.key("every"); json.string(every.description) }
        if let until = item.until { json.key("until"); json.string(until.description) }
        json.key("marks"); json.beginArray(); json.endArray()
        if let zone = item.zone { json.key("zone"); json.string(zone) }
        json.endObject()
        json.endObject()
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
