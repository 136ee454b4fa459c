/// Drafts of what to send the client, in the shape the practice recommends:
/// the apology for `acknowledge`, the plan for `share-plan`, a progress report for each check-in,
/// and the review. They name the real promises, dates and outcomes; what only the user knows is
/// left in [brackets].
extension Engine {
    public func draft(for occ: OccurrenceID, now: Instant) -> View.Draft? {
        guard let incident = state.incident(occ.item.incident), let item = incident.item(occ.item.number) else { return nil }
        guard let numbered = occurrence(occ.index, of: item, in: incident) else { return nil }
        let kind: String, subject: String, text: String
        switch (item.kind, item.step) {
        case (.step, .acknowledge?):
            (kind, subject, text) = ("apology", "About \(incident.title)", apology(incident, now: now))
        case (.step, .sharePlan?):
            (kind, subject, text) = ("plan", "\(incident.title): what we are doing about it", plan(incident, now: now))
        case (.step, .review?):
            (kind, subject, text) = ("review", "\(incident.title): looking back", review(incident, now: now))
        case (.checkin, _):
            let since = previousTouchpoint(incident, before: numbered.times.due, now: now)
            let week = max(1, Int((now - incident.noticed) / (7 * 86_400)) + 1)
            (kind, subject, text) = ("progress-report", "\(incident.title): progress update, week \(week)",
                                     progress(incident, since: since, week: week, now: now))
        default:
            return nil
        }
        let id = name(of: occ, item)
        return View.Draft(item: id, kind: kind, to: incident.client, subject: subject, text: text)
    }

    // MARK: The drafts

    func apology(_ i: Incident, now: Instant) -> String {
        let fixes = openPromises(i, now: now)
        var t = greeting(i)
        t += "I made a mistake: \(i.title). That is on me, and I am sorry.\n\n"
        t += "What happened: [in one or two plain sentences, from your side — no excuses].\n\n"
        t += "What I am doing to fix it:\n" + bullets(fixes, orElse: "[the fix, and the day it will be done]")
        t += "\nWhat I am doing so it does not happen again:\n  - [the change to how we work, or the check we are adding]\n\n"
        t += "What I am asking of you: [anything you need from them — or nothing].\n\n"
        t += "What would help you feel confident in us again?\n\n[your name]\n"
        return t
    }

    func plan(_ i: Incident, now: Instant) -> String {
        let cause = i.items.first { $0.step == .rootCause }?.marks.first?.cause
        var t = greeting(i)
        switch cause {
        case .systemic?: t += "We have looked at how the mistake came about: it was a gap in our process, and that is what we are changing.\n\n"
        case .judgement?: t += "We have looked at how the mistake came about: it was a judgement call that should have gone the other way, and we are making sure it does next time.\n\n"
        default: t += "We have looked at how the mistake came about. [The cause, in a sentence.]\n\n"
        }
        let fixes = openPromises(i, now: now)
        t += "To put it right:\n" + bullets(fixes, orElse: "[what you will do, and by when]")
        t += "\nSo it does not happen again:\n  - [the fail-safe, process change or training — and when it is in place]\n\n"
        t += "I will keep you posted every week until this is behind us.\n\n"
        t += "Is there anything else it would take to set this right for you?\n\n[your name]\n"
        return t
    }

    func progress(_ i: Incident, since: Instant, week: Int, now: Instant) -> String {
        var t = greeting(i)
        t += "Here is where things stand, in week \(week) since the mistake.\n\n"
        let done = keptSince(i, since: since, now: now)
        t += "Done since my last update on \(humanDate(since, in: i)):\n"
        t += bullets(done, orElse: "[nothing finished yet — say what is in progress]")
        let next = openPromises(i, now: now, within: 14, limit: 6)
        t += "\nComing next:\n" + bullets(next, orElse: "[what you will do next, and by when]")
        t += "\nIs there anything you would like me to do differently, or anything I have missed?\n\n[your name]\n"
        return t
    }

    func review(_ i: Incident, now: Instant) -> String {
        let l = ledger(of: i, now: now)
        var t = greeting(i)
        t += "It has been \(max(1, Int((now - i.noticed) / 86_400))) days since the mistake I made (\(i.title)). "
        let judged = l.kept + l.late + l.missed
        if judged > 0 {
            t += "In that time I made you \(judged) commitment\(judged == 1 ? "" : "s") and kept \(l.kept) of them on time"
            t += l.late > 0 ? " (\(l.late) came late)" : ""
            t += ".\n\n"
        } else {
            t += "\n\n"
        }
        t += "I would like to hear how it has been from your side: [what changed for them].\n\n"
        t += "[Recovered, stronger, or not yet: say which you think it is, and why.]\n\n"
        t += "[If it went well: ask for the next piece of work, or for more of their trust.]\n\n[your name]\n"
        return t
    }

    // MARK: The facts they name

    /// `  - line` for each fact; the placeholder when there is none.
    func bullets(_ lines: [String], orElse placeholder: String) -> String {
        (lines.isEmpty ? [placeholder] : lines).map { "  - \($0)\n" }.joined()
    }

    /// Open promises (and playbook steps still to come) with their due dates, soonest first.
    func openPromises(_ i: Incident, now: Instant, within days: Int? = nil, limit: Int = 10) -> [String] {
        var found: [(Instant, String)] = []
        for item in i.items where item.kind == .promise {
            let zone = zone(of: item, in: i)
            for o in occurrences(of: item, in: i) where o.status(at: now).isOpen {
                let at = o.times.due
                if let days, at > now + Int64(days) * 86_400 { continue }
                found.append((at, "\(item.text) — by \(humanDue(o.due, in: zone))"))
                if item.every != nil { break }  // a recurring promise: its next occurrence says enough
            }
        }
        return found.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
    }

    /// `Dear Dana,` for a contact Dana Scully; the client's name when there is no contact.
    func greeting(_ i: Incident) -> String {
        let name = i.contact.flatMap { $0.split(separator: " ").first.map(String.init) } ?? i.client
        return "Dear \(name),\n\n"
    }

    /// The promises done after `since`, with when: what the client was promised and got, never
    /// kept's own playbook steps.
    func keptSince(_ i: Incident, since: Instant, now: Instant) -> [String] {
        var found: [(Instant, String)] = []
        for item in i.items where item.kind == .promise {
            for mark in item.marks {
                guard let done = mark.done, done > since, done <= now else { continue }
                found.append((done, "\(item.text) (done \(humanDate(done, in: i)))"))
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The last touchpoint before a check-in: a check-in done, one logged, or else when it began.
    func previousTouchpoint(_ i: Incident, before due: Instant, now: Instant) -> Instant {
        var last = i.noticed
        for item in i.items where item.kind == .checkin {
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
