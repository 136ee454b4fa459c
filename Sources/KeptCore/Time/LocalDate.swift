/// A calendar date with no time and no zone: `2026-12-05`.
///
/// Date-only items ("by Friday") are due on a day, wherever the user is; their reminders are
/// placed at `remind_at` local time on the days around it.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Days since 1970-01-01 (proleptic Gregorian), by H. Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month), d = Int64(day)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `daysSinceEpoch` (`civil_from_days`).
    public init(daysSinceEpoch z0: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), month: Int(m), day: Int(d))
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    public var isoWeekday: Int {
        let d = daysSinceEpoch  // 1970-01-01 was a Thursday (4)
        let w = (d % 7 + 7) % 7
        return Int((w + 3) % 7) + 1
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        guard hasFourDigitYear else {
            return "\(year)-" + pad2(Int64(month)) + "-" + pad2(Int64(day))
        }
        return String(unsafeUninitializedCapacity: 10) { b in
            writeISO(into: b)
            return 10
        }
    }

    /// Whether the year is written in four digits (0000–9999), as ISO 8601 writes years without a sign.
    var hasFourDigitYear: Bool { (0...9999).contains(year) }

    /// Writes `YYYY-MM-DD` into the first ten bytes; the year has four digits.
    func writeISO(into b: UnsafeMutableBufferPointer<UInt8>) {
        writeDigits(Int64(year), width: 4, into: b, at: 0)
        b[4] = UInt8(ascii: "-")
        writeDigits(Int64(month), width: 2, into: b, at: 5)
        b[7] = UInt8(ascii: "-")
        writeDigits(Int64(day), width: 2, into: b, at: 8)
    }

    /// Parses `YYYY-MM-DD`, rejecting impossible dates such as `2026-02-30`.
    public init?(iso text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = digits(b, 0, 4), let m = digits(b, 5, 2), let d = digits(b, 8, 2),
              (1...12).contains(m), d >= 1, d <= LocalDate.daysIn(month: Int(m), year: Int(y))
        else { return nil }
        self.init(year: Int(y), month: Int(m), day: Int(d))
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension LocalDate: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let v = LocalDate(iso: text) else { throw TextNotUnderstood("not a date (YYYY-MM-DD): \(text)") }
        self = v
    }
}

/// A wall-clock time of day, `09:00`.
public struct TimeOfDay: Hashable, Comparable, Sendable, StringCodable {
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(hour: Int, minute: Int, second: Int = 0) {
        self.hour = hour; self.minute = minute; self.second = second
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 }),
              let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        let s = parts.count == 3 ? Int(parts[2]) : 0
        guard let s, (0..<60).contains(s) else { return nil }
        self.init(hour: h, minute: m, second: s)
    }

    public var secondsIntoDay: Int { hour * 3600 + minute * 60 + second }
    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.secondsIntoDay < b.secondsIntoDay }
    public var description: String {
        pad2(Int64(hour)) + ":" + pad2(Int64(minute)) + (second == 0 ? "" : ":" + pad2(Int64(second)))
    }

    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let v = TimeOfDay(parsing: text) else { throw TextNotUnderstood("not a time of day (HH:MM): \(text)") }
        self = v
    }
}
