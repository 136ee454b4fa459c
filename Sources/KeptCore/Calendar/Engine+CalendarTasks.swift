/// The calendar kept keeps on a CalDAV server, decided here: which tasks there should be and what
/// they say, and what a task changed on a phone means for kept.
extension Engine {
    /// The UID of an occurrence's task, stable for the store: `kept-1.14.3-STOREID@kept`.
    public func calendarUID(_ occ: OccurrenceID) -> String {
        "kept-\(occ.item.incident).\(occ.item.number).\(occ.index)-\(state.storeID)@kept"
    }

    /// The UID of an incident's own task, its dues' parent.
    public func calendarUID(incident id: Int) -> String { "kept-\(id)-\(state.storeID)@kept" }

    /// Every task the calendar should hold now: one per open due of an open incident and one per
    /// open incident; and, so that none is left stale, every one kept has published before,
    /// marked as it went (COMPLETED when done, CANCELLED when released or missed).
    public func calendarTasks(now: Instant, published: [String: CalendarState.Published]) -> [CalendarTask] {
        var tasks: [CalendarTask] = []
        for incident in state.incidents {
            let parent = calendarUID(incident: incident.id)
            let zone = rules.for(incident).zone
            if incident.isOpen || published[parent] != nil {
                let window = "Day \(incident.day(at: now, in: zone)) of \(incident.windowDays); the window ends \(zone.format(incident.windowEnd))."
                let owned = CalendarTask.Owned(
                    summary: Self.calendarText("#\(incident.id) \(incident.client): \(incident.title)"),
                    description: Self.calendarText("The follow-through for \(incident.client). \(window)\nkept show \(incident.id) — kept report \(incident.id)"),
                    due: Due.at(incident.windowEnd).description, zone: zone.identifier,
                    status: incident.isOpen ? .needsAction : .completed, completed: incident.closed?.at)
                tasks.append(CalendarTask(uid: parent, occurrence: nil, incident: incident.id, owned: owned,
                                          categories: [incident.client, "kept"], parent: nil, alarmMinutes: nil))
            }
            for item in incident.items {
                let wording = calendarWording(item, in: incident)
                for o in occurrences(of: item, in: incident) {
                    if let task = calendarTask(o, of: item, in: incident, wording, now: now, published: published) {
                        tasks.append(task)
                    }
                }
            }
        }
        return tasks
    }

    /// The task of one occurrence as the calendar should hold it now; nil when it should hold
    /// none (resolved and never published, or its incident closed). A sync that carried out a
    /// phone's change reads back only the tasks it changed.
    public func calendarTask(_ occ: OccurrenceID, now: Instant, published: [String: CalendarState.Published]) -> CalendarTask? {
        guard let incident = state.incident(occ.item.incident), let item = state.item(occ.item),
              let o = occurrence(occ.index, of: item, in: incident)
        else { return nil }
        return calendarTask(o, of: item, in: incident, calendarWording(item, in: incident), now: now, published: published)
    }

    /// What the tasks of one item say alike, worked out once for all its occurrences; the user's
    /// words in it already without what iCalendar cannot carry.
    struct CalendarWording {
        var zone: Zone
        var parent: String
        /// The description's first lines: what it is, for which incident, and the playbook's hint.
        var heading: String
        /// The summary after the occurrence's name: ` TEXT (CLIENT)`.
        var summaryTail: String
        var categories: [String]
    }

    func calendarWording(_ item: Item, in incident: Incident) -> CalendarWording {
        let what = item.step?.rawValue ?? item.kind.rawValue
        let hint: String = switch item.kind {
        case .step: item.step?.hint ?? ""
        case .checkin: PlaybookHint.checkin
        case .promise: PlaybookHint.promise
        }
        return CalendarWording(zone: zone(of: item, in: incident), parent: calendarUID(incident: incident.id),
                               heading: Self.calendarText("\(what) for incident #\(incident.id) \(incident.client): \(incident.title)\n\(hint)\n"),
                               summaryTail: Self.calendarText(" \(item.text) (\(incident.client))"),
                               categories: [incident.client, "kept"])
    }

    func calendarTask(_ o: Occurrence, of item: Item, in incident: Incident, _ wording: CalendarWording,
                      now: Instant, published: [String: CalendarState.Published]) -> CalendarTask? {
        let uid = calendarUID(o.id)
        let status = o.status(at: now)
        guard (incident.isOpen && status.isOpen) || published[uid] != nil else { return nil }
        let name = name(of: o.id, item)
        var due = o.due
        if status.isOpen, let until = o.mark?.snoozes?.last?.until, until > now {
            due = Self.calendarDue(snoozedTo: until, promised: o.due, in: wording.zone, remindAt: rules.config.remindAt)
        }
        let state: CalendarTask.Status
        var completed: Instant?
        switch status {
        case .upcoming, .overdue: state = .needsAction
        case .kept(let at), .late(let at): state = .completed; completed = at
        case .missed, .released: state = .cancelled
        }
        // Only the heading, the summary's tail and a release's reason hold the user's words; the
        // rest is kept's own text.
        var description = wording.heading
        if due != o.due { description += "Promised for \(o.due.format(in: wording.zone)); snoozed to this due.\n" }
        switch status {
        case .upcoming, .overdue:
            description += "Tick it here or: kept done \(name)\nMove its due here to snooze it, or: kept snooze \(name) 4h"
        case .kept: description += "Done, kept."
        case .late: description += "Done, late."
        case .missed: description += "Missed."
        case .released(let reason): description += "Released: " + Self.calendarText(reason)
        }
        let owned = CalendarTask.Owned(summary: name + wording.summaryTail, description: description,
                                       due: due.description, zone: due.isDateOnly ? nil : wording.zone.identifier,
                                       status: state, completed: completed)
        return CalendarTask(uid: uid, occurrence: o.id, incident: incident.id, owned: owned,
                            categories: wording.categories, parent: wording.parent, alarmMinutes: rules.config.calendar.alarmMinutes)
    }

