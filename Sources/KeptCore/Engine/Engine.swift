import FoundationEssentials

/// The whole of kept's behaviour as a pure state machine: requests and the clock in, journal
/// changes and answers out.
///
/// The daemon owns one `Engine`; it journals what `decide` returns, then `commit`s it. Nothing here
/// touches a file, a socket or the real clock, so every rule is tested with an injected `now`.
public struct Engine: Sendable {
    public private(set) var state: StoreState
    public var rules: Rules
    /// Channels a new reminder goes to.
    public var channels: [ChannelName]
    /// The From and To of reminder messages.
    public var mailFrom = "kept <kept@localhost>"
    public var mailTo = ["kept@localhost"]
    /// The user's own drafts (templates), where there are any; kept's built-in ones otherwise.
    public var drafts: (any DraftWriter)?
    /// With replies on, every message can be answered by mail (`reply.*` in the config).
    public var replies: ReplySettings?
    /// Draws the record as HTML: the page, and the HTML part of the digest and the review.
    /// Without one, those messages are plain text alone.
    public var painter: (any HTMLPainter)?
    private(set) var queue = ReminderQueue()
    /// Each item's occurrences as instants, kept current with every change: ledgers and the
    /// over-promising check read these instead of redoing zone arithmetic per request.
    /// Indexed by incident id − 1, then item number − 1 (ids are dense and never reused).
    private(set) var timesCache = TimesCache()

    public init(state: StoreState, rules: Rules, channels: [ChannelName]) {
        self.state = state
        self.rules = rules
        self.channels = channels
        rebuildQueue()
    }

    /// Recomputes every item's next reminder (at start, and after the config changes). A large
    /// store is worked through on every processor, a run of incidents each.
    public mutating func rebuildQueue(threads: Int? = nil) {
        let open = state.incidents.filter(\.isOpen)
        let items = open.reduce(0) { $0 + $1.items.count }
        let runs = min(threads ?? (items >= 5_000 ? processorsOnline : 1), max(open.count, 1))
        let results = ResultSlots<[(ItemID, Instant?, [Rules.Times])]>(count: runs)
        let engine = self
        runConcurrently(runs) { run in
            var out: [(ItemID, Instant?, [Rules.Times])] = []
            for incident in open[(open.count * run / runs)..<(open.count * (run + 1) / runs)] {
                for item in incident.items {
                    let id = ItemID(incident: incident.id, number: item.number)
                    let (next, times) = engine.schedule(item, id, in: incident)
                    out.append((id, next, times))
                }
            }
            results.set(run, out)
        }
        var next: [(item: ItemID, at: Instant)] = []
        next.reserveCapacity(items)
        timesCache = TimesCache()
        for run in 0..<runs {
            for (id, at, times) in results.take(run) ?? [] {
                if let at { next.append((id, at)) }
                timesCache.set(id, times)
            }
        }
        queue = ReminderQueue(next)
    }

    public var composer: ReminderComposer { ReminderComposer(rules: rules, storeID: state.storeID) }

    /// The composer for `item`'s reminders, which speak of its times in its own zone.
    func composer(for item: Item, in incident: Incident) -> ReminderComposer {
        ReminderComposer(rules: rules.for(item, in: incident), storeID: state.storeID)
    }

    /// Turns changes into journal records, numbered after the last one.
    public func records(for changes: [Change], at now: Instant) -> [JournalRecord] {
        changes.enumerated().map { JournalRecord(seq: state.seq + Int64($0.offset) + 1, at: now, change: $0.element) }
    }

    /// Applies records that are durable, and updates the reminder queue for what they touched.
    public mutating func commit(_ records: [JournalRecord]) {
        for record in records {
            state.apply(record)
            for item in touchedItems(record.change) { refresh(item) }
        }
    }

    func touchedItems(_ change: Change) -> [ItemID] {
        switch change {
        case .open(let incident): incident.items.map { ItemID(incident: incident.id, number: $0.number) }
        case .addItem(let id, let item): [ItemID(incident: id, number: item.number)]
        case .done(let occ, _, _, _), .snooze(let occ, _): [occ.item]
        case .release(let occs, _): Array(Set(occs.map(\.item)))
        case .close(let id, _, _, _): state.incident(id)?.items.map { ItemID(incident: id, number: $0.number) } ?? []
        case .enqueue(let entry, _): entry.key.occurrence.map { [$0.item] } ?? []
        case .note(let occ, _): [occ.item]
        case .checkin, .replied, .letterSent, .contact, .drafted, .attempt, .delivered, .failed, .calendarTasks, .calendarSynced: []
        }
    }

    mutating func refresh(_ id: ItemID) {
        guard let incident = state.incident(id.incident), let item = incident.item(id.number) else {
            queue.set(id, nil)
            return
        }
        let (next, times) = schedule(item, id, in: incident)
        queue.set(id, next)
        timesCache.set(id, times)
    }

