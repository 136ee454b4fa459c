import Foundation
import KeptCore
import KeptTestSupport
import Testing
@testable import KeptDaemon

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The daemon's real timer loop — `Daemon.build`'s services, over a manual clock that can be set —
/// across both daylight-saving changes in two zones, with the clock jumping a day forward and an
/// hour back: every reminder once, on time, and 09:00 stays 09:00.
@Suite(.serialized) struct DaemonClockTests {
    static let changes: [(zone: String, day: String)] = [
        ("America/New_York", "2026-11-01"), ("America/New_York", "2027-03-14"),
        ("Europe/Berlin", "2026-10-25"), ("Europe/Berlin", "2027-03-28"),
    ]

    struct Firing { var key: String; var scheduled: Instant; var at: Instant; var late: Bool }

    /// A daemon a few days before `day`, with an incident (playbook and check-ins) and promises
    /// due on the day, at 09:30 that day, and daily for twelve days.
    static func daemon(_ zone: Zone, before day: String) async throws -> (DaemonLoopTests.Running, Instant) {
        let date = try #require(LocalDate(iso: day))
        let opened = zone.instant(date, TimeOfDay(hour: 12, minute: 0)) - 5 * 86_400
        let r = try await DaemonLoopTests.start(zone: zone, now: opened)
        _ = try await r.keeper.perform { e, now throws(KeptError) in
            try Methods.IncidentOpen.decide(e, Params.Open(client: "Acme", title: "Wrong invoice", window: 30), now: now)
        }
        for p in [Params.Promise(incident: 1, text: "Call Dana", due: .text(day)),
                  Params.Promise(incident: 1, text: "Send the report", due: .text(day + "T09:30")),
                  Params.Promise(incident: 1, text: "Weekly numbers", every: Interval(1, .day), from: "+1d", until: "+12d")] {
            _ = try await r.keeper.perform { e, now throws(KeptError) in try Methods.PromiseAdd.decide(e, p, now: now) }
        }
        return (r, opened)
    }

    /// Moves the manual clock from deadline to deadline as the daemon arms them, until `end`;
    /// each jump sets the clock when its moment comes.
    static func run(_ r: DaemonLoopTests.Running, until end: Instant, jumps: [(at: Instant, to: Instant)] = []) async {
        var jumps = jumps
        for _ in 0..<5000 {
            let armings = r.timer.armings, deadline = r.timer.deadline
            if let jump = jumps.first, deadline.map({ $0 > jump.at }) ?? true, jump.at <= end {
                if jump.at > r.timer.now { r.timer.advance(to: jump.at) }
                jumps.removeFirst()
                r.timer.jump(to: jump.to)
                await DaemonLoopTests.settle("armed again after the clock was set") { r.timer.armings > armings }
                continue
            }
            guard let deadline, deadline <= end else { return }
            r.timer.advance(to: deadline)
            await DaemonLoopTests.settle("armed again after \(deadline)") { r.timer.armings > armings }
        }
        Issue.record("the loop did not reach \(end)")
    }

    /// Every reminder the daemon put in its outbox, as its journal has them.
    static func fired(_ r: DaemonLoopTests.Running) -> (fired: [Firing], covered: [String]) {
        var fired: [Firing] = [], covered: [String] = []
        for record in r.journal.records {
            guard case .enqueue(let entry, let cover) = record.change else { continue }
            fired.append(Firing(key: entry.key.description, scheduled: entry.reminder.scheduled, at: record.at, late: entry.reminder.late))
            covered += cover.map(\.description)
        }
        return (fired, covered)
    }

    @Test(arguments: 0..<4) func everyReminderFiresOnceOnTimeAcrossDST(_ which: Int) async throws {
        let (name, day) = Self.changes[which]
        let zone = try #require(Zone.named(name))
        let (r, opened) = try await Self.daemon(zone, before: day)
        await Self.run(r, until: opened + 45 * 86_400)
        let (fired, covered) = Self.fired(r)
        await r.stop()
        let keys = fired.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(covered.isEmpty)
        #expect(fired.allSatisfy { $0.at == $0.scheduled && !$0.late })
        // Lead and overdue reminders go at remind_at, 09:00 wherever the offset stands that day.
        let daily = fired.filter { $0.key.hasSuffix("/lead") || $0.key.contains("/overdue") }
        #expect(daily.count > 20)
        #expect(daily.allSatisfy { zone.local($0.scheduled).time == TimeOfDay(hour: 9, minute: 0) })
        let local = Set(daily.map { zone.date(of: $0.scheduled) })
        let date = try #require(LocalDate(iso: day))
        #expect(local.contains(date.adding(days: -1)) && local.contains(date) && local.contains(date.adding(days: 1)))
    }

    @Test(arguments: 0..<4) func clockJumpsNeverDoubleOrDropAReminder(_ which: Int) async throws {
        let (name, day) = Self.changes[which]
        let zone = try #require(Zone.named(name))
        let date = try #require(LocalDate(iso: day))
        let (steady, opened) = try await Self.daemon(zone, before: day)
        await Self.run(steady, until: opened + 45 * 86_400)
        let expected = Set(Self.fired(steady).fired.map(\.key))
        await steady.stop()

        let (jumping, _) = try await Self.daemon(zone, before: day)
        let forwardAt = zone.instant(date, TimeOfDay(hour: 7, minute: 0)) - 86_400, forwardTo = forwardAt + 86_400
        let backAt = zone.instant(date, TimeOfDay(hour: 9, minute: 30)) + 3 * 86_400, backTo = backAt - 3600
        await Self.run(jumping, until: opened + 45 * 86_400, jumps: [(forwardAt, forwardTo), (backAt, backTo)])
        let (fired, covered) = Self.fired(jumping)
        await jumping.stop()
        let keys = fired.map(\.key)
        #expect(Set(keys).count == keys.count, "a reminder went twice")
        #expect(Set(keys).union(covered) == expected, "a reminder was dropped")
        for f in fired {
            if f.scheduled > forwardAt && f.scheduled <= forwardTo {
                #expect(f.at == forwardTo && f.late, "\(f.key) skipped by the jump goes at once, late")
            } else {
                #expect(f.at == f.scheduled && !f.late, "\(f.key) on time")
            }
        }
        #expect(fired.contains { $0.scheduled > forwardAt && $0.scheduled <= forwardTo })
        #expect(fired.contains { $0.scheduled > backTo && $0.scheduled <= backAt }, "the hour lived twice had reminders")
    }
}