    /// The due a snoozed task shows: a day for a day's item snoozed to that day's reminder time
    /// (as a phone moves a date-only task), the instant otherwise.
    static func calendarDue(snoozedTo until: Instant, promised: Due, in zone: Zone, remindAt: TimeOfDay) -> Due {
        let day = Due.on(zone.local(until).date)
        return promised.isDateOnly && day.instant(in: zone, remindAt: remindAt) == until ? day : .at(until)
    }

    /// Text as a task holds it: what iCalendar cannot carry (controls but the line break) left out,
    /// so that what kept wrote and what it reads back compare equal.
    static func calendarText(_ text: String) -> String {
        // Controls are single bytes in UTF-8 (every byte of a longer scalar is 0x80 or above), so
        // the text is read and cut byte by byte; almost every text has none and is kept as it is.
        func carried(_ byte: UInt8) -> Bool { byte == 0x0A || (byte >= 0x20 && byte != 0x7F) }
        if text.utf8.allSatisfy(carried) { return text }
        return String(decoding: text.utf8.filter(carried), as: UTF8.self)
    }

    /// What a task as the server holds it asks of kept: done (ticked on a phone, in any of the
    /// three ways, at its COMPLETED time), a snooze (its due moved later), or nothing.
    ///
    /// Judged against what kept last wrote (`written`), not what it would write now: a due kept
    /// itself moved since (a snooze by command) is not the phone's doing.
    public func calendarReadBack(_ server: VTodo, for task: CalendarTask, written: CalendarTask.Owned?, now: Instant) -> CalendarReadBack {
        guard let occ = task.occurrence, task.owned.status == .needsAction, (written?.status ?? .needsAction) == .needsAction,
              let incident = state.incident(occ.item.incident), let item = state.item(occ.item)
        else { return .nothing }
        // Done at the phone's COMPLETED when that is a time it can have been done — not ahead of
        // now, not before the item was made — else when kept saw it: the rule of every door.
        if server.isCompleted { return .done(occ, at: Self.doneTime(claimed: server.completed, since: Self.madeAt(item, in: incident), now: now)) }
        let last = (written ?? task.owned).due.flatMap(Due.init(stored:))
        guard let moved = server.due, moved != last, let mine = task.owned.due.flatMap(Due.init(stored:)), moved != mine
        else { return .nothing }
        let zone = self.zone(of: item, in: incident)
        let until = moved.instant(in: zone, remindAt: rules.config.remindAt)
        // A snooze only moves a reminder later, within the window — as by mail: a due moved
        // earlier than the promise's, into the past or past the window's end is put back.
        guard let promised = occurrence(occ.index, of: item, in: incident)?.times.due,
              until > now, until > promised, until <= incident.windowEnd
        else { return .nothing }
        // Read twice (a second look after a conflict), the same move is one snooze.
        if item.mark(occ.index)?.snoozes?.last?.until == until { return .nothing }
        return .snooze(occ, until: until)
    }

    /// A done time claimed from outside (a phone's COMPLETED, a letter's Date), bounded: not
    /// after now, not before the item could be done; what lies outside is the time kept saw it.
    public static func doneTime(claimed: Instant?, since earliest: Instant, now: Instant) -> Instant {
        guard let claimed, claimed <= now, claimed >= earliest else { return now }
        return claimed
    }

    /// The earliest an item can have been done: when it was made, or when its incident was
    /// noticed if that was earlier (an incident recorded days late is caught up on).
    public static func madeAt(_ item: Item, in incident: Incident) -> Instant { min(item.created, incident.noticed) }
}

/// What a task changed on a client means.
public enum CalendarReadBack: Sendable, Equatable {
    case done(OccurrenceID, at: Instant)
    case snooze(OccurrenceID, until: Instant)
    case nothing
}

extension CalendarTask.Owned {
    /// Whether the server's copy says what kept owns: the same summary, description, due and
    /// completion (a server may rewrite the text of the object; the meaning is compared).
    public func matches(_ server: VTodo) -> Bool {
        guard server.summary == summary, (server.description ?? "") == description else { return false }
        if server.due != due.flatMap(Due.init(stored:)) { return false }
        switch status {
        case .needsAction: return !server.isCompleted && server.status?.uppercased() != "CANCELLED"
        case .completed: return server.isCompleted
        case .cancelled: return server.status?.uppercased() == "CANCELLED"
        }
    }
}