    /// An item's next reminder (none once its incident is closed) and its occurrences as instants.
    func schedule(_ item: Item, _ id: ItemID, in incident: Incident) -> (next: Instant?, times: [Rules.Times]) {
        let rules = rules.for(item, in: incident)
        let dues = rules.occurrences(of: item)
        return (incident.isOpen ? nextReminder(for: id, item, in: incident, dues)?.at : nil,
                dues.map { rules.times($0, windowEnd: incident.windowEnd) })
    }

    /// An item's occurrences as instants (from the cache when it is there).
    func times(of item: Item, in incident: Incident) -> [Rules.Times] {
        if let cached = timesCache.get(ItemID(incident: incident.id, number: item.number)) { return cached }
        let rules = rules.for(item, in: incident)
        return rules.occurrences(of: item).map { rules.times($0, windowEnd: incident.windowEnd) }
    }

    /// The times of the item at `index`, borrowed in place: from the cache by its number, without
    /// a copy of the item (a dozen references) where the cache has it.
    func times(of items: UnsafeBufferPointer<Item>, _ index: Int, in incident: Incident) -> [Rules.Times] {
        timesCache.get(ItemID(incident: incident.id, number: items[index].number)) ?? times(of: items[index], in: incident)
    }

    /// The next reminder `item` will get, if any.
    public func nextReminder(for id: ItemID) -> (at: Instant, key: ReminderKey)? {
        guard let incident = state.incident(id.incident), incident.isOpen, let item = incident.item(id.number) else { return nil }
        return nextReminder(for: id, item, in: incident, rules.for(item, in: incident).occurrences(of: item))
    }

    func nextReminder(for id: ItemID, _ item: Item, in incident: Incident, _ dues: [Due]) -> (at: Instant, key: ReminderKey)? {
        let rules = rules.for(item, in: incident)
        // No reminder of an occurrence comes before its lead (a snooze's aside), and no lead more
        // than lead_days and a day before its due: a recurring promise's far dues are passed by.
        let reach = Int64(max(rules.config.leadDays, 0) + 2) * 86_400
        let marks = MarkLookup(item.marks)
        var best: (at: Instant, key: ReminderKey)?
        for (i, due) in dues.enumerated() {
            let mark = marks[i + 1]
            if let best, mark?.snoozes?.isEmpty ?? true, rules.dueInstant(due) - reach > best.at { continue }
            if let first = rules.pending(for: due, mark: mark, created: item.created, windowEnd: incident.windowEnd).first,
               best.map({ first.at < $0.at }) ?? true {
                best = (first.at, .occurrence(OccurrenceID(item: id, index: i + 1), first.kind))
            }
        }
        return best
    }

    /// The earliest moment anything falls due: where the daemon's one timer is armed.
    public mutating func nextDeadline() -> Instant? { queue.earliest()?.at }

    public mutating func nextReminder() -> (at: Instant, key: ReminderKey)? {
        guard let (_, item) = queue.earliest() else { return nil }
        return nextReminder(for: item)
    }

    /// When the daemon's timer must fire: the next item reminder or the next weekly digest.
    public mutating func nextWakeup(now: Instant) -> Instant? {
        [nextDeadline(), nextDigest(now: now)].compactMap { $0 }.min()
    }

    /// What goes out next, item reminder or digest, for `kept status`.
    public mutating func nextSending(now: Instant) -> (at: Instant, key: ReminderKey)? {
        let item = nextReminder()
        guard let digest = nextDigest(now: now) else { return item }
        if let item, item.at <= digest { return item }
        return (digest, .digest(rules.zone.date(of: digest)))
    }

    /// Every reminder due by `now`, as outbox entries to journal. Passed reminders of one occurrence
    /// collapse into the latest, marked late when it is more than a minute behind.
    public mutating func dueReminders(at now: Instant) -> [Change] {
        var changes: [Change] = []
        for id in queue.due(at: now) {
            guard let incident = state.incident(id.incident), let item = incident.item(id.number) else { continue }
            let ledger = ledger(of: incident, now: now)
            let composer = composer(for: item, in: incident)
            for o in occurrences(of: item, in: incident) {
                guard let (send, covered) = composer.rules.firing(for: o.due, mark: o.mark, created: item.created,
                                                                  windowEnd: incident.windowEnd, now: now) else { continue }
                // The review carries the whole record: in characters, and drawn for mail clients.
                let record = item.step == .review ? self.record(of: incident, now: now) : nil
                let rate = rules.config.warnings.minRate
                var reminder = composer.compose(incident: incident, item: item, occurrence: o.id.index, due: o.due, kind: send.kind,
                                                scheduled: send.at, now: now, ledger: ledger, draft: draft(for: o.id, now: now),
                                                record: record.map { RecordText().draw($0, warningRate: rate) })
                if LetterTarget.isLetter(item) {
                    reminder.body += letterLine(item, o, in: incident)
                }
                let message = render(&reminder, now: now) { text in
                    record.flatMap { record in painter?.review(record, warningRate: rate, text: text) }
                }
                let entry = OutboxEntry(key: reminder.key, reminder: reminder, message: message, channels: channels)
                changes.append(.enqueue(entry: entry, covered: covered.map { .occurrence(o.id, $0.kind) }))
            }
        }
        if let slot = dueDigest(now: now) {
            let digest = self.digest(slot: slot, now: now)
            var reminder = digestReminder(digest, slot: slot, now: now)
            let message = render(&reminder, now: now) { _ in painter?.digest(digest) }
            changes.append(.enqueue(entry: OutboxEntry(key: reminder.key, reminder: reminder, message: message, channels: channels), covered: []))
        }
        return changes
    }
}

