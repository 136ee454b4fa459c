import FoundationEssentials

/// What a request does: the changes to journal, and the answer built from the state once they are
/// applied. Deciding touches nothing, so a refused request changes nothing and a journal replay is
/// deterministic.
public struct Decision<Result> {
    public var changes: [Change]
    public var answer: (Engine) -> Result

    public init(changes: [Change] = [], answer: @escaping (Engine) -> Result) {
        self.changes = changes; self.answer = answer
    }

    /// The same changes with the answer turned into something else (its bytes, for the socket).
    public func map<T>(_ transform: @escaping (Result) -> T) -> Decision<T> {
        let answer = self.answer
        return Decision<T>(changes: changes) { transform(answer($0)) }
    }
}

extension Engine {
    // MARK: Views

    func list(_ p: Params.List, now: Instant) -> Decision<[View.IncidentSummary]> {
        Decision { $0.list(all: p.all ?? false, client: p.client, now: now) }
    }

    func show(_ p: Params.Incident, now: Instant) throws(KeptError) -> Decision<View.IncidentDetail> {
        let id = try existing(p.incident).id
        return Decision { $0.detail(of: $0.state.incident(id)!, now: now) }
    }

    func showItem(_ p: Params.OneItem, now: Instant) throws(KeptError) -> Decision<View.Item> {
        let incident = try existing(p.item.item.incident)
        guard let item = incident.item(p.item.item.number) else { throw .notFound("no item \(p.item.item)") }
        return Decision { $0.itemView(item, in: incident, now: now) }
    }

    func draft(_ p: Params.Draft, now: Instant) throws(KeptError) -> Decision<View.Draft> {
        let (incident, item, index) = try target(p.item, now: now)
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        guard let draft = draft(for: occ, now: now) else {
            throw .refused("no draft for \(name(of: occ, item)) (\(item.step?.rawValue ?? item.kind.rawValue)); drafts are for acknowledge, share-plan, check-ins and review")
        }
        return Decision { _ in draft }
    }

    func agenda(_ p: Params.Agenda, now: Instant) throws(KeptError) -> Decision<View.Agenda> {
        return Decision { $0.agenda(days: p.days ?? 7, now: now) }
    }

    func ledger(_ p: Params.Ledger, now: Instant) -> Decision<View.LedgerReport> {
        Decision { $0.ledgerReport(client: p.client, now: now) }
    }

    func report(_ p: Params.Report, now: Instant) throws(KeptError) -> Decision<View.Report> {
        var report = try report(incident: p.incident, now: now)
        if p.format == .html {
            guard let painter else { throw KeptError(.internal, "this keptd draws no pages") }
            report.page = painter.page(report)
        }
        return Decision { _ in report }
    }

    func export(_ p: Params.Export, now: Instant) -> Decision<View.Export> {
        switch p.format ?? .json {
        case .json: Decision { .store($0.state) }
        case .ics: Decision { .calendar(View.Calendar(ics: $0.calendar(now: now))) }
        }
    }

    // MARK: Changes

