import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The tasks kept keeps on a CalDAV calendar, and what a phone's change to one means: pure, over
/// an injected clock.
@Suite struct CalendarTaskTests {
    static let t0 = at("2026-12-01 10:00", berlin)

    static func opened() throws -> Engine {
        var e = engine(berlin)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme, Inc.", title: "Wrong invoice", noticed: "2026-12-01T09:00:00+01:00", playbook: false), now: t0)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-12-03T14:00:00+01:00"), now: t0)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Call Dana", due: "2026-12-04"), now: t0)
        return e
    }

    func task(_ e: Engine, _ uid: String, now: Instant = t0, published: [String: CalendarState.Published] = [:]) throws -> CalendarTask {
        try #require(e.calendarTasks(now: now, published: published).first { $0.uid == uid })
    }

    @Test func eachOpenDueIsATaskUnderItsIncident() throws {
        let e = try Self.opened()
        let tasks = e.calendarTasks(now: Self.t0, published: [:])
        #expect(tasks.map(\.uid) == ["kept-1-teststore@kept", "kept-1.1.1-teststore@kept", "kept-1.2.1-teststore@kept"])
        let invoice = tasks[1]
        #expect(invoice.parent == "kept-1-teststore@kept")
        #expect(invoice.categories == ["Acme, Inc.", "kept"])
        #expect(invoice.owned.summary == "1.1 Send the corrected invoice (Acme, Inc.)")
        #expect(invoice.owned.due == "2026-12-03T13:00:00Z" && invoice.owned.zone == "Europe/Berlin")
        #expect(invoice.owned.description.contains("kept done 1.1"))
        #expect(invoice.owned.description.contains(PlaybookHint.promise))
        #expect(tasks[2].owned.due == "2026-12-04" && tasks[2].owned.zone == nil)
        #expect(invoice.fileName == "kept-1.1.1-teststore-kept.ics")
    }

    @Test func aTaskLeavesOutWhatICalendarCannotCarryAndKeepsEveryOtherCharacter() {
        #expect(Engine.calendarText("Call Dana — café ☕️, Zürich") == "Call Dana — café ☕️, Zürich")
        #expect(Engine.calendarText("line one\nline two") == "line one\nline two")
        #expect(Engine.calendarText("a\tb\r\nc\u{0}d\u{7F}e\u{1B}[31mf") == "ab\ncde[31mf")
        // A C1 control is two bytes in UTF-8, and iCalendar carries it: it stays.
        #expect(Engine.calendarText("é\u{85}ü") == "é\u{85}ü")
    }

    @Test func theICalendarHasItsZoneTheDateAndNoAlarmByDefault() throws {
        let e = try Self.opened()
        let ics = try task(e, "kept-1.1.1-teststore@kept").ics(sequence: 2, stamp: Self.t0)
        #expect(ics.contains("\r\nDUE;TZID=Europe/Berlin:20261203T140000\r\n"))
        #expect(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"))
        #expect(ics.contains("TZOFFSETTO:+0200") && ics.contains("TZOFFSETTO:+0100"))
        #expect(ics.contains("\r\nSEQUENCE:2\r\n") && ics.contains("\r\nSTATUS:NEEDS-ACTION\r\n"))
        #expect(ics.contains("\r\nCATEGORIES:Acme\\, Inc.,kept\r\n"))
        #expect(ics.contains("\r\nRELATED-TO;RELTYPE=PARENT:kept-1-teststore@kept\r\n"))
        #expect(!ics.contains("VALARM"))
        #expect(ics.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let date = try task(e, "kept-1.2.1-teststore@kept").ics(sequence: 0, stamp: Self.t0)
        #expect(date.contains("\r\nDUE;VALUE=DATE:20261204\r\n") && !date.contains("VTIMEZONE"))

        var config = Config()
        config.calendar.alarmMinutes = 30
        var alarmed = try Self.opened()
        alarmed.rules.config = config
        let withAlarm = try task(alarmed, "kept-1.1.1-teststore@kept").ics(sequence: 0, stamp: Self.t0)
        #expect(withAlarm.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\n") && withAlarm.contains("TRIGGER;RELATED=END:-PT30M"))
    }

    @Test func whatKeptWritesReadsBackAsWhatKeptOwns() throws {
        let e = try Self.opened()
        for t in e.calendarTasks(now: Self.t0, published: [:]) {
            let server = try #require(VTodo(ics: t.ics(sequence: 0, stamp: Self.t0)))
            #expect(server.uid == t.uid)
            #expect(t.owned.matches(server), "\(t.uid)")
            #expect(e.calendarReadBack(server, for: t, written: t.owned, now: Self.t0) == .nothing)
        }
    }

    @Test func aTaskTickedOnAPhoneInAnyOfTheThreeWaysIsDone() throws {
        let e = try Self.opened()
        let t = try task(e, "kept-1.1.1-teststore@kept")
        let ics = t.ics(sequence: 0, stamp: Self.t0)
        let occ = try #require(t.occurrence)
        let now = at("2026-12-03 15:00", berlin)
        let ways = [
            ics.replacing("STATUS:NEEDS-ACTION", with: "STATUS:COMPLETED"),
            ics.replacing("STATUS:NEEDS-ACTION", with: "STATUS:NEEDS-ACTION\r\nCOMPLETED:20261203T120500Z"),
            ics.replacing("STATUS:NEEDS-ACTION", with: "PERCENT-COMPLETE:100"),
        ]
        let verdicts = try ways.map { e.calendarReadBack(try #require(VTodo(ics: $0)), for: t, written: t.owned, now: now) }
        #expect(verdicts == [.done(occ, at: now), .done(occ, at: at("2026-12-03 13:05", berlin)), .done(occ, at: now)])
        // A completion time in the future is now.
        let future = try #require(VTodo(ics: ics.replacing("STATUS:NEEDS-ACTION", with: "COMPLETED:20300101T000000Z")))
        #expect(e.calendarReadBack(future, for: t, written: t.owned, now: now) == .done(occ, at: now))
    }

    @Test func aDueMovedLaterIsASnoozeAndOneMovedIntoThePastIsNot() throws {
        let e = try Self.opened()
        let t = try task(e, "kept-1.1.1-teststore@kept")
        let occ = try #require(t.occurrence)
        let ics = t.ics(sequence: 0, stamp: Self.t0)
        let later = try #require(VTodo(ics: ics.replacing("DUE;TZID=Europe/Berlin:20261203T140000", with: "DUE:20261205T090000Z")))
        #expect(e.calendarReadBack(later, for: t, written: t.owned, now: Self.t0) == .snooze(occ, until: at("2026-12-05 10:00", berlin)))
        #expect(!t.owned.matches(later))
        let past = try #require(VTodo(ics: ics.replacing("DUE;TZID=Europe/Berlin:20261203T140000", with: "DUE:20261130T090000Z")))
        #expect(e.calendarReadBack(past, for: t, written: t.owned, now: Self.t0) == .nothing)
        #expect(!t.owned.matches(past))
        // A date-only due moved to another day: reminded on that day at remind_at.
        let d = try task(e, "kept-1.2.1-teststore@kept")
        let moved = try #require(VTodo(ics: d.ics(sequence: 0, stamp: Self.t0).replacing("20261204", with: "20261208")))
        #expect(e.calendarReadBack(moved, for: d, written: d.owned, now: Self.t0) == .snooze(try #require(d.occurrence), until: at("2026-12-08 09:00", berlin)))
    }

    /// A date-only due moved on a phone (`DUE;VALUE=DATE`) is one snooze, shown back as that day,
    /// and the same copy read again — a second look after a conflict — asks nothing more.
    @Test func aDateOnlyDueMovedOnAPhoneIsOneSnoozeAndStaysADay() throws {
        var e = try Self.opened()
        let d = try task(e, "kept-1.2.1-teststore@kept")
        let occ = try #require(d.occurrence)
        let moved = try #require(VTodo(ics: d.ics(sequence: 0, stamp: Self.t0).replacing("20261204", with: "20261208")))
        let verdict = e.calendarReadBack(moved, for: d, written: d.owned, now: Self.t0)
        #expect(verdict == .snooze(occ, until: at("2026-12-08 09:00", berlin)))
        e.commit(e.records(for: [.snooze(occurrence: occ, until: at("2026-12-08 09:00", berlin))], at: Self.t0))
        let after = try task(e, "kept-1.2.1-teststore@kept")
        #expect(after.owned.due == "2026-12-08" && after.owned.zone == nil, "a day, as the phone wrote it")
        #expect(after.ics(sequence: 1, stamp: Self.t0).contains("DUE;VALUE=DATE:20261208\r\n"))
        #expect(e.calendarReadBack(moved, for: after, written: d.owned, now: Self.t0) == .nothing)
        #expect(e.calendarReadBack(moved, for: after, written: after.owned, now: Self.t0) == .nothing)
    }

    /// The rule of every door: a snooze moves a reminder later within the window, and a done time
    /// is one it could have been done at.
    @Test func aPhoneMovesADueOnlyLaterWithinTheWindowAndTicksItOnlyWhenItCouldBeDone() throws {
        let e = try Self.opened()
        let t = try task(e, "kept-1.1.1-teststore@kept")
        let occ = try #require(t.occurrence)
        let ics = t.ics(sequence: 0, stamp: Self.t0)
        func readBack(_ text: String) throws -> CalendarReadBack {
            e.calendarReadBack(try #require(VTodo(ics: text)), for: t, written: t.owned, now: Self.t0)
        }
        let due = "DUE;TZID=Europe/Berlin:20261203T140000"
        #expect(try readBack(ics.replacing(due, with: "DUE;TZID=Europe/Berlin:20261202T140000")) == .nothing, "earlier than promised")
        #expect(try readBack(ics.replacing(due, with: "DUE:20270601T090000Z")) == .nothing, "past the window's end")
        #expect(try readBack(ics.replacing(due, with: "DUE:20270301T070000Z")) == .snooze(occ, until: at("2027-03-01 08:00", berlin)), "at the window's last hour")
        let ancient = ics.replacing("STATUS:NEEDS-ACTION", with: "STATUS:COMPLETED\r\nCOMPLETED:19990101T000000Z")
        #expect(try readBack(ancient) == .done(occ, at: Self.t0), "done in 1999 is done when kept saw it")
    }

    /// A zone that is UTC all year (what an unset TZ gives) writes its dues in UTC: a TZID may not
    /// stand on a UTC value, and none is needed.
    @Test func aZoneThatIsUTCAllYearIsWrittenWithoutATZID() throws {
        for name in ["Etc/UTC", "GMT", "UTC"] {
            var e = engine(zone(name))
            _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Wrong invoice", playbook: false), now: Self.t0)
            _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send it", due: "2026-12-03T14:00:00Z"), now: Self.t0)
            let ics = try task(e, "kept-1.1.1-teststore@kept").ics(sequence: 0, stamp: Self.t0)
            #expect(ics.contains("\r\nDUE:20261203T140000Z\r\n"), "\(name): \(ics)")
            #expect(!ics.contains("TZID") && !ics.contains("VTIMEZONE"), "\(name)")
        }
    }

    @Test func aDueKeptMovedItselfIsNotTakenForThePhones() throws {
        var e = try Self.opened()
        let before = try task(e, "kept-1.1.1-teststore@kept")
        let ics = before.ics(sequence: 0, stamp: Self.t0)
        // `kept snooze` after the task was written: the server still has the old due, and the
        // phone edits something else. The snooze stands.
        _ = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.1", until: "2026-12-04T09:00:00+01:00"), now: Self.t0)
        let now = try task(e, "kept-1.1.1-teststore@kept")
        #expect(now.owned.due == "2026-12-04T08:00:00Z")
        let server = try #require(VTodo(ics: ics.replacing("SUMMARY:1.1 Send", with: "SUMMARY:Edited ")))
        #expect(e.calendarReadBack(server, for: now, written: before.owned, now: Self.t0) == .nothing)
        #expect(!now.owned.matches(server))
        // A task kept wrote as done and the phone still shows ticked asks nothing either.
        var completed = before.owned
        completed.status = .completed
        #expect(e.calendarReadBack(try #require(VTodo(ics: ics.replacing("STATUS:NEEDS-ACTION", with: "STATUS:COMPLETED"))),
                                   for: now, written: completed, now: Self.t0) == .nothing)
    }

    @Test func aZoneWithoutADatabaseNameIsWrittenInUTC() throws {
        let e = try Self.opened()
        var t = try task(e, "kept-1.1.1-teststore@kept")
        t.owned.zone = "CET-1CEST,M3.5.0,M10.5.0/3"
        let ics = t.ics(sequence: 0, stamp: Self.t0)
        #expect(ics.contains("\r\nDUE:20261203T130000Z\r\n") && !ics.contains("VTIMEZONE"))
        #expect(VTodo(ics: ics)?.due == .at(at("2026-12-03 14:00", berlin)))
        // A client's prefixed TZID is read as the zone it names.
        let prefixed = ics.replacing("DUE:20261203T130000Z", with: "DUE;TZID=/mozilla.org/20050126_1/Europe/Berlin:20261203T140000")
        #expect(VTodo(ics: prefixed)?.due == .at(at("2026-12-03 14:00", berlin)))
    }

    @Test func aSummaryEditedOnAPhoneIsNotWhatKeptOwns() throws {
        let e = try Self.opened()
        let t = try task(e, "kept-1.1.1-teststore@kept")
        let edited = try #require(VTodo(ics: t.ics(sequence: 0, stamp: Self.t0).replacing("SUMMARY:1.1 Send", with: "SUMMARY:Sent? ")))
        #expect(!t.owned.matches(edited))
        #expect(e.calendarReadBack(edited, for: t, written: t.owned, now: Self.t0) == .nothing)
    }

    @Test func aResolvedDueStaysOnlyIfItWasPublishedAndSaysHowItWent() throws {
        var e = try Self.opened()
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: at("2026-12-03 12:00", berlin))
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: "1.2", reason: "Dana called first"), now: at("2026-12-03 12:00", berlin))
        let now = at("2026-12-03 13:00", berlin)
        #expect(e.calendarTasks(now: now, published: [:]).map(\.uid) == ["kept-1-teststore@kept"])
        let was = CalendarState.Published(href: "/x.ics", etag: "\"1\"", sequence: 0,
                                          owned: .init(summary: "", description: "", due: nil, zone: nil, status: .needsAction))
        let published = ["kept-1.1.1-teststore@kept": was, "kept-1.2.1-teststore@kept": was]
        let done = try task(e, "kept-1.1.1-teststore@kept", now: now, published: published)
        #expect(done.owned.status == .completed && done.owned.completed == at("2026-12-03 12:00", berlin))
        let ics = done.ics(sequence: 1, stamp: now)
        #expect(ics.contains("STATUS:COMPLETED\r\nCOMPLETED:20261203T110000Z\r\nPERCENT-COMPLETE:100"))
        let released = try task(e, "kept-1.2.1-teststore@kept", now: now, published: published)
        #expect(released.owned.status == .cancelled && released.owned.description.hasSuffix("Released: Dana called first"))
        // A done task ticked again on the phone asks nothing more.
        #expect(e.calendarReadBack(try #require(VTodo(ics: ics)), for: done, written: nil, now: now) == .nothing)
    }

    @Test func theReaderUnfoldsUnescapesAndReadsZones() throws {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nSUMMARY:one\\, two\\; three\\nfour \r\n  folded\r\n"
            + "DUE;TZID=\"America/New_York\":20261205T090000\r\nBEGIN:VALARM\r\nDESCRIPTION:not mine\r\nEND:VALARM\r\n"
            + "DESCRIPTION:mine\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        let v = try #require(VTodo(ics: ics))
        #expect(v.summary == "one, two; three\nfour  folded")
        #expect(v.description == "mine")
        #expect(v.due == .at(at("2026-12-05 09:00", newYork)))
        #expect(VTodo(ics: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n") == nil)
        #expect(VTodo(ics: "garbage") == nil)
    }
}
