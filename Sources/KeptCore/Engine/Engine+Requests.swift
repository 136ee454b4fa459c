import FoundationEssentials

extension Engine {
    /// Decides one request. Errors are JSON-RPC error objects with a message for the user.
    ///
    /// `request` is the whole request object; the method's parameters are its `params` member.
    public func decide(_ method: Method, request params: Data, now: Instant) throws(RPC.ErrorObject) -> Decision {
        switch method {
        case .incidentOpen: return try open(decode(Params.Open.self, params), now: now)
        case .incidentList:
            let p = try decode(Params.List.self, params)
            return Decision { $0.list(all: p.all ?? false, client: p.client, now: now) }
        case .incidentShow:
            let p = try decode(Params.Incident.self, params)
            let incident = try existing(p.incident)
            return Decision { $0.detail(of: $0.state.incident(incident.id)!, now: now) }
        case .incidentClose: return try close(decode(Params.Close.self, params), now: now)
        case .promiseAdd: return try promise(decode(Params.Promise.self, params), now: now)
        case .itemDone: return try done(decode(Params.Done.self, params), now: now)
        case .itemSnooze: return try snooze(decode(Params.Snooze.self, params), now: now)
        case .itemRelease: return try release(decode(Params.Release.self, params), now: now)
        case .checkinLog: return try checkin(decode(Params.Checkin.self, params), now: now)
        case .itemDraft:
            let p = try decode(Params.Draft.self, params)
            let (incident, item, index) = try target(p.item, now: now)
            let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
            guard draft(for: occ, now: now) != nil else {
                throw RPC.ErrorObject(.refused, "no draft for \(describe(occ, item)) (\(item.step?.rawValue ?? item.kind.rawValue)); drafts are for acknowledge, share-plan, check-ins and review")
            }
            return Decision { $0.draft(for: occ, now: now)! }
        case .agenda:
            let p = try decode(Params.Agenda.self, params)
            let days = p.days ?? 7
            guard (0...3650).contains(days) else { throw RPC.ErrorObject(.invalidParams, "days must be between 0 and 3650") }
            return Decision { $0.agenda(days: days, now: now) }
        case .ledger:
            let p = try decode(Params.Ledger.self, params)
            return Decision { $0.ledgerReport(client: p.client, now: now) }
        case .export:
            let p = try decode(Params.Export.self, params)
            switch p.format ?? "json" {
            case "json": return Decision { $0.state }
            case "ics": return Decision { View.Calendar(ics: $0.calendar(now: now)) }
            case let other: throw RPC.ErrorObject(.invalidParams, "unknown export format \(other.debugDescription) (json, ics)")
            }
        case .status, .reload:
            throw RPC.ErrorObject(.internalError, "\(method.rawValue) is answered by the daemon")
        }
    }

    // MARK: Changes

    func open(_ p: Params.Open, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let client = try text(p.client, "client", limit: 200)
        let title = try text(p.title, "title", limit: 500)
        let note = try text(p.note, "note", limit: 10_000, optional: true)
        var noticed = Instant(seconds: now.seconds - now.seconds % 60)
        if let raw = p.noticed {
            noticed = try when(raw, now: now, field: "noticed").instant(in: rules.zone, remindAt: rules.config.remindAt)
            guard noticed <= now + 60 else { throw RPC.ErrorObject(.invalidParams, "noticed is in the future: \(raw)") }
        }
        let window = p.window ?? rules.config.windowDays
        guard (1...3650).contains(window) else { throw RPC.ErrorObject(.invalidParams, "window must be between 1 and 3650 days") }
        let id = state.nextIncidentID
        let windowEnd = rules.zone.adding(days: window, to: noticed)
        var incident = Incident(id: id, client: client, title: title, note: note, noticed: noticed,
                                severity: p.severity ?? .major, windowDays: window, windowEnd: windowEnd, opened: now)
        if p.playbook ?? true { incident.items = playbook(noticed: noticed, windowEnd: windowEnd, created: now) }
        incident.timeline = [Event(at: now, what: "opened", text: title)]
        let warnings = repeatBreach(client: client, noticed: noticed)
        return Decision(changes: [.open(incident: incident)]) { engine in
            let stored = engine.state.incident(id)!
            return View.Opened(incident: engine.summary(of: stored, now: now),
                               items: stored.items.map { engine.itemView($0, in: stored, now: now) }, warnings: warnings)
        }
    }