extension Engine {
    /// What the reminder of a letter item says of the letter: where its draft is, and what to Bcc.
    func letterLine(_ item: Item, _ o: Occurrence, in incident: Incident) -> String {
        let id = ItemID(incident: incident.id, number: item.number)
        var line = ""
        // Its first reminder puts the letter there (Keeper+Letters); the later ones find it there.
        if rules.config.letters.drafts != nil, item.kind != .promise {
            line = replies == nil ? "The letter is in your Drafts folder — make it yours and send it, then: kept done \(name(of: o.id, item))."
                : "The letter is in your Drafts folder — make it yours and send it; kept will see it go."
        } else if let signer = replies?.signer {
            line = "When you send the letter, Bcc \(signer.logAddress(for: .item(id))) — kept sees it go and marks \(name(of: o.id, item)) done."
        }
        return line.isEmpty ? "" : "\n" + line + "\n"
    }

    /// The message for a reminder, as it goes out by mail and into the Maildir. With replies on it
    /// carries its reply address (the token of `replyKey`, else its own key) and says what can be replied.
    ///
    /// `html` draws the HTML part from the finished text, for a `multipart/alternative` message.
    func render(_ reminder: inout Reminder, now: Instant, replyKey: ReminderKey? = nil, thread: [String] = [],
                html: (String) -> String? = { _ in nil }) -> String {
        var replyTo: String?
        if let replies {
            replyTo = replies.signer.address(for: replyKey ?? reminder.key)
            reminder.body += (reminder.body.hasSuffix("\n") ? "" : "\n") + "\n" + ReplySettings.footer + "\n"
        }
        var page = html(reminder.body)
        if replies != nil, let drawn = page, drawn.hasSuffix("</body>\n</html>\n") {
            page = drawn.dropLast("</body>\n</html>\n".count)
                + "<p style=\"color:#57606a;font-size:13px\">\(ReplySettings.footer)</p>\n</body>\n</html>\n"
        }
        return MailMessage.render(reminder, from: mailFrom, to: mailTo, date: rules.zone.rfc5322(now), replyTo: replyTo,
                                  thread: thread, html: page)
    }
}

/// Each item's occurrence instants, in arrays indexed by incident and item number: the hot
/// lookups of the agenda, the ledger and the over-promising check are two array reads.
///
/// Beside them, each item's first and last due as plain values: a pass over an incident of
/// thousands (the ledger, the over-promising check) passes by the items it cannot concern without
/// taking each one's array (a reference counted twice per item).
struct TimesCache: Sendable, Equatable {
    private var byIncident: [[[Rules.Times]?]] = []
    private var spans: [[DueSpan]] = []

    /// An item's first and last due; `empty` for an item with none, or none cached.
    struct DueSpan: Sendable, Equatable {
        var first: Instant
        var last: Instant
        static let empty = DueSpan(first: Instant(seconds: .max), last: Instant(seconds: .min))
        /// Whether it has dues, and all of them lie outside `range`.
        func isOutside(_ range: ClosedRange<Instant>) -> Bool { first <= last && (last < range.lowerBound || first > range.upperBound) }
    }

    var isEmpty: Bool { byIncident.allSatisfy { $0.allSatisfy { $0 == nil } } }

    func get(_ id: ItemID) -> [Rules.Times]? {
        let i = id.incident - 1, n = id.number - 1
        guard i >= 0, i < byIncident.count, n >= 0, n < byIncident[i].count else { return nil }
        return byIncident[i][n]
    }

    /// The spans of an incident's items, by item number less one (shorter than its items where
    /// some are not cached: those are `empty` or missing, and must be read).
    func spans(of incident: Int) -> [DueSpan] {
        let i = incident - 1
        return i >= 0 && i < spans.count ? spans[i] : []
    }

    mutating func set(_ id: ItemID, _ times: [Rules.Times]) {
        let i = id.incident - 1, n = id.number - 1
        guard i >= 0, n >= 0 else { return }
        if i >= byIncident.count {
            byIncident.append(contentsOf: repeatElement([], count: i - byIncident.count + 1))
            spans.append(contentsOf: repeatElement([], count: i - spans.count + 1))
        }
        if n >= byIncident[i].count {
            byIncident[i].append(contentsOf: repeatElement(nil, count: n - byIncident[i].count + 1))
            spans[i].append(contentsOf: repeatElement(.empty, count: n - spans[i].count + 1))
        }
        byIncident[i][n] = times
        spans[i][n] = times.isEmpty ? .empty : DueSpan(first: times[0].due, last: times[times.count - 1].due)
    }
}
