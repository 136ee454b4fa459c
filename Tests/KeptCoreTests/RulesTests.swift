import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

@Suite struct RulesTests {
    let rules = Rules(config: Config(), zone: berlin)
    let windowEnd = at("2027-03-01 09:00", berlin)
    let created = at("2026-11-01 10:00", berlin)

    func item(_ due: Due, every: Interval? = nil, until: Due? = nil) -> Item {
        Item(number: 1, kind: .promise, text: "report", created: created, due: due, every: every, until: until)
    }

    @Test func weeklyPromiseRunsUntilItsLastDay() {
        let dues = rules.occurrences(of: item(.on(date("2026-11-02")), every: Interval(1, .week), until: .on(date("2026-11-30"))))
        #expect(dues == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"].map { .on(date($0)) })
    }

    @Test func dailyTimedPromiseKeepsItsLocalTimeAcrossDST() {
        let dues = rules.occurrences(of: item(.at(at("2026-10-24 17:00", berlin)), every: Interval(1, .day), until: .on(date("2026-10-26"))))
        #expect(dues.map { berlin.format($0.instant(in: berlin, remindAt: rules.config.remindAt)) }
            == ["2026-10-24 17:00", "2026-10-25 17:00", "2026-10-26 17:00"])
    }

    @Test func hourlyIntervalsAreExact() {
        let start = at("2026-10-25 01:00", berlin)
        let dues = rules.occurrences(of: item(.at(start), every: Interval(1, .hour), until: .at(start + 3 * 3600)))
        #expect(dues == (0...3).map { .at(start + Int64($0) * 3600) })
    }

    @Test func recurrenceIsCapped() {
        let dues = rules.occurrences(of: item(.at(created), every: Interval(1, .second), until: .at(created + 1_000_000)))
        #expect(dues.count == Rules.maxOccurrences)
    }

    // MARK: outcomes at their boundaries

    @Test func doneByTheLastSecondOfTheDueDayIsKept() {
        let due = Due.at(at("2026-12-05 14:00", berlin))
        var mark = Mark(occurrence: 1)
        mark.done = at("2026-12-05 23:59", berlin) + 59
        #expect(rules.status(of: due, mark: mark, windowEnd: windowEnd, now: mark.done!) == .kept(mark.done!))
        mark.done = mark.done! + 1
        #expect(rules.status(of: due, mark: mark, windowEnd: windowEnd, now: mark.done!) == .late(mark.done!))
    }

    @Test func notDoneSevenDaysAfterDueIsMissed() {
        let due = Due.on(date("2026-12-05"))  // due 09:00 that day
        let missed = at("2026-12-12 09:00", berlin)
        #expect(rules.status(of: due, mark: nil, windowEnd: windowEnd, now: missed - 1) == .overdue)
        #expect(rules.status(of: due, mark: nil, windowEnd: windowEnd, now: missed) == .missed)
        #expect(rules.status(of: due, mark: nil, windowEnd: windowEnd, now: at("2026-12-05 08:59", berlin)) == .upcoming)
    }

    @Test func theWindowsEndCutsMissedShort() {
        let due = Due.on(date("2027-02-27"))
        #expect(rules.missedAt(due, windowEnd: windowEnd) == windowEnd)
    }

    @Test func releasedIsReleased() {
        var mark = Mark(occurrence: 1)
        mark.released = "moved to January"
        #expect(rules.status(of: .on(date("2026-12-05")), mark: mark, windowEnd: windowEnd, now: windowEnd) == .released("moved to January"))
    }

    // MARK: reminders

    @Test func leadDueAndThreeOverdueNudges() {
        let plan = rules.reminders(for: .at(at("2026-12-05 14:00", berlin)), mark: nil, created: created, windowEnd: windowEnd)
        #expect(plan.map(\.kind.description) == ["lead", "due", "overdue1", "overdue2", "overdue3"])
        #expect(plan.map { berlin.format($0.at) }
            == ["2026-12-04 09:00", "2026-12-05 14:00", "2026-12-06 09:00", "2026-12-07 09:00", "2026-12-08 09:00"])
    }

    @Test(arguments: ["America/New_York", "Europe/Berlin"])
    func remindersStayAtNineLocalAcrossBothChanges(_ zoneID: String) throws {
        let zone = try #require(Zone(identifier: zoneID))
        let rules = Rules(config: Config(), zone: zone)
        for day in ["2026-03-08", "2026-03-29", "2026-11-01", "2026-10-25"] {
            let plan = rules.reminders(for: .on(date(day)), mark: nil, created: at("2026-01-01 00:00", zone), windowEnd: at("2027-01-01 00:00", zone))
            #expect(plan.allSatisfy { zone.local($0.at).time == TimeOfDay(hour: 9, minute: 0) })
            #expect(Set(plan.map(\.at)).count == plan.count)
        }
    }

    @Test func noLeadReminderForSomethingJustWrittenDown() {
        let now = at("2026-12-05 10:00", berlin)
        let plan = rules.reminders(for: .at(now + 2), mark: nil, created: now, windowEnd: windowEnd)
        #expect(plan.first?.kind == .due)
    }

    @Test func snoozeMovesTheReminderNotTheDueTime() {
        let due = Due.at(at("2026-12-05 14:00", berlin))
        var mark = Mark(occurrence: 1)
        mark.snoozes = [Snooze(at: at("2026-12-05 13:00", berlin), until: at("2026-12-06 18:00", berlin))]
        let plan = rules.reminders(for: due, mark: mark, created: created, windowEnd: windowEnd)
        #expect(plan.map(\.kind.description) == ["lead", "snooze1", "overdue2", "overdue3"])  // due and overdue1 held back
        #expect(plan.first { $0.kind == .snooze(1) }?.at == at("2026-12-06 18:00", berlin))
        // The due time is untouched: done after the grace is still late.
        mark.done = at("2026-12-06 18:05", berlin)
        #expect(rules.status(of: due, mark: mark, windowEnd: windowEnd, now: mark.done!) == .late(mark.done!))
    }

    @Test func passedRemindersCollapseIntoTheLatest() {
        let due = Due.at(at("2026-12-05 14:00", berlin))
        let firing = rules.firing(for: due, mark: nil, created: created, windowEnd: windowEnd, now: at("2026-12-07 12:00", berlin))
        #expect(firing?.send.kind == .overdue(2))
        #expect(firing?.covered.map(\.kind) == [.lead, .due, .overdue(1)])
    }

    @Test func handledRemindersAreNotPending() {
        var mark = Mark(occurrence: 1)
        mark.reminded = ["lead", "due"]
        let pending = rules.pending(for: .at(at("2026-12-05 14:00", berlin)), mark: mark, created: created, windowEnd: windowEnd)
        #expect(pending.map(\.kind) == [.overdue(1), .overdue(2), .overdue(3)])
    }

    @Test func resolvedOccurrencesGetNoReminders() {
        var mark = Mark(occurrence: 1)
        mark.done = created
        #expect(rules.reminders(for: .on(date("2026-12-05")), mark: mark, created: created, windowEnd: windowEnd).isEmpty)
    }

    @Test func aFailedDeliveryWaitsLongerEachTimeUpToTheCap() {
        var retry = Config.Retry()
        retry.firstSeconds = 30
        retry.capSeconds = 3600
        #expect((1...9).map { retry.delay(afterAttempts: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(retry.delay(afterAttempts: 0) == 30)
        #expect(retry.delay(afterAttempts: 10_000) == 3600, "no overflow however many attempts")
    }
}