    func open(_ p: Params.Open, now: Instant) throws(KeptError) -> Decision<View.Opened> {
        let client = p.client.trimmingWhitespace(), title = p.title.trimmingWhitespace()
        let zone = try zone(named: p.zone, else: rules.zone)
        var noticed = Instant(seconds: now.seconds - now.seconds % 60)
        if let raw = p.noticed {
            noticed = try moment(raw, now: now, field: "noticed", in: zone)
            guard noticed <= now + 60 else { throw .invalid("noticed", "the mistake cannot be noticed in the future: \(raw)") }
        }
        let window = p.window ?? rules.config.windowDays
        guard Params.Open.windowDays.contains(window) else {
            throw .invalid("window", "the window must be between 1 and 3650 days, not \(window)")
        }
        let id = state.nextIncidentID
        let windowEnd = zone.adding(days: window, to: noticed)
        // A name alone is who the drafts greet; an address is also where letters go.
        var contact = TypedText.trimmed(p.contact), to: [String]?
        if let given = contact, Mailbox.isAddress(given) {
            let mailbox = try Self.mailbox(given, field: "contact")
            (contact, to) = (mailbox.name, [mailbox.description])
        }
        var incident = Incident(id: id, client: client, title: title, contact: contact, note: TypedText.trimmed(p.note), noticed: noticed,
                                severity: p.severity ?? .major, windowDays: window, windowEnd: windowEnd, opened: now,
                                zone: p.zone == nil ? nil : zone.identifier)
        incident.to = to
        if p.playbook ?? true { incident.items = playbook(noticed: noticed, windowEnd: windowEnd, created: now, in: zone) }
        incident.timeline = [Event(at: now, what: "opened", text: title)]
        let warnings = repeatBreach(client: client, noticed: noticed, speaking: zone)
        return Decision(changes: [.open(incident: incident)]) { engine in
            let stored = engine.state.incident(id)!
            return View.Opened(incident: engine.summary(of: stored, now: now),
                               items: stored.items.map { engine.itemView($0, in: stored, now: now) }, warnings: warnings)
        }
    }

    /// The playbook steps, then the tapering check-ins.
    func playbook(noticed: Instant, windowEnd: Instant, created: Instant, in zone: Zone) -> [Item] {
        var items: [Item] = []
        for step in PlaybookStep.allCases {
            let due: Instant = rules.config.playbook.offset(of: step).map { $0.advance(noticed, in: zone) } ?? windowEnd
            items.append(Item(number: items.count + 1, kind: .step, step: step, text: step.title, created: created, due: .at(due)))
        }
        let cadence = rules.config.checkins
        let start = zone.date(of: noticed)
        let end = zone.date(of: windowEnd)
        var dates: [LocalDate] = []
        var day = start
        let firstStep = cadence.firstEvery.days ?? 7, thenStep = cadence.thenEvery.days ?? 14
        while dates.count < 200 {
            let elapsed = Int(day.daysSinceEpoch - start.daysSinceEpoch)
            day = day.adding(days: elapsed < cadence.firstWeeks * 7 ? firstStep : thenStep)
            if day >= end { break }
            dates.append(day)
        }
        for (n, date) in dates.enumerated() {
            let week = Int(date.daysSinceEpoch - start.daysSinceEpoch) / 7
            items.append(Item(number: items.count + 1, kind: .checkin, text: "Check-in \(n + 1) of \(dates.count) (week \(week))",
                              created: created, due: .on(date)))
        }
        return items
    }

    func promise(_ p: Params.Promise, now: Instant) throws(KeptError) -> Decision<View.Promised> {
        let incident = try existing(p.incident, open: true)
        // The promise keeps the zone it is made in: its occurrences stay at that local time.
        let zone = try zone(named: p.zone, else: rules.for(incident).zone)
        let local = rules.within(zone), made = p.zone != nil && zone.identifier != incident.zone ? zone.identifier : nil
        let text = p.text.trimmingWhitespace()
        var item: Item
        let number = incident.items.count + 1
        if let raw = p.due {
            item = Item(number: number, kind: .promise, text: text, created: now, due: try when(raw, now: now, field: "due", in: zone), zone: made)
        } else {
            let every = p.every!  // validate() saw one or the other
            var from: Due
            if let f = p.from { from = try when(f, now: now, field: "from", in: zone) } else if let days = every.days {
                from = .on(zone.date(of: now).adding(days: days))
            } else {
                from = .at(now + every.seconds)
            }
            if every.days == nil, case .on(let d) = from { from = .at(zone.instant(d, rules.config.remindAt)) }
            let until = try p.until.map { raw throws(KeptError) in try when(raw, now: now, field: "until", in: zone) } ?? .at(incident.windowEnd)
            item = Item(number: number, kind: .promise, text: text, created: now, due: from, every: every, until: until, zone: made)
        }
        // The occurrences, worked out once for every check below.
        let dues = local.occurrences(of: item)
        if let every = item.every, let until = item.until {
            guard !dues.isEmpty else {
                throw .invalid("until", "the last day, \(until.format(in: zone)), is before the first occurrence")
            }
            guard dues.count < Rules.maxOccurrences else {
                throw .refused("every \(every) until \(until.format(in: zone)) makes \(Rules.maxOccurrences) or more occurrences; choose a longer interval or an earlier last day")
            }
        }
        let first = dues.first ?? item.due
        if p.allowPast != true, local.graceEnd(first) < now {
            throw KeptError(.invalid, "\(first.format(in: zone)) has passed; a promise made now is due from now on",
                            field: p.due != nil ? "due" : "from", remedy: "allowPast")
        }
        var warnings = promiseWarnings(adding: item, to: incident, now: now, speaking: zone)
        if let last = dues.last, local.dueInstant(last) > incident.windowEnd {
            warnings.append(View.Warning(code: "past-window", message: "due \(last.format(in: zone)), after the window ends (\(zone.format(incident.windowEnd))): trust is rebuilt inside it"))
        }
        let id = incident.id, added = item
        return Decision(changes: [.addItem(incident: id, item: item)]) { engine in
            let stored = engine.state.incident(id)!
            return View.Promised(item: engine.itemView(stored.item(added.number)!, in: stored, now: now), warnings: warnings)
        }
    }

