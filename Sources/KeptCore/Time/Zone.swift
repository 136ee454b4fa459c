#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Wall-clock arithmetic in one time zone: local date and time ⇄ `Instant`.
///
/// Every local rule of kept ("09:00 the day before", "end of the due day", "every week") goes
/// through here, so that it holds across daylight-saving changes: a 09:00 reminder is at 09:00 on
/// both sides of a change, a time skipped by a spring-forward gap moves forward by the gap, and an
/// ambiguous autumn time means its first occurrence. Offsets come from the system's tz database
/// (`ZoneRules`), the same files the C library reads.
public struct Zone: Sendable {
    /// The zone's name: `Europe/Berlin`, or the TZ rule it was given as.
    public let identifier: String
    public let rules: ZoneRules

    public init(identifier: String, rules: ZoneRules) {
        self.identifier = identifier
        self.rules = rules
    }

    /// The zone of the tz database named `identifier`, or nil when there is none.
    public init?(identifier: String) {
        guard let rules = ZoneRules.named(identifier) else { return nil }
        self.init(identifier: identifier, rules: rules)
    }

    /// The process's zone, found the way the C library finds it: `TZ` names a zone (`Europe/Berlin`,
    /// `:Europe/Berlin`), a file, or is a POSIX rule (`CET-1CEST,M3.5.0,M10.5.0/3`); an empty `TZ`
    /// is UTC; without `TZ`, `/etc/localtime`. What cannot be read is UTC, as in C.
    public static var current: Zone { Zone(tz: getenv("TZ").map { String(cString: $0) }) }

    /// The zone a `TZ` value names (nil: unset).
    public init(tz: String?) {
        guard var tz else {
            self = Zone.systemDefault
            return
        }
        if tz.hasPrefix(":") { tz.removeFirst() }
        if tz.isEmpty || tz == "UTC" || tz == "UTC0" {
            self = .utc
        } else if tz.hasPrefix("/") {
            self.init(identifier: Zone.name(ofZoneFile: tz), rules: ZoneRules.file(tz) ?? .utc)
        } else if let named = Zone(identifier: tz) {
            self = named
        } else if let rule = PosixRule(tz) {
            self.init(identifier: tz, rules: .posix(rule))
        } else {
            self = .utc
        }
    }

    /// The zone a request or a stored item names: a tz database name (`America/New_York`) or a
    /// POSIX rule, read once per process and shared after that; nil when it names nothing.
    public static func named(_ name: String) -> Zone? {
        if name == utc.identifier { return .utc }
        if let known = book.withLock({ $0[name] }) { return known }
        guard name.utf8.count <= 255 else { return nil }
        let zone: Zone
        if let named = Zone(identifier: name) {
            zone = named
        } else if !name.contains("/"), let rule = PosixRule(name) {
            zone = Zone(identifier: name, rules: .posix(rule))
        } else {
            return nil
        }
        book.withLock { if $0.count < 256 { $0[name] = zone } }
        return zone
    }

    private static let book = Mutex<[String: Zone]>([:])

    /// The name to send for this zone so that another process reads the same rules; nil when it
    /// has none (a zone file outside the database).
    /// (Asked once per `kept` command: it looks the name up, it does not read the zone again.)
    public var portableName: String? {
        ZoneRules.exists(identifier) || (!identifier.contains("/") && PosixRule(identifier) != nil) ? identifier : nil
    }

    /// `/etc/localtime`, named after the zone file it links to.
    static var systemDefault: Zone {
        guard let rules = ZoneRules.file("/etc/localtime") else { return .utc }
        return Zone(identifier: name(ofZoneFile: "/etc/localtime"), rules: rules)
    }

