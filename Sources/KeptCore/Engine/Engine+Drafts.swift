/// Drafts of what to send the client, in the shape the practice recommends:
/// the apology for `acknowledge`, the plan for `share-plan`, a progress report for each check-in,
/// and the review. They name the real promises, dates and outcomes; what only the user knows is
/// left in [brackets].
extension Engine {
    public func draft(for occ: OccurrenceID, now: Instant) -> View.Draft? {
        guard let incident = state.incident(occ.item.incident), let item = incident.item(occ.item.number),
              let numbered = occurrence(occ.index, of: item, in: incident),
              let facts = draftFacts(incident, item, numbered, now: now) else { return nil }
        let (subject, text) = drafts?.write(facts) ?? Self.builtIn(facts)
        return View.Draft(item: name(of: occ, item), kind: facts.kind.label, to: incident.to?.joined(separator: ", ") ?? incident.client,
                          subject: subject, text: text,
                          bcc: LetterTarget.isLetter(item) ? replies.map { $0.signer.logAddress(for: .item(occ.item)) } : nil,
                          cc: incident.cc?.joined(separator: ", "))
    }

    /// Who "Dear …," greets: the first name of `Dana Scully`, and of `Scully, Dana`.
    static func firstName(_ name: String) -> String? {
        var given = Substring(name)
        if let comma = name.firstIndex(of: ","), !name[name.index(after: comma)...].trimmingWhitespace().isEmpty {
            given = name[name.index(after: comma)...]
        }
        return given.split(separator: " ").first.map { String($0.filter { $0 != "," }) }
    }

    /// What the draft for this occurrence may say; nil for an item that has no draft.
    func draftFacts(_ i: Incident, _ item: Item, _ o: Occurrence, now: Instant) -> DraftFacts? {
        let kind: DraftFacts.Kind, subject: String
        let week = max(1, Int((now - i.noticed) / (7 * 86_400)) + 1)
        switch (item.kind, item.step) {
        case (.step, .acknowledge?): (kind, subject) = (.apology, "About \(i.title)")
        case (.step, .sharePlan?): (kind, subject) = (.plan, "\(i.title): what we are doing about it")
        case (.step, .review?): (kind, subject) = (.review, "\(i.title): looking back")
        case (.checkin, _): (kind, subject) = (.progress, "\(i.title): progress update, week \(week)")
        default: return nil
        }
        let since = kind == .progress ? previousTouchpoint(i, before: o.times.due, now: now) : nil
        let openPromises = openPromises(i, now: now)
        var facts = DraftFacts(
            kind: kind, subject: subject, client: i.client, contact: i.contact,
            dear: i.contact.flatMap(Self.firstName) ?? i.client,
            title: i.title, note: i.note, incident: i.id, noticed: humanDate(i.noticed, in: i), windowEnd: humanDate(i.windowEnd, in: i),
            day: i.day(at: now, in: rules.for(i).zone), windowDays: i.windowDays,
            openPromises: openPromises,
            since: since.map { humanDate($0, in: i) }, firstUpdate: since == i.noticed,
            doneSince: keptSince(i, since: since ?? i.noticed, now: now),
            coming: self.openPromises(i, now: now, within: 14, limit: 6),
            week: week, cause: i.items.first { $0.step == .rootCause }?.marks.first?.cause,
            days: max(1, Int((now - i.noticed) / 86_400)), ledger: ledger(of: i, now: now), promises: ledger(of: i, now: now, only: .promise),
            signature: rules.config.letters.signature ?? "[your name]")
        if kind == .review { facts.letters = letters(of: i, now: now) }
        return facts
    }

    // MARK: The built-in drafts

    public static func builtIn(_ f: DraftFacts) -> (subject: String, text: String) {
        var t = "Dear \(f.dear),\n\n"
        switch f.kind {
        case .apology:
            t += "I made a mistake: \(f.title). That is on me, and I am sorry.\n\n"
            t += "What happened: [in one or two plain sentences, from your side — no excuses].\n\n"
            t += "What I am doing to fix it:\n" + bullets(f.openPromises.map { "\($0.text) — \($0.when)" }, orElse: "[the fix, and the day it will be done]")
            t += "\nWhat I am doing so it does not happen again:\n  - [the change to how we work, or the check we are adding]\n\n"
            t += "What I am asking of you: [anything you need from them — or nothing].\n\n"
            t += "What would help you feel confident in us again?\n\n\(f.signature)\n"
        case .plan:
            switch f.cause {
            case .systemic?: t += "We have looked at how the mistake came about: it was a gap in our process, and that is what we are changing.\n\n"
            case .judgement?: t += "We have looked at how the mistake came about: it was a judgement call that should have gone the other way, and we are making sure it does next time.\n\n"
            case nil: t += "We have looked at how the mistake came about. [The cause, in a sentence.]\n\n"
            }
            t += "To put it right:\n" + bullets(f.openPromises.map { "\($0.text) — \($0.when)" }, orElse: "[what you will do, and by when]")
            t += "\nSo it does not happen again:\n  - [the fail-safe, process change or training — and when it is in place]\n\n"
            t += "I will keep you posted every week until this is behind us.\n\n"
            t += "Is there anything else it would take to set this right for you?\n\n\(f.signature)\n"
        case .progress:
            t += "Here is where things stand, in week \(f.week) since the mistake.\n\n"
            t += f.firstUpdate ? "Done since the mistake on \(f.since ?? f.noticed):\n" : "Done since my last update on \(f.since ?? f.noticed):\n"
            t += bullets(f.doneSince.map { "\($0.text) (done \($0.done))" }, orElse: "[nothing finished yet — say what is in progress]")
            t += "\nComing next:\n" + bullets(f.coming.map { "\($0.text) — \($0.when)" }, orElse: "[what you will do next, and by when]")
            t += "\nIs there anything you would like me to do differently, or anything I have missed?\n\n\(f.signature)\n"
        case .review:
            t += "It has been \(plural(f.days, "day")) since the mistake I made (\(f.title))."
            if let record = f.record { t += " " + record }
            if let letters = f.lettersSentence { t += " " + letters }
            t += "\n\nI would like to hear how it has been from your side: [what changed for them].\n\n"
            t += "[Recovered, stronger, or not yet: say which you think it is, and why.]\n\n"
            t += "[If it went well: ask for the next piece of work, or for more of their trust.]\n\n\(f.signature)\n"
        }
        return (f.subject, t)
    }