    func done(_ p: Params.Done, now: Instant) throws(KeptError) -> Decision<View.Changed> {
        let (incident, item, index) = try target(p.item, now: now, speaking: p.zone)
        let zone = try zone(named: p.zone, else: self.zone(of: item, in: incident))
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        if let mark = item.mark(index), let at = mark.done {
            if item.step == .acknowledge {
                throw .refused("apologize once: \(occ.item) acknowledge was already done on \(zone.format(at)); a second apology weakens the first")
            }
            throw .refused("\(name(of: occ, item)) is already done (\(zone.format(at)))")
        }
        if let reason = item.mark(index)?.released {
            throw .refused("\(name(of: occ, item)) was released (\(reason))")
        }
        var at = now
        if let raw = p.at {
            at = try moment(raw, now: now, field: "at", in: zone)
            guard at <= now + 60 else { throw .invalid("at", "it cannot be done in the future: \(raw)") }
            let earliest = Self.madeAt(item, in: incident)
            guard at >= earliest else {
                throw .invalid("at", "\(raw) is before incident \(incident.id) was noticed (\(zone.format(earliest))): it cannot have been done then")
            }
        }
        if p.cause != nil, item.step != .rootCause {
            throw .invalid("cause", "a cause is recorded on the root-cause step; \(name(of: occ, item)) is not it")
        }
        return Decision(changes: [.done(occurrence: occ, at: at, note: TypedText.trimmed(p.note), cause: p.cause)]) { engine in
            let view = engine.occurrenceView(occ, now: now)!
            return View.Changed(occurrences: [view], message: "\(view.id) \(view.text): done, \(view.status).")
        }
    }

    /// Logs a touchpoint. When a scheduled check-in is open and due within the week ahead (or
    /// overdue and not yet missed), the touchpoint is that check-in, done early or on time.
    func checkin(_ p: Params.Checkin, now: Instant) throws(KeptError) -> Decision<View.Message> {
        let incident = try existing(p.incident, open: true)
        let note = TypedText.trimmed(p.note)
        var changes: [Change] = [.checkin(incident: incident.id, note: note)]
        // Within the week as the agenda counts it: seven days on the incident's own calendar.
        var counted: OccurrenceID?
        for item in incident.items where item.kind == .checkin && counted == nil {
            let horizon = zone(of: item, in: incident).adding(days: 7, to: now)
            counted = occurrences(of: item, in: incident).first { $0.status(at: now).isOpen && $0.times.due <= horizon }?.id
        }
        if let counted { changes.append(.done(occurrence: counted, at: now, note: note, cause: nil)) }
        return Decision(changes: changes) { engine in
            guard let counted, let view = engine.occurrenceView(counted, now: now) else {
                return View.Message(message: "Check-in logged for incident \(incident.id) (\(incident.client)).")
            }
            return View.Message(message: "Check-in logged for incident \(incident.id) (\(incident.client)); it counts as \(view.id) \(view.text), \(view.status).")
        }
    }

