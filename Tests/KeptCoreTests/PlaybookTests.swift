import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The follow-through playbook over an injected clock: window, steps, check-ins, reminders across
/// DST, warnings from both sides, drafts, the weekly digest and the calendar.
@Suite struct PlaybookTests {
    let t0 = at("2026-11-22 10:30", berlin)  // a Sunday

    func opened(_ zone: Zone = berlin, at now: Instant? = nil, config: Config = Config()) throws -> Engine {
        var e = engine(zone, config: config)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Invoice sent with the wrong amounts"), now: now ?? t0)
        return e
    }

    // MARK: Window, steps, check-ins

    @Test func theWindowCountsDaysFromNoticed() throws {
        let e = try opened()
        let incident = try #require(e.state.incident(1))
        #expect(incident.windowEnd == at("2027-02-20 10:30", berlin))
        #expect(e.summary(of: incident, now: t0).day == 1)
        #expect(e.summary(of: incident, now: t0 + 16 * 86_400).day == 17)
        #expect(e.summary(of: incident, now: t0 + 200 * 86_400).day == 90)
        // Days of the calendar, not 24-hour spans since the minute it was noticed.
        #expect(e.summary(of: incident, now: at("2026-11-22 23:59", berlin)).day == 1)
        #expect(e.summary(of: incident, now: at("2026-11-23 00:01", berlin)).day == 2)
        #expect(e.summary(of: incident, now: at("2026-12-02 00:30", berlin)).day == 11)
    }

    @Test func aReminderNamesTheSameDayAsKeptShow() throws {
        var e = try opened()  // Sunday 10:30
        // Due early on Monday, less than 24 hours after it was noticed: still day 2.
        let promised = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Call Dana", due: "2026-11-23T08:00"), now: t0)
        let item = promised.item.id
        let monday = at("2026-11-23 08:00", berlin)
        #expect(e.fire(at: monday).contains("\(item)#1/due"))
        let due = try #require(e.state.outbox.first { $0.key.description == "\(item)#1/due" })
        #expect(e.summary(of: try #require(e.state.incident(1)), now: monday).day == 2)
        #expect(due.reminder.body.contains("Window:    day 2 of 90"))
    }