    // MARK: The facts they name

    /// `1 day`, `12 days`.
    public static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// `  - line` for each fact; the placeholder when there is none.
    static func bullets(_ lines: [String], orElse placeholder: String) -> String {
        (lines.isEmpty ? [placeholder] : lines).map { "  - \($0)\n" }.joined()
    }

    /// Open promises (and playbook steps still to come) with their due dates, soonest first.
    func openPromises(_ i: Incident, now: Instant, within days: Int? = nil, limit: Int = 10) -> [DraftFacts.Promised] {
        var found: [(Instant, DraftFacts.Promised)] = []
        for item in i.items where item.kind == .promise {
            let zone = zone(of: item, in: i)
            for o in occurrences(of: item, in: i) where o.status(at: now).isOpen {
                let at = o.times.due
                if let days, at > now + Int64(days) * 86_400 { continue }
                let due = humanDue(o.due, in: zone)
                found.append((at, DraftFacts.Promised(text: item.text, due: due, when: item.every.map { recurring(item, every: $0, next: o, in: i, zone: zone) })))
                if item.every != nil { break }  // a recurring promise: its next occurrence says enough
            }
        }
        return found.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
    }

    /// A recurring promise as one: `every Monday, from Monday 7 December until Sunday 28 February`.
    func recurring(_ item: Item, every: Interval, next: Occurrence, in i: Incident, zone: Zone) -> String {
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let day = weekdays[next.due.date(in: zone).isoWeekday - 1]
        let cadence = switch (every.unit, every.count) {
        case (.week, 1): "every \(day)"
        case (.week, 2): "every other \(day)"
        case (.week, let n): "every \(n) weeks on \(day)"
        case (.day, 1): "every day"
        case (.day, let n): "every \(n) days"
        case (.hour, 1): "every hour"
        case (.hour, let n): "every \(n) hours"
        case (_, let n): "every \(n)\(every.unit.rawValue)"
        }
        var time = ""
        if case .at(let at) = next.due, every.unit != .hour {
            let t = zone.local(at).time
            time = " at " + pad2(Int64(t.hour)) + ":" + pad2(Int64(t.minute))
        }
        func dayMonth(_ d: LocalDate) -> String { String(Self.humanDate(d).drop { $0 != " " }.dropFirst()) }
        let last = occurrences(of: item, in: i).last?.due.date(in: zone) ?? zone.date(of: i.windowEnd)
        return "\(cadence)\(time), from \(dayMonth(next.due.date(in: zone))) until \(dayMonth(last))"
    }

    /// The promises done after `since`, with when: what the client was promised and got, never
    /// kept's own playbook steps.
    func keptSince(_ i: Incident, since: Instant, now: Instant) -> [DraftFacts.Done] {
        var found: [(Instant, DraftFacts.Done)] = []
        for item in i.items where item.kind == .promise {
            for mark in item.marks {
                guard let done = mark.done, done > since, done <= now else { continue }
                found.append((done, DraftFacts.Done(text: item.text, done: humanDate(done, in: i))))
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The last touchpoint before a check-in: a check-in done, one logged, or else when it began.
    func previousTouchpoint(_ i: Incident, before due: Instant, now: Instant) -> Instant {
        var last = i.noticed
        // The apology and the plan are letters to the client too.
        for item in i.items where item.kind == .checkin || item.step == .acknowledge || item.step == .sharePlan {
            for mark in item.marks { if let done = mark.done, done < min(due, now), done > last { last = done } }
        }
        for event in i.timeline where event.what == "checkin" && event.at < min(due, now) && event.at > last { last = event.at }
        return last
    }

    /// `Tuesday 1 December`, the day `instant` falls on where the incident is lived.
    func humanDate(_ instant: Instant, in i: Incident) -> String { Self.humanDate(rules.for(i).zone.date(of: instant)) }

    /// `Tuesday 1 December at 14:00` in `zone`; a date-only due is its day.
    func humanDue(_ due: Due, in zone: Zone) -> String {
        let date = Self.humanDate(due.date(in: zone))
        guard case .at(let at) = due else { return date }
        let time = zone.local(at).time
        return date + " at " + pad2(Int64(time.hour)) + ":" + pad2(Int64(time.minute))
    }

    /// `Tuesday 1 December`
    static func humanDate(_ d: LocalDate) -> String {
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        return "\(weekdays[d.isoWeekday - 1]) \(d.day) \(months[d.month - 1])"
    }
}
