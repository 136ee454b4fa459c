/// Reads the WHEN of the command line relative to a given now and zone, as GNU `date -d` reads
/// the same words where it reads them:
///
/// - `2026-12-05` — a day; `2026-12-05T14:00`, `2026-12-05 14:00[:30]` — local time; with `Z` or
///   `±HH:MM` — exact;
/// - `+90s`, `+30m`, `+4h`, `in 90 minutes` — that long from now; `+3d`, `+2w`, `in 3 days` — that
///   many days from today (a day); `3 days ago` — back;
/// - `now`, `today`, `tomorrow`, `yesterday`; a weekday (`friday`, `fri`: today if it is Friday,
///   else the coming one), `next friday` (the first after today), `last friday` (the last before);
/// - a month day, `dec 5`, `5 dec`, `december 5`, `dec 5 2027`;
/// - a time of day, `17:00`, `5pm`, `5:30pm`, `noon`, `midnight`: the next one (the last one,
///   looking back); after a day, that day at that time: `friday 5pm`, `tomorrow 9:00`.
///
/// Looking back (`toward: .past`, for when something was noticed or done), a bare weekday or
/// month day is the last one before today, and a time of day the last one before now.
public struct WhenParser: Sendable {
    public var now: Instant
    public var zone: Zone

    public init(now: Instant, zone: Zone) { self.now = now; self.zone = zone }

    /// Which way a WHEN that names no year or week is read.
    public enum Toward: Sendable { case future, past }

