extension Engine {
    public func occurrenceView(_ occ: OccurrenceID, now: Instant) -> View.Occurrence? {
        guard let incident = state.incident(occ.item.incident), let item = incident.item(occ.item.number),
              let o = occurrence(occ.index, of: item, in: incident) else { return nil }
        return occurrenceView(incident, item, o, now: now)
    }

    func occurrenceView(_ incident: Incident, _ item: Item, _ o: Occurrence, now: Instant) -> View.Occurrence {
        let status = o.status(at: now)
        let snoozed = o.mark?.snoozes?.last.flatMap { $0.until > now ? $0.until : nil }
        return View.Occurrence(
            id: name(of: o.id, item), item: o.id.item.description,
            incident: incident.id, client: incident.client, kind: item.kind, step: item.step,
            text: item.text, due: o.due.description, status: status.name, done: o.mark?.done, note: o.mark?.note,
            released: o.mark?.released, snoozedUntil: status.isOpen ? snoozed : nil, recurring: item.every != nil)
    }

    public func itemView(_ item: Item, in incident: Incident, now: Instant) -> View.Item {
        View.Item(id: "\(incident.id).\(item.number)", kind: item.kind, step: item.step, text: item.text,
                  due: item.due.description, every: item.every?.description, until: item.until?.description,
                  zone: item.zone ?? incident.zone,
                  occurrences: occurrences(of: item, in: incident).map { occurrenceView(incident, item, $0, now: now) })
    }

    public func summary(of incident: Incident, now: Instant) -> View.IncidentSummary {
        var open = 0, overdue = 0
        var next: View.Occurrence?
        var nextAt: Instant?
        var ledger = View.Ledger()
        for item in incident.items {
            for o in occurrences(of: item, in: incident) {
                let status = o.status(at: now)
                if status.isOpen {
                    open += 1
                    if status == .overdue { overdue += 1 }
                    if nextAt.map({ o.times.due < $0 }) ?? true { nextAt = o.times.due; next = occurrenceView(incident, item, o, now: now) }
                }
                ledger.count(status, wasDue: o.times.due <= (o.mark?.releasedAt ?? now))
            }
        }
        return View.IncidentSummary(
            id: incident.id, client: incident.client, title: incident.title, severity: incident.severity,
            status: incident.isOpen ? .open : .closed, outcome: incident.closed?.outcome, noticed: incident.noticed,
            windowEnd: incident.windowEnd, windowDays: incident.windowDays, day: incident.day(at: now, in: rules.for(incident).zone),
            open: incident.isOpen ? open : 0, overdue: incident.isOpen ? overdue : 0, next: incident.isOpen ? next : nil, ledger: ledger)
    }

    /// The incident's ledger: of every item, or of one kind (what was promised the client).
    ///
    /// Only what has fallen due or been settled counts, so each item's times are read up to now
    /// and, after that, only its marks: a store of future promises costs one look per item. The
    /// items are borrowed in place (copying each — a dozen references — was most of an add into
    /// an incident of thousands).
    public func ledger(of incident: Incident, now: Instant, only kind: Item.Kind? = nil) -> View.Ledger {
        var ledger = View.Ledger()
        let spans = timesCache.spans(of: incident.id)
        incident.items.withUnsafeBufferPointer { items in
            for i in items.indices where kind == nil || items[i].kind == kind {
                // Not yet due and never marked: nothing to count.
                let n = items[i].number - 1
                if n < spans.count, spans[n].first > now, spans[n].first <= spans[n].last, items[i].marks.isEmpty { continue }
                let times = times(of: items, i, in: incident)
                let marks = MarkLookup(items[i].marks)
                var next = 0
                while next < times.count, times[next].due <= now {
                    let mark = marks[next + 1]
                    ledger.count(rules.status(times[next], mark: mark, now: now), wasDue: times[next].due <= (mark?.releasedAt ?? now))
                    next += 1
                }
                if marks.isEmpty { continue }
                for mark in items[i].marks where mark.occurrence > next && mark.occurrence <= times.count {
                    let t = times[mark.occurrence - 1]
                    ledger.count(rules.status(t, mark: mark, now: now), wasDue: t.due <= (mark.releasedAt ?? now))
                }
            }
        }
        return ledger
    }