    /// The playbook steps, then the tapering check-ins (DESIGN §2).
    func playbook(noticed: Instant, windowEnd: Instant, created: Instant) -> [Item] {
        var items: [Item] = []
        for step in PlaybookStep.allCases {
            let due: Instant = rules.config.playbook.offset(of: step).map { $0.advance(noticed, in: rules.zone) } ?? windowEnd
            items.append(Item(number: items.count + 1, kind: .step, step: step, text: step.title, created: created, due: .at(due)))
        }
        let cadence = rules.config.checkins
        let start = rules.zone.date(of: noticed)
        let end = rules.zone.date(of: windowEnd)
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

    func promise(_ p: Params.Promise, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let incident = try existing(p.incident, open: true)
        let text = try text(p.text, "text", limit: 16_000)
        var item: Item
        let number = incident.items.count + 1
        switch (p.due, p.every) {
        case (let raw?, nil):
            guard p.from == nil, p.until == nil else {
                throw RPC.ErrorObject(.invalidParams, "--from and --until go with --every, not --due")
            }
            item = Item(number: number, kind: .promise, text: text, created: now, due: try when(raw, now: now, field: "due"))
        case (nil, let raw?):
            let every: Interval
            do { every = try Interval(parsing: raw) } catch { throw RPC.ErrorObject(.invalidParams, error.message) }
            var from: Due
            if let f = p.from { from = try when(f, now: now, field: "from") } else if let days = every.days {
                from = .on(rules.zone.date(of: now).adding(days: days))
            } else {
                from = .at(now + every.seconds)
            }
            if every.days == nil, case .on(let d) = from { from = .at(rules.zone.instant(d, rules.config.remindAt)) }
            let until = try p.until.map { raw throws(RPC.ErrorObject) in try when(raw, now: now, field: "until") } ?? .at(incident.windowEnd)
            item = Item(number: number, kind: .promise, text: text, created: now, due: from, every: every, until: until)
            let count = rules.occurrences(of: item).count
            guard count > 0 else { throw RPC.ErrorObject(.invalidParams, "--until \(until.format(in: rules.zone)) is before the first occurrence") }
            guard count < Rules.maxOccurrences else {
                throw RPC.ErrorObject(.refused, "every \(every) until \(until.format(in: rules.zone)) makes \(Rules.maxOccurrences) or more occurrences; choose a longer interval or an earlier --until")
            }
        case (nil, nil): throw RPC.ErrorObject(.invalidParams, "a promise needs --due WHEN or --every INTERVAL")
        case (.some, .some): throw RPC.ErrorObject(.invalidParams, "give --due or --every, not both")
        }
        let warnings = promiseWarnings(adding: item, to: incident, now: now)
        let id = incident.id, added = item
        return Decision(changes: [.addItem(incident: id, item: item)]) { engine in
            let stored = engine.state.incident(id)!
            return View.Promised(item: engine.itemView(stored.item(added.number)!, in: stored, now: now), warnings: warnings)
        }
    }

    func done(_ p: Params.Done, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let (incident, item, index) = try target(p.item, now: now)
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        if let mark = item.mark(index), let at = mark.done {
            if item.step == .acknowledge {
                throw RPC.ErrorObject(.refused, "apologize once: \(occ.item) acknowledge was already done on \(rules.zone.format(at)); a second apology weakens the first")
            }
            throw RPC.ErrorObject(.refused, "\(describe(occ, item)) is already done (\(rules.zone.format(at)))")
        }
        if let reason = item.mark(index)?.released {
            throw RPC.ErrorObject(.refused, "\(describe(occ, item)) was released (\(reason))")
        }
        var at = now
        if let raw = p.at {
            at = try when(raw, now: now, field: "at").instant(in: rules.zone, remindAt: rules.config.remindAt)
            guard at <= now + 60 else { throw RPC.ErrorObject(.invalidParams, "--at is in the future: \(raw)") }
        }
        let note = try text(p.note, "note", limit: 10_000, optional: true)
        var cause: String?
        if let raw = p.cause {
            guard item.step == .rootCause else {
                throw RPC.ErrorObject(.invalidParams, "--cause is for the root-cause step; \(describe(occ, item)) is not it")
            }
            guard ["systemic", "judgement"].contains(raw) else {
                throw RPC.ErrorObject(.invalidParams, "cause must be systemic (fix the process) or judgement (training), not \(raw.debugDescription)")
            }
            cause = raw
        }
        return Decision(changes: [.done(occurrence: occ, at: at, note: note, cause: cause)]) { engine in
            let view = engine.occurrenceView(occ, now: now)!
            return View.Changed(occurrences: [view], message: "\(view.id) \(view.text): done, \(view.status).")
        }
    }

    /// Logs a touchpoint. When a scheduled check-in is open and due within the week ahead (or
    /// overdue and not yet missed), the touchpoint is that check-in, done early or on time.
    func checkin(_ p: Params.Checkin, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let incident = try existing(p.incident, open: true)
        let note = try text(p.note, "note", limit: 10_000, optional: true)
        var changes: [Change] = [.checkin(incident: incident.id, note: note)]
        var counted: OccurrenceID?
        let horizon = now + 7 * 86_400
        search: for item in incident.items where item.kind == .checkin {
            for (i, due) in rules.occurrences(of: item).enumerated() {
                let status = rules.status(of: due, mark: item.mark(i + 1), windowEnd: incident.windowEnd, now: now)
                guard status.isOpen, rules.dueInstant(due) <= horizon else { continue }
                counted = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: i + 1)
                break search
            }
        }
        if let counted { changes.append(.done(occurrence: counted, at: now, note: note, cause: nil)) }
        return Decision(changes: changes) { engine in
            guard let counted, let view = engine.occurrenceView(counted, now: now) else {
                return View.Message(message: "Check-in logged for incident \(incident.id) (\(incident.client)).")
            }
            return View.Message(message: "Check-in logged for incident \(incident.id) (\(incident.client)); it counts as \(view.id) \(view.text), \(view.status).")
        }
    }

