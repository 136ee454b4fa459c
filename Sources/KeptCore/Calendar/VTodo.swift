/// A VTODO as a CalDAV server holds it, read back: what a client may have changed.
///
/// Lines are unfolded, parameters read with their quotes, TEXT values unescaped (RFC 5545 §3.1,
/// §3.3.11). A DUE with a TZID is read in that zone; one without is UTC (`Z`) or, floating, in
/// `floating`. Clients mark a task done in three ways; any of them is done.
public struct VTodo: Sendable, Equatable {
    public var uid: String?
    public var summary: String?
    public var description: String?
    public var due: Due?
    public var status: String?
    public var completed: Instant?
    public var percent: Int?
    public var sequence: Int?

    /// STATUS:COMPLETED, a COMPLETED time, or PERCENT-COMPLETE:100 — clients differ.
    public var isCompleted: Bool { status?.uppercased() == "COMPLETED" || completed != nil || percent == 100 }

    /// The first VTODO of an iCalendar object; nil when it has none.
    public init?(ics: String, floating: Zone = .utc) {
        var inTodo = false, depth = 0, found = false
        for line in Self.unfolded(ics) {
            let (name, params, value) = Self.split(line)
            if name == "BEGIN" {
                if inTodo { depth += 1 } else if value.uppercased() == "VTODO" { inTodo = true; found = true }
                continue
            }
            if name == "END" {
                if inTodo && depth > 0 { depth -= 1 } else if inTodo && value.uppercased() == "VTODO" { break }
                continue
            }
            guard inTodo, depth == 0 else { continue }
            switch name {
            case "UID": uid = value
            case "SUMMARY": summary = Self.text(value)
            case "DESCRIPTION": description = Self.text(value)
            case "STATUS": status = value
            case "PERCENT-COMPLETE": percent = Int(value)
            case "SEQUENCE": sequence = Int(value)
            case "COMPLETED": completed = Self.dateTime(value, zone: .utc)
            case "DUE":
                if params["VALUE"]?.uppercased() == "DATE" || (value.count == 8 && !value.contains("T")) {
                    due = Self.date(value).map(Due.on)
                } else {
                    let zone = params["TZID"].flatMap(Self.zone) ?? floating
                    due = Self.dateTime(value, zone: zone).map(Due.at)
                }
            default: continue
            }
        }
        guard found else { return nil }
    }

    /// A TZID's zone: a database name, or one a client prefixed (`/mozilla.org/20050126_1/Europe/Berlin`).
    static func zone(_ tzid: String) -> Zone? {
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

    static func text(_ value: String) -> String {
        var out = "", escaped = false
        for c in value {
            if escaped {
                out.append(c == "n" || c == "N" ? "\n" : c)
                escaped = false
            } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    static func date(_ v: String) -> LocalDate? {
        let d = Array(v.utf8)
        guard d.count >= 8, let y = Int(String(v.prefix(4))), let m = Int(String(v.dropFirst(4).prefix(2))),
              let day = Int(String(v.dropFirst(6).prefix(2))), (1...12).contains(m), (1...LocalDate.daysIn(month: m, year: y)).contains(day)
        else { return nil }
        return LocalDate(year: y, month: m, day: day)
    }

    /// `20261205T140000Z` (UTC) or `20261205T140000` (in `zone`).
    static func dateTime(_ v: String, zone: Zone) -> Instant? {
        let parts = v.split(separator: "T")
        guard parts.count == 2, let date = date(String(parts[0])) else { return nil }
        var time = String(parts[1])
        let utc = time.hasSuffix("Z") || time.hasSuffix("z")
        if utc { time.removeLast() }
        guard time.count == 6, let h = Int(time.prefix(2)), let m = Int(time.dropFirst(2).prefix(2)), let s = Int(time.suffix(2)),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s) else { return nil }
        return (utc ? Zone.utc : zone).instant(date, TimeOfDay(hour: h, minute: m, second: min(s, 59)))
    }
}
