/// `kept export --format ics`: the incidents' due occurrences as iCalendar (RFC 5545) events,
/// for any calendar. UIDs are stable (item, occurrence and store), so importing again updates
/// rather than duplicates — and so an occurrence done, released or missed stays in the export,
/// marked as it went (done; released, as a cancelled event; missed), its SEQUENCE raised, for the
/// calendar that imported it to update its copy. Every future due is there, and those of the
/// last 30 days. Timed dues are written in UTC, which every calendar shows in the user's own
/// zone; date-only dues are all-day events on their date.
extension Engine {
    /// How far back the export reaches: long enough that a calendar sees what became of the dues
    /// it showed last month.
    static let calendarLookbackSeconds: Int64 = 30 * 86_400

    public func calendar(now: Instant) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kept//kept \(KeptVersion.current)//EN", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:kept", "X-WR-TIMEZONE:\(rules.zone.identifier)",
        ]
        let stamp = ICalendar.utc(now)
        let since = now - Self.calendarLookbackSeconds
        for incident in state.incidents {
            for item in incident.items {
                let zone = zone(of: item, in: incident)
                for o in occurrences(of: item, in: incident) where o.times.graceEnd >= since {
                    let status = o.status(at: now)
                    // An open due whose time has passed is shown while it can still be kept.
                    if status.isOpen, !incident.isOpen { continue }
                    let id = name(of: o.id, item)
                    lines += ["BEGIN:VEVENT", "UID:\(o.id.item.incident).\(o.id.item.number).\(o.id.index).\(state.storeID)@kept",
                              "DTSTAMP:\(stamp)", "SEQUENCE:\(status.isOpen ? 0 : 1)"]
                    if o.due.isDateOnly {
                        let date = o.due.date(in: zone)
                        lines += ["DTSTART;VALUE=DATE:\(ICalendar.date(date))", "DTEND;VALUE=DATE:\(ICalendar.date(date.adding(days: 1)))"]
                    } else {
                        lines += ["DTSTART:\(ICalendar.utc(o.times.due))", "DURATION:PT30M"]
                    }
                    let outcome: String? = switch status {
                    case .upcoming, .overdue: nil
                    case .kept(let at): "Done \(zone.format(at)), kept."
                    case .late(let at): "Done \(zone.format(at)), late."
                    case .missed: "Missed."
                    case .released(let reason): "Released: \(reason)"
                    }
                    let mark = switch status {
                    case .kept, .late: "Done: "
                    case .missed: "Missed: "
                    case .released: "Released: "
                    case .upcoming, .overdue: ""
                    }
                    lines.append("SUMMARY:" + ICalendar.text("\(mark)\(id) \(item.text) (\(incident.client))"))
                    let what = item.step?.rawValue ?? item.kind.rawValue
                    let next = outcome ?? "Mark it done: kept done \(id)"
                    lines.append("DESCRIPTION:" + ICalendar.text("\(what) for incident #\(incident.id) \(incident.client): \(incident.title)\n\(next)"))
                    if case .released = status { lines.append("STATUS:CANCELLED") } else { lines.append("STATUS:CONFIRMED") }
                    lines += ["CATEGORIES:kept," + ICalendar.text(what), "TRANSP:TRANSPARENT", "END:VEVENT"]
                }
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(ICalendar.fold).joined(separator: "\r\n") + "\r\n"
    }
}