    func snooze(_ p: Params.Snooze, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let (incident, item, index) = try target(p.item, now: now)
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
        guard item.mark(index)?.isResolved != true else {
            throw RPC.ErrorObject(.refused, "\(describe(occ, item)) is no longer open")
        }
        let until: Instant
        switch (p.duration, p.until) {
        case (let d?, nil):
            do { until = try WhenParser(now: now, zone: rules.zone).after(d) } catch { throw RPC.ErrorObject(.invalidParams, error.message) }
        case (nil, let w?):
            until = try when(w, now: now, field: "until").instant(in: rules.zone, remindAt: rules.config.remindAt)
        default:
            throw RPC.ErrorObject(.invalidParams, "snooze needs a DURATION (4h, 3d) or --until WHEN")
        }
        guard until > now else { throw RPC.ErrorObject(.invalidParams, "the snooze must end in the future") }
        return Decision(changes: [.snooze(occurrence: occ, until: until)]) { engine in
            let view = engine.occurrenceView(occ, now: now)!
            return View.Changed(occurrences: [view],
                                message: "\(view.id) \(view.text): reminder snoozed until \(engine.rules.zone.format(until)); still due \(Due(stored: view.due)!.format(in: engine.rules.zone)).")
        }
    }

    func release(_ p: Params.Release, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let reason = try text(p.reason, "reason", limit: 2000)
        let ref = try itemRef(p.item)
        let incident = try existing(ref.item.incident, open: true)
        guard let item = incident.item(ref.item.number) else { throw RPC.ErrorObject(.notFound, "no item \(ref.item)") }
        let dues = rules.occurrences(of: item)
        var occs: [OccurrenceID] = []
        if let o = ref.occurrence {
            guard o <= dues.count else { throw RPC.ErrorObject(.notFound, "\(ref.item) has \(dues.count) occurrence\(dues.count == 1 ? "" : "s"), not \(o)") }
            guard rules.status(of: dues[o - 1], mark: item.mark(o), windowEnd: incident.windowEnd, now: now).isOpen else {
                throw RPC.ErrorObject(.refused, "\(ref) is no longer open")
            }
            occs = [OccurrenceID(item: ref.item, index: o)]
        } else {
            for (i, due) in dues.enumerated()
            where rules.status(of: due, mark: item.mark(i + 1), windowEnd: incident.windowEnd, now: now).isOpen {
                occs.append(OccurrenceID(item: ref.item, index: i + 1))
            }
            guard !occs.isEmpty else { throw RPC.ErrorObject(.refused, "\(ref.item) has nothing open to release") }
        }
        return Decision(changes: [.release(occurrences: occs, reason: reason)]) { engine in
            let views = occs.compactMap { engine.occurrenceView($0, now: now) }
            let what = occs.count == 1 ? views[0].id : "\(occs.count) occurrences of \(ref.item)"
            return View.Changed(occurrences: views, message: "\(what) released: \(reason)")
        }
    }

