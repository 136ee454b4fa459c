/// Works out the record of an incident: its dues placed in the window's weeks, each judged by the
/// ledger's rules, the rate to date week by week, and the budget.
extension Engine {
    /// Every open incident's record, or one incident's (open or closed).
    public func report(incident id: Int?, now: Instant) throws(KeptError) -> View.Report {
        let incidents: [Incident]
        if let id {
            guard let incident = state.incident(id) else { throw .notFound("no incident \(id)") }
            incidents = [incident]
        } else {
            incidents = state.incidents.filter(\.isOpen)
        }
        return View.Report(now: now, warningRate: rules.config.warnings.minRate,
                           records: incidents.map { record(of: $0, now: now) })
    }

    /// One incident's record. A closed incident's stands as it was when it closed.
    public func record(of incident: Incident, now: Instant) -> View.Record {
        let zone = rules.for(incident).zone
        let at = incident.closed.map { min($0.at, now) } ?? now
        let today = zone.date(of: at)
        let first = zone.date(of: incident.noticed)
        let last = zone.date(of: incident.windowEnd)
        let weekCount = max(1, Int((last.daysSinceEpoch - first.daysSinceEpoch + 6) / 7))

        var placed: [[(Instant, View.RecordCell, Bool)]] = Array(repeating: [], count: weekCount)
        var remaining = 0, pastGrace = 0
        for item in incident.items {
            let itemZone = self.zone(of: item, in: incident)
            for o in occurrences(of: item, in: incident) {
                let status = o.status(at: at)
                // What was still ahead when an incident closed never came due.
                if incident.closed != nil && status == .upcoming { continue }
                if status.isOpen {
                    remaining += 1
                    if at > o.times.graceEnd { pastGrace += 1 }
                }
                let date = o.due.date(in: itemZone)
                let week = min(weekCount - 1, max(0, Int((date.daysSinceEpoch - first.daysSinceEpoch) / 7)))
                placed[week].append((o.times.due, View.RecordCell(
                    id: name(of: o.id, item), kind: item.kind, text: item.text, due: o.due.description,
                    status: status.name, today: zone.date(of: o.times.due) == today), o.times.due <= (o.mark?.releasedAt ?? at)))
            }
        }

        var weeks: [View.RecordWeek] = []
        var toDate = View.Ledger()
        for (i, cells) in placed.enumerated() {
            let start = first.adding(days: 7 * i)
            let sorted = cells.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.id < $1.1.id }
            var ledger = View.Ledger()
            for (_, cell, wasDue) in sorted { ledger.count(cell.status, wasDue: wasDue) }
            let cells = sorted.map(\.1)
            toDate = toDate + ledger
            let begun = start <= today
            weeks.append(View.RecordWeek(number: i + 1, start: start, end: start.adding(days: 6), cells: cells, ledger: ledger,
                                         rateToDate: begun ? toDate.rate : nil,
                                         current: begun && today <= start.adding(days: 6)))
        }

        let summary = self.summary(of: incident, now: at)
        var budget: View.Budget?
        if incident.isOpen {
            let l = summary.ledger, judged = l.kept + l.late + l.missed
            let rate = rules.config.warnings.minRate
            let total = judged + remaining
            budget = View.Budget(remaining: remaining, pastGrace: pastGrace,
                                 slack: View.Budget.slack(kept: l.kept, judged: judged, remaining: remaining, pastGrace: pastGrace, rate: rate),
                                 bestRate: total == 0 ? nil : Double(l.kept + remaining - pastGrace) / Double(total))
        }
        return View.Record(incident: summary, today: today,
                           daysLeft: max(0, Int(last.daysSinceEpoch - today.daysSinceEpoch)),
                           weeks: weeks, budget: budget, closedNote: incident.closed?.note, letters: letters(of: incident, now: now))
    }

    /// The letters kept saw go to the client (by the close, for a closed incident), and in how
    /// many of the window's weeks begun by then they fell; nil: none.
    func letters(of incident: Incident, now: Instant) -> View.Letters? {
        let at = incident.closed.map { min($0.at, now) } ?? now
        let sent = incident.timeline.filter { $0.what == "letter" && $0.at <= at }
        guard !sent.isEmpty else { return nil }
        let zone = rules.for(incident).zone
        let first = zone.date(of: incident.noticed).daysSinceEpoch, today = zone.date(of: at).daysSinceEpoch
        let weekCount = max(1, Int((zone.date(of: incident.windowEnd).daysSinceEpoch - first + 6) / 7))
        let weeks = Set(sent.map { Int((zone.date(of: $0.at).daysSinceEpoch - first) / 7) })
        let begun = today < first ? 0 : min(weekCount, Int((today - first) / 7) + 1)
        return View.Letters(sent: sent.count, weeks: weeks.count, of: max(begun, 1))
    }
}
