import Foundation
@testable import KeptCore
import KeptTestSupport
import Logging
import Testing
@testable import KeptDaemon

// The dates in this file are an injected clock's: no test here reads the wall clock.

/// The calendar sync's decisions, driven through the keeper and the sync's own loop against a
/// calendar in memory with a server's habits — every case the end-to-end tests meet on Radicale
/// and Xandikos (ticked three ways, moved, deleted, edited, 412, a forgotten token, a sync cut
/// off, a server down), with no server, no socket and no sleep. The real servers' tests stay.
@Suite struct CalendarSyncTests {
    static let t0 = Instant(seconds: 1_796_000_000)  // 2026-11-30 01:53:20 in Berlin
    static let zone = Zone.named("Europe/Berlin") ?? .utc
    static let url = URL(string: "http://127.0.0.1:5232/dana/kept/")!

    struct Rig {
        let keeper: Keeper
        let calendar: MemoryCalendar
        let sync: CalendarSync
        let timer: ManualTimer
        let journal: MemoryJournal

        /// One sync; fails the test with its error unless `failing`.
        @discardableResult
        func synced(failing: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) async -> CalendarSync.Outcome {
            let outcome = await sync.syncOnce()
            if !failing { #expect(outcome.error == nil, "\(outcome.error ?? "")", sourceLocation: sourceLocation) }
            return outcome
        }

        func perform<R: Sendable>(_ decide: @Sendable (Engine, Instant) throws(KeptError) -> Decision<R>) async throws -> R {
            try await keeper.perform(decide)
        }

        /// The UID of the task whose summary begins with `name` (`1.6`), as the server holds it.
        func uid(_ name: String) -> String {
            calendar.objects.values.compactMap { VTodo(ics: $0.ics) }.first { $0.summary?.hasPrefix(name + " ") == true }?.uid ?? "none"
        }

        func server(_ name: String) -> VTodo? {
            calendar.object(uid: uid(name)).flatMap { VTodo(ics: $0.object.ics) }
        }

        /// Every occurrence by its item's name (`1.4`), as `kept show` has it.
        func occurrences() async throws -> [String: View.Occurrence] {
            let detail = try await perform { e, now throws(KeptError) in try Methods.IncidentShow.decide(e, Params.Incident(incident: 1), now: now) }
            return Dictionary(detail.items.flatMap(\.occurrences).map { ($0.item, $0) }, uniquingKeysWith: { a, _ in a })
        }

        var pending: Int { get async { await keeper.calendarPending(collection: url.absoluteString) } }
    }