    func close(_ p: Params.Close, now: Instant) throws(RPC.ErrorObject) -> Decision {
        let incident = try existing(p.incident, open: true)
        let note = try text(p.note, "note", limit: 10_000, optional: true)
        var released: [OccurrenceID] = []
        for item in incident.items {
            for (i, due) in rules.occurrences(of: item).enumerated()
            where rules.status(of: due, mark: item.mark(i + 1), windowEnd: incident.windowEnd, now: now).isOpen {
                released.append(OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: i + 1))
            }
        }
        let id = incident.id
        return Decision(changes: [.close(incident: id, outcome: p.outcome, note: note, released: released)]) { engine in
            View.Closed(incident: engine.summary(of: engine.state.incident(id)!, now: now), released: released.count)
        }
    }

    // MARK: Checks

    func decode<T: Decodable>(_ type: T.Type, _ request: Data) throws(RPC.ErrorObject) -> T {
        func path(_ keys: [any CodingKey]) -> String { keys.dropFirst().map(JSONPosition.key).joined(separator: ".") }
        do {
            if let params = try JSONDecoder().decode(ParamsMember<T>.self, from: request).params { return params }
            return try JSONDecoder().decode(T.self, from: Data("{}".utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw RPC.ErrorObject(.invalidParams, "missing parameter \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.count <= 1 {
            throw RPC.ErrorObject(.invalidParams, "params must be an object")
        } catch let DecodingError.typeMismatch(_, context) {
            throw RPC.ErrorObject(.invalidParams, "wrong type for \"\(path(context.codingPath))\": \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw RPC.ErrorObject(.invalidParams, "\"\(path(context.codingPath))\" may not be null")
        } catch let DecodingError.dataCorrupted(context) {
            throw RPC.ErrorObject(.invalidParams, "bad value for \"\(path(context.codingPath))\": \(context.debugDescription)")
        } catch {
            throw RPC.ErrorObject(.invalidParams, "params must be an object")
        }
    }

    func existing(_ id: Int, open: Bool = false) throws(RPC.ErrorObject) -> Incident {
        guard let incident = state.incident(id) else { throw RPC.ErrorObject(.notFound, "no incident \(id)") }
        if open, let closed = incident.closed {
            throw RPC.ErrorObject(.refused, "incident \(id) is closed (\(closed.outcome.rawValue), \(rules.zone.format(closed.at)))")
        }
        return incident
    }

    func itemRef(_ raw: String) throws(RPC.ErrorObject) -> ItemRef {
        do { return try ItemRef(parsing: raw) } catch { throw RPC.ErrorObject(.invalidParams, error.message) }
    }

    /// The occurrence a command means: the one named, or the item's earliest open one.
    func target(_ raw: String, now: Instant) throws(RPC.ErrorObject) -> (Incident, Item, Int) {
        let ref = try itemRef(raw)
        let incident = try existing(ref.item.incident, open: true)
        guard let item = incident.item(ref.item.number) else { throw RPC.ErrorObject(.notFound, "no item \(ref.item)") }
        let dues = rules.occurrences(of: item)
        if let o = ref.occurrence {
            guard o <= dues.count else { throw RPC.ErrorObject(.notFound, "\(ref.item) has \(dues.count) occurrence\(dues.count == 1 ? "" : "s"), not \(o)") }
            return (incident, item, o)
        }
        if dues.count == 1 { return (incident, item, 1) }
        for (i, due) in dues.enumerated()
        where rules.status(of: due, mark: item.mark(i + 1), windowEnd: incident.windowEnd, now: now).isOpen {
            return (incident, item, i + 1)
        }
        throw RPC.ErrorObject(.refused, "\(ref.item) has no open occurrence; name one, like \(ref.item)#1")
    }

    func describe(_ occ: OccurrenceID, _ item: Item) -> String { item.every == nil ? occ.item.description : occ.description }

    func when(_ raw: String, now: Instant, field: String) throws(RPC.ErrorObject) -> Due {
        do { return try WhenParser(now: now, zone: rules.zone).parse(raw) } catch {
            throw RPC.ErrorObject(.invalidParams, "\(field): \(error.message)")
        }
    }

    func text(_ raw: String?, _ field: String, limit: Int, optional: Bool = false) throws(RPC.ErrorObject) -> String? {
        guard let raw else {
            if optional { return nil }
            throw RPC.ErrorObject(.invalidParams, "missing parameter \"\(field)\"")
        }
        let trimmed = raw.trimmingWhitespace()
        if trimmed.isEmpty {
            if optional { return nil }
            throw RPC.ErrorObject(.invalidParams, "\(field) is empty")
        }
        guard trimmed.count <= limit else { throw RPC.ErrorObject(.invalidParams, "\(field) is longer than \(limit) characters") }
        return trimmed
    }

    func text(_ raw: String, _ field: String, limit: Int) throws(RPC.ErrorObject) -> String {
        try text(Optional(raw), field, limit: limit, optional: false)!
    }
}

/// The `params` member of a request object.
struct ParamsMember<T: Decodable>: Decodable { var params: T? }
