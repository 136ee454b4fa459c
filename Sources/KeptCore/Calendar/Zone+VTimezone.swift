/// A VTIMEZONE (RFC 5545 §3.6.5) for a zone, so that a due can be written in the zone it was
/// made in (`DUE;TZID=America/New_York:…`) and every client shows it at that local time.
extension Zone {
    /// The zone's offsets over the two years around `instant`: each change found from the rules
    /// themselves (days sampled, then the second found by halving), written as its own STANDARD
    /// or DAYLIGHT component. Nil for a zone that is UTC all year, which needs none (`DUE:…Z`).
    public func vtimezone(around instant: Instant) -> [String]? {
        if identifier == "UTC" { return nil }
        let day: Int64 = 86_400
        let from = instant.seconds - 366 * day, to = instant.seconds + 366 * day
        var changes: [(at: Int64, from: Int64, to: Int64)] = []
        var t = from, before = offset(at: from)
        while t < to {
            let next = min(t + day, to), after = offset(at: next)
            if after != before {
                var lo = t, hi = next  // offset(lo) == before, offset(hi) == after
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if offset(at: mid) == before { lo = mid } else { hi = mid }
                }
                changes.append((hi, before, after))
                before = after
            }
            t = next
        }
        // UTC all year (Etc/UTC, GMT, …): a TZID may not stand on a UTC value, so none is written.
        if changes.isEmpty && offset(at: from) == 0 { return nil }
        let lowest = ([offset(at: from)] + changes.map(\.to)).min() ?? 0
        func stamp(_ utc: Int64, _ offset: Int64) -> String {
            let local = Zone.utc.local(Instant(seconds: utc + offset))
            return ICalendar.date(local.date) + "T" + pad2(Int64(local.time.hour)) + pad2(Int64(local.time.minute)) + pad2(Int64(local.time.second))
        }
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(identifier)"]
        let start = offset(at: from)
        lines += ["BEGIN:STANDARD", "DTSTART:\(stamp(from, start))", "TZOFFSETFROM:\(Self.icsOffset(start))",
                  "TZOFFSETTO:\(Self.icsOffset(start))", "END:STANDARD"]
        for c in changes {
            let kind = c.to > lowest ? "DAYLIGHT" : "STANDARD"
            lines += ["BEGIN:\(kind)", "DTSTART:\(stamp(c.at, c.from))", "TZOFFSETFROM:\(Self.icsOffset(c.from))",
                      "TZOFFSETTO:\(Self.icsOffset(c.to))", "END:\(kind)"]
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    /// `+0100`, `-0430`, `+053328`
    static func icsOffset(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+", s = abs(seconds)
        let hm = pad2(s / 3600) + pad2(s % 3600 / 60)
        return sign + hm + (s % 60 == 0 ? "" : pad2(s % 60))
    }
}