    static func rig(supportsSync: Bool = true, dataWithChanges: Bool = false, playbook: Bool = false, promises: [Int64] = [3, 4]) async throws -> Rig {
        let timer = ManualTimer(now: t0)
        let journal = MemoryJournal()
        var config = Config()
        config.calendar.url = url.absoluteString
        let root = "/nonexistent/kept-calendar-test"
        let keeper = Keeper(paths: Paths(stateDirectory: root, configFile: root + "/config.yaml", socket: root + "/control.sock", maildir: root + "/Maildir"),
                            config: config, environment: [:], store: journal, state: StoreState(storeID: "caltest1"), timer: timer,
                            logger: Logger(label: "kept-calendar-test"), zone: zone, clock: { timer.now })
        let calendar = MemoryCalendar(path: url.path, supportsSync: supportsSync, dataWithChanges: dataWithChanges)
        let sync = CalendarSync(keeper: keeper, transport: calendar, collection: url, interval: .seconds(900), logger: Logger(label: "kept-calendar-test"))
        await keeper.setCalendarSync(sync)
        _ = try await keeper.perform { e, now throws(KeptError) in
            try Methods.IncidentOpen.decide(e, Params.Open(client: "Acme Corp", title: "Invoice sent with the wrong amounts", playbook: playbook), now: now)
        }
        for (n, days) in promises.enumerated() {
            _ = try await keeper.perform { e, now throws(KeptError) in
                try Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "promise \(n + 1)", due: .text(zone.rfc3339(t0 + days * 86_400))), now: now)
            }
        }
        return Rig(keeper: keeper, calendar: calendar, sync: sync, timer: timer, journal: journal)
    }

    // MARK: What a phone does to a task's text

    static func setting(_ name: String, _ value: String?) -> @Sendable (inout String) -> Void {
        { ics in
            var lines = ics.components(separatedBy: "\r\n")
            // A property and the lines folded under it.
            var i = 0
            while i < lines.count {
                if lines[i].hasPrefix(name + ":") || lines[i].hasPrefix(name + ";") {
                    lines.remove(at: i)
                    while i < lines.count, lines[i].hasPrefix(" ") { lines.remove(at: i) }
                } else {
                    i += 1
                }
            }
            if let value, let end = lines.firstIndex(of: "END:VTODO") { lines.insert("\(name):\(value)", at: end) }
            ics = lines.joined(separator: "\r\n")
        }
    }

    static func ticked(_ way: String, at: Instant) -> @Sendable (inout String) -> Void {
        switch way {
        case "status": setting("STATUS", "COMPLETED")
        case "completed": setting("COMPLETED", ICalendar.utc(at))
        default: setting("PERCENT-COMPLETE", "100")
        }
    }

    static func moved(to instant: Instant) -> @Sendable (inout String) -> Void { setting("DUE", ICalendar.utc(instant)) }

    // MARK: Publishing

    @Test func theFirstSyncMakesTheCalendarAndPublishesEveryOpenDueOnce() async throws {
        let r = try await Self.rig(playbook: true)
        #expect(await r.pending > 0)
        let first = await r.synced()
        #expect(r.calendar.requests.first == "PROPFIND" && r.calendar.requests.contains("MKCALENDAR"))
        let todos = r.calendar.objects.values.compactMap { VTodo(ics: $0.ics) }
        let open = try await r.occurrences().values.filter { $0.status == .upcoming || $0.status == .overdue }
        #expect(todos.count == open.count + 1, "one task per open due, and the incident's own")
        #expect(first.written == todos.count)
        #expect(Set(todos.compactMap(\.uid)).count == todos.count)
        #expect(todos.contains { $0.summary == "#1 Acme Corp: Invoice sent with the wrong amounts" })
        #expect(await r.pending == 0)

        // In step: the next sync asks what changed — one request — and writes nothing.
        r.calendar.clearRequests()
        let steady = await r.synced()
        #expect(steady.written == 0 && steady.read == 0)
        #expect(r.calendar.requests == ["REPORT sync"])
    }

    @Test func aServerWithoutSyncCollectionIsListedEachTimeAndStillWritesNothingTwice() async throws {
        let r = try await Self.rig(supportsSync: false)
        await r.synced()
        r.calendar.phone(r.uid("1.1"), Self.ticked("status", at: Self.t0))
        r.calendar.clearRequests()
        let second = await r.synced()
        #expect(r.calendar.requests.contains("LIST") && !r.calendar.requests.contains("REPORT sync"))
        #expect(second.actedOn == 1 && second.written == 1)
        r.calendar.clearRequests()
        #expect(await r.synced().written == 0)
        #expect(r.calendar.requests == ["PROPFIND", "LIST"])
    }

    // MARK: What the phone does comes back

    @Test(arguments: ["status", "completed", "percent"])
    func aTaskTickedOnThePhoneIsDoneAtItsCompletedTime(_ way: String) async throws {
        let r = try await Self.rig()
        await r.synced()
        r.timer.advance(to: Self.t0 + 7200)
        r.calendar.phone(r.uid("1.1"), Self.ticked(way, at: Self.t0 + 3600))
        let outcome = await r.synced()
        #expect(outcome.read == 1 && outcome.actedOn == 1)
        let done = try #require(try await r.occurrences()["1.1"]?.done)
        // COMPLETED's own time where the phone wrote one; else when kept saw it.
        #expect(done == (way == "completed" ? Self.t0 + 3600 : Self.t0 + 7200))
        #expect(r.server("1.1")?.isCompleted == true && r.server("1.1")?.status == "COMPLETED", "kept's own text says done")
        #expect(await r.synced().written == 0)
        #expect(try await r.occurrences()["1.2"]?.done == nil)
    }

    /// A server that gives the changed tasks with its list of changes is not asked for them
    /// again: a tick costs two requests (the changes, kept's own text written back), not three.
    @Test(arguments: [true, false])
    func aTickGivenWithTheChangesIsNotReadAgain(_ dataWithChanges: Bool) async throws {
        let r = try await Self.rig(dataWithChanges: dataWithChanges)
        await r.synced()
        r.timer.advance(to: Self.t0 + 7200)
        let uid = r.uid("1.1")
        let href = try #require(r.calendar.object(uid: uid)?.href)
        r.calendar.phone(uid, Self.ticked("status", at: Self.t0 + 3600))
        r.calendar.clearRequests()
        let outcome = await r.synced()
        #expect(outcome.read == 1 && outcome.actedOn == 1 && outcome.written == 1)
        #expect(r.calendar.requests == ["REPORT sync"] + (dataWithChanges ? [] : ["GET 1"]) + ["PUT \(href)"])
        #expect(try await r.occurrences()["1.1"]?.done == Self.t0 + 7200)
        #expect(r.server("1.1")?.description?.hasSuffix("Done, kept.") == true, "kept's own text says done")
        // kept's own write comes back in the next changes, with its data: known by its ETag, not read.
        r.calendar.clearRequests()
        let next = await r.synced()
        #expect(next.read == 0 && next.written == 0 && r.calendar.requests == ["REPORT sync"])
        #expect(r.calendar.dataAsked == 2, "asked with data after each sync that wrote a few")
    }

    /// After a sync that wrote many tasks (a first publish), the next changes list them all:
    /// those are asked for by ETag alone, not with megabytes of their own data.
    @Test func afterAManyTaskPublishTheChangesAreAskedForWithoutTheirData() async throws {
        let r = try await Self.rig(dataWithChanges: true, promises: (1...60).map { Int64($0) })
        #expect(await r.synced().written == 61)
        #expect(await r.synced().read == 0)
        #expect(r.calendar.dataAsked == 0)
        // In step again after a sync that wrote nothing: a tick comes with its data.
        r.calendar.phone(r.uid("1.1"), Self.ticked("status", at: Self.t0))
        r.calendar.clearRequests()
        #expect(await r.synced().actedOn == 1)
        #expect(r.calendar.dataAsked == 1 && !r.calendar.requests.contains { $0.hasPrefix("GET") }, "\(r.calendar.requests)")
    }

    /// Data given with the changes that is not a task is read again with calendar-multiget: the
    /// tick is carried out all the same, once.
    @Test func unreadableDataWithTheChangesIsReadAgain() async throws {
        let r = try await Self.rig(dataWithChanges: true)
        await r.synced()
        r.calendar.giveUnreadableData()
        r.calendar.phone(r.uid("1.1"), Self.ticked("status", at: Self.t0))
        r.calendar.clearRequests()
        let outcome = await r.synced()
        #expect(outcome.read == 1 && outcome.actedOn == 1)
        #expect(r.calendar.dataAsked == 1 && r.calendar.requests.contains("GET 1"), "\(r.calendar.requests)")
        #expect(try await r.occurrences()["1.1"]?.done != nil)
    }

    /// After a sync that ended before recording its token, what it wrote is still in the
    /// changes: the next asks by ETag alone; after one in step, with the data again. A task the
    /// server refuses does not stop that (its sync records its token).
    @Test func afterAFailedSyncTheChangesAreAskedForWithoutTheirData() async throws {
        let r = try await Self.rig(dataWithChanges: true, promises: [3])
        await r.synced()
        r.calendar.failAfter(0)
        #expect(await r.synced(failing: true).error != nil)
        r.calendar.failAfter(nil)
        await r.synced()
        #expect(r.calendar.dataAsked == 0)
        await r.synced()
        #expect(r.calendar.dataAsked == 1)
        r.calendar.refuseWrites(containing: "\r\nSUMMARY:1.2 ")
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "the audit", due: .text(Self.zone.rfc3339(Self.t0 + 5 * 86_400))), now: now)
        }
        #expect(await r.synced(failing: true).error?.contains("refused") == true)
        await r.synced(failing: true)
        #expect(r.calendar.dataAsked == 3)
    }

    @Test func aCompletedTimeAheadOfNowOrBeforeThePromiseIsTheTimeKeptSawIt() async throws {
        let r = try await Self.rig()
        await r.synced()
        r.timer.advance(to: Self.t0 + 600)
        r.calendar.phone(r.uid("1.1"), Self.ticked("completed", at: Self.t0 + 86_400))
        r.calendar.phone(r.uid("1.2"), Self.ticked("completed", at: Self.t0 - 30 * 86_400))
        await r.synced()
        let after = try await r.occurrences()
        #expect(after["1.1"]?.done == Self.t0 + 600)
        #expect(after["1.2"]?.done == Self.t0 + 600)
    }

    @Test func aDueMovedLaterIsASnoozeAndOneMovedEarlierIsPutBack() async throws {
        let r = try await Self.rig()
        await r.synced()
        let promised = try #require(r.server("1.1")?.due)
        r.calendar.phone(r.uid("1.1"), Self.moved(to: Self.t0 + 5 * 86_400))
        r.calendar.phone(r.uid("1.2"), Self.moved(to: Self.t0 + 3600))
        let outcome = await r.synced()
        #expect(outcome.actedOn == 1)
        let after = try await r.occurrences()
        #expect(after["1.1"]?.snoozedUntil == Self.t0 + 5 * 86_400, "a due moved later is a snooze to it")
        #expect(after["1.1"]?.status == .upcoming)
        #expect(after["1.2"]?.snoozedUntil == nil, "a due moved earlier than the promise is not a snooze")
        #expect(r.server("1.1")?.due == .at(Self.t0 + 5 * 86_400), "the phone keeps the move")
        #expect(r.server("1.2")?.due == .at(Self.t0 + 4 * 86_400), "kept puts the promise's due back")
        #expect(r.server("1.1")?.due != promised)
        // Read again, the same move is not a second snooze.
        #expect(await r.synced().actedOn == 0)
    }

    @Test func aDateOnlyDueMovedOnThePhoneIsOneSnoozeAndStaysADay() async throws {
        let r = try await Self.rig(promises: [])
        let day = Self.zone.date(of: Self.t0).adding(days: 3)
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "send the figures", due: .exact(.on(day))), now: now)
        }
        await r.synced()
        #expect(r.server("1.1")?.due == .on(day))
        let later = day.adding(days: 4)
        r.calendar.phone(r.uid("1.1"), Self.setting("DUE;VALUE=DATE", ICalendar.date(later)))
        #expect(await r.synced().actedOn == 1)
        // Snoozed to that day's reminder time; the phone still shows a day, not a time.
        let snoozed = try #require(try await r.occurrences()["1.1"]?.snoozedUntil)
        #expect(snoozed == Self.zone.instant(later, Config().remindAt))
        #expect(r.server("1.1")?.due == .on(later))
        #expect(try #require(r.calendar.object(uid: r.uid("1.1"))).object.ics.contains("DUE;VALUE=DATE:\(ICalendar.date(later))"))
        // Read again and again, the same move is one snooze.
        let again = await r.synced()
        #expect(again.actedOn == 0 && again.written == 0)
        let snoozes = r.journal.records.count { if case .snooze = $0.change { true } else { false } }
        #expect(snoozes == 1)
    }

    @Test func aDeletedTaskIsPutBackAndAFinishedOneDeletedStaysDeleted() async throws {
        let r = try await Self.rig()
        await r.synced()
        let open = r.uid("1.1")
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.ItemDone.decide(e, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: 2))), now: now)
        }
        await r.synced()
        let finished = r.uid("1.2")
        #expect(r.server("1.2")?.isCompleted == true)
        r.calendar.delete(open)
        r.calendar.delete(finished)
        let outcome = await r.synced()
        #expect(outcome.restored == 1)
        #expect(r.calendar.object(uid: open) != nil, "an open task deleted on the phone is put back")
        #expect(r.calendar.object(uid: finished) == nil, "clear completed on the phone stays cleared")
        #expect(await r.pending == 0)
        #expect(await r.synced().written == 0)
    }

    @Test func aSummaryEditedOnThePhoneIsWrittenBackAndIsNotAMove() async throws {
        let r = try await Self.rig()
        await r.synced()
        r.calendar.phone(r.uid("1.1"), Self.setting("SUMMARY", "whatever the phone says"))
        let uid = r.uid("1.1")
        #expect(uid == "none", "the phone renamed it")
        let outcome = await r.synced()
        #expect(outcome.actedOn == 0 && outcome.written == 1)
        #expect(r.server("1.1")?.summary?.hasPrefix("1.1 promise 1") == true)
        #expect(try await r.occurrences()["1.1"]?.snoozedUntil == nil)
    }

    // MARK: Conflicts

    @Test func keptsChangeAndThePhonesBetweenTwoSyncsAreDecidedByTheRules() async throws {
        let r = try await Self.rig()
        await r.synced()
        // kept marks 1.1 done while the phone moves its due; the phone ticks 1.2 while kept snoozes it.
        r.calendar.phone(r.uid("1.1"), Self.moved(to: Self.t0 + 6 * 86_400))
        _ = try await r.perform { e, now throws(KeptError) in try Methods.ItemDone.decide(e, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: 1))), now: now) }
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.ItemSnooze.decide(e, Params.Snooze(item: ItemRef(item: ItemID(incident: 1, number: 2)), duration: Interval(2, .hour)), now: now)
        }
        r.calendar.phone(r.uid("1.2"), Self.ticked("status", at: Self.t0))
        await r.synced()
        let after = try await r.occurrences()
        #expect(after["1.1"]?.done != nil && after["1.2"]?.done != nil)
        #expect(after["1.1"]?.snoozedUntil == nil, "a move of a task kept already marked done is no snooze")
        #expect(r.server("1.1")?.isCompleted == true && r.server("1.2")?.isCompleted == true)
        #expect(await r.synced().written == 0)
    }

    @Test func aSnoozeByCommandStandsWhenThePhoneEditsTheSummaryBeforeKeptWroteIt() async throws {
        let r = try await Self.rig()
        await r.synced()
        let uid = r.uid("1.1")
        let until = Self.t0 + 2 * 86_400
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.ItemSnooze.decide(e, Params.Snooze(item: ItemRef(item: ItemID(incident: 1, number: 1)), until: .text(Self.zone.rfc3339(until))), now: now)
        }
        r.calendar.phone(uid, Self.setting("SUMMARY", "renamed on the phone"))
        await r.synced()
        #expect(try await r.occurrences()["1.1"]?.snoozedUntil == until)
        let now = try #require(r.calendar.object(uid: uid).flatMap { VTodo(ics: $0.object.ics) })
        #expect(now.summary?.hasPrefix("1.1 promise 1") == true)
        #expect(now.due == .at(until), "the phone shows the snoozed due")
    }

    @Test func aWriteAnsweredPreconditionFailedIsReadJudgedAndWrittenAgain() async throws {
        let r = try await Self.rig()
        await r.synced()
        let uid = r.uid("1.1")
        // kept snoozes 1.1; just before its write, the phone ticks it: the write is answered 412.
        r.calendar.phoneBeforeNextWrite(uid, Self.ticked("status", at: Self.t0))
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.ItemSnooze.decide(e, Params.Snooze(item: ItemRef(item: ItemID(incident: 1, number: 1)), duration: Interval(2, .hour)), now: now)
        }
        r.calendar.clearRequests()
        let outcome = await r.synced()
        let href = try #require(r.calendar.object(uid: uid)?.href)
        #expect(r.calendar.requests.count { $0 == "PUT \(href)" } == 2, "written, refused 412, read, judged, written again: \(r.calendar.requests)")
        #expect(outcome.actedOn == 1)
        #expect(try await r.occurrences()["1.1"]?.done != nil, "the phone's tick, read after the 412, is done in kept")
        #expect(r.server("1.1")?.status == "COMPLETED")
        #expect(await r.synced().written == 0, "no 412 loop")
    }

    @Test func thePhonesChangeCarriedOutDoesNotWakeAnotherSync() async throws {
        let r = try await Self.rig()
        await r.synced()
        _ = await r.keeper.calendarWakeup.wait()  // the promises' own signal, taken
        r.calendar.phone(r.uid("1.1"), Self.ticked("status", at: Self.t0))
        #expect(await r.synced().actedOn == 1)
        #expect(await r.keeper.calendarWakeup.isPending == false, "the sync wrote the task back itself")
        _ = try await r.perform { e, now throws(KeptError) in try Methods.ItemDone.decide(e, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: 2))), now: now) }
        #expect(await r.keeper.calendarWakeup.isPending == true, "a command's change does wake it")
    }

    // MARK: Tokens, failures, restarts

    @Test func aSyncTokenTheServerNoLongerKnowsStartsAFullListing() async throws {
        let r = try await Self.rig()
        await r.synced()
        r.calendar.forgetTokens()
        r.calendar.phone(r.uid("1.1"), Self.ticked("percent", at: Self.t0))
        r.calendar.clearRequests()
        let outcome = await r.synced()
        #expect(r.calendar.requests.prefix(3) == ["REPORT sync", "PROPFIND", "LIST"])
        #expect(outcome.actedOn == 1)
        #expect(try await r.occurrences()["1.1"]?.done != nil, "seen through a full listing")
    }

    @Test func aCalendarDeletedOnTheServerIsMadeAgainWithEveryTask() async throws {
        let r = try await Self.rig(playbook: true)
        let first = await r.synced()
        #expect(first.written > 1)
        r.calendar.removeCalendar()
        r.calendar.clearRequests()
        let again = await r.synced()
        #expect(again.error == nil)
        #expect(r.calendar.requests.prefix(5) == ["REPORT sync", "PROPFIND", "MKCALENDAR", "PROPFIND", "LIST"])
        #expect(again.written == first.written && again.restored == first.written, "each task put back once")
        #expect(r.calendar.objects.count == first.written)
        #expect(await r.pending == 0)
        r.calendar.clearRequests()
        #expect(await r.synced().written == 0)
        #expect(r.calendar.requests == ["REPORT sync"], "the new calendar's token is the one kept asks with")
    }

    @Test func aSyncCutOffMidWayWritesNothingTwiceAndFinishesNextTime() async throws {
        let r = try await Self.rig(playbook: true)
        // PROPFIND, MKCALENDAR, PROPFIND, LIST, then five writes and the connection drops.
        r.calendar.failAfter(9)
        let cut = await r.synced(failing: true)
        #expect(cut.error == "the connection to the server was lost")
        #expect(cut.written == 5)
        let written = Set(r.calendar.objects.keys)
        #expect(written.count == 5)
        // What was written is on record: the next sync writes only the rest, each once.
        r.calendar.failAfter(nil)
        r.calendar.clearRequests()
        let rest = await r.synced()
        let puts = r.calendar.requests.filter { $0.hasPrefix("PUT ") }.map { String($0.dropFirst(4)) }
        #expect(Set(puts).isDisjoint(with: written), "nothing written twice")
        #expect(rest.written == puts.count && Set(puts).count == puts.count)
        #expect(await r.pending == 0)
        let todos = r.calendar.objects.values.compactMap { VTodo(ics: $0.ics) }
        #expect(Set(todos.compactMap(\.uid)).count == todos.count)
    }

    @Test func aServerThatIsDownMakesChangesWaitAndThenArriveOnce() async throws {
        let r = try await Self.rig()
        await r.synced()
        r.calendar.failAfter(0)
        _ = try await r.perform { e, now throws(KeptError) in
            try Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "the audit", due: .text(Self.zone.rfc3339(Self.t0 + 5 * 86_400))), now: now)
        }
        let down = await r.synced(failing: true)
        #expect(down.error != nil)
        #expect(await r.sync.lastError?.message == "the connection to the server was lost")
        #expect(await r.pending == 1)
        r.calendar.failAfter(nil)
        #expect(await r.synced().written == 1)
        #expect(await r.sync.lastError == nil)
        #expect(r.calendar.objects.values.count { $0.ics.contains("SUMMARY:1.3 the audit") } == 1)
        #expect(await r.pending == 0)
    }

    @Test func aTaskTheServerRefusesIsSaidAndTheOthersGoOn() async throws {
        let r = try await Self.rig(promises: [3])
        r.calendar.refuseWrites(containing: "\r\nSUMMARY:1.1 ")
        let outcome = await r.synced(failing: true)
        #expect(outcome.error?.contains("was refused (403 valid-calendar-data)") == true, "\(outcome.error ?? "")")
        #expect(outcome.written == 1, "the incident's own task went")
        #expect(await r.pending == 1)
    }

    // MARK: The decisions alone

    @Test func aTaskIsFoundFromItsFileNameOrWhereverKeptWroteIt() {
        let owned = CalendarTask.Owned(summary: "s", description: "d", due: nil, zone: nil, status: .needsAction, completed: nil)
        func at(_ href: String) -> CalendarState.Published { CalendarState.Published(href: href, etag: "\"1\"", sequence: 0, owned: owned) }
        var reconciler = CalendarReconciler(published: [
            "kept-1.2.3-s1-x@kept": at("/dana/kept/kept-1.2.3-s1-x-kept.ics"),
            "plain": at("/dana/kept/plain.ics"),
            // Written where its name does not say its UID (the collection renamed on the server).
            "moved@kept": at("/dana/old/moved-kept.ics"),
            // Named like the first, but kept wrote it elsewhere: not the file below.
            "kept-1.2.3-s1@x-kept": at("/dana/kept/other.ics"),
        ], collectionPath: "/dana/kept/")
        #expect(reconciler.uid(at: "/dana/kept/kept-1.2.3-s1-x-kept.ics") == "kept-1.2.3-s1-x@kept")
        #expect(reconciler.uid(at: "http://127.0.0.1:5232/dana/kept/kept-1.2.3-s1-x-kept.ics") == "kept-1.2.3-s1-x@kept")
        #expect(reconciler.uid(at: "/dana/kept/plain.ics") == "plain")
        #expect(reconciler.uid(at: "/dana/old/moved-kept.ics") == "moved@kept")
        #expect(reconciler.uid(at: "/dana/kept/other.ics") == "kept-1.2.3-s1@x-kept")
        #expect(reconciler.uid(at: "/dana/kept/someone-elses.ics") == nil)
        #expect(CalendarReconciler.uids(named: "a-b-c") == ["a-b-c", "a-b@c", "a@b-c"])
        // A task written after the index of every href was made is found there too.
        let fresh = CalendarTask(uid: "fresh", occurrence: nil, incident: 1, owned: owned, categories: [], parent: nil, alarmMinutes: nil)
        reconciler.written(fresh, .init(href: "/dana/old/fresh-task.ics", etag: nil, exists: false, sequence: 0), etag: "\"2\"")
        #expect(reconciler.uid(at: "/dana/old/fresh-task.ics") == "fresh")
    }

    @Test func theReconcilerReadsWhatChangedAndCountsDeletionsOnce() throws {
        let owned = CalendarTask.Owned(summary: "s", description: "d", due: nil, zone: nil, status: .needsAction, completed: nil)
        let published = [
            "a": CalendarState.Published(href: "/dana/kept/a%40x.ics", etag: "\"1\"", sequence: 0, owned: owned),
            "b": CalendarState.Published(href: "/dana/kept/b.ics", etag: "\"2\"", sequence: 0, owned: owned),
            "c": CalendarState.Published(href: "/dana/kept/c.ics", etag: "\"3\"", sequence: 0, owned: owned, gone: true),
        ]
        var reconciler = CalendarReconciler(published: published, collectionPath: "/dana/kept")
        // A full listing: a's ETag changed (its href written the other way), b unchanged, c back, a stranger ignored.
        let listed = reconciler.changed(in: [
            CalDAVMember(href: "http://h/dana/kept/a@x.ics", etag: "\"9\""), CalDAVMember(href: "/dana/kept/b.ics", etag: "\"2\""),
            CalDAVMember(href: "/dana/kept/c.ics", etag: "\"3\""), CalDAVMember(href: "/dana/kept/other.ics", etag: "\"1\""),
        ])
        #expect(Set(listed.read) == ["a", "c"] && listed.gone.isEmpty)
        // Not listed: gone, unless already known gone.
        #expect(reconciler.changed(in: []).gone == ["a", "b"])
        // sync-collection: removed members are gone; an unchanged ETag is not read.
        let synced = reconciler.changed(by: [CalDAVMember(href: "/dana/kept/b.ics", etag: nil, removed: true),
                                             CalDAVMember(href: "/dana/kept/a%40x.ics", etag: "\"1\"")])
        #expect(synced.read.isEmpty && synced.gone == ["b"])
        // Looking learns nothing; a deletion, or a task read in step, is learned (the sync judges those again).
        #expect(reconciler.learnedUIDs.isEmpty)
        reconciler.deleted(synced.gone)
        let server = VTodo(ics: "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a@x\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
        reconciler.read("a", etag: "\"9\"", holds: try #require(server), wanted: nil)
        #expect(Set(reconciler.learnedUIDs) == ["a", "b"] && reconciler.published("b")?.gone == true)
        #expect(CalendarReconciler.tokenToRecord("t1", previous: "t1", wroteTasks: false) == .none)
        #expect(CalendarReconciler.tokenToRecord("t2", previous: "t1", wroteTasks: false) == .some("t2"))
        #expect(reconciler.attempt(CalendarTask(uid: "new@kept", occurrence: nil, incident: 1, owned: owned, categories: [], parent: nil, alarmMinutes: nil),
                                   seen: nil) == .init(href: "/dana/kept/new-kept.ics", etag: nil, exists: false, sequence: 0))
    }
}
