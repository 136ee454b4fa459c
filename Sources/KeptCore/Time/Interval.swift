/// A length of time as people say it: `90s`, `30m`, `4h`, `3d`, `1w`.
///
/// Seconds, minutes and hours are exact durations; days and weeks are calendar steps that keep the
/// wall-clock time across daylight-saving changes.
public struct Interval: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: Character, Sendable, CaseIterable {
        case second = "s", minute = "m", hour = "h", day = "d", week = "w"
    }
    public var count: Int
    public var unit: Unit

    public init(_ count: Int, _ unit: Unit) { self.count = count; self.unit = unit }

    public init(parsing text: String) throws(InputError) {
        let t = text.trimmingWhitespace().lowercased()
        guard let last = t.last, let unit = Unit(rawValue: last), let n = Int(t.dropLast()), n > 0, n <= 1_000_000
        else {
            throw InputError("not a duration: \"\(text)\" (try 90s, 30m, 4h, 3d, 1w)")
        }
        self.init(n, unit)
    }

    /// Whole days for `d`/`w`; nil for exact durations.
    public var days: Int? {
        switch unit {
        case .day: count
        case .week: count * 7
        default: nil
        }
    }

    public var seconds: Int64 {
        switch unit {
        case .second: Int64(count)
        case .minute: Int64(count) * 60
        case .hour: Int64(count) * 3600
        case .day: Int64(count) * 86_400
        case .week: Int64(count) * 604_800
        }
    }

    public var description: String { "\(count)\(unit.rawValue)" }

    /// `instant` moved forward by this interval (calendar days keep the local time).
    public func advance(_ instant: Instant, times k: Int = 1, in zone: Zone) -> Instant {
        if let days { zone.adding(days: days * k, to: instant) } else { instant + seconds * Int64(k) }
    }

    /// `due` moved forward by this interval; a day stays a day for `d` and `w`.
    public func advance(_ due: Due, times k: Int = 1, in zone: Zone) -> Due {
        switch (due, days) {
        case (.on(let d), let days?): .on(d.adding(days: days * k))
        case (.at(let i), _): .at(advance(i, times: k, in: zone))
        case (.on, nil): due  // callers give sub-day intervals an instant to start from
        }
    }
}

extension Interval: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        do { try self.init(parsing: text) } catch { throw TextNotUnderstood(error.message) }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
