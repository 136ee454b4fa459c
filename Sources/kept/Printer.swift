import KeptClient
import KeptCore

/// How answers look to people.
enum Printer {
    /// The user's zone, read once: dates typed and dates shown both use it.
    static let zone = Zone.current
    /// The zone's name as sent to keptd, which may run in another zone (a user service does not
    /// see the shell's `TZ`): what the user makes keeps the user's local times.
    static let zoneName = zone.portableName

    /// A due as the user reads it: a date as it is, a time in the user's zone.
    static func due(_ stored: String) -> String {
        Due(stored: stored).map { $0.isDateOnly ? stored : $0.format(in: zone) } ?? stored
    }
    /// The same, and the local time where the item lives when that is another zone:
    /// `2027-03-15 15:00 (09:00 America/New_York)`.
    static func due(_ stored: String, madeIn name: String?) -> String {
        guard let name, name != zone.identifier, let other = Zone.named(name), case .at(let at)? = Due(stored: stored) else { return due(stored) }
        return due(stored) + " (\(other.local(at).time) \(name))"
    }
    static func time(_ i: Instant?) -> String { i.map { zone.format($0) } ?? "—" }

    static func items(_ items: [View.Item]) -> String {
        var t = Table("ITEM", "KIND", "WHAT", "DUE", "STATUS")
        for item in items {
            for o in item.occurrences {
                t.add(o.id, item.step?.rawValue ?? item.kind.rawValue, o.text, due(o.due, madeIn: item.zone), status(o))
            }
        }
        return t.render()
    }