    static let weekdays: [(String, Int)] = [
        ("monday", 1), ("tuesday", 2), ("wednesday", 3), ("thursday", 4), ("friday", 5), ("saturday", 6), ("sunday", 7),
    ]

    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                         "october", "november", "december"]

    /// The ISO weekday (1 = Monday) a name stands for: `friday`, or at least its first three letters.
    public static func weekday(named name: String) -> Int? {
        let w = name.lowercased()
        guard w.count >= 3 else { return nil }
        return weekdays.first { $0.0.hasPrefix(w) }?.1
    }

    /// The month (1–12) a name stands for: `december`, or at least its first three letters.
    static func month(named name: String) -> Int? {
        guard name.count >= 3, let i = months.firstIndex(where: { $0.hasPrefix(name) }) else { return nil }
        return i + 1
    }

    public func parse(_ raw: String, toward: Toward = .future) throws(InputError) -> Due {
        let due = try read(raw, toward: toward)
        try Self.checkYear(due.year, raw)
        return due
    }

    /// Dates are written with four-digit years, as the store and the calendar read them back: a
    /// WHEN that lands outside 0000–9999 (`+1000000w`) is refused, not kept where it cannot be read.
    static func checkYear(_ year: Int, _ raw: String) throws(InputError) {
        guard !(0...9999).contains(year) else { return }
        throw InputError("\"\(raw)\" falls in the year \(year); a date must fall in the years 0000 to 9999")
    }

    func read(_ raw: String, toward: Toward) throws(InputError) -> Due {
        let text = raw.trimmingWhitespace()
        let lower = text.lowercased()
        let fail = InputError("not a date or time: \"\(raw)\" (try 2026-12-05, 2026-12-05T14:00, +3d, +4h, tomorrow, friday 5pm, dec 5, 17:00)")
        guard !lower.isEmpty, lower.utf8.count <= 64 else { throw fail }

        if lower == "now" { return .at(now) }
        if lower.hasPrefix("+") {
            guard let interval = try? Interval(parsing: String(lower.dropFirst())) else { throw fail }
            return ahead(interval, times: 1)
        }
        let words = lower.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // `in 3 days`, `3 days ago`.
        if words.count == 3, words[0] == "in", let interval = Self.interval(words[1], words[2]) { return ahead(interval, times: 1) }
        if words.count == 3, words[2] == "ago", let interval = Self.interval(words[0], words[1]) { return ahead(interval, times: -1) }
        // ISO 8601.
        if let iso = try iso(text, fail) { return iso }
        // A day, a time, or a day and a time (either way round).
        if let (day, used) = try day(words, toward: toward) {
            let rest = Array(words[used...])
            if rest.isEmpty { return .on(day) }
            guard let time = Self.time(rest) else { throw fail }
            return .at(zone.instant(day, time))
        }
        if let time = Self.time(words) { return .at(next(time, toward: toward)) }
        for split in 1..<max(words.count, 1) {
            if let time = Self.time(Array(words[..<split])), let (day, used) = try day(Array(words[split...]), toward: toward),
               split + used == words.count {
                return .at(zone.instant(day, time))
            }
        }
        throw fail
    }

    /// `interval` from now, `times` over: a day for days and weeks, an instant otherwise.
    func ahead(_ interval: Interval, times: Int) -> Due {
        if let days = interval.days { return .on(today.adding(days: days * times)) }
        return .at(now + interval.seconds * Int64(times))
    }

    /// `3 days`, `90 minutes`, `2 weeks`, `1 hour`.
    static func interval(_ count: String, _ unit: String) -> Interval? {
        guard let n = Int(count), n > 0, n <= 1_000_000 else { return nil }
        let units: [(String, Interval.Unit)] = [
            ("s", .second), ("sec", .second), ("secs", .second), ("second", .second), ("seconds", .second),
            ("m", .minute), ("min", .minute), ("mins", .minute), ("minute", .minute), ("minutes", .minute),
            ("h", .hour), ("hour", .hour), ("hours", .hour), ("d", .day), ("day", .day), ("days", .day),
            ("w", .week), ("week", .week), ("weeks", .week),
        ]
        return units.first { $0.0 == unit }.map { Interval(n, $0.1) }
    }

    /// A day named by the first word or two of `words`, and how many words it took.
    func day(_ words: [String], toward: Toward) throws(InputError) -> (LocalDate, Int)? {
        guard let first = words.first else { return nil }
        switch first {
        case "today": return (today, 1)
        case "tomorrow": return (today.adding(days: 1), 1)
        case "yesterday": return (today.adding(days: -1), 1)
        case "next", "last", "this":
            guard words.count >= 2, let n = Self.weekday(named: words[1]) else { return nil }
            return (weekday(n, strictly: first != "this", toward: first == "last" ? .past : first == "next" ? .future : toward), 2)
        default: break
        }
        if let n = Self.weekday(named: first) { return (weekday(n, strictly: toward == .past, toward: toward), 1) }
        // `dec 5`, `december 5`, `5 dec`, each with a year after it or not.
        guard words.count >= 2 else { return nil }
        let month: Int, dayNumber: Int
        if let m = Self.month(named: first), let d = Int(words[1]) { (month, dayNumber) = (m, d) } else if let d = Int(first),
            let m = Self.month(named: words[1]) { (month, dayNumber) = (m, d) } else { return nil }
        if words.count >= 3, words[2].count == 4, let year = Int(words[2]) {
            return (try Self.date(year, month, dayNumber), 3)
        }
        // No year: this year's, or the next one's (the last one's, looking back) when that has passed.
        var year = today.year
        let candidate = try? Self.date(year, month, dayNumber)
        if toward == .future, candidate.map({ $0 < today }) ?? false { year += 1 }
        if toward == .past, candidate.map({ $0 > today }) ?? false { year -= 1 }
        return (try Self.date(year, month, dayNumber), 2)
    }

    /// Weekday `n` from today: today itself unless `strictly`, else the next (or last) one.
    func weekday(_ n: Int, strictly: Bool, toward: Toward) -> LocalDate {
        switch toward {
        case .future:
            let diff = (n - today.isoWeekday + 7) % 7
            return today.adding(days: diff == 0 && strictly ? 7 : diff)
        case .past:
            let back = (today.isoWeekday - n + 7) % 7
            return today.adding(days: -(back == 0 && strictly ? 7 : back))
        }
    }

    /// A date that must exist: `February 2026 has 28 days` says why one does not.
    static func date(_ year: Int, _ month: Int, _ day: Int) throws(InputError) -> LocalDate {
        guard (1...12).contains(month) else { throw InputError("there is no month \(month)") }
        let length = LocalDate.daysIn(month: month, year: year)
        guard (1...length).contains(day) else {
            let name = months[month - 1].prefix(1).uppercased() + months[month - 1].dropFirst()
            throw InputError("\(name) \(year) has \(length) days, so it has no day \(day)")
        }
        return LocalDate(year: year, month: month, day: day)
    }

    /// `17:00`, `17:00:30`, `5pm`, `5:30pm`, `5 pm`, `noon`, `midnight`.
    static func time(_ words: [String]) -> TimeOfDay? {
        let text = words.joined()
        switch text {
        case "noon": return TimeOfDay(hour: 12, minute: 0)
        case "midnight": return TimeOfDay(hour: 0, minute: 0)
        default: break
        }
        for (suffix, offset) in [("am", 0), ("pm", 12)] where text.hasSuffix(suffix) {
            let clock = text.dropLast(2).split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(clock.count), let h = Int(clock[0]), (1...12).contains(h), clock[0].count <= 2 else { return nil }
            let m = clock.count == 2 ? Int(clock[1]) : 0
            guard let m, (0..<60).contains(m), clock.count == 1 || clock[1].count == 2 else { return nil }
            return TimeOfDay(hour: h % 12 + offset, minute: m)
        }
        if words.count == 1, let t = TimeOfDay(parsing: text.count == 4 && text.dropFirst().hasPrefix(":") ? "0" + text : text) { return t }
        return nil
    }

    /// The next time the clock shows `time` (the last, looking back).
    func next(_ time: TimeOfDay, toward: Toward) -> Instant {
        let todays = zone.instant(today, time)
        switch toward {
        case .future: return todays > now ? todays : zone.instant(today.adding(days: 1), time)
        case .past: return todays <= now ? todays : zone.instant(today.adding(days: -1), time)
        }
    }

    /// ISO 8601 forms; nil when the text is not one. An impossible date says why.
    func iso(_ text: String, _ fail: InputError) throws(InputError) -> Due? {
        let b = Array(text.utf8)
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = Int(String(decoding: b[0..<4], as: UTF8.self)), let month = Int(String(decoding: b[5..<7], as: UTF8.self)),
              let dayNumber = Int(String(decoding: b[8..<10], as: UTF8.self)) else { return nil }
        let date: LocalDate
        do { date = try Self.date(year, month, dayNumber) } catch {
            throw InputError("\(String(decoding: b[0..<10], as: UTF8.self)): \(error.message)")
        }
        if b.count == 10 { return .on(date) }
        var iso = text
        if iso.utf8[iso.utf8.index(iso.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: " ") {
            iso = String(iso.prefix(10)) + "T" + String(iso.dropFirst(11))
        }
        guard iso.utf8.count >= 16, iso.utf8[iso.utf8.index(iso.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: "T") else { throw fail }
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
        let instant = interval.advance(now, in: zone)
        try Self.checkYear(Due.at(instant).year, raw)
        return instant
    }

    var today: LocalDate { zone.date(of: now) }
}

extension Substring {
    func replacingColons() -> String { String(filter { $0 != ":" }) }
}
