import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

@Suite struct EngineTests {
    let t0 = at("2026-11-22 10:30", berlin)

    func opened() throws -> Engine {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Wrong invoice"), now: t0)
        return e
    }

    @Test func openCreatesThePlaybookThenTheCheckins() throws {
        let e = try opened()
        let items = try #require(e.state.incident(1)).items
        #expect(items.prefix(5).map(\.step) == [.acknowledge, .understandImpact, .rootCause, .sharePlan, .review])
        #expect(items[0].due == .at(at("2026-11-23 10:30", berlin)))
        #expect(items[4].due == .at(try #require(e.state.incident(1)).windowEnd))
        let checkins = items.filter { $0.kind == .checkin }.map { $0.due.description }
        #expect(checkins == ["2026-11-29", "2026-12-06", "2026-12-13", "2026-12-20", "2027-01-03", "2027-01-17", "2027-01-31", "2027-02-14"])
    }

    @Test func anItemIsShownWithEveryOccurrenceAndAnUnknownOneIsNamed() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "weekly figures", every: Interval(1, .week), until: "2026-12-20"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.14#1", note: "sent"), now: t0 + 7 * 86_400)
        let shown = try e.perform(Methods.ItemShow.self, Params.OneItem(item: "1.14#2"), now: t0 + 8 * 86_400)
        #expect(shown.id == "1.14" && shown.text == "weekly figures" && shown.every == "1w")
        #expect(shown.occurrences.map(\.id) == ["1.14#1", "1.14#2", "1.14#3", "1.14#4"])
        #expect(shown.occurrences.first?.note == "sent" && shown.occurrences.first?.status == .kept)
        #expect(shown.occurrences.dropFirst().allSatisfy { $0.status == .upcoming })
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemShow.self, Params.OneItem(item: "1.99"), now: t0) }
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemShow.self, Params.OneItem(item: "7.1"), now: t0) }
    }

    @Test func noPlaybookMeansNoItems() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "x", playbook: false), now: t0)
        #expect(e.state.incident(1)?.items.isEmpty == true)
        #expect(e.nextDeadline() == nil)
    }

    @Test func theTimerIsArmedForTheEarliestReminder() throws {
        var e = try opened()
        // The acknowledge lead reminder would be 2026-11-22 09:00, before the incident existed;
        // the first is understand-impact's lead, the day before it is due.
        #expect(e.nextDeadline() == at("2026-11-23 09:00", berlin))
        #expect(e.nextReminder()?.key == "1.2#1/lead")
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "+90s"), now: t0)
        #expect(e.nextDeadline() == t0 + 90)
        #expect(e.nextReminder()?.key == "1.14#1/due")
    }

    @Test func aDueReminderFiresOnceAndTheNextIsArmed() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "+90s"), now: t0)
        #expect(e.fire(at: t0 + 89).isEmpty)
        #expect(e.fire(at: t0 + 90) == ["1.14#1/due"])
        #expect(e.fire(at: t0 + 91).isEmpty)
        #expect(e.state.outbox.map(\.key) == ["1.14#1/due"])
        #expect(e.nextReminder()?.key == "1.2#1/lead")
    }

    @Test func doneStopsReminders() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "+90s"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.14"), now: t0 + 10)
        #expect(e.fire(at: t0 + 90).isEmpty)
    }

    @Test func snoozeKeepsTheDueTime() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "+90s"), now: t0)
        _ = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.14", duration: "1h"), now: t0 + 10)
        #expect(e.state.item(ItemID(incident: 1, number: 14))?.due == .at(t0 + 90))
        #expect(e.fire(at: t0 + 90).isEmpty)
        #expect(e.fire(at: t0 + 10 + 3600) == ["1.14#1/snooze1"])
    }

    @Test func aRestartAfterDowntimeSendsOneLateReminderPerOccurrence() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "+90s"), now: t0)
        // Two days later: due and two nudges passed; one reminder, marked late, covers them.
        let later = at("2026-11-24 12:00", berlin)
        let keys = e.fire(at: later)
        #expect(keys.contains("1.14#1/overdue2"))
        #expect(!keys.contains("1.14#1/due"))
        let entry = e.state.outbox.first { $0.key == "1.14#1/overdue2" }!
        #expect(entry.reminder.late)
        #expect(entry.message.contains("X-Kept-Late: yes"))
        #expect(e.fire(at: later).isEmpty)
        // Restarting rebuilds the queue from the store: nothing goes out again.
        var restarted = Engine(state: e.state, rules: e.rules, channels: [.maildir])
        #expect(restarted.fire(at: later + 60).isEmpty)
    }

    @Test func apologizeOnce() throws {
        var e = try opened()
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: t0 + 600)
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: t0 + 700) }
        do { _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: t0 + 700) } catch {
            #expect(error.kind == .refused)
            #expect(error.message.contains("apologize once"))
        }
    }

    @Test func unknownIdsAreNotFound() throws {
        var e = try opened()
        let attempts: [(String, (inout Engine) throws(KeptError) -> Void)] = [
            ("done 1.99", { e throws(KeptError) in _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.99"), now: t0) }),
            ("show 7", { e throws(KeptError) in _ = try e.perform(Methods.IncidentShow.self, Params.Incident(incident: 7), now: t0) }),
            ("promise 9", { e throws(KeptError) in
                _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 9, text: "x", due: "+1d"), now: t0) }),
        ]
        for (what, attempt) in attempts {
            do throws(KeptError) { try attempt(&e); Issue.record("accepted \(what)") } catch {
                #expect(error.kind == .notFound, "\(what): \(error.message)")
            }
        }
    }

    @Test func badParamsChangeNothing() throws {
        var e = try opened()
        let before = e.state
        let cases: [(String, (inout Engine) throws(KeptError) -> Void)] = [
            (#"{"incident":"one","text":"x","due":"+1d"}"#, { e throws(KeptError) in _ = try e.perform(Methods.PromiseAdd.self, json: #"{"incident":"one","text":"x","due":"+1d"}"#, now: t0) }),
            (#"due someday"#, { e throws(KeptError) in _ = try e.perform(Methods.PromiseAdd.self, json: #"{"incident":1,"text":"x","due":"someday"}"#, now: t0) }),
            (#"neither due nor every"#, { e throws(KeptError) in _ = try e.perform(Methods.PromiseAdd.self, json: #"{"incident":1,"text":"x"}"#, now: t0) }),
            (#"blank text"#, { e throws(KeptError) in _ = try e.perform(Methods.PromiseAdd.self, json: #"{"incident":1,"text":"  ","due":"+1d"}"#, now: t0) }),
            (#"every 3x"#, { e throws(KeptError) in _ = try e.perform(Methods.PromiseAdd.self, json: #"{"incident":1,"text":"x","every":"3x"}"#, now: t0) }),
            (#"item abc"#, { e throws(KeptError) in _ = try e.perform(Methods.ItemDone.self, json: #"{"item":"abc"}"#, now: t0) }),
            (#"misspelt note"#, { e throws(KeptError) in _ = try e.perform(Methods.ItemDone.self, json: #"{"item":"1.2","nots":"called"}"#, now: t0) }),
            (#"cause bad luck"#, { e throws(KeptError) in _ = try e.perform(Methods.ItemDone.self, json: #"{"item":"1.3","cause":"bad luck"}"#, now: t0) }),
            (#"params an array"#, { e throws(KeptError) in _ = try e.perform(Methods.IncidentOpen.self, json: #"[1,2]"#, now: t0) }),
            (#"outcome maybe"#, { e throws(KeptError) in _ = try e.perform(Methods.IncidentClose.self, json: #"{"incident":1,"outcome":"maybe"}"#, now: t0) }),
            (#"days -1"#, { e throws(KeptError) in _ = try e.perform(Methods.Agenda.self, json: #"{"days":-1}"#, now: t0) }),
        ]
        for (what, attempt) in cases {
            do throws(KeptError) { try attempt(&e); Issue.record("accepted \(what)") } catch {
                #expect(error.kind == .invalid, "\(what): \(error.message)")
            }
        }
        #expect(e.state == before)
    }

    @Test func aDueThatHasPassedIsRefusedUnlessMeant() throws {
        var e = try opened()
        do {
            _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "typo in the year", due: "2020-12-04"), now: t0)
            Issue.record("a due in 2020 was accepted")
        } catch {
            #expect(error.field == "due" && error.remedy == "allowPast", "\(error)")
            #expect(error.message.contains("has passed"))
        }
        let late = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "recorded late", due: "2026-11-21", allowPast: true), now: t0)
        #expect(late.item.text == "recorded late")
        // Today is not the past.
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "today", due: "today"), now: t0)
    }

    @Test func aDueOrSnoozePastTheWindowIsWarnedAbout() throws {
        var e = try opened()
        let far = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "far off", due: "2027-06-01"), now: t0)
        #expect(far.warnings.map(\.code).contains("past-window"))
        let near = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "soon", due: "+2d"), now: t0)
        #expect(!near.warnings.map(\.code).contains("past-window"))
        let snoozed = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.2", until: "2027-06-01"), now: t0)
        #expect(snoozed.warnings.map(\.code) == ["past-window"])
    }

    /// A time the store could not write with four digits, and so not read back, is refused by
    /// every door before anything changes: text, a duration, a phone's exact time.
    @Test func aTimePastTheYear9999IsRefusedAndNothingChanges() throws {
        var e = try opened()
        let before = e.state
        let beyond = Instant(seconds: 253_402_300_800)  // 10000-01-01T00:00:00Z
        #expect(throws: KeptError.self) { try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "far", due: "+1000000w"), now: t0) }
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.2", duration: "1000000w"), now: t0) }
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.2", until: .exact(.at(beyond))), now: t0) }
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemDone.self, Params.Done(item: "1.2", at: .exact(.at(beyond))), now: t0) }
        #expect(e.state == before)
        do {
            _ = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.2", duration: "1000000w"), now: t0)
        } catch {
            #expect(error.field == "duration")
            #expect(error.message.hasSuffix("a date must fall in the years 0000 to 9999"))
        }
    }

    @Test func anUnknownParameterIsRefusedByName() throws {
        var e = try opened()
        do {
            _ = try e.perform(Methods.ItemDone.self, json: #"{"item":"1.2","nots":"called"}"#, now: t0)
            Issue.record("a misspelt note was accepted")
        } catch {
            #expect(error.field == "nots")
            #expect(error.message == #"unknown parameter "nots" for item.done"#)
        }
        #expect(e.state.incident(1)?.item(2)?.marks.isEmpty == true)
    }

    @Test func closingReleasesWhatIsOpenAndStopsReminders() throws {
        var e = try opened()
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 1, outcome: .recovered), now: t0 + 60)
        #expect(e.nextDeadline() == nil)
        let summary = e.summary(of: e.state.incident(1)!, now: t0 + 120)
        #expect(summary.ledger.released == 13)
        #expect(throws: KeptError.self) {
            try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "x", due: "+1d"), now: t0 + 120)
        }
    }

    @Test func recurringPromiseDoneTakesTheEarliestOpenOccurrence() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "weekly report", every: "1w", until: "2026-12-31"), now: t0)
        let item = try #require(e.state.item(ItemID(incident: 1, number: 14)))
        #expect(e.rules.occurrences(of: item).first == .on(date("2026-11-29")))
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.14"), now: t0 + 60)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.14"), now: t0 + 120)
        let marks = try #require(e.state.item(ItemID(incident: 1, number: 14))).marks
        #expect(marks.map(\.occurrence) == [1, 2])
    }

    /// The opened incident with a daily promise to the end of January: its first `done`
    /// occurrences done ahead of their due, occurrence `released` released.
    func withADailyPromise(done: Int, released: Int) throws -> Engine {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "daily note", every: "1d", until: "2027-01-31"), now: t0)
        let daily = try #require(e.state.incident(1)?.items.last?.number)
        for _ in 1...done { _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(parsing: "1.\(daily)")), now: t0 + 60) }
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: ItemRef(parsing: "1.\(daily)#\(released)"), reason: "client away"), now: t0 + 60)
        return e
    }

    @Test func theLedgerCountsWhatFellDueAndWhatWasSettledAheadOfItsDue() throws {
        // Twelve done ahead of their due (more marks than are searched one by one), one released
        // ahead of its due, one snoozed.
        var e = try withADailyPromise(done: 12, released: 20)
        _ = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.2", duration: "2d"), now: t0 + 60)
        let incident = try #require(e.state.incident(1))
        #expect(e.ledger(of: incident, now: t0 + 120).kept == 12, "done ahead of their due, counted at once")
        // The summary walks every occurrence: the ledger, which reads only what is due and the
        // marks, must agree with it at every point of the window.
        for days in [0, 1, 5, 13, 19, 25, 40, 70, 100] {
            let now = t0 + Int64(days) * 86_400 + 120
            #expect(e.ledger(of: incident, now: now) == e.summary(of: incident, now: now).ledger, "day \(days)")
        }
    }

    @Test func oneOccurrenceIsTheSameAsItIsAmongAllOfItsItems() throws {
        let e = try withADailyPromise(done: 10, released: 14)
        let incident = try #require(e.state.incident(1))
        let item = try #require(incident.items.last)
        let all = e.occurrences(of: item, in: incident)
        #expect(all.count > 50 && all.filter { $0.mark != nil }.count == 11)
        for (i, o) in all.enumerated() {
            let one = try #require(e.occurrence(i + 1, of: item, in: incident))
            #expect(one.id == o.id && one.due == o.due && one.mark == o.mark && one.times == o.times, "#\(i + 1)")
        }
        #expect(e.occurrence(0, of: item, in: incident) == nil && e.occurrence(all.count + 1, of: item, in: incident) == nil)
    }

    @Test func aRecurringPromisesNextReminderIsTheEarliestOfAllItsOccurrences() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "daily note", every: "1d", until: "2027-02-10"), now: t0)
        let number = try #require(e.state.incident(1)?.items.last?.number)
        let id = ItemID(incident: 1, number: number)
        // Every reminder of every occurrence, the earliest not yet handled: what the item's next must be.
        func earliest(_ e: Engine) throws -> Instant? {
            let incident = try #require(e.state.incident(1))
            let item = try #require(incident.item(number))
            let rules = e.rules.for(item, in: incident)
            return rules.occurrences(of: item).enumerated().compactMap { i, due in
                rules.pending(for: due, mark: item.mark(i + 1), created: item.created, windowEnd: incident.windowEnd).first?.at
            }.min()
        }
        #expect(e.nextReminder(for: id)?.at == (try earliest(e)))
        // The first three done, and an occurrence six weeks out snoozed to tomorrow: its snooze comes first.
        for _ in 1...3 { _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(parsing: "1.\(number)")), now: t0 + 60) }
        _ = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: ItemRef(parsing: "1.\(number)#42"), duration: "1d"), now: t0 + 120)
        let next = try #require(e.nextReminder(for: id))
        #expect(next.at == (try earliest(e)))
        #expect(next.at == t0 + 120 + 86_400)
        #expect(next.key.description.hasPrefix("1.\(number)#42/"))
    }

    @Test func overPromisingWarnsPastThreeInAWeek() throws {
        var e = try opened()
        for n in 1...3 {
            let r = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p\(n)", due: "2026-12-0\(n)"), now: t0)
            #expect(r.warnings.isEmpty)
        }
        let r = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p4", due: "2026-12-04"), now: t0)
        #expect(r.warnings.map(\.code) == ["over-promising"])
    }

    @Test func fourPromisesSpreadOverMoreThanSevenDaysAreNotOverPromising() throws {
        var e = try opened()
        // Due at the same hour on the 1st, 2nd, 3rd and 8th: no 7-day span holds more than three.
        for day in ["01", "02", "03", "08"] {
            let r = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p\(day)", due: "2026-12-\(day)T10:00"), now: t0)
            #expect(r.warnings.isEmpty, "due on the \(day)th")
        }
        // One more on the 7th puts four in the span from the 1st (and from the 2nd, and the 3rd).
        let r = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p07", due: "2026-12-07T10:00"), now: t0)
        #expect(r.warnings.map(\.code) == ["over-promising"])
    }

    @Test func aRepeatBreachIsJudgedUpToTheWindowsEnd() throws {
        // Noticed at 10:30 on 22 November with a 90-day window: it ends at 10:30 on 20 February.
        var e = try opened()
        #expect(e.state.incident(1)?.windowEnd == at("2027-02-20 10:30", berlin))
        let later = at("2027-02-21 09:00", berlin)
        let inside = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "acme", title: "Again", noticed: "2027-02-20T10:30"), now: later)
        #expect(inside.warnings.map(\.code) == ["repeat-breach"], "the client's name is matched without case")
        var f = try opened()
        let after = try f.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Much later", noticed: "2027-02-20T10:31"), now: later)
        #expect(after.warnings.isEmpty)
    }

    @Test func repeatBreachWarns() throws {
        var e = try opened()
        let r = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "ACME", title: "Again"), now: t0 + 86_400)
        #expect(r.warnings.map(\.code) == ["repeat-breach"])
        let other = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Globex", title: "First"), now: t0 + 86_400)
        #expect(other.warnings.isEmpty)
    }
}

@Suite struct RebuildQueueTests {
    @Test(arguments: [2, 3, 16])
    func runsOnSeveralThreadsComeToTheSameQueue(threads: Int) throws {
        var e = engine()
        let t0 = at("2026-11-22 10:30", berlin)
        for n in 1...12 {
            _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "C\(n)", title: "T\(n)", playbook: n % 3 != 0), now: t0 + Int64(n) * 3600)
            _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: n, text: "weekly", every: "1w"), now: t0)
        }
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 4, outcome: .recovered), now: t0)
        var serial = e, parallel = e
        serial.rebuildQueue(threads: 1)
        parallel.rebuildQueue(threads: threads)
        #expect(parallel.timesCache == serial.timesCache)
        #expect(!serial.timesCache.isEmpty)
        // The same reminders fall due, in the same order, over the next three months.
        var a: [String] = [], b: [String] = []
        for day in stride(from: Int64(0), through: 90, by: 1) {
            a += serial.fire(at: t0 + day * 86_400)
            b += parallel.fire(at: t0 + day * 86_400)
        }
        #expect(a == b)
        #expect(a.count > 100)
    }
}
