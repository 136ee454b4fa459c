#if canImport(Glibc)
import Glibc
#endif

/// The UTC offset of one time zone at any instant, read from the system's tz database.
///
/// A zone file (TZif, RFC 8536) lists the zone's transitions up to some year and ends with a
/// POSIX TZ rule for every year after. kept asks for offsets constantly — each reminder, each
/// due, each "09:00 the day before" — so a lookup is a binary search over the transitions, or the
/// rule's two dates for the year, and never a call into ICU.
public struct ZoneRules: Sendable, Equatable {
    /// Instants (seconds since the epoch, UTC) at which the offset changes, ascending.
    let transitions: [Int64]
    /// The offset in force from each transition on.
    let offsets: [Int32]
    /// The offset before the first transition.
    let initial: Int32
    /// The rule for instants after the last transition.
    let rule: PosixRule?

    /// A zone that is always `offset` seconds east of UTC.
    public static func fixed(_ offset: Int32) -> ZoneRules {
        ZoneRules(transitions: [], offsets: [], initial: offset, rule: nil)
    }

    public static let utc = fixed(0)

    /// A zone given only as a POSIX TZ rule.
    public static func posix(_ rule: PosixRule) -> ZoneRules {
        ZoneRules(transitions: [], offsets: [], initial: rule.standard, rule: rule)
    }

