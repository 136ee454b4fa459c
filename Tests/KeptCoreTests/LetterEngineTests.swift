import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// Letters the user sends the client, Bcc'd to a logging address: which occurrence each does and
/// when, the timeline's line, once per Message-ID, never an answer — and the replies' rules of who
/// may act, so a forged, automatic, list or bounced message changes nothing.
@Suite struct LetterEngineTests {
    typealias Signer = ReplyEngineTests.ManifestSigner
    let now = at("2026-12-01 10:00", berlin)

    /// Incident 1 for Acme Corp, noticed ten days ago: its first weekly check-in (1.6) overdue.
    func engine() throws -> Engine {
        var e = KeptCoreTests.engine(berlin)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", noticed: "2026-11-21T09:00"), now: now)
        e.replies = ReplySettings(owners: ["dana@example.org"], signer: Signer(tokens: [:]))
        return e
    }

    func letter(to target: LetterTarget, _ e: Engine, from: String = "Dana <dana@example.org>", id: String = "<letter-1@example.org>",
                date: String = "Tue, 01 Dec 2026 08:30:00 +0100", extra: String = "") -> Reply {
        let log = e.replies!.signer.logAddress(for: target)
        return Reply(parsing: Array("""
            Return-Path: <dana@example.org>\r
            Delivered-To: \(log)\r
            \(extra)From: \(from)\r
            To: "Scully, Dana" <dana@acme.example>\r
            Cc: ops@acme.example\r
            Subject: Weekly update =?utf-8?q?=E2=80=94?= invoices\r
            Date: \(date)\r
            Message-ID: \(id)\r
            \r
            Dear Dana, here is where we are.\r

            """.utf8))
    }

    func ingest(_ r: Reply, into e: inout Engine) throws -> View.Ingested {
        let decision = try Methods.MailIngest.decide(e, r, now: now)
        e.commit(e.records(for: decision.changes, at: now))
        #expect(!decision.changes.contains { if case .enqueue = $0 { true } else { false } }, "kept never answers a letter")
        return decision.answer(e)
    }