    @Test func playbookStepsFollowTheConfiguredOffsets() throws {
        var config = Config()
        config.playbook.acknowledge = Interval(4, .hour)
        config.playbook.sharePlan = Interval(1, .week)
        let e = try opened(config: config)
        let dues = e.state.incident(1)!.items.prefix(5).map(\.due)
        #expect(dues == [.at(t0 + 4 * 3600), .at(at("2026-11-24 10:30", berlin)), .at(at("2026-11-25 10:30", berlin)),
                         .at(at("2026-11-29 10:30", berlin)), .at(at("2027-02-20 10:30", berlin))])
        #expect(try #require(e.state.incident(1)).items.prefix(5).allSatisfy { !($0.step?.hint ?? "").isEmpty })
    }

    @Test func checkinsAreWeeklyThenFortnightlyToTheWindowsEnd() throws {
        var config = Config()
        config.checkins.firstWeeks = 2
        config.checkins.thenEvery = Interval(3, .week)
        var e = engine(config: config)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "x", window: 60), now: t0)
        let checkins = e.state.incident(1)!.items.filter { $0.kind == .checkin }.map(\.due.description)
        #expect(checkins == ["2026-11-29", "2026-12-06", "2026-12-27", "2027-01-17"])
    }

    @Test func aCheckinWithinTheWeekCountsAsTheScheduledOne() throws {
        var e = try opened()
        // Day 4: check-in 1 (due day 7) is done early, and kept.
        let answer = try e.perform(Methods.CheckinLog.self, Params.Checkin(incident: 1, note: "called Dana"), now: t0 + 4 * 86_400)
        #expect(answer.message.contains("counts as 1.6"))
        #expect(e.occurrenceView(OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: t0 + 5 * 86_400)?.status == .kept)
        // Day 5 again: the next scheduled one is 9 days off, so this is a touchpoint only.
        let second = try e.perform(Methods.CheckinLog.self, Params.Checkin(incident: 1), now: t0 + 5 * 86_400)
        #expect(!second.message.contains("counts as"))
        #expect(e.state.incident(1)?.item(7)?.marks.isEmpty == true)
        #expect(try #require(e.state.incident(1)).timeline.count { $0.what == "checkin" } == 2)
    }

    /// Whether a check-in logged at `logged` counts as the first scheduled one (due a week after
    /// an incident opened at `opened`, at 09:00 that day), with keptd in `daemon`'s zone and the
    /// incident in `incident`'s.
    func countsAsScheduled(opened: String, logged: String, daemon: Zone = berlin, incident: Zone = berlin) throws -> Bool {
        var e = engine(daemon)
        let open = Params.Open(client: "Acme Corp", title: "Invoice sent with the wrong amounts", zone: incident.identifier)
        _ = try e.perform(Methods.IncidentOpen.self, open, now: at(opened, incident))
        let answer = try e.perform(Methods.CheckinLog.self, Params.Checkin(incident: 1), now: at(logged, incident))
        return answer.message.contains("counts as 1.6")
    }

    /// "Within the week" is seven days on the incident's calendar, as the agenda counts days: the
    /// check-in due a week on at 09:00 counts from 09:00 today, not a minute before.
    @Test func aCheckinCountsFromTheSameTimeOfDayAWeekAhead() throws {
        #expect(try !countsAsScheduled(opened: "2026-11-22 08:00", logged: "2026-11-22 08:59"))
        #expect(try countsAsScheduled(opened: "2026-11-22 08:00", logged: "2026-11-22 09:01"))
    }

    /// Across a change of clocks the week is still seven calendar days in the incident's zone —
    /// 167 hours in spring, 169 in autumn — whatever zone keptd runs in.
    @Test func aCheckinsWeekIsSevenCalendarDaysAcrossDaylightSaving() throws {
        // Spring (29 March 2026): 168 hours from 08:30 CET reach 09:30 CEST, past the check-in's 09:00.
        #expect(try !countsAsScheduled(opened: "2026-03-24 08:00", logged: "2026-03-24 08:30"))
        #expect(try !countsAsScheduled(opened: "2026-03-24 08:00", logged: "2026-03-24 08:30", daemon: utc))
        #expect(try countsAsScheduled(opened: "2026-03-24 08:00", logged: "2026-03-24 09:01", daemon: utc))
        // Autumn (25 October 2026): 168 hours from 09:30 CEST reach only 08:30 CET, short of 09:00.
        #expect(try countsAsScheduled(opened: "2026-10-20 08:00", logged: "2026-10-20 09:30"))
        #expect(try countsAsScheduled(opened: "2026-10-20 08:00", logged: "2026-10-20 09:30", daemon: newYork))
        #expect(try !countsAsScheduled(opened: "2026-10-20 08:00", logged: "2026-10-20 08:59", daemon: newYork))
    }

    @Test func doneBeforeTheIncidentWasNoticedIsRefusedByName() throws {
        var e = try opened()
        #expect(throws: KeptError.self) {
            try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1", at: "1999-01-01"), now: t0 + 3600)
        }
        #expect(e.state.incident(1)?.item(1)?.marks.isEmpty == true, "nothing changed")
        let answer = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1", at: "2026-11-22T10:45:00+01:00"), now: t0 + 3600)
        #expect(answer.message.contains("done"))
    }

    @Test func rootCauseRecordsSystemicOrJudgement() throws {
        var e = try opened()
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.3", note: "no second pair of eyes", cause: .systemic), now: t0 + 3600)
        #expect(e.state.incident(1)?.item(3)?.mark(1)?.cause == .systemic)
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemDone.self, Params.Done(item: "1.2", cause: .systemic), now: t0 + 3600) }
        var other = try opened()
        #expect(throws: KeptError.self) { try other.perform(Methods.ItemDone.self, json: #"{"item":"1.3","cause":"bad luck"}"#, now: t0 + 3600) }
        #expect(other.state.incident(1)?.item(3)?.marks.isEmpty == true)
    }

    // MARK: Reminders across DST

    /// A date-only promise due on the day of a DST change: the lead the day before, the due and the
    /// nudges all at 09:00 local — so the lead and the due are 23 or 25 hours apart.
    @Test(arguments: [
        ("America/New_York", "2026-03-08", 23), ("America/New_York", "2026-11-01", 25),
        ("Europe/Berlin", "2026-03-29", 23), ("Europe/Berlin", "2026-10-25", 25),
    ])
    func remindersKeepTheirLocalTimeAcrossDST(zoneName: String, dueDay: String, hours: Int) throws {
        let zone = try #require(Zone(identifier: zoneName))
        let created = zone.instant(date(dueDay).adding(days: -10), TimeOfDay(hour: 12, minute: 0))
        let rules = Rules(config: Config(), zone: zone)
        let due = Due.on(date(dueDay))
        let plan = rules.reminders(for: due, mark: nil, created: created, windowEnd: created + 90 * 86_400)
        #expect(plan.map(\.kind.description) == ["lead", "due", "overdue1", "overdue2", "overdue3"])
        for (offset, reminder) in zip(-1...3, plan) {
            let local = zone.local(reminder.at)
            #expect(local.date == date(dueDay).adding(days: offset))
            #expect(local.time == TimeOfDay(hour: 9, minute: 0))
        }
        let gaps = zip(plan.dropFirst(), plan).map { $0.at - $1.at }
        #expect(gaps.first == Int64(hours) * 3600, "the night of the change")
        #expect(gaps.dropFirst().allSatisfy { $0 == 86_400 })
    }

    @Test func aTimedDueAcrossDSTIsRemindedAtItsInstantAndNudgedAtNineLocal() throws {
        let rules = Rules(config: Config(), zone: newYork)
        let dueAt = at("2026-03-08 14:00", newYork)  // the day clocks go forward
        let plan = rules.reminders(for: .at(dueAt), mark: nil, created: dueAt - 10 * 86_400, windowEnd: dueAt + 90 * 86_400)
        #expect(plan.map(\.at) == [at("2026-03-07 09:00", newYork), dueAt, at("2026-03-09 09:00", newYork),
                                   at("2026-03-10 09:00", newYork), at("2026-03-11 09:00", newYork)])
    }

    // MARK: Warnings from both sides

    @Test func aLowFollowThroughRateWarnsBelowTheThresholdOnly() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", playbook: false), now: t0)
        // Five promises, due on five days; four kept, one missed: 80 % is not below 80 %.
        for n in 1...5 { _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p\(n)", due: "2026-11-2\(2 + n)"), now: t0) }
        for n in 1...4 { _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: n))), now: t0 + 3600) }
        let later = at("2026-12-10 10:00", berlin)
        let atEighty = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "another", due: "2026-12-20"), now: later)
        #expect(atEighty.warnings.contains { $0.code == "low-follow-through" } == false)
        // One more missed: below 80 %, and the next promise warns.
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "late one", due: "2026-12-11"), now: later)
        let muchLater = at("2026-12-25 10:00", berlin)
        let below = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "yet another", due: "2027-01-05"), now: muchLater)
        #expect(below.warnings.contains { $0.code == "low-follow-through" } == true)
    }

    @Test func theLedgerCountsEachOutcomeAndTheRate() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", playbook: false), now: t0)
        for (n, day) in ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2027-01-10"].enumerated() {
            _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "p\(n + 1)", due: .text(day)), now: t0)
        }
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: at("2026-11-23 18:00", berlin))        // kept
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.2"), now: at("2026-11-26 10:00", berlin))        // late
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: "1.4", reason: "Dana said no need"), now: t0)  // released
        let now = at("2026-12-10 12:00", berlin)                                                           // 1.3 missed, 1.5 upcoming
        let l = e.ledger(of: e.state.incident(1)!, now: now)
        // 1.4 was released before it was due: released, not due.
        #expect((l.due, l.kept, l.late, l.missed, l.released) == (3, 1, 1, 1, 1))
        #expect(l.rate == 1.0 / 3.0)
        // Per client, across incidents.
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Late delivery", playbook: false), now: now)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 2, text: "ship it", due: "2026-12-11"), now: now)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "2.1"), now: now + 60)
        let report = e.ledgerReport(client: "Acme Corp", now: now + 120)
        let client = try #require(report.clients.first)
        #expect((client.ledger.kept, client.ledger.late, client.ledger.missed) == (2, 1, 1))
        #expect(client.ledger.rate == 0.5)
    }

    @Test func occurrencesReleasedBeforeTheyWereDueAreNotCountedDue() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", playbook: false), now: t0)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "weekly numbers", every: "1w", until: "+12w"), now: t0)
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: "1.1", reason: "Dana wants them monthly"), now: t0 + 60)
        for now in [t0 + 120, t0 + 200 * 86_400] {
            let l = e.ledger(of: e.state.incident(1)!, now: now)
            #expect(l.due == 0 && l.released == 12, "\(l)")
            #expect(e.summary(of: try #require(e.state.incident(1)), now: now).ledger == l)
        }
    }

    @Test func theTimelineSaysWhichReminderWentOutInWords() {
        #expect(ReminderKey(parsing: "1.2#1/overdue3")?.spoken == "the third overdue nudge")
        #expect(ReminderKey(parsing: "1.2#1/lead")?.spoken == "the lead reminder")
        #expect(ReminderKey(parsing: "digest/2026-11-30")?.spoken == "the weekly digest")
    }

    @Test func aBackDatedItemsFirstReminderDoesNotBlameTheDaemon() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", noticed: "2026-11-12"), now: t0)
        let keys = e.fire(at: t0 + 60)
        #expect(!keys.isEmpty)
        for entry in e.state.outbox {
            #expect(!entry.reminder.body.contains("keptd was not running"), "\(entry.key)")
        }
    }

    // MARK: Drafts

    @Test func draftsKeepTheUsersWordsAndWriteToTheContact() throws {
        var e = engine()
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Initech", title: "Dana's report was late", contact: "Dana Scully"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1", note: "called Dana"), now: t0 + 3600)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.3", cause: .systemic), now: t0 + 7200)
        let p = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the report by 9:00 every Monday", every: "1w", until: "+4w"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: 14), occurrence: 1)), now: at("2026-11-30 08:00", berlin))
        _ = p
        let later = at("2026-12-01 10:00", berlin)
        for step in [1, 4, 6, 13] {
            let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: step), index: 1), now: later), "\(step)")
            #expect(draft.text.hasPrefix("Dear Dana,\n"), "\(draft.kind)")
            #expect(!draft.text.contains("dana's report"), "\(draft.kind): the title as the user wrote it")
            // What the client was promised and got, never kept's own instructions.
            for instruction in PlaybookStep.allCases.map(\.title) {
                #expect(!draft.text.contains(instruction), "\(draft.kind) lists \(instruction)")
            }
        }
        let progress = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: later))
        #expect(progress.text.contains("  - Send the report by 9:00 every Monday (done Monday 30 November)"), "\(progress.text)")
    }

    @Test func theApologyNamesTheIncidentAndTheOpenPromises() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-11-24"), now: t0)
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1), now: t0))
        #expect(draft.kind == "apology")
        #expect(draft.to == "Acme Corp")
        #expect(draft.text.hasPrefix("Dear Acme Corp,"))
        #expect(draft.text.contains("I made a mistake: Invoice sent with the wrong amounts. That is on me, and I am sorry."))
        #expect(draft.text.contains("  - Send the corrected invoice — by Tuesday 24 November"))
        #expect(draft.text.contains("What would help you feel confident in us again?"))
        #expect(!draft.text.lowercased().contains("but "), "no excuses in the template")
    }

    @Test func aProgressReportListsWhatWasKeptSinceTheLastCheckinAndWhatIsNext() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-11-24"), now: t0)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Call Dana", due: "2026-12-02T15:00"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.14"), now: at("2026-11-24 11:00", berlin))
        let now = at("2026-11-28 10:00", berlin)
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: now))
        #expect(draft.kind == "progress-report")
        // No update yet: the report counts from the mistake, and says so.
        #expect(draft.text.contains("Done since the mistake on Sunday 22 November:\n  - Send the corrected invoice (done Tuesday 24 November)"), "\(draft.text)")
        #expect(draft.text.contains("Coming next:\n  - Call Dana — by Wednesday 2 December at 15:00"))
        // The apology was the first update: the report counts from it.
        var apologized = e
        _ = try apologized.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: at("2026-11-23 09:00", berlin))
        let fromApology = try #require(apologized.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: now))
        #expect(fromApology.text.contains("Done since my last update on Monday 23 November:\n  - Send the corrected invoice"), "\(fromApology.text)")
        // After check-in 1 is done, the next report starts from it.
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.6"), now: now)
        let next = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 7), index: 1), now: now + 3600))
        #expect(next.text.contains("Done since my last update on Saturday 28 November:\n  - [nothing finished yet"))
    }

    @Test func promisesHaveNoDraftAndTheRequestSaysWhich() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "x", due: "2026-11-24"), now: t0)
        #expect(throws: KeptError.self) { try e.perform(Methods.ItemDraft.self, Params.Draft(item: "1.14"), now: t0) }
        let answer = try e.perform(Methods.ItemDraft.self, Params.Draft(item: "1.4"), now: t0)
        #expect(answer.kind == "plan")
    }

    @Test func theAcknowledgeReminderCarriesTheApology() throws {
        var e = try opened()
        let keys = e.fire(at: at("2026-11-23 10:30", berlin))
        #expect(keys.contains("1.1#1/due"))
        let entry = try #require(e.state.outbox.first { $0.key == "1.1#1/due" })
        #expect(entry.reminder.body.contains("A draft for Acme Corp (kept draft 1.1 prints it again):"))
        #expect(entry.reminder.body.contains("I made a mistake: Invoice sent with the wrong amounts."))
    }

    // MARK: Weekly digest

    @Test func theDigestGoesOutMondayAtNineOncePerWeek() throws {
        var e = try opened()
        #expect(e.nextDigest(now: t0) == at("2026-11-23 09:00", berlin))
        let monday = at("2026-11-23 09:00", berlin)
        #expect(e.fire(at: monday - 1).contains { $0.hasPrefix("digest/") } == false)
        #expect(e.fire(at: monday).contains("digest/2026-11-23"))
        #expect(e.fire(at: monday + 3600).contains { $0.hasPrefix("digest/") } == false)
        #expect(e.nextDigest(now: monday + 3600) == at("2026-11-30 09:00", berlin))
        let digest = try #require(e.state.outbox.first { $0.key == "digest/2026-11-23" })
        #expect(digest.reminder.kind == "digest")
        #expect(!digest.reminder.late)
        #expect(digest.reminder.subject == "kept weekly: 1 open incident, 5 due this week")
        // Noticed on Sunday, so Monday is day 2 (of the calendar, as `kept show` counts).
        #expect(digest.reminder.body.contains("#1 Acme Corp: Invoice sent with the wrong amounts — day 2 of 90"))
        #expect(digest.reminder.body.contains("1.1      Acknowledge"))
        #expect(digest.reminder.body.contains("This week"))
    }

    @Test func afterDowntimeOnlyTheLatestDigestGoesOutMarkedLate() throws {
        var e = try opened()
        let threeWeeksLater = at("2026-12-10 15:00", berlin)  // a Thursday; Mondays 23/11, 30/11, 7/12 passed
        let keys = e.fire(at: threeWeeksLater).filter { $0.hasPrefix("digest/") }
        #expect(keys == ["digest/2026-12-07"])
        #expect(e.state.outbox.first { $0.key == "digest/2026-12-07" }?.reminder.late == true)
        #expect(e.fire(at: threeWeeksLater + 60).filter { $0.hasPrefix("digest/") }.isEmpty)
    }

    @Test func noDigestWithoutAnOpenIncidentOrWhenDisabled() throws {
        var off = Config()
        off.digest.enabled = false
        var e = try opened(config: off)
        #expect(e.nextDigest(now: t0) == nil)
        #expect(e.fire(at: at("2026-11-23 09:00", berlin)).allSatisfy { !$0.hasPrefix("digest/") })
        var none = engine()
        #expect(none.nextDigest(now: t0) == nil)
        #expect(none.fire(at: at("2026-11-23 09:00", berlin)).isEmpty)
    }

    @Test func theDigestDayAndTimeComeFromTheConfig() throws {
        var config = Config()
        config.digest.weekday = 5
        config.remindAt = TimeOfDay(hour: 8, minute: 15)
        let e = try opened(config: config)
        #expect(e.nextDigest(now: t0) == at("2026-11-27 08:15", berlin))
    }

    // MARK: Calendar

    @Test func aReleasedDueIsACancelledEventAndAClosedIncidentsDuesAreCancelled() throws {
        var e = try opened()
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: "1.4", reason: "Dana asked for a call instead"), now: t0 + 60)
        var ics = e.calendar(now: t0 + 120)
        let released = try #require(ics.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:1.4.1.") })
        #expect(released.contains("STATUS:CANCELLED") && released.contains("SEQUENCE:1") && released.contains("Released: Dana asked"))
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 1, outcome: .recovered), now: t0 + 180)
        ics = e.calendar(now: t0 + 240)
        let events = ics.components(separatedBy: "BEGIN:VEVENT").dropFirst()
        #expect(events.count == 13)
        #expect(events.allSatisfy { $0.contains("STATUS:CANCELLED") && $0.contains("SEQUENCE:1") })
    }

    @Test func theCalendarHasEveryFutureOpenDueWithStableUIDs() throws {
        var e = try opened()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send it; with notes, today\nplease", due: "2026-11-24T14:00"), now: t0)
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.2"), now: t0 + 60)
        let ics = e.calendar(now: t0 + 120)
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        #expect(ics.components(separatedBy: "BEGIN:VEVENT").count - 1 == 14, "14 items, 1.2 done but still shown")
        // Done, it keeps its UID, says so, and its SEQUENCE is raised for the calendar to update its copy.
        let done = try #require(ics.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:1.2.1.") })
        #expect(done.contains("SEQUENCE:1\r\n") && done.contains("SUMMARY:Done: 1.2 ") && done.contains("STATUS:CONFIRMED"))
        #expect(ics.contains("UID:1.3.1.teststore@kept\r\nDTSTAMP:") && ics.contains("SEQUENCE:0\r\n"))
        #expect(ics.contains("UID:1.14.1.teststore@kept"))
        #expect(ics.contains("DTSTART:20261124T130000Z"))
        #expect(ics.contains("DTSTART;VALUE=DATE:20261129\r\nDTEND;VALUE=DATE:20261130"))
        #expect(ics.contains("Send it\\; with notes\\, today\\nplease"))
        for line in ics.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
        #expect(e.calendar(now: t0 + 180).components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
                == ics.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") })
    }
}