    /// `Europe/Berlin` for a link into the database; the path itself otherwise.
    /// (Read as bytes: every command asks it, and splitting into substrings and joining them
    /// again cost a quarter of a short command's instructions.)
    static func name(ofZoneFile path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        let target = n > 0 ? buffer[0..<n].map { UInt8(bitPattern: $0) } : Array(path.utf8)
        // What follows the last path component named `zoneinfo`.
        let word = Array("zoneinfo/".utf8)
        var i = target.count - word.count
        while i >= 0 {
            if (i == 0 || target[i - 1] == UInt8(ascii: "/")) && target[i..<(i + word.count)].elementsEqual(word) {
                return String(decoding: target[(i + word.count)...], as: UTF8.self)
            }
            i -= 1
        }
        return path == "/etc/localtime" ? "localtime" : String(decoding: target, as: UTF8.self)
    }

    public static let utc = Zone(identifier: "UTC", rules: .utc)

    @inline(__always) func offset(at t: Int64) -> Int64 { Int64(rules.offset(at: t)) }

    /// The instant at which the local clock shows `date` `time`.
    public func instant(_ date: LocalDate, _ time: TimeOfDay) -> Instant {
        let local = date.daysSinceEpoch * 86_400 + Int64(time.secondsIntoDay)
        let before = offset(at: local - 86_400), after = offset(at: local + 86_400)
        if before == after { return Instant(seconds: local - before) }
        let a = local - before, b = local - after
        let aValid = offset(at: a) == before, bValid = offset(at: b) == after
        switch (aValid, bValid) {
        case (true, true): return Instant(seconds: min(a, b))  // ambiguous: the first
        case (true, false): return Instant(seconds: a)
        case (false, true): return Instant(seconds: b)
        case (false, false): return Instant(seconds: a)  // in a gap: forward by the gap
        }
    }

    /// The local date and time of day shown at `instant`.
    public func local(_ instant: Instant) -> (date: LocalDate, time: TimeOfDay) {
        let local = instant.seconds + offset(at: instant.seconds)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let rest = Int(local - days * 86_400)
        return (LocalDate(daysSinceEpoch: days), TimeOfDay(hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60))
    }

    public func date(of instant: Instant) -> LocalDate { local(instant).date }

    /// The first instant of the next local day: the end of `date`'s grace.
    public func endOfDay(_ date: LocalDate) -> Instant { instant(date.adding(days: 1), TimeOfDay(hour: 0, minute: 0)) - 1 }

    /// `instant` moved by whole local days, keeping its wall-clock time.
    public func adding(days: Int, to instant: Instant) -> Instant {
        let (d, t) = local(instant)
        return self.instant(d.adding(days: days), t)
    }

    /// `2026-12-05 14:00` in this zone, for people.
    public func format(_ instant: Instant, seconds: Bool = false) -> String {
        let (d, t) = local(instant)
        var text = d.description + " " + pad2(Int64(t.hour)) + ":" + pad2(Int64(t.minute))
        if seconds || t.second != 0 { text += ":" + pad2(Int64(t.second)) }
        return text
    }

    /// `2026-12-05T14:00:00+01:00`, the instant with this zone's offset.
    public func rfc3339(_ instant: Instant) -> String {
        let off = offset(at: instant.seconds)
        let (d, t) = local(instant)
        let sign = off < 0 ? "-" : "+"
        let a = abs(off)
        return d.description + "T" + pad2(Int64(t.hour)) + ":" + pad2(Int64(t.minute)) + ":" + pad2(Int64(t.second))
            + sign + pad2(a / 3600) + ":" + pad2(a / 60 % 60)
    }

    /// RFC 5322 date: `Sat, 05 Dec 2026 14:00:00 +0100`.
    public func rfc5322(_ instant: Instant) -> String {
        let off = offset(at: instant.seconds)
        let (d, t) = local(instant)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let a = abs(off)
        return "\(days[d.isoWeekday - 1]), \(pad2(Int64(d.day))) \(months[d.month - 1]) \(d.year) "
            + "\(pad2(Int64(t.hour))):\(pad2(Int64(t.minute))):\(pad2(Int64(t.second))) "
            + (off < 0 ? "-" : "+") + pad2(a / 3600) + pad2(a / 60 % 60)
    }
}
