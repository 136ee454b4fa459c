/// `kept export --format ics`: every future due occurrence of the open incidents as an
/// iCalendar (RFC 5545) event, for any calendar. UIDs are stable (item, occurrence and store),
/// so importing again updates rather than duplicates. Timed dues are written in UTC, which every
/// calendar shows in the user's own zone; date-only dues are all-day events on their date.
extension Engine {
    public func calendar(now: Instant) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kept//kept \(KeptVersion.current)//EN", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:kept", "X-WR-TIMEZONE:\(rules.zone.identifier)",
        ]
        let stamp = Self.icsUTC(now)
        for incident in state.incidents where incident.isOpen {
            for item in incident.items {
                for (n, due) in rules.occurrences(of: item).enumerated() {
                    let at = rules.dueInstant(due)
                    guard at >= now || (due.isDateOnly && rules.graceEnd(due) >= now),
                          rules.status(of: due, mark: item.mark(n + 1), windowEnd: incident.windowEnd, now: now).isOpen else { continue }
                    let id = item.every == nil ? "\(incident.id).\(item.number)" : "\(incident.id).\(item.number)#\(n + 1)"
                    lines += ["BEGIN:VEVENT", "UID:\(incident.id).\(item.number).\(n + 1).\(state.storeID)@kept", "DTSTAMP:\(stamp)"]
                    if due.isDateOnly {
                        let date = due.date(in: rules.zone)
                        lines += ["DTSTART;VALUE=DATE:\(Self.icsDate(date))", "DTEND;VALUE=DATE:\(Self.icsDate(date.adding(days: 1)))"]
                    } else {
                        lines += ["DTSTART:\(Self.icsUTC(at))", "DURATION:PT30M"]
                    }
                    lines.append("SUMMARY:" + Self.icsText("\(id) \(item.text) (\(incident.client))"))
                    let what = item.step?.rawValue ?? item.kind.rawValue
                    lines.append("DESCRIPTION:" + Self.icsText(
                        "\(what) for incident #\(incident.id) \(incident.client): \(incident.title)\nMark it done: kept done \(id)"))
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
