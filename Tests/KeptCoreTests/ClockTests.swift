import Foundation
import Testing
@testable import KeptCore

/// The daemon's timer loop, run over an injected wall clock that can jump: one absolute deadline
/// (like a `timerfd` with `TFD_TIMER_ABSTIME`), re-armed after every firing and whenever the clock
/// is set (`TFD_TIMER_CANCEL_ON_SET`).
struct SimulatedDaemon {
    var engine: Engine
    var wall: Instant
    struct Firing { var key: String; var scheduled: Instant; var at: Instant; var late: Bool }
    var fired: [Firing] = []
    var covered: [String] = []

    /// Runs until the wall clock passes `end`; each jump sets the clock from `at` to `to`.
    mutating func run(until end: Instant, jumps: [(at: Instant, to: Instant)] = []) {
        var jumps = jumps
        while wall <= end {
            let deadline = engine.nextWakeup(now: wall)
            if let jump = jumps.first, deadline.map({ $0 > jump.at }) ?? true, jump.at <= end {
                if jump.at > wall { wall = jump.at }
                fire()  // what fell due up to the instant the clock was set
                wall = jump.to
                jumps.removeFirst()
                fire()  // re-armed on the new clock: what is due now goes at once
                continue
            }
            guard let deadline, deadline <= end else { return }
            if deadline > wall { wall = deadline }
            fire()
        }
    }

    mutating func fire() {
        let changes = engine.dueReminders(at: wall)
        engine.commit(engine.records(for: changes, at: wall))
        for case .enqueue(let entry, let cover) in changes {
            fired.append(Firing(key: entry.key.description, scheduled: entry.reminder.scheduled, at: wall, late: entry.reminder.late))
            covered += cover.map(\.description)
        }
    }
}

@Suite struct ClockTests {
    /// An incident opened a few days before `change`, with its playbook and check-ins, in `zone`.
    static func daemon(_ zone: Zone, openedBefore change: String) throws -> SimulatedDaemon {
        var e = engine(zone)
        let opened = at(change + " 12:00", zone) - 5 * 86_400
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Wrong invoice", window: 30), now: opened)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Call Dana", due: change), now: opened)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the report", due: change + "T09:30"), now: opened)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Weekly numbers", every: "1d", from: "+1d", until: "+12d"), now: opened)
        return SimulatedDaemon(engine: e, wall: opened)
    }

    static let changes: [(Zone, String, String)] = [
        (newYork, "2026-11-01", "autumn"), (newYork, "2027-03-14", "spring"),
        (berlin, "2026-10-25", "autumn"), (berlin, "2027-03-28", "spring"),
    ]

    /// With a steady clock, across each DST change: every reminder once, exactly on time, and the
    /// ones set for `remind_at` at 09:00 local on both sides of the change.
    @Test(arguments: 0..<4) func everyReminderFiresOnceOnTimeAcrossDST(_ which: Int) throws {
        let (zone, change, _) = Self.changes[which]
        var d = try Self.daemon(zone, openedBefore: change)
        let end = d.wall + 45 * 86_400
        d.run(until: end)
        let keys = d.fired.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(d.covered.isEmpty)
        #expect(d.fired.allSatisfy { $0.at == $0.scheduled && !$0.late })
        // Lead and overdue reminders go at remind_at, 09:00 wherever the offset stands that day.
        let daily = d.fired.filter { $0.key.hasSuffix("/lead") || $0.key.contains("/overdue") }
        #expect(daily.count > 20)
        #expect(daily.allSatisfy { zone.local($0.scheduled).time == TimeOfDay(hour: 9, minute: 0) })
        let local = Set(daily.map { zone.date(of: $0.scheduled) })
        let day = date(change)
        #expect(local.contains(day.adding(days: -1)) && local.contains(day) && local.contains(day.adding(days: 1)))
        // Nothing is done, so every occurrence runs its course: due, then three nudges — unless it
        // is missed first, at the end of the window.
        let windowEnd = d.engine.state.incidents[0].windowEnd
        for due in d.fired where due.key.hasSuffix("/due") {
            let nudged = keys.contains(due.key.replacingOccurrences(of: "/due", with: "/overdue3"))
            #expect(nudged || windowEnd - due.scheduled < 4 * 86_400, "\(due.key)")
        }
    }

    /// The clock jumps forward a day, then back an hour: nothing is sent twice, what the jump skipped
    /// goes at once (the latest of each occurrence, marked late), everything else on time.
    @Test(arguments: 0..<4) func clockJumpsNeverDoubleOrDropAReminder(_ which: Int) throws {
        let (zone, change, _) = Self.changes[which]
        var steady = try Self.daemon(zone, openedBefore: change)
        var jumping = steady
        let end = steady.wall + 45 * 86_400
        steady.run(until: end)

        let forwardAt = at(change + " 07:00", zone) - 86_400, forwardTo = forwardAt + 86_400
        let backAt = at(change + " 09:30", zone) + 3 * 86_400, backTo = backAt - 3600
        jumping.run(until: end, jumps: [(forwardAt, forwardTo), (backAt, backTo)])

        let keys = jumping.fired.map(\.key)
        #expect(Set(keys).count == keys.count, "a reminder went twice")
        #expect(Set(keys).union(jumping.covered) == Set(steady.fired.map(\.key)), "a reminder was dropped")
        for f in jumping.fired {
            if f.scheduled > forwardAt && f.scheduled <= forwardTo {
                #expect(f.at == forwardTo && f.late, "\(f.key) skipped by the jump goes at once, late")
            } else {
                #expect(f.at == f.scheduled && !f.late, "\(f.key) on time")
            }
        }
        #expect(jumping.fired.contains { $0.scheduled > forwardAt && $0.scheduled <= forwardTo })
        #expect(jumping.fired.contains { $0.scheduled > backTo && $0.scheduled <= backAt }, "the hour lived twice had reminders")
    }
}
