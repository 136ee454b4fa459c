/// The pure rules of kept: when occurrences fall, how they are judged, which reminders they get.
///
/// Everything here is a function of (state, now) under a config and a zone, so tests run them on an
/// injected clock and never sleep.
public struct Rules: Sendable {
    public var config: Config
    public var zone: Zone

    public init(config: Config, zone: Zone) { self.config = config; self.zone = zone }

    /// The same rules in `zone`.
    public func within(_ zone: Zone) -> Rules {
        var r = self
        r.zone = zone
        return r
    }

    /// The rules for `item`: in the zone it was made in (its own, else its incident's), so a
    /// 09:00 promise stays at 09:00 there across daylight-saving changes wherever the daemon runs.
    /// A zone the system no longer knows falls back to the daemon's.
    public func `for`(_ item: Item, in incident: Incident) -> Rules {
        guard let name = item.zone ?? incident.zone, name != zone.identifier, let other = Zone.named(name) else { return self }
        return within(other)
    }

    /// The rules for an incident's own dates: its window days and check-in days.
    public func `for`(_ incident: Incident) -> Rules {
        guard let name = incident.zone, name != zone.identifier, let other = Zone.named(name) else { return self }
        return within(other)
    }

    /// Recurring promises stop here, whatever their interval.
    public static let maxOccurrences = 1000

    // MARK: Occurrences

    /// Every occurrence of `item`, in order. Recurring ones run until `until` (inclusive).
    public func occurrences(of item: Item) -> [Due] {
        guard let every = item.every, let until = item.until else { return [item.due] }
        let last = until.isDateOnly ? zone.endOfDay(until.date(in: zone)) : until.instant(in: zone, remindAt: config.remindAt)
        var result: [Due] = []
        var k = 0
        while result.count < Rules.maxOccurrences {
            let next = every.advance(item.due, times: k, in: zone)
            let at: Instant = switch next {
            case .at(let i): i
            case .on(let d): zone.instant(d, TimeOfDay(hour: 0, minute: 0))
            }
            if at > last { break }
            result.append(next)
            k += 1
        }
        return result
    }

    /// The moment an occurrence is due: its instant, or `remind_at` on its day.
    public func dueInstant(_ due: Due) -> Instant { due.instant(in: zone, remindAt: config.remindAt) }

    /// Done by this instant counts as kept: the end of the due day.
    public func graceEnd(_ due: Due) -> Instant { zone.endOfDay(due.date(in: zone)) }

    /// Not done by this instant, it is missed: `missed_after_days` after it was due, or the window's end.
    public func missedAt(_ due: Due, windowEnd: Instant) -> Instant {
        let d = dueInstant(due)
        let later = zone.adding(days: config.missedAfterDays, to: d)
        return d < windowEnd ? min(later, windowEnd) : later
    }

    // MARK: Judging

    public enum Status: Equatable, Sendable {
        /// Not yet due.
        case upcoming
        /// Past due, not yet missed.
        case overdue
        case kept(Instant)
        case late(Instant)
        case missed
        case released(String)

        public var name: OccurrenceStatus {
            switch self {
            case .upcoming: .upcoming
            case .overdue: .overdue
            case .kept: .kept
            case .late: .late
            case .missed: .missed
            case .released: .released
            }
        }

        public var isOpen: Bool { self == .upcoming || self == .overdue }
    }

    /// The instants that judge one occurrence, computed once (zone arithmetic is the costly part).
    public struct Times: Sendable, Equatable {
        public var due: Instant
        public var graceEnd: Instant
        public var missedAt: Instant
    }

    public func times(_ due: Due, windowEnd: Instant) -> Times {
        Times(due: dueInstant(due), graceEnd: graceEnd(due), missedAt: missedAt(due, windowEnd: windowEnd))
    }

    /// `status(of:…)` over precomputed instants.
    public func status(_ t: Times, mark: Mark?, now: Instant) -> Status { Self.status(t, mark: mark, now: now) }

    public static func status(_ t: Times, mark: Mark?, now: Instant) -> Status {
        if let reason = mark?.released { return .released(reason) }
        if let done = mark?.done {
            if done <= t.graceEnd { return .kept(done) }
            return done < t.missedAt ? .late(done) : .missed
        }
        if now >= t.missedAt { return .missed }
        return now >= t.due ? .overdue : .upcoming
    }

    public func status(of due: Due, mark: Mark?, windowEnd: Instant, now: Instant) -> Status {
        status(times(due, windowEnd: windowEnd), mark: mark, now: now)
    }

    // MARK: Reminders

    public enum ReminderKind: Hashable, Sendable, CustomStringConvertible {
        case lead, due, overdue(Int), snooze(Int)

        public var description: String {
            switch self {
            case .lead: "lead"
            case .due: "due"
            case .overdue(let n): "overdue\(n)"
            case .snooze(let n): "snooze\(n)"
            }
        }
    }

    public struct PlannedReminder: Hashable, Sendable {
        public var kind: ReminderKind
        public var at: Instant
    }

    /// The reminders an occurrence gets, in time order, whether sent yet or not.
    public func reminders(for due: Due, mark: Mark?, created: Instant, windowEnd: Instant) -> [PlannedReminder] {
        if mark?.isResolved == true { return [] }
        let dueAt = dueInstant(due)
        let day = due.date(in: zone)
        let missed = missedAt(due, windowEnd: windowEnd)
        var plan: [PlannedReminder] = []
        if config.leadDays > 0 {
            let lead = zone.instant(day.adding(days: -config.leadDays), config.remindAt)
            // A lead reminder for something the user only just wrote down would tell them nothing.
            if lead < dueAt, lead >= created { plan.append(PlannedReminder(kind: .lead, at: lead)) }
        }
        plan.append(PlannedReminder(kind: .due, at: dueAt))
        if config.overdueNudges > 0 {
            for k in 1...config.overdueNudges {
                let at = zone.instant(day.adding(days: k), config.remindAt)
                if at > dueAt, at < missed { plan.append(PlannedReminder(kind: .overdue(k), at: at)) }
            }
        }
        let snoozes = mark?.snoozes ?? []
        if !snoozes.isEmpty {
            plan.removeAll { r in snoozes.contains { r.at >= $0.at && r.at < $0.until } }
            for (i, s) in snoozes.enumerated() { plan.append(PlannedReminder(kind: .snooze(i + 1), at: s.until)) }
            plan.sort { $0.at < $1.at }
        }
        return plan
    }

    /// The reminders not yet handled.
    public func pending(for due: Due, mark: Mark?, created: Instant, windowEnd: Instant) -> [PlannedReminder] {
        let handled = mark?.reminded ?? []
        return reminders(for: due, mark: mark, created: created, windowEnd: windowEnd)
            .filter { !handled.contains($0.kind) }
    }

    /// What falls due for one occurrence by `now`: the latest passed reminder is sent, the earlier
    /// passed ones are covered by it (a reminder a day late says all they would have said).
    public func firing(for due: Due, mark: Mark?, created: Instant, windowEnd: Instant, now: Instant)
        -> (send: PlannedReminder, covered: [PlannedReminder])?
    {
        let passed = pending(for: due, mark: mark, created: created, windowEnd: windowEnd).filter { $0.at <= now }
        guard let last = passed.last else { return nil }
        return (last, Array(passed.dropLast()))
    }

    /// A reminder this long after its time is marked late.
    public static let lateAfterSeconds: Int64 = 60
}

/// An occurrence's status as the wire and the tables name it.
public enum OccurrenceStatus: String, Codable, Sendable, CaseIterable {
    case upcoming, overdue, kept, late, missed, released
}