    public func detail(of incident: Incident, now: Instant) -> View.IncidentDetail {
        View.IncidentDetail(incident: summary(of: incident, now: now), note: incident.note,
                            items: incident.items.map { itemView($0, in: incident, now: now) }, timeline: incident.timeline,
                            to: incident.to, cc: incident.cc, letters: letterAddresses(of: incident))
    }

    /// The incident's logging address and each letter item's, when replies are on.
    func letterAddresses(of incident: Incident) -> [View.LetterAddress]? {
        guard let signer = replies?.signer, incident.isOpen else { return nil }
        let touchpoint = View.LetterAddress(item: nil, text: "any letter to \(incident.client) (a touchpoint)",
                                            address: signer.logAddress(for: .incident(incident.id)))
        return [touchpoint] + incident.items.filter(LetterTarget.isLetter).map { item in
            let id = ItemID(incident: incident.id, number: item.number)
            return View.LetterAddress(item: id.description, text: item.text, address: signer.logAddress(for: .item(id)))
        }
    }

    public func list(all: Bool, client: String?, now: Instant) -> [View.IncidentSummary] {
        state.incidents
            .filter { all || $0.isOpen }
            .filter { client == nil || $0.client.lowercased() == client!.lowercased() }
            .map { summary(of: $0, now: now) }
    }

    public func agenda(days: Int, now: Instant) -> View.Agenda {
        let horizon = rules.zone.adding(days: days, to: now)
        var overdue: [(Instant, View.Occurrence)] = [], upcoming: [(Instant, View.Occurrence)] = []
        for incident in state.incidents where incident.isOpen {
            // Items borrowed in place: a `for item in` loop would copy every one of them, shown or not.
            incident.items.withUnsafeBufferPointer { items in
                for item in items.indices {
                    // Judge from the cached instants; build a view (and the zone work) only for what is shown.
                    var numbered: [Occurrence]?
                    let cached = timesCache.get(ItemID(incident: incident.id, number: items[item].number))
                    for (i, t) in (cached ?? times(of: items[item], in: incident)).enumerated() {
                        let mark = items[item].marks.isEmpty ? nil : items[item].mark(i + 1)
                        let status = rules.status(t, mark: mark, now: now)
                        guard status == .overdue || (status == .upcoming && t.due <= horizon) else {
                            if t.due > horizon { break }
                            continue
                        }
                        if numbered == nil { numbered = occurrences(of: items[item], in: incident) }
                        let view = occurrenceView(incident, items[item], numbered![i], now: now)
                        if status == .overdue { overdue.append((t.due, view)) } else { upcoming.append((t.due, view)) }
                    }
                }
            }
        }
        // Sorted by index: moving thousands of whole rows about costs more than finding them.
        func sorted(_ list: [(Instant, View.Occurrence)]) -> [View.Occurrence] {
            list.indices.sorted { a, b in
                list[a].0 != list[b].0 ? list[a].0 < list[b].0 : list[a].1.id < list[b].1.id
            }.map { list[$0].1 }
        }
        return View.Agenda(now: now, days: days, overdue: sorted(overdue), upcoming: sorted(upcoming))
    }

    public func ledgerReport(client: String?, now: Instant) -> View.LedgerReport {
        var rows: [View.LedgerReport.Row] = []
        var byClient: [String: (String, View.Ledger)] = [:]
        var order: [String] = []
        var total = View.Ledger()
        for incident in state.incidents where client == nil || incident.client.lowercased() == client!.lowercased() {
            let l = ledger(of: incident, now: now)
            rows.append(.init(incident: incident.id, client: incident.client, title: incident.title, ledger: l))
            let key = incident.client.lowercased()
            if byClient[key] == nil { order.append(key); byClient[key] = (incident.client, View.Ledger()) }
            byClient[key]!.1 = byClient[key]!.1 + l
            total = total + l
        }
        return View.LedgerReport(incidents: rows,
                                 clients: order.map { .init(incident: nil, client: byClient[$0]!.0, title: nil, ledger: byClient[$0]!.1) },
                                 total: total)
    }