    func snooze(_ p: Params.Snooze, now: Instant) throws(KeptError) -> Decision<View.Changed> {
        let (incident, item, index) = try target(p.item, now: now, speaking: p.zone)
        let zone = try zone(named: p.zone, else: self.zone(of: item, in: incident))
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        guard item.mark(index)?.isResolved != true else { throw .refused("\(name(of: occ, item)) is no longer open") }
        let until: Instant
        if let duration = p.duration {
            until = duration.advance(now, in: zone)
            do { try WhenParser.checkYear(Due.at(until).year, duration.description) } catch { throw .invalid("duration", error.message) }
        } else {
            until = try moment(p.until!, now: now, field: "until", in: zone)
            guard until > now else { throw .invalid("until", "a snooze must end in the future, not \(zone.format(until))") }
        }
        let warnings = until > incident.windowEnd
            ? [View.Warning(code: "past-window", message: "the snooze ends after the incident's window (\(zone.format(incident.windowEnd)))")] : []
        return Decision(changes: [.snooze(occurrence: occ, until: until)]) { engine in
            let view = engine.occurrenceView(occ, now: now)!
            return View.Changed(occurrences: [view],
                                message: "\(view.id) \(view.text): reminder snoozed until \(zone.format(until)); still due \(Due(stored: view.due)!.format(in: zone)).",
                                warnings: warnings)
        }
    }

    func note(_ p: Params.Note, now: Instant) throws(KeptError) -> Decision<View.Changed> {
        let (incident, item, index) = try target(p.item, now: now)
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        let text = p.text.trimmingWhitespace()
        return Decision(changes: [.note(occurrence: occ, text: text)]) { engine in
            let view = engine.occurrenceView(occ, now: now)!
            return View.Changed(occurrences: [view], message: "\(view.id) \(view.text): noted.")
        }
    }

    func release(_ p: Params.Release, now: Instant) throws(KeptError) -> Decision<View.Changed> {
        let reason = p.reason.trimmingWhitespace()
        let ref = p.item
        let incident = try existing(ref.item.incident, open: true)
        guard let item = incident.item(ref.item.number) else { throw .notFound("no item \(ref.item)") }
        let all = occurrences(of: item, in: incident)
        var occs: [OccurrenceID] = []
        if let o = ref.occurrence {
            guard o <= all.count else { throw .notFound("\(ref.item) has \(all.count) occurrence\(all.count == 1 ? "" : "s"), not \(o)") }
            guard all[o - 1].status(at: now).isOpen else { throw .refused("\(ref) is no longer open") }
            occs = [all[o - 1].id]
        } else {
            occs = all.filter { $0.status(at: now).isOpen }.map(\.id)
            guard !occs.isEmpty else { throw .refused("\(ref.item) has nothing open to release") }
        }
        return Decision(changes: [.release(occurrences: occs, reason: reason)]) { engine in
            let views = occs.compactMap { engine.occurrenceView($0, now: now) }
            let what = occs.count == 1 ? views[0].id : "\(occs.count) occurrences of \(ref.item)"
            return View.Changed(occurrences: views, message: "\(what) released: \(reason)")
        }
    }

    /// Sets who at the client letters go to (and are copied to).
    func contact(_ p: Params.Contact, now: Instant) throws(KeptError) -> Decision<View.Message> {
        let incident = try existing(p.incident, open: true)
        let to = try p.to.map { raw throws(KeptError) in try Self.mailbox(raw, field: "to") }
        let cc = try (p.cc ?? []).map { raw throws(KeptError) in try Self.mailbox(raw, field: "cc") }
        guard !to.isEmpty else { throw .invalid("to", "name at least one address to write to") }
        let name = to.first?.name ?? incident.contact
        return Decision(changes: [.contact(incident: incident.id, name: name, to: to.map(\.description), cc: cc.map(\.description))]) { _ in
            View.Message(message: "Incident \(incident.id) (\(incident.client)): letters go to \(to.map(\.description).joined(separator: ", "))"
                         + (cc.isEmpty ? "" : ", copied to \(cc.map(\.description).joined(separator: ", "))") + ".")
        }
    }

