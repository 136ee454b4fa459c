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
        let stamp = Self.icsUTC(now)
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
                        lines += ["DTSTART;VALUE=DATE:\(Self.icsDate(date))", "DTEND;VALUE=DATE:\(Self.icsDate(date.adding(days: 1)))"]
                    } else {
                        lines += ["DTSTART:\(Self.icsUTC(o.times.due))", "DURATION:PT30M"]
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
                    lines.append("SUMMARY:" + Self.icsText("\(mark)\(id) \(item.text) (\(incident.client))"))
                    let what = item.step?.rawValue ?? item.kind.rawValue
                    let next = outcome ?? "Mark it done: kept done \(id)"
                    lines.append("DESCRIPTION:" + Self.icsText("\(what) for incident #\(incident.id) \(incident.client): \(incident.title)\n\(next)"))
                    if case .released = status { lines.append("STATUS:CANCELLED") } else { lines.append("STATUS:CONFIRMED") }
                    lines += ["CATEGORIES:kept," + Self.icsText(what), "TRANSP:TRANSPARENT", "END:VEVENT"]
                }
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261205T130000Z`
    static func icsUTC(_ instant: Instant) -> String {
        let (date, time) = Zone.utc.local(instant)
        return icsDate(date) + "T" + pad2(Int64(time.hour)) + pad2(Int64(time.minute)) + pad2(Int64(time.second)) + "Z"
    }

    static func icsDate(_ d: LocalDate) -> String {
        String(d.year) + pad2(Int64(d.month)) + pad2(Int64(d.day))
    }

    /// TEXT values: backslash, semicolon, comma and newline escaped; other controls dropped.
    static func icsText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": continue
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Lines longer than 75 octets are folded (CRLF and a space), never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var out = ""
        var width = 0
        for character in line {
            let size = character.utf8.count
            if width + size > 75 {
                out += "\r\n "
                width = 1
            }
            out.append(character)
            width += size
        }
        return out
    }
}
