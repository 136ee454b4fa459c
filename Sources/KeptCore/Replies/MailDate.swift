/// A message's `Date` (RFC 5322 §3.3, and the obsolete forms of §4.3 that mail still carries):
/// `Thu, 3 Dec 2026 15:04:05 +0100`, the day name optional, seconds optional, a two-digit year,
/// `GMT` or `EST` for the zone, a comment after it.
public enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones = ["ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7]

    public static func parse(_ text: String) -> Instant? {
        var value = text
        if let comment = value.firstIndex(of: "(") { value = String(value[..<comment]) }
        if let comma = value.firstIndex(of: ",") { value = String(value[value.index(after: comma)...]) }
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map { $0.lowercased() }
        guard words.count >= 4, let day = Int(words[0]), (1...31).contains(day),
              let month = months.firstIndex(of: String(words[1].prefix(3))), var year = Int(words[2]) else { return nil }
        if words[2].count == 2 { year += year >= 50 ? 1900 : 2000 }
        let clock = words[3].split(separator: ":").map { Int($0) }
        guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0 != nil }), (1900...9999).contains(year) else { return nil }
        let hour = clock[0]!, minute = clock[1]!, second = clock.count == 3 ? clock[2]! : 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var offset = 0
        if words.count >= 5 {
            let zone = words[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let hhmm = Int(zone.dropFirst()) {
                offset = (sign == "-" ? -1 : 1) * ((hhmm / 100) * 3600 + (hhmm % 100) * 60)
            } else if let hours = zones[zone] {
                offset = hours * 3600
            }
        }
        guard day <= LocalDate.daysIn(month: month + 1, year: year) else { return nil }
        let local = Zone.utc.instant(LocalDate(year: year, month: month + 1, day: day), TimeOfDay(hour: hour, minute: minute, second: min(second, 59)))
        return local - Int64(offset)
    }
}