    static func mailbox(_ raw: String, field: String) throws(KeptError) -> Mailbox {
        do { return try Mailbox(parsing: raw) } catch { throw .invalid(field, error.message) }
    }

    func close(_ p: Params.Close, now: Instant) throws(KeptError) -> Decision<View.Closed> {
        let incident = try existing(p.incident, open: true)
        let released = incident.items.flatMap { occurrences(of: $0, in: incident) }
            .filter { $0.status(at: now).isOpen }.map(\.id)
        let id = incident.id
        return Decision(changes: [.close(incident: id, outcome: p.outcome, note: TypedText.trimmed(p.note), released: released)]) { engine in
            View.Closed(incident: engine.summary(of: engine.state.incident(id)!, now: now), released: released.count)
        }
    }

    // MARK: Checks

    func existing(_ id: Int, open: Bool = false, speaking: String? = nil) throws(KeptError) -> Incident {
        guard let incident = state.incident(id) else { throw .notFound("no incident \(id)") }
        if open, let closed = incident.closed {
            let zone = try zone(named: speaking, else: rules.for(incident).zone)
            throw .refused("incident \(id) is closed (\(closed.outcome.rawValue), \(zone.format(closed.at)))")
        }
        return incident
    }

    /// The zone a request speaks in: the one it names (the user's), else `fallback`.
    func zone(named name: String?, else fallback: Zone) throws(KeptError) -> Zone {
        guard let name else { return fallback }
        guard let zone = Zone.named(name) else {
            throw .invalid("zone", "\(name.debugDescription) is not a time zone kept knows (like America/New_York, or a POSIX TZ rule)")
        }
        return zone
    }

    /// The occurrence a command means: the one named, or the item's earliest open one.
    func target(_ ref: ItemRef, now: Instant, speaking: String? = nil) throws(KeptError) -> (Incident, Item, Int) {
        let incident = try existing(ref.item.incident, open: true, speaking: speaking)
        guard let item = incident.item(ref.item.number) else { throw .notFound("no item \(ref.item)") }
        let all = occurrences(of: item, in: incident)
        if let o = ref.occurrence {
            guard o <= all.count else { throw .notFound("\(ref.item) has \(all.count) occurrence\(all.count == 1 ? "" : "s"), not \(o)") }
            return (incident, item, o)
        }
        if all.count == 1 { return (incident, item, 1) }
        guard let open = all.first(where: { $0.status(at: now).isOpen }) else {
            throw .refused("\(ref.item) has no open occurrence; name one, like \(ref.item)#1")
        }
        return (incident, item, open.id.index)
    }

    /// A WHEN as a moment: a day at the configured reminder time. Held to the years the store
    /// writes, as the due is: a day at the year's end may fall in the next year in UTC.
    func moment(_ when: When, now: Instant, field: String, in zone: Zone) throws(KeptError) -> Instant {
        let instant = try self.when(when, now: now, field: field, in: zone).instant(in: zone, remindAt: rules.config.remindAt)
        do { try WhenParser.checkYear(Due.at(instant).year, when.description) } catch { throw .invalid(field, error.message) }
        return instant
    }

    /// A WHEN as a due: text read in `zone` at `now`; an exact due as it is.
    func when(_ when: When, now: Instant, field: String, in zone: Zone) throws(KeptError) -> Due {
        switch when {
        case .exact(let due):
            // A door's exact time (a phone's) is held to the years the store can write, as text is.
            do { try WhenParser.checkYear(due.year, due.description) } catch { throw .invalid(field, error.message) }
            return due
        case .text(let raw):
            do { return try WhenParser(now: now, zone: zone).parse(raw) } catch {
                throw .invalid(field, error.message)
            }
        }
    }
}