    // MARK: Warnings

    /// A new incident for a client who has another within its window is a repeat breach.
    func repeatBreach(client: String, noticed: Instant, speaking zone: Zone) -> [View.Warning] {
        state.incidents
            .filter { $0.client.lowercased() == client.lowercased() && $0.noticed <= noticed && noticed <= $0.windowEnd }
            .map {
                View.Warning(code: "repeat-breach",
                             message: "repeat breach: \($0.client) already has incident \($0.id) within its window (until \(zone.format($0.windowEnd))); a second breach while rebuilding is far worse than the first — consider escalating: a senior person, a change of team")
            }
    }

    /// The first index whose instant is not below `value` (`all` in order of it).
    static func lowerBound<T>(_ all: [T], _ value: Instant, _ instant: (T) -> Instant) -> Int {
        var lo = 0, hi = all.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if instant(all[mid]) < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Over-promising: too many promise occurrences in one 7-day span, or a weak follow-through rate.
    func promiseWarnings(adding item: Item, to incident: Incident, now: Instant, speaking zone: Zone) -> [View.Warning] {
        var warnings: [View.Warning] = []
        let limit = rules.config.warnings.maxDuePerWeek
        let itemRules = rules.for(item, in: incident)
        let mine = itemRules.occurrences(of: item).map { itemRules.dueInstant($0) }
        let week: Int64 = 7 * 86_400
        // Only dues within a week of a new one can share a span with it.
        let reach: ClosedRange<Instant>? = mine.isEmpty ? nil : (mine.min()! - week)...(mine.max()! + week)
        var all = mine
        if let reach {
            // The items borrowed in place, as in the ledger.
            let spans = timesCache.spans(of: incident.id)
            incident.items.withUnsafeBufferPointer { items in
                for n in items.indices where items[n].kind == .promise {
                    let number = items[n].number - 1
                    if number < spans.count, spans[number].isOutside(reach) { continue }
                    // The times are in order: find the first within reach, stop at the first past it.
                    let times = times(of: items, n, in: incident)
                    var i = Self.lowerBound(times, reach.lowerBound) { $0.due }
                    guard i < times.count, times[i].due <= reach.upperBound else { continue }
                    let marks = MarkLookup(items[n].marks)
                    while i < times.count, times[i].due <= reach.upperBound {
                        if marks[i + 1]?.isResolved != true { all.append(times[i].due) }
                        i += 1
                    }
                }
            }
        }
        all.sort()
        // The fullest 7-day span holding one of the new occurrences starts at one of the dues in
        // the week before it: count each such span with two binary searches.
        var worst = 0, worstStart: Instant?
        for m in mine {
            var i = Self.lowerBound(all, m - week + 1) { $0 }
            while i < all.count, all[i] <= m {
                let count = Self.lowerBound(all, all[i] + week) { $0 } - i
                if count > worst { worst = count; worstStart = all[i] }
                i = Self.lowerBound(all, all[i] + 1) { $0 }
            }
        }
        if worst > limit, let start = worstStart {
            warnings.append(View.Warning(code: "over-promising",
                                         message: "over-promising: \(worst) promises fall due in the 7 days from \(zone.format(start)) (more than \(limit)); make fewer, smaller promises and keep every one"))
        }
        if let rate = ledger(of: incident, now: now).rate, rate < rules.config.warnings.minRate {
            warnings.append(View.Warning(code: "low-follow-through",
                                         message: "follow-through is \(Int((rate * 100).rounded()))% on incident \(incident.id) (below \(Int((rules.config.warnings.minRate * 100).rounded()))%); keep the promises you have before adding more"))
        }
        return warnings
    }
}
