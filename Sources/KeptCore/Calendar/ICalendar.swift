/// iCalendar's text (RFC 5545), both ways: what kept writes — the tasks on the calendar, their
/// VTIMEZONE, the `.ics` export — and what it reads back from a server.
enum ICalendar {
    // MARK: Writing

    /// `20261205T130000Z`
    static func utc(_ instant: Instant) -> String {
        let (day, time) = Zone.utc.local(instant)
        return date(day) + "T" + pad2(Int64(time.hour)) + pad2(Int64(time.minute)) + pad2(Int64(time.second)) + "Z"
    }

    /// `20261205`
    static func date(_ d: LocalDate) -> String {
        String(d.year) + pad2(Int64(d.month)) + pad2(Int64(d.day))
    }

    /// TEXT values: backslash, semicolon, comma and newline escaped; other controls dropped.
    static func text(_ text: String) -> String {
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

    // MARK: Reading

    /// A TZID's zone: a database name, or one a client prefixed (`/mozilla.org/20050126_1/Europe/Berlin`).
    static func zone(tzid: String) -> Zone? {
        if let zone = Zone.named(tzid) { return zone }
        let parts = tzid.split(separator: "/")
        for n in [3, 2, 1] where parts.count > n {
            if let zone = Zone.named(parts.suffix(n).joined(separator: "/")) { return zone }
        }
        return nil
    }

    /// Content lines, folds undone (a line break followed by a space or a tab continues the line).
    static func unfolded(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if let first = raw.first, first == " " || first == "\t" {
                current += raw.dropFirst()
            } else {
                if !current.isEmpty { lines.append(current) }
                current = String(raw)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// `NAME;P=V;Q="a:b":value` → name (upper-cased), parameters, value.
    static func split(_ line: String) -> (String, [String: String], String) {
        var name = "", params: [String: String] = [:]
        var i = line.startIndex, quoted = false
        var piece = "", pieces: [String] = []
        while i < line.endIndex {
            let c = line[i]
            if c == "\"" { quoted.toggle() }
            if !quoted && (c == ";" || c == ":") {
                pieces.append(piece); piece = ""
                if c == ":" { i = line.index(after: i); break }
            } else {
                piece.append(c)
            }
            i = line.index(after: i)
        }
        if i == line.endIndex && !piece.isEmpty && pieces.isEmpty { return (piece.uppercased(), [:], "") }
        name = pieces.first?.uppercased() ?? ""
        for p in pieces.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            var v = String(p[p.index(after: eq)...])
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            params[p[..<eq].uppercased()] = v
        }
        return (name, params, String(line[i...]))
    }

    /// A TEXT value, its escapes undone.
    static func unescaped(_ value: String) -> String {
        var out = "", escaped = false
        for c in value {
            if escaped {
                out.append(c == "n" || c == "N" ? "\n" : c)
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// `20261205`
    static func date(parsing v: String) -> LocalDate? {
        let d = Array(v.utf8)
        guard d.count >= 8, let y = Int(String(v.prefix(4))), let m = Int(String(v.dropFirst(4).prefix(2))),
              let day = Int(String(v.dropFirst(6).prefix(2))), (1...12).contains(m), (1...LocalDate.daysIn(month: m, year: y)).contains(day)
        else { return nil }
        return LocalDate(year: y, month: m, day: day)
    }

    /// `20261205T140000Z` (UTC) or `20261205T140000` (in `zone`).
    static func dateTime(parsing v: String, zone: Zone) -> Instant? {
        let parts = v.split(separator: "T")
        guard parts.count == 2, let date = date(parsing: String(parts[0])) else { return nil }
        var time = String(parts[1])
        let utc = time.hasSuffix("Z") || time.hasSuffix("z")
        if utc { time.removeLast() }
        guard time.count == 6, let h = Int(time.prefix(2)), let m = Int(time.dropFirst(2).prefix(2)), let s = Int(time.suffix(2)),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s) else { return nil }
        return (utc ? Zone.utc : zone).instant(date, TimeOfDay(hour: h, minute: m, second: min(s, 59)))
    }
}