    /// One item: what it is, its repetition, then each occurrence.
    static func item(_ i: View.Item) -> String {
        var head = "\(i.id) \(i.step?.rawValue ?? i.kind.rawValue): \(i.text)"
        if let client = i.occurrences.first?.client { head += " (\(client))" }
        if let every = i.every { head += "\nevery \(every) from \(due(i.due, madeIn: i.zone)) until \(i.until.map { due($0) } ?? "the window's end")" }
        var t = Table("OCCURRENCE", "DUE", "STATUS", "NOTE")
        for o in i.occurrences { t.add(o.id, due(o.due, madeIn: i.zone), status(o), o.note ?? "") }
        return head + "\n" + t.render()
    }

    static func status(_ o: View.Occurrence) -> String {
        var s = o.status.rawValue
        if let done = o.done { s += " (done \(zone.format(done)))" }
        if let r = o.released { s += " (\(r))" }
        if let until = o.snoozedUntil { s += ", snoozed until \(zone.format(until))" }
        return s
    }

    static func incidents(_ list: [View.IncidentSummary]) -> String {
        var t = Table("ID", "CLIENT", "TITLE", "SEVERITY", "DAY", "OPEN", "OVERDUE", "NEXT")
        for i in list {
            let day = i.status == .open ? "\(i.day) of \(i.windowDays)" : "closed: \(i.outcome?.rawValue ?? "")"
            let next = i.next.map { "\($0.id) \($0.text) (\(due($0.due)))" } ?? "—"
            t.add("\(i.id)", i.client, i.title, i.severity.rawValue, day, "\(i.open)", "\(i.overdue)", next)
        }
        return t.render()
    }

    static func detail(_ d: View.IncidentDetail) -> String {
        let i = d.incident
        var out = "Incident \(i.id): \(i.client) — \(i.title)\n"
        out += "  Severity:  \(i.severity.rawValue)\n"
        out += "  Noticed:   \(zone.format(i.noticed))\n"
        if i.status == .open {
            out += "  Window:    day \(i.day) of \(i.windowDays), ends \(zone.format(i.windowEnd))\n"
        } else {
            out += "  Closed:    \(i.outcome?.rawValue ?? "")\n"
        }
        out += "  Ledger:    \(ReminderComposer.describe(i.ledger))\n"
        if let to = d.to { out += "  Letters to: \(to.joined(separator: ", "))\(d.cc.map { "; cc " + $0.joined(separator: ", ") } ?? "")\n" }
        if let note = d.note { out += "  Note:      \(note)\n" }
        if !d.items.isEmpty { out += "\n" + items(d.items) + "\n" }
        if let letters = d.letters, !letters.isEmpty {
            out += "\nLetters: Bcc the address of what a letter is for, and kept sees it go:\n"
            var t = Table("ITEM", "FOR", "BCC")
            for l in letters { t.add(l.item ?? "—", l.text.count > 40 ? l.text.prefix(39) + "…" : l.text, l.address) }
            out += t.render() + "\n"
        }
        out += "\nTimeline:\n"
        for e in d.timeline {
            out += "  \(zone.format(e.at))  \(e.what)\(e.item.map { " " + $0 } ?? "")\(e.text.map { ": " + $0 } ?? "")\n"
        }
        return String(out.dropLast())
    }

    static func agenda(_ a: View.Agenda) -> String {
        func table(_ list: [View.Occurrence]) -> String {
            var t = Table("ITEM", "DUE", "CLIENT", "WHAT", "STATUS")
            for o in list { t.add(o.id, due(o.due), o.client, o.text, status(o)) }
            return t.render()
        }
        var parts: [String] = []
        if !a.overdue.isEmpty { parts.append("Overdue:\n" + table(a.overdue)) }
        if !a.upcoming.isEmpty { parts.append("Due in the next \(a.days) day\(a.days == 1 ? "" : "s"):\n" + table(a.upcoming)) }
        return parts.isEmpty ? "Nothing overdue and nothing due in the next \(a.days) day\(a.days == 1 ? "" : "s")." : parts.joined(separator: "\n\n")
    }

    static func ledger(_ r: View.LedgerReport) -> String {
        func rate(_ l: View.Ledger) -> String { l.rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "—" }
        var t = Table("INCIDENT", "CLIENT", "DUE", "KEPT", "LATE", "MISSED", "RELEASED", "RATE")
        for row in r.incidents {
            t.add("\(row.incident ?? 0)", row.client, "\(row.ledger.due)", "\(row.ledger.kept)", "\(row.ledger.late)",
                  "\(row.ledger.missed)", "\(row.ledger.released)", rate(row.ledger))
        }
        var c = Table("CLIENT", "DUE", "KEPT", "LATE", "MISSED", "RELEASED", "RATE")
        for row in r.clients {
            c.add(row.client, "\(row.ledger.due)", "\(row.ledger.kept)", "\(row.ledger.late)", "\(row.ledger.missed)",
                  "\(row.ledger.released)", rate(row.ledger))
        }
        return t.render() + "\n\n" + c.render() + "\n\nOverall: " + ReminderComposer.describe(r.total)
    }

    static func status(_ s: View.Status) -> String {
        var out = """
        keptd \(s.version), pid \(s.pid), up \(duration(s.uptimeSeconds))
          Store:     \(s.store)
          Config:    \(s.config)
          Socket:    \(s.socket)
          Zone:      \(s.timeZone)
          Incidents: \(s.openIncidents) open of \(s.incidents), \(s.items) items
          Next:      \(s.nextReminder.map { "\(zone.format($0)) (\(s.nextReminderKey?.description ?? ""))" } ?? "nothing scheduled")
          Outbox:    \(s.outbox) pending
        """
        if let c = s.calendar {
            out += "\n  Calendar:  \(c.url)\n"
            out += "             last sync \(time(c.lastSync)), \(c.pending) change\(c.pending == 1 ? "" : "s") waiting"
            if let error = c.lastError { out += "\n             last error \(c.lastErrorAt.map { zone.format($0) } ?? ""): \(error)" }
        }
        var t = Table("CHANNEL", "ENABLED", "LAST SUCCESS", "LAST FAILURE", "PENDING")
        for c in s.channels {
            t.add(c.name.rawValue, c.enabled ? "yes" : "no", time(c.lastSuccess),
                  c.lastFailure.map { "\(zone.format($0)): \(c.lastError ?? "")" } ?? "—", "\(c.pending)")
        }
        out += "\n\n" + t.render()
        if !s.pending.isEmpty {
            var p = Table("PENDING", "CHANNEL", "TRIES", "NEXT TRY", "LAST ERROR")
            for d in s.pending {
                p.add(d.key.description, d.channel.rawValue, "\(d.attempts)", d.retryAt.map { zone.format($0) } ?? "now", d.lastError ?? "—")
            }
            out += "\n\n" + p.render()
        }
        if !s.givenUp.isEmpty {
            var g = Table("GAVE UP ON", "CHANNEL", "WHEN", "WHY")
            for f in s.givenUp { g.add(f.key.description, f.channel.rawValue, zone.format(f.at), f.error) }
            out += "\n\n" + g.render()
        }
        return out
    }

    static func duration(_ seconds: Int64) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
    }
}