    /// Seconds east of UTC at `t`.
    public func offset(at t: Int64) -> Int32 {
        if let last = transitions.last, t >= last, let rule { return rule.offset(at: t) }
        if transitions.isEmpty { return rule?.offset(at: t) ?? initial }
        var lo = 0, hi = transitions.count  // first transition after t
        while lo < hi {
            let mid = (lo + hi) >> 1
            if transitions[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? initial : offsets[lo - 1]
    }

    // MARK: Reading TZif

    /// The folder of the tz database: `$TZDIR`, else `/usr/share/zoneinfo`.
    static var databaseFolder: String {
        if let dir = getenv("TZDIR"), dir.pointee != 0 { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }

    /// The rules of a zone named like `Europe/Berlin`, or nil when there is no such zone.
    public static func named(_ identifier: String) -> ZoneRules? {
        if identifier == "UTC" || identifier == "Etc/UTC" || identifier == "GMT" { return .utc }
        return path(of: identifier).flatMap(file)
    }

    /// Whether the database has a zone of that name, without reading it.
    public static func exists(_ identifier: String) -> Bool {
        identifier == "UTC" || identifier == "Etc/UTC" || identifier == "GMT" || path(of: identifier).map { access($0, R_OK) == 0 } == true
    }

    /// The database file of a name: a name, not a path, with no climbing out of the database.
    static func path(of identifier: String) -> String? {
        guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains("..") else { return nil }
        return databaseFolder + "/" + identifier
    }

    /// The rules in a TZif file, or nil when it cannot be read or is not one.
    public static func file(_ path: String) -> ZoneRules? {
        guard let bytes = readSmallFile(path) else { return nil }
        return parse(bytes)
    }

    /// Parses a TZif document (any version; the 64-bit part when there is one).
    public static func parse(_ bytes: [UInt8]) -> ZoneRules? {
        var r = Reader(bytes: bytes)
        guard let header = r.header() else { return nil }
        var counts = header.counts
        var timeSize = 4
        if header.version >= 2 {
            // Skip the 32-bit body; the 64-bit header and body follow it.
            guard r.skip(counts.bodySize(timeSize: 4)), let second = r.header() else { return nil }
            counts = second.counts
            timeSize = 8
        }
        guard let times = r.integers(count: counts.time, size: timeSize),
              let indices = r.bytes(count: counts.time),
              let typeBytes = r.bytes(count: counts.type * 6),
              r.skip(counts.chars + counts.leap * (timeSize + 4) + counts.isStd + counts.isUT)
        else { return nil }
        var types: [Int32] = []
        for i in 0..<counts.type {
            let b = typeBytes[(i * 6)..<(i * 6 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            types.append(Int32(bitPattern: b))
        }
        guard !types.isEmpty, indices.allSatisfy({ Int($0) < types.count }) else { return nil }
        var rule: PosixRule?
        if header.version >= 2 {
            // The footer must be there (a file cut short is refused); a rule kept cannot read
            // leaves the listed transitions in force.
            guard let footer = r.footer() else { return nil }
            rule = footer.isEmpty ? nil : PosixRule(footer)
        }
        return ZoneRules(transitions: times, offsets: indices.map { types[Int($0)] }, initial: types[0], rule: rule)
    }

    private struct Counts {
        var isUT = 0, isStd = 0, leap = 0, time = 0, type = 0, chars = 0
        func bodySize(timeSize: Int) -> Int {
            time * timeSize + time + type * 6 + chars + leap * (timeSize + 4) + isStd + isUT
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func header() -> (version: Int, counts: Counts)? {
            guard at + 44 <= bytes.count, bytes[at..<at + 4].elementsEqual("TZif".utf8) else { return nil }
            let v = bytes[at + 4]
            let version = v == 0 ? 1 : Int(v) - Int(UInt8(ascii: "0"))
            at += 20
            var c = [Int](repeating: 0, count: 6)
            for i in 0..<6 {
                c[i] = Int(bytes[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                at += 4
            }
            return (version, Counts(isUT: c[0], isStd: c[1], leap: c[2], time: c[3], type: c[4], chars: c[5]))
        }

        mutating func skip(_ n: Int) -> Bool {
            guard n >= 0, at + n <= bytes.count else { return false }
            at += n
            return true
        }

        mutating func bytes(count: Int) -> [UInt8]? {
            guard at + count <= bytes.count else { return nil }
            defer { at += count }
            return Array(bytes[at..<at + count])
        }

        mutating func integers(count: Int, size: Int) -> [Int64]? {
            guard at + count * size <= bytes.count else { return nil }
            var out: [Int64] = []
            out.reserveCapacity(count)
            for _ in 0..<count {
                let raw = bytes[at..<at + size].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                out.append(size == 8 ? Int64(bitPattern: raw) : Int64(Int32(bitPattern: UInt32(raw))))
                at += size
            }
            return out
        }

        /// The POSIX TZ string between the two newlines after the body.
        mutating func footer() -> String? {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\n") else { return nil }
            guard let end = bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            return String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
        }
    }
}

/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: a standard offset, and optionally a
/// daylight offset with the local dates and times it starts and ends each year.
public struct PosixRule: Sendable, Equatable {
    /// Seconds east of UTC.
    let standard: Int32
    let daylight: Int32?
    let start: DateRule, end: DateRule
    /// Seconds after local midnight of the rule's day.
    let startTime: Int32, endTime: Int32

    enum DateRule: Sendable, Equatable {
        /// `Jn`: day 1…365, February 29 never counted.
        case julian(Int)
        /// `n`: day 0…365, counting February 29 in leap years.
        case zeroBased(Int)
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
        case monthWeekDay(month: Int, week: Int, weekday: Int)

        /// The date in `year`, as days since the epoch.
        func day(in year: Int) -> Int64 {
            switch self {
            case .julian(let n):
                let leapShift = LocalDate.isLeap(year) && n >= 60 ? 1 : 0
                return LocalDate(year: year, month: 1, day: 1).daysSinceEpoch + Int64(n - 1 + leapShift)
            case .zeroBased(let n):
                return LocalDate(year: year, month: 1, day: 1).daysSinceEpoch + Int64(n)
            case .monthWeekDay(let month, let week, let weekday):
                let first = LocalDate(year: year, month: month, day: 1)
                // isoWeekday: Monday 1 … Sunday 7; the rule counts Sunday as 0.
                let firstWeekday = first.isoWeekday % 7
                var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
                let length = LocalDate.daysIn(month: month, year: year)
                while day > length { day -= 7 }
                return first.daysSinceEpoch + Int64(day - 1)
            }
        }
    }

    /// Parses a rule; nil when it is not one.
    public init?(_ text: String) {
        var p = Parser(Array(text.utf8))
        guard p.name(), let std = p.offset() else { return nil }
        standard = -std
        if p.atEnd {
            daylight = nil
            start = .julian(1); end = .julian(1); startTime = 0; endTime = 0
            return
        }
        guard p.name() else { return nil }
        var dst = standard + 3600
        if let given = p.offset() { dst = -given }
        daylight = dst
        if p.atEnd {
            // No dates given: the rule US zones have used since 2007, as glibc assumes.
            start = .monthWeekDay(month: 3, week: 2, weekday: 0); end = .monthWeekDay(month: 11, week: 1, weekday: 0)
            startTime = 7200; endTime = 7200
            return
        }
        guard p.eat(","), let s = p.dateRule() else { return nil }
        let st = p.eat("/") ? p.offset() : 7200
        guard let st, p.eat(","), let e = p.dateRule() else { return nil }
        let et = p.eat("/") ? p.offset() : 7200
        guard let et, p.atEnd else { return nil }
        start = s; end = e; startTime = st; endTime = et
    }

    func offset(at t: Int64) -> Int32 {
        guard let daylight else { return standard }
        // Which year it is locally hardly matters at the edges: try the UTC year and its neighbours.
        let year = LocalDate(daysSinceEpoch: floorDiv(t + Int64(standard), 86_400)).year
        var last: (at: Int64, offset: Int32)?
        for y in (year - 1)...(year + 1) {
            let on = start.day(in: y) * 86_400 + Int64(startTime) - Int64(standard)
            let off = end.day(in: y) * 86_400 + Int64(endTime) - Int64(daylight)
            for change in [(on, daylight), (off, standard)] where change.0 <= t {
                if last == nil || change.0 > last!.at { last = (change.0, change.1) }
            }
        }
        return last?.offset ?? standard
    }

    private struct Parser {
        let s: [UInt8]
        var i = 0
        init(_ s: [UInt8]) { self.s = s }

        var atEnd: Bool { i == s.count }

        mutating func eat(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }

        /// `CET` or `<+0330>`.
        mutating func name() -> Bool {
            if eat("<") {
                guard let close = s[i...].firstIndex(of: UInt8(ascii: ">")), close > i else { return false }
                i = close + 1
                return true
            }
            let begin = i
            while i < s.count, (s[i] | 0x20) >= UInt8(ascii: "a"), (s[i] | 0x20) <= UInt8(ascii: "z") { i += 1 }
            return i - begin >= 3
        }

        mutating func number() -> Int? {
            let begin = i
            var n = 0
            while i < s.count, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "9"), i - begin < 4 {
                n = n * 10 + Int(s[i] - UInt8(ascii: "0"))
                i += 1
            }
            return i > begin ? n : nil
        }

        /// `[+-]hh[:mm[:ss]]` as seconds (hours up to 167, as in TZif footers).
        mutating func offset() -> Int32? {
            var sign: Int32 = 1
            if eat("-") { sign = -1 } else { _ = eat("+") }
            guard let h = number(), h <= 167 else { return nil }
            var total = h * 3600
            if eat(":") {
                guard let m = number(), m < 60 else { return nil }
                total += m * 60
                if eat(":") {
                    guard let sec = number(), sec < 60 else { return nil }
                    total += sec
                }
            }
            return sign * Int32(total)
        }

        mutating func dateRule() -> DateRule? {
            if eat("J") {
                guard let n = number(), (1...365).contains(n) else { return nil }
                return .julian(n)
            }
            if eat("M") {
                guard let m = number(), (1...12).contains(m), eat("."), let w = number(), (1...5).contains(w),
                      eat("."), let d = number(), (0...6).contains(d) else { return nil }
                return .monthWeekDay(month: m, week: w, weekday: d)
            }
            guard let n = number(), (0...365).contains(n) else { return nil }
            return .zeroBased(n)
        }
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : (a - b + 1) / b
}

/// A whole small file, read with plain system calls (zone files are a few KiB).
func readSmallFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while out.count <= limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { return out }
        out.append(contentsOf: chunk[0..<n])
    }
    return nil
}
