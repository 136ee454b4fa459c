import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The core's judgement of replies, over the client fixtures: who may act, on what, once — and
/// each acting reply goes through the same typed path as the CLI, with one confirmation.
@Suite struct ReplyEngineTests {
    typealias Fixture = ReplyParsingTests.Fixture

    /// The manifest's tokens stand for kept's: a signer that knows them, as the real one knows its own.
    struct ManifestSigner: ReplySigner {
        var tokens: [String: String]  // reminder key → token
        func address(for key: ReminderKey) -> String { "dana+kept-\(tokens[key.description] ?? "0000000000000000")@example.org" }
        func token(in address: String) -> String? {
            guard address.hasPrefix("dana+kept-"), address.hasSuffix("@example.org") else { return nil }
            return String(address.dropFirst(10).dropLast(12))
        }
        func verify(_ token: String, for key: ReminderKey) -> Bool { tokens[key.description] == token }
        func logAddress(for target: LetterTarget) -> String { "dana+kept-log-\(LetterSigner.token(target))@example.org" }
        func logToken(in address: String) -> String? {
            guard address.hasPrefix("dana+kept-log-"), address.hasSuffix("@example.org") else { return nil }
            return String(address.dropFirst(14).dropLast(12))
        }
        func verify(logToken token: String, for target: LetterTarget) -> Bool { LetterSigner.token(target) == token }
    }

    /// Logging tokens for the tests: the target written out, which only these tests accept.
    enum LetterSigner {
        static func token(_ target: LetterTarget) -> String {
            String(target.description.map { $0.isLetter || $0.isNumber ? $0 : "x" })
        }
    }

    struct Manifest: Decodable {
        struct Reminder: Decodable { var token: String; var message_id: String }
        var reminders: [String: Reminder]
    }

    static let manifest: Manifest? = FileManager.default.contents(atPath: ReplyParsingTests.folder.appendingPathComponent("manifest.json").path)
        .flatMap { try? JSONDecoder().decode(Manifest.self, from: $0) }

    let now = at("2026-12-01 10:00", berlin)

