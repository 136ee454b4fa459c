/// Writes what a reminder says: subject, body, and the commands to act on it.
public struct ReminderComposer: Sendable {
    public var rules: Rules
    public var storeID: String

    public init(rules: Rules, storeID: String) { self.rules = rules; self.storeID = storeID }

    var zone: Zone { rules.zone }

    public func compose(incident: Incident, item: Item, occurrence: Int, due: Due, kind: Rules.ReminderKind,
                        scheduled: Instant, now: Instant, ledger: View.Ledger, draft: View.Draft? = nil,
                        record: String? = nil) -> Reminder {
        let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: occurrence)
        let key = ReminderKey.occurrence(occ, kind)
        let late = now - scheduled > Rules.lateAfterSeconds
        let recurring = item.every != nil
        let name = Engine.name(of: occ, recurring: recurring)
        let dueText = due.format(in: zone)

        let headline: String
        switch kind {
        case .lead:
            let days = due.date(in: zone).daysSinceEpoch - zone.date(of: scheduled).daysSinceEpoch
            headline = days == 1 ? "Due tomorrow" : "Due in \(days) days"
        case .due: headline = "Due now"
        case .overdue(let n): headline = "Overdue (\(n) day\(n == 1 ? "" : "s"))"
        case .snooze: headline = "Snoozed, due again"
        }
        let subject = "\(late ? "[late] " : "")\(headline): \(name) \(Self.clip(item.text, 120)) (\(Self.clip(incident.client, 60)))"

        let hint: String = switch item.kind {
        case .step: item.step?.hint ?? ""
        case .checkin: PlaybookHint.checkin
        case .promise: PlaybookHint.promise
        }
        let day = incident.day(at: now, in: zone)
        var body = """
        \(headline): \(item.text)

          Item:      \(name) (\(item.step?.rawValue ?? item.kind.rawValue)\(recurring ? ", every \(item.every!)" : ""))
          Due:       \(dueText)\(due.isDateOnly ? "" : " (\(zone.identifier))")
          Incident:  #\(incident.id) \(incident.client): \(incident.title)
          Window:    day \(day) of \(incident.windowDays), ends \(zone.format(incident.windowEnd))
          Ledger:    \(Self.describe(ledger))

        """
        if late, scheduled < item.created {
            body += "\nThis reminder was due at \(zone.format(scheduled)), before this was written down in kept.\n"
        } else if late {
            body += "\nThis reminder was due at \(zone.format(scheduled)), but keptd was not running then.\n"
        }
        body += "\nWhy it matters:\n" + Self.wrap(hint, indent: "  ") + "\n"
        if let draft {
            let rule = String(repeating: "-", count: 64)
            body += "\nA draft for \(incident.client) (kept draft \(draft.item) prints it again):\n\(rule)\n"
            body += "Subject: \(draft.subject)\n\n\(draft.text)\(rule)\n"
        }
        if let record { body += "\nThe record so far:\n\n" + record }
        body += """

        Mark it done:   kept done \(occ)
        Snooze it:      kept snooze \(occ) 4h
        Renegotiated:   kept release \(occ) --reason "what you agreed"
        The incident:   kept show \(incident.id)

        """
        return Reminder(key: key, incident: incident.id, client: incident.client,
                        item: occ.item.description, text: item.text, due: due.description, scheduled: scheduled,
                        late: late, subject: subject, body: body, messageID: messageID(key))
    }

    /// Stable per reminder and per store: `<3.2.1.due.STOREID@kept>`.
    public func messageID(_ key: ReminderKey) -> String {
        let token = String(key.description.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "." })
        return "<\(token).\(storeID)@kept>"
    }

    public static func describe(_ l: View.Ledger) -> String {
        let rate = l.rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "n/a"
        return "\(l.due) due, \(l.kept) kept, \(l.late) late, \(l.missed) missed, \(l.released) released; follow-through \(rate)"
    }

    /// Wraps prose at 72 columns.
    public static func wrap(_ text: String, indent: String = "", width: Int = 72) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width - indent.count {
                lines.append(indent + line); line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines.joined(separator: "\n")
    }

    /// The first line of `text`, at most `limit` characters (with … when cut): subjects stay short.
    static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let cut = line.count > limit || line.count < text.count
        return cut ? String(line.prefix(limit)) + "…" : line
    }
}
