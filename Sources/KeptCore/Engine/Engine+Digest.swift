/// The weekly digest: one message a week, on `digest.weekday` at `remind_at`, while any
/// incident is open — every open incident, how last week's dues went, this week's, and the ledger.
/// It goes through the outbox like any reminder: once per channel, and after downtime the latest
/// missed one goes out late (never a pile of old weeks).
extension Engine {
    /// The latest digest time at or before `now` (this week's, or last week's if this week's is
    /// still ahead).
    func digestSlot(atOrBefore now: Instant) -> Instant {
        let zone = rules.zone
        let today = zone.date(of: now)
        var date = today.adding(days: -((today.isoWeekday - rules.config.digest.weekday + 7) % 7))
        var at = zone.instant(date, rules.config.remindAt)
        if at > now {
            date = date.adding(days: -7)
            at = zone.instant(date, rules.config.remindAt)
        }
        return at
    }

    /// The digest the outbox should get now, if one is due and not yet sent.
    func dueDigest(now: Instant) -> Instant? {
        guard rules.config.digest.enabled, state.incidents.contains(where: \.isOpen),
              let firstUse = state.incidents.map(\.opened).min() else { return nil }
        let slot = digestSlot(atOrBefore: now)
        guard slot >= firstUse else { return nil }  // no digest for a week before kept was used
        let week = rules.zone.date(of: slot)
        if case .digest(let last)? = state.lastDigest, last >= week { return nil }
        return slot
    }

    /// When the next digest goes out: the one due now if unsent, else next week's.
    func nextDigest(now: Instant) -> Instant? {
        guard rules.config.digest.enabled, state.incidents.contains(where: \.isOpen) else { return nil }
        if let due = dueDigest(now: now) { return due }
        return rules.zone.adding(days: 7, to: digestSlot(atOrBefore: now))
    }

    /// The digest as a reminder, for the week starting at `slot`.
    func digestReminder(slot: Instant, now: Instant) -> Reminder { digestReminder(digest(slot: slot, now: now), slot: slot, now: now) }

    func digestReminder(_ digest: View.Digest, slot: Instant, now: Instant) -> Reminder {
        let late = now - slot > Rules.lateAfterSeconds
        let open = digest.records.count
        let subject = "\(late ? "[late] " : "")kept weekly: \(open) open incident\(open == 1 ? "" : "s"), \(digest.thisWeek.count) due this week"
        let key = ReminderKey.digest(digest.weekStart)
        return Reminder(key: key, incident: nil, client: nil, item: nil, text: "weekly digest",
                        due: nil, scheduled: slot, late: late, subject: subject, body: digest.text, messageID: composer.messageID(key))
    }

    /// The digest for the week starting at `slot`, as data.
    func digest(slot: Instant, now: Instant) -> View.Digest {
        let zone = rules.zone
        let weekStart = zone.date(of: slot)
        let lastWeek = (zone.instant(weekStart.adding(days: -7), TimeOfDay(hour: 0, minute: 0)), zone.instant(weekStart, TimeOfDay(hour: 0, minute: 0)))
        let thisWeek = (lastWeek.1, zone.instant(weekStart.adding(days: 7), TimeOfDay(hour: 0, minute: 0)))
        let open = state.incidents.filter(\.isOpen)
        var past: [View.Digest.Line] = [], coming: [View.Digest.Line] = []
        for incident in open {
            for item in incident.items {
                let itemZone = self.zone(of: item, in: incident)
                for o in occurrences(of: item, in: incident) {
                    let at = o.times.due
                    guard at >= lastWeek.0 && at < thisWeek.1 else { continue }
                    let line = View.Digest.Line(id: name(of: o.id, item), text: item.text, due: humanDue(o.due, in: itemZone),
                                                status: o.status(at: now).name)
                    if at < lastWeek.1 { past.append(line) } else { coming.append(line) }
                }
            }
        }
        let letters = state.incidents.flatMap { incident in
            incident.timeline.filter { $0.what == "letter" && $0.at >= lastWeek.0 && $0.at < lastWeek.1 }.map { event in
                "#\(incident.id) \(incident.client), \(zone.format(event.at)): \(ReminderComposer.clip(event.text ?? "", 100))"
            }
        }
        return View.Digest(weekStart: weekStart, heading: "Your week in kept — \(Self.humanDate(weekStart))",
                           warningRate: rules.config.warnings.minRate,
                           records: open.map { record(of: $0, now: now) }, lastWeek: past, thisWeek: coming,
                           clients: ledgerReport(client: nil, now: now).clients,
                           closing: "kept agenda shows what is due soon; kept ledger the whole record; kept report the picture.",
                           letters: letters)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