    /// Incident 1 for Acme Corp with 1.14 (due today) and 1.15 (weekly, its second due tomorrow),
    /// replies on, as the fixtures were written against.
    func replying(trusted: String? = nil) throws -> Engine {
        var e = engine(berlin)
        e.mailFrom = "kept <kept@host.example>"
        e.mailTo = ["dana@example.org"]
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: "Wrong invoice", noticed: "2026-09-13T17:00"), now: now)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-12-01"), now: now)
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Weekly check-in with Acme", every: "1w",
                                                            from: "2026-11-25T10:00", until: "2026-12-09", allowPast: true), now: now)
        let manifest = try #require(Self.manifest)
        e.replies = ReplySettings(owners: ["Dana@example.org"], trustedServer: trusted,
                                  signer: ManifestSigner(tokens: manifest.reminders.mapValues(\.token)))
        return e
    }

    /// The fixture with the manifest's Message-IDs made kept's own for this store.
    func reply(_ f: Fixture, _ e: Engine) throws -> Reply {
        var text = String(decoding: ReplyParsingTests.bytes(f), as: UTF8.self)
        for (key, r) in try #require(Self.manifest).reminders {
            text = text.replacingOccurrences(of: r.message_id, with: e.composer.messageID(try #require(ReminderKey(parsing: key))))
        }
        return Reply(parsing: Array(text.utf8))
    }

    /// Changes to incidents and items (not the reply's own bookkeeping or its confirmation).
    static func actions(_ changes: [Change]) -> Int {
        changes.filter { if case .replied = $0 { false } else if case .enqueue = $0 { false } else { true } }.count
    }

    @Test(arguments: ReplyParsingTests.fixtures.filter { $0.expected.reason != "authentication-failed" })
    func eachFixtureActsAsItsManifestSays(_ f: Fixture) throws {
        let e = try replying()
        let r = try reply(f, e)
        let decision = try Methods.MailIngest.decide(e, r, now: now)
        let answer = decision.answer(e)
        #expect(Self.actions(decision.changes) == f.expected.actions, "\(f.file): \(answer.message)")
        let ignored = answer.outcome == .ignored || answer.outcome == .bounce
        #expect(ignored == f.expected.ignored, "\(f.file): \(answer.outcome) \(answer.reason ?? "") \(answer.message)")
        // One confirmation for each reply read; none for what is ignored.
        let confirmations = decision.changes.filter { if case .enqueue = $0 { true } else { false } }.count
        #expect(confirmations == (ignored ? 0 : 1), "\(f.file)")
        if f.expected.ignored { #expect(decision.changes.isEmpty, "\(f.file): ignored mail changes nothing") }
    }

    /// A dry run is judged and worded as the real one, and changes nothing: no act, no
    /// Message-ID marked, no answer queued — each fixture that acts would act, and says so.
    @Test(arguments: ReplyParsingTests.fixtures.filter { $0.expected.reason != "authentication-failed" })
    func aDryRunSaysWhatItWouldDoAndChangesNothing(_ f: Fixture) throws {
        let e = try replying()
        var r = try reply(f, e)
        let real = try Methods.MailIngest.decide(e, r, now: now).answer(e)
        r.dryRun = true
        let dry = try Methods.MailIngest.decide(e, r, now: now)
        #expect(dry.changes.isEmpty, "\(f.file)")
        let answer = dry.answer(e)
        #expect(answer.outcome == real.outcome, "\(f.file)")
        if real.outcome == .acted || real.outcome == .answered {
            #expect(answer.message == "dry run, nothing changed: " + real.message, "\(f.file)")
        }
    }

    @Test func aForgedFromThatPassesAsTheOwnerIsCaughtByDKIM() throws {
        let f = try #require(ReplyParsingTests.fixtures.first { $0.expected.reason == "authentication-failed" })
        let strict = try replying(trusted: "mx.example.org")
        let refused = try Methods.MailIngest.decide(strict, try reply(f, strict), now: now)
        #expect(refused.changes.isEmpty && refused.answer(strict).reason == "authentication-failed")
        // A genuine reply signed by the owner's domain passes the same check.
        let good = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix("01-") })
        #expect(Self.actions(try Methods.MailIngest.decide(strict, try reply(good, strict), now: now).changes) == 1)
        // Without authentication: dkim, only the From decides, and the exact owner address passes.
        let open = try replying()
        #expect(Self.actions(try Methods.MailIngest.decide(open, try reply(f, open), now: now).changes) == 1)
    }

    @Test func dkimCountsOnlyForTheFromDomainAndOnlyFromTheTrustedServer() {
        let owner = "dana@example.org"
        #expect(Engine.authenticated(["mx.example.org; dkim=pass header.d=example.org; spf=pass"], by: "mx.example.org", from: owner))
        #expect(!Engine.authenticated(["mx.example.org; dkim=pass header.d=evil.example; dmarc=fail"], by: "mx.example.org", from: owner))
        #expect(Engine.authenticated(["mx.example.org; dkim=pass header.d=evil.example; dmarc=pass header.from=example.org"], by: "mx.example.org", from: owner))
        #expect(!Engine.authenticated(["other.example; dmarc=pass header.from=example.org"], by: "mx.example.org", from: owner))
        // The topmost header of the trusted server decides; one further down (forged inside the message) does not.
        #expect(!Engine.authenticated(["mx.example.org; dkim=none", "mx.example.org; dmarc=pass header.from=example.org"], by: "mx.example.org", from: owner))
        // A parent domain's signature is not the From domain's; DMARC counts for the From domain only.
        #expect(!Engine.authenticated(["mx.example.org; dkim=pass header.d=org"], by: "mx.example.org", from: owner))
        #expect(!Engine.authenticated(["mx.example.org; dmarc=pass header.from=evil.example"], by: "mx.example.org", from: owner))
        #expect(!Engine.authenticated(["mx.example.org; dmarc=pass"], by: "mx.example.org", from: owner))
        #expect(Engine.authenticated(["mx.example.org; dmarc=pass (p=quarantine dis=none) header.from=Example.org"], by: "mx.example.org", from: owner))
    }

    @Test func keptSendingAsTheOwnerStillReadsTheOwnersReplies() throws {
        var e = try replying()
        e.mailFrom = "Dana <dana@example.org>"  // msmtp with a mail provider sends as the account
        let f = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix("01-") })
        #expect(Self.actions(try Methods.MailIngest.decide(e, try reply(f, e), now: now).changes) == 1)
    }

    @Test func aReplyActsOnceAndIsConfirmedInItsThread() throws {
        var e = try replying()
        let f = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix("01-") })
        let r = try reply(f, e)
        let first = try e.perform(Methods.MailIngest.self, r, now: now)
        #expect(first.outcome == .acted)
        #expect(first.message.hasPrefix("1.14 Send the corrected invoice: done, kept. Ledger:"), "\(first.message)")
        let mark = try #require(e.state.item(ItemID(incident: 1, number: 14))?.mark(1))
        #expect(mark.done == now && mark.note == "called Dana, she is happy")
        // The confirmation: to the owner, in the reply's thread, with a token for the same reminder.
        let entry = try #require(e.state.outbox.first { if case .reply = $0.key { true } else { false } })
        #expect(entry.message.contains("In-Reply-To: \(r.messageID)\n"))
        #expect(entry.message.contains("Reply-To: dana+kept-k7q3m2x9a4b5c6d7@example.org\n"))
        #expect(entry.message.contains("Auto-Submitted: auto-generated\n"))
        #expect(entry.message.contains("Subject: Re: "))
        // The same reply again (a mail system delivering twice) does nothing.
        let again = try e.perform(Methods.MailIngest.self, r, now: now + 60)
        #expect(again.outcome == .ignored && again.reason == "replayed")
        #expect(e.state.outbox.filter { if case .reply = $0.key { true } else { false } }.count == 1)
    }

    @Test func aSnoozeAReleaseAndANoteGoThroughTheTypedPath() throws {
        var e = try replying()
        for (prefix, check) in [("02-", { (e: Engine) in e.state.item(ItemID(incident: 1, number: 14))?.mark(1)?.snoozes?.count == 1 }),
                                ("05-", { (e: Engine) in e.state.incident(1)?.timeline.last?.what == "note" }),
                                ("03-", { (e: Engine) in e.state.item(ItemID(incident: 1, number: 14))?.mark(1)?.released == "Dana asked for monthly instead" })] {
            let f = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix(prefix) })
            let answer = try e.perform(Methods.MailIngest.self, try reply(f, e), now: now)
            #expect(answer.outcome == .acted, "\(prefix): \(answer.message)")
            #expect(check(e), "\(prefix)")
        }
    }

    @Test func mailNeverOpensClosesOrActsOnAClosedIncident() throws {
        var e = try replying()
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 1, outcome: .recovered), now: now)
        let f = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix("06-") })
        let decision = try Methods.MailIngest.decide(e, try reply(f, e), now: now)
        #expect(Self.actions(decision.changes) == 0)
        #expect(decision.answer(e).message.hasPrefix("Nothing changed: incident 1 is closed"), "\(decision.answer(e).message)")
    }

    @Test func withoutReplyAddressNothingIsReadAndMessagesAreAsBefore() throws {
        var e = try replying()
        e.replies = nil
        let f = try #require(ReplyParsingTests.fixtures.first { $0.file.hasPrefix("01-") })
        let decision = try Methods.MailIngest.decide(e, try reply(f, e), now: now)
        #expect(decision.changes.isEmpty && decision.answer(e).reason == "replies-off")
        let changes = e.dueReminders(at: now)
        guard case .enqueue(let entry, _)? = changes.first else { Issue.record("no reminder due"); return }
        #expect(!entry.message.contains("Reply-To:") && !entry.message.contains("Auto-Submitted:"))
        var on = try replying()
        guard case .enqueue(let signed, _)? = on.dueReminders(at: now).first else { Issue.record("no reminder due"); return }
        #expect(signed.message.contains("Reply-To: dana+kept-") && signed.message.contains("X-Auto-Response-Suppress: All"))
        #expect(signed.reminder.body.contains(ReplySettings.footer))
        _ = on
    }

    @Test func keptsMessageIDsReadBackAsTheirKeys() {
        let e = engine(berlin)
        for text in ["1.14#1/due", "3.2#12/overdue3", "digest/2026-11-30", "reply/3fa9c2"] {
            let key = ReminderKey(parsing: text)!
            #expect(ReminderKey(messageID: e.composer.messageID(key), storeID: e.state.storeID) == key, "\(text)")
        }
        #expect(ReminderKey(messageID: "<1.14.1.due.otherstore@kept>", storeID: e.state.storeID) == nil)
    }
}