    @Test func aLetterToACheckinsAddressDoesItsOpenOccurrenceAtTheLettersDate() throws {
        var e = try engine()
        let answer = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e), into: &e)
        #expect(answer.outcome == .acted, "\(answer.message)")
        let checkin = try #require(e.state.incident(1)?.item(6))
        #expect(checkin.kind == .checkin)
        #expect(checkin.mark(1)?.done == at("2026-12-01 08:30", berlin))
        let event = try #require(e.state.incident(1)?.timeline.first { $0.what == "letter" })
        #expect(event.item == "1.6#1")
        #expect(event.text == "sent to \"Scully, Dana\" <dana@acme.example>, ops@acme.example: Weekly update — invoices <letter-1@example.org>")
    }

    @Test func theRecordCountsTheLettersAndTheWeeksTheyFellIn() throws {
        var e = try engine()
        #expect(e.record(of: e.state.incident(1)!, now: now).lettersLine == nil)
        _ = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e), into: &e)
        _ = try ingest(letter(to: .incident(1), e, id: "<letter-2@example.org>"), into: &e)
        let record = e.record(of: e.state.incident(1)!, now: now)
        #expect(record.letters == View.Letters(sent: 2, weeks: 1, of: 2))
        #expect(record.lettersLine == "2 letters sent, in 1 of 2 weeks")
        #expect(RecordText().draw(record, warningRate: 0.8).contains("   Letters: 2 letters sent, in 1 of 2 weeks\n"))
        // The review's letter to the client says it in the user's voice.
        let review = try #require(e.state.incident(1)?.items.first { $0.step == .review })
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: review.number), index: 1), now: now))
        #expect(draft.text.contains(" I have written to you 2 times since then, in 1 of the 2 weeks.\n"), "\(draft.text)")
    }

    @Test func theReviewSaysTheLettersAsThePersonWhoWroteThem() throws {
        let e = try engine()
        let incident = try #require(e.state.incident(1)), checkin = try #require(incident.item(6))
        var facts = try #require(e.draftFacts(incident, checkin, e.occurrences(of: checkin, in: incident)[0], now: now))
        facts.letters = View.Letters(sent: 12, weeks: 12, of: 12)
        #expect(facts.lettersSentence == "I have written to you every week since then: 12 letters in 12 weeks.")
        facts.letters = View.Letters(sent: 10, weeks: 9, of: 12)
        #expect(facts.lettersSentence == "I have written to you 10 times since then, in 9 of the 12 weeks.")
        facts.letters = View.Letters(sent: 1, weeks: 1, of: 12)
        #expect(facts.lettersSentence == nil, "one letter is not a record to point at")
    }

    @Test func eachMessageIDCountsOnce() throws {
        var e = try engine()
        _ = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e), into: &e)
        let again = try ingest(letter(to: .item(ItemID(incident: 1, number: 7)), e), into: &e)
        #expect(again.outcome == .ignored && again.reason == "replayed")
        #expect(e.state.incident(1)?.item(7)?.mark(1)?.done == nil)
        #expect(e.state.incident(1)?.timeline.count { $0.what == "letter" } == 1)
    }

    @Test func aSecondApologyIsNotedAndNotCounted() throws {
        var e = try engine()
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: 1))), now: now - 86_400)
        let ledger = e.ledger(of: e.state.incident(1)!, now: now)
        let answer = try ingest(letter(to: .item(ItemID(incident: 1, number: 1)), e), into: &e)
        #expect(answer.outcome == .answered && answer.message.contains("second apology"), "\(answer.message)")
        #expect(e.ledger(of: e.state.incident(1)!, now: now) == ledger)
        #expect(e.state.incident(1)?.timeline.last?.what == "letter")
    }

    @Test func aLetterToTheIncidentsAddressIsATouchpointThatCountsAsTheCheckinDue() throws {
        var e = try engine()
        let answer = try ingest(letter(to: .incident(1), e), into: &e)
        #expect(answer.outcome == .acted, "\(answer.message)")
        #expect(e.state.incident(1)?.timeline.contains { $0.what == "checkin" } == true)
        #expect(e.state.incident(1)?.item(6)?.mark(1)?.done == at("2026-12-01 08:30", berlin))
    }

    @Test(arguments: ["Fri, 01 Jan 2027 09:00:00 +0000", "Mon, 02 Nov 2026 09:00:00 +0000", "not a date"])
    func aDateInTheFutureOrBeforeTheItemIsTheTimeItArrived(_ date: String) throws {
        var e = try engine()
        _ = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e, date: date), into: &e)
        #expect(e.state.incident(1)?.item(6)?.mark(1)?.done == now)
    }

    @Test func aLetterForAClosedIncidentIsOnItsTimelineOnly() throws {
        var e = try engine()
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 1, outcome: .recovered), now: now - 60)
        let answer = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e), into: &e)
        #expect(answer.outcome == .answered)
        #expect(e.state.incident(1)?.timeline.last?.what == "letter")
        #expect(e.state.incident(1)?.item(6)?.mark(1)?.done == nil)
    }

    /// The replies' rules: none of these changes anything.
    @Test(arguments: [
        ("forged", "Mallory <mallory@evil.example>", ""),
        ("auto-reply", "Dana <dana@example.org>", "Auto-Submitted: auto-replied\r\n"),
        ("list", "Dana <dana@example.org>", "List-Id: <team.example.org>\r\n"),
        ("kept's own", "Dana <dana@example.org>", "X-Kept-Key: 1.6#1/due\r\n"),
        ("bounce", "MAILER-DAEMON@example.org", ""),
    ])
    func aMessageThatIsNotTheOwnersOwnChangesNothing(_ name: String, _ from: String, _ extra: String) throws {
        var e = try engine()
        let before = e.state
        let answer = try ingest(letter(to: .item(ItemID(incident: 1, number: 6)), e, from: from, extra: extra), into: &e)
        #expect(answer.outcome == .ignored, "\(name): \(answer.message)")
        #expect(e.state == before, "\(name)")
    }

    @Test func aTokenKeptDidNotMakeChangesNothing() throws {
        var e = try engine()
        let before = e.state
        var r = letter(to: .item(ItemID(incident: 1, number: 6)), e)
        r.recipients = ["dana+kept-log-itemx9x9@example.org"]
        let answer = try ingest(r, into: &e)
        #expect(answer.outcome == .ignored && answer.reason == "bad-token")
        #expect(e.state == before)
    }

    @Test func theLettersAddressesAreShownAndCarriedByTheDraftAndTheReminder() throws {
        let e = try engine()
        let detail = e.detail(of: e.state.incident(1)!, now: now)
        let letters = try #require(detail.letters)
        #expect(letters.first?.item == nil && letters.first?.address == "dana+kept-log-incidentx1@example.org")
        // The apology, the plan and the check-ins; not the other playbook steps.
        #expect(letters.dropFirst().map(\.item).prefix(3) == ["1.1", "1.4", "1.6"])
        #expect(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: now)?.bcc == "dana+kept-log-itemx1x6@example.org")
    }

    @Test func theClientsAddressesAreCheckedSetAndAddressTheDraft() throws {
        var e = KeptCoreTests.engine(berlin)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", contact: "Dana Scully <dana@acme.example>"), now: now)
        #expect(e.state.incident(1)?.contact == "Dana Scully")
        #expect(e.state.incident(1)?.to == ["Dana Scully <dana@acme.example>"])
        #expect(throws: KeptError.self) {
            try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Beta", title: "x", contact: "Dana <dana@@beta>"), now: now)
        }
        #expect(e.state.incidents.count == 1, "a bad address opens nothing")
        _ = try e.perform(Methods.IncidentContact.self, Params.Contact(incident: 1, to: ["\"Scully, Dana\" <Dana@acme.example>"], cc: ["ops@acme.example"]), now: now)
        #expect(e.state.incident(1)?.to == ["\"Scully, Dana\" <Dana@acme.example>"] && e.state.incident(1)?.cc == ["ops@acme.example"])
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1), now: now))
        #expect(draft.to == "\"Scully, Dana\" <Dana@acme.example>" && draft.cc == "ops@acme.example")
        #expect(draft.text.hasPrefix("Dear Dana,\n"), "\(draft.text.prefix(40))")
        for bad in ["dana", "dana@", "<dana@acme.example", "Dana <da na@acme.example>", "dana@acme..example", "x@-acme.example"] {
            #expect(throws: KeptError.self, "\(bad)") {
                try e.perform(Methods.IncidentContact.self, Params.Contact(incident: 1, to: [bad]), now: now)
            }
        }
        #expect(e.state.incident(1)?.cc == ["ops@acme.example"], "a refused change changes nothing")
    }

    @Test func aRecurringPromiseReadsAsOneAndTheLetterIsSignedByItsOwner() throws {
        var config = Config()
        config.letters.signature = "Dana Example"
        var e = KeptCoreTests.engine(berlin, config: config)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", noticed: "2026-11-21T09:00"), now: now)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "A status note", every: "1w", from: "2026-12-07T10:00",
                                                                 until: "2027-02-22T10:00"), now: now)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-12-04"), now: now)
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1), now: now))
        #expect(draft.text.contains("  - Send the corrected invoice — by Friday 4 December\n"), "\(draft.text)")
        #expect(draft.text.contains("  - A status note — every Monday at 10:00, from 7 December until 22 February\n"), "\(draft.text)")
        #expect(!draft.text.contains("by Monday 7 December"))
        #expect(draft.text.hasSuffix("\n\nDana Example\n"))
        #expect(!draft.text.contains("[your name]"))
    }

    /// A weekly promise done this week (by the phone, say) whose letter's Bcc copy comes later:
    /// the letter does not do next week's.
    @Test func aLetterForARecurringPromiseDoesNotDoAnOccurrenceWeeksAhead() throws {
        var e = try engine()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "A status note", every: "1w", from: "2026-11-30T10:00",
                                                                 until: "2027-01-25T10:00"), now: now - 86_400 * 2)
        let promise = try #require(e.state.incident(1)?.items.last).number
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: ItemRef(item: ItemID(incident: 1, number: promise), occurrence: 1)), now: now - 3600)
        let answer = try ingest(letter(to: .item(ItemID(incident: 1, number: promise)), e), into: &e)
        #expect(answer.outcome == .answered, "\(answer.message)")
        #expect(e.state.incident(1)?.item(promise)?.mark(2)?.done == nil)
        #expect(e.state.incident(1)?.timeline.last?.what == "letter")
    }

    @Test func theLetterIsDraftedAtItsFirstReminderAndTheReviewCarriesNoBcc() throws {
        var config = Config()
        config.letters.drafts = "/home/dana/Mail/Drafts"
        var e = KeptCoreTests.engine(berlin, config: config)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice"), now: now)
        e.replies = ReplySettings(owners: ["dana@example.org"], signer: Signer(tokens: [:]))
        // The apology has no lead reminder (due a day after the mistake): its due reminder drafts it.
        let apology = OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1)
        let later = now + 86_400 + 60
        #expect(e.draftsDue(now: later).isEmpty, "nothing before its first reminder")
        e.commit(e.records(for: e.dueReminders(at: later), at: later))
        #expect(e.draftsDue(now: later) == [apology], "\(e.draftsDue(now: later))")
        // Not written (the folder unwritable, say): still owed at the next look.
        #expect(e.draftsDue(now: later + 3600) == [apology])
        e.commit(e.records(for: [.drafted(occurrence: apology, folder: "/home/dana/Mail/Drafts")], at: later))
        #expect(e.draftsDue(now: later + 3600).isEmpty, "once drafted, never again")
        let review = try #require(e.state.incident(1)?.items.first { $0.step == .review })
        #expect(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: review.number), index: 1), now: now)?.bcc == nil)
    }

    @Test func theMailDateReadsWhatMailCarries() {
        #expect(MailDate.parse("Tue, 1 Dec 2026 08:30:00 +0100") == at("2026-12-01 08:30", berlin))
        #expect(MailDate.parse("1 Dec 2026 07:30 GMT") == at("2026-12-01 08:30", berlin))
        #expect(MailDate.parse("Tue, 01 Dec 26 02:30:00 EST (Eastern)") == at("2026-12-01 08:30", berlin))
        #expect(MailDate.parse("Mon, 30 Feb 2026 08:30:00 +0000") == nil)
        #expect(MailDate.parse("yesterday") == nil)
    }
}
