/// Reads the WHEN of the command line relative to a given now and zone.
///
/// - `2026-12-05` — a day;
/// - `2026-12-05T14:00`, `2026-12-05 14:00[:30]` — local time; with `Z` or `±HH:MM` — exact;
/// - `+90s`, `+30m`, `+4h` — that long from now; `+3d`, `+2w` — that many days from today (a day);
/// - `now`, `today`, `tomorrow`, `yesterday`, weekday names (`friday`, `fri`: the next such day);
/// - any of the day words followed by a time: `tomorrow 14:00`, `friday 17:30`.
public struct WhenParser: Sendable {
    public var now: Instant
    public var zone: Zone

    public init(now: Instant, zone: Zone) { self.now = now; self.zone = zone }

    static let weekdays: [(String, Int)] = [
        ("monday", 1), ("tuesday", 2), ("wednesday", 3), ("thursday", 4), ("friday", 5), ("saturday", 6), ("sunday", 7),
    ]

    /// The ISO weekday (1 = Monday) a name stands for: `friday`, or at least its first three letters.
    public static func weekday(named name: String) -> Int? {
        let w = name.lowercased()
        guard w.count >= 3 else { return nil }
        return weekdays.first { $0.0.hasPrefix(w) }?.1
    }

    public func parse(_ raw: String) throws(InputError) -> Due {
        let text = raw.trimmingWhitespace()
        let lower = text.lowercased()
        let fail = InputError("not a date or time: \"\(raw)\" (try 2026-12-05, 2026-12-05T14:00, +3d, +4h, tomorrow, friday 17:00)")
        guard !lower.isEmpty, lower.utf8.count <= 64 else { throw fail }

        if lower == "now" { return .at(now) }
        if lower.hasPrefix("+") {
            guard let interval = try? Interval(parsing: String(lower.dropFirst())) else { throw fail }
            if let days = interval.days { return .on(today.adding(days: days)) }
            return .at(now + interval.seconds)
        }
        // A day word, optionally with a time after a space.
        let words = lower.split(separator: " ", omittingEmptySubsequences: true)
        if let first = words.first, let day = dayWord(String(first)) {
            switch words.count {
            case 1: return .on(day)
            case 2:
                guard let time = TimeOfDay(parsing: String(words[1])) else { throw fail }
                return .at(zone.instant(day, time))
            default: throw fail
            }
        }
        // ISO 8601.
        if let d = LocalDate(iso: text) { return .on(d) }
        var iso = text
        if iso.utf8.count > 10, iso.utf8[iso.utf8.index(iso.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: " ") {
            iso = String(iso.prefix(10)) + "T" + String(iso.dropFirst(11))
        }
        guard iso.utf8.count >= 16, let date = LocalDate(iso: String(iso.prefix(10))),
              iso.utf8[iso.utf8.index(iso.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: "T")
        else { throw fail }
        var rest = String(iso.dropFirst(11))
        // Split off a zone designator.
        var offset: Int64?
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0; rest.removeLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let designator = rest[rest.index(after: signIndex)...].replacingColons()
            guard designator.count == 4 || designator.count == 2, let v = Int64(designator) else { throw fail }
            let hours = designator.count == 2 ? v : v / 100, minutes = designator.count == 2 ? 0 : v % 100
            guard hours <= 18, minutes < 60 else { throw fail }
            offset = (hours * 3600 + minutes * 60) * (rest[signIndex] == "-" ? -1 : 1)
            rest = String(rest[..<signIndex])
        }
        guard let time = TimeOfDay(parsing: rest) else { throw fail }
        if let offset {
            return .at(Instant(seconds: date.daysSinceEpoch * 86_400 + Int64(time.secondsIntoDay) - offset))
        }
        return .at(zone.instant(date, time))
    }

    /// A duration (`90s`, `4h`, `3d`, `1w`) from now, as used by `snooze`.
    public func after(_ raw: String) throws(InputError) -> Instant {
        let interval = try Interval(parsing: raw.hasPrefix("+") ? String(raw.dropFirst()) : raw)
        return interval.advance(now, in: zone)
    }

    var today: LocalDate { zone.date(of: now) }

    func dayWord(_ w: String) -> LocalDate? {
        switch w {
        case "today": return today
        case "tomorrow": return today.adding(days: 1)
        case "yesterday": return today.adding(days: -1)
        default:
            guard let n = Self.weekday(named: w) else { return nil }
            let diff = (n - today.isoWeekday + 7) % 7
            return today.adding(days: diff == 0 ? 7 : diff)
        }
    }
}

extension Substring {
    func replacingColons() -> String { String(filter { $0 != ":" }) }
}
