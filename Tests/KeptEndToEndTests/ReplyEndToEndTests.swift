import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real keptd with replies on, a real reminder in its Maildir, and replies in the shapes real
/// clients write — made answers to that reminder (its Message-ID, its token) — fed through
/// `kept mail ingest` and through a watched Maildir.
final class ReplyRig {
    let h: Harness
    /// The due reminder of 1.14: its Message-ID and the token in its Reply-To.
    var messageID = "", token = ""

    static let fixtures = Harness.packageRoot + "/Tests/Fixtures/replies/"
    /// What the fixtures were written against (see their manifest).
    static let fixtureID = Array("<r.1.14-1.due.k7q3m2x9a4b5c6d7@kept.host.example>".utf8)
    static let fixtureToken = Array("k7q3m2x9a4b5c6d7".utf8)

    init(extra: String = "", harness: Harness = Harness()) throws {
        h = harness
        try h.writeConfig("""
            reply:
              address: dana+kept@example.org
              from: [dana@example.org]
            \(extra)
            """)
    }

    /// Starts keptd, opens the incident and waits for 1.14's due reminder.
    func start(_ arguments: [String] = []) throws {
        try h.start(arguments)
        #expect(h.kept("open", "Acme Corp", "Wrong invoice").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+1s").code == 0)
        let mails = try h.waitForMails(1)
        let due = try #require(mails.first { $0.header("X-Kept-Key") == "1.14#1/due" }, "no due reminder")
        messageID = try #require(due.header("Message-ID"))
        let replyTo = try #require(due.header("Reply-To"))
        #expect(replyTo.hasPrefix("dana+kept-") && replyTo.hasSuffix("@example.org"), "\(replyTo)")
        token = String(replyTo.dropFirst("dana+kept-".count).dropLast("@example.org".count))
        #expect(token.count == 16)
        #expect(due.header("Auto-Submitted") == "auto-generated")
        #expect(due.body.contains("Reply to act on it: done"))
    }

    /// A fixture answering 1.14's due reminder as this keptd sent it.
    func reply(_ file: String) throws -> Data {
        var bytes = Array(try #require(FileManager.default.contents(atPath: Self.fixtures + file), "\(file)"))
        bytes = Self.replace(bytes, Self.fixtureID, Array(messageID.utf8))
        bytes = Self.replace(bytes, Self.fixtureToken, Array(token.utf8))
        return Data(bytes)
    }

    static func replace(_ bytes: [UInt8], _ target: [UInt8], _ with: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < bytes.count {
            if bytes[i] == target[0], i + target.count <= bytes.count, Array(bytes[i..<(i + target.count)]) == target {
                out += with
                i += target.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    func ingest(_ data: Data) -> Harness.Result { h.run(Harness.binaries + "/kept", ["mail", "ingest"], stdin: data) }

    /// 1.14's first occurrence as `kept show --json` has it.
    func occurrence() throws -> [String: Any] {
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let items = try #require(show["items"] as? [[String: Any]])
        let item = try #require(items.first { $0["id"] as? String == "1.14" })
        return try #require((item["occurrences"] as? [[String: Any]])?.first)
    }

    /// The confirmations kept wrote back (its answers to replies) in the Maildir.
    func confirmations() throws -> [Harness.Mail] {
        try h.mails().filter { $0.header("X-Kept-Key")?.hasPrefix("reply/") == true }
    }
}

@Suite(.serialized) struct ReplyEndToEndTests {
    @Test func aReplyThroughKeptMailIngestActsOnceAndIsAnswered() throws {
        let rig = try ReplyRig()
        try rig.start()
        defer { rig.h.stop() }
        let done = rig.ingest(try rig.reply("01-gmail-web-done-note.eml"))
        #expect(done.code == 0 && done.stdout.isEmpty && done.stderr.isEmpty, "\(done.code) \(done.stderr)")
        let occ = try rig.occurrence()
        #expect(occ["status"] as? String == "kept" && occ["note"] as? String == "called Dana, she is happy", "\(occ)")
        #expect(Harness.eventually(seconds: 10) { ((try? rig.confirmations()) ?? []).count == 1 })
        let answer = try #require(try rig.confirmations().first)
        #expect(answer.body.hasPrefix("1.14 Send the corrected invoice: done, kept. Ledger:"), "\(answer.body)")
        #expect(answer.header("Reply-To") == "dana+kept-\(rig.token)@example.org")
        #expect(answer.header("References")?.contains(rig.messageID) == true)
        // Delivered again (a mail system retrying): exit 0, nothing acts, no second answer.
        #expect(rig.ingest(try rig.reply("01-gmail-web-done-note.eml")).code == 0)
        // An answer would be in the outbox with the reply's journal entry, before ingest exits.
        try rig.h.settled()
        #expect(try rig.confirmations().count == 1)
        #expect(try rig.h.timeline(1, "done").count == 1, "acted once")
        #expect(rig.h.daemonOutput.contains("KEPT_EVENT=reply-acted") || rig.h.daemonOutput.contains("reply-acted"), "\(rig.h.daemonOutput.suffix(2000))")
    }

    @Test func attacksAndAutomaticMailChangeNothingAndGetNoAnswer() throws {
        let rig = try ReplyRig()
        try rig.start()
        defer { rig.h.stop() }
        let before = try rig.occurrence()
        var tried = 0
        for file in ["12-forged-from-mallory.eml", "12b-forged-display-name.eml", "13-missing-token.eml", "14-wrong-token.eml",
                     "15-token-of-other-reminder.eml", "16-out-of-office-autoreply.eml", "17-exchange-automatic-reply.eml",
                     "18-dsn-bounce.eml", "19-mailing-list-copy.eml", "20-empty-reply-quote-has-done.eml",
                     "21-forward-quotes-other-reminder.eml", "22-own-reminder-loop.eml"] {
            let r = rig.ingest(try rig.reply(file))
            #expect(r.code == 0, "\(file): \(r.code) \(r.stderr)")
            tried += 1
        }
        // A message that is not mail at all, and one of 20 MiB.
        #expect(rig.ingest(Data([0xFF, 0x00, 0x0A, 0x0D])).code == 0)
        #expect(rig.ingest(Data(repeating: UInt8(ascii: "x"), count: 20 << 20)).code == 0)
        // A stream with no end: read up to the cap, then ignored (timeout's 124 would say it hung).
        let endless = rig.h.run("/bin/sh", ["-c", "exec timeout 60 \"$0\" mail ingest < /dev/zero", Harness.binaries + "/kept"])
        #expect(endless.code == 0 && endless.stderr.contains("no reply: ignored"), "\(endless.code) \(endless.stderr)")
        #expect(try rig.occurrence()["status"] as? String == before["status"] as? String)
        #expect(try rig.occurrence()["done"] == nil)
        try rig.h.settled()
        #expect(try rig.confirmations().isEmpty)
        #expect(tried == 12)
        // The bounce of a reminder is said as that reminder's delivery failure.
        #expect(rig.h.daemonOutput.contains("reply-bounce"), "\(rig.h.daemonOutput.suffix(1500))")
    }

    @Test func withKeptdStoppedIngestAsksTheMailSystemToTryAgain() throws {
        let rig = try ReplyRig()
        try rig.start()
        let reply = try rig.reply("06-iphone-done-capitalised.eml")
        rig.h.stop()
        let later = rig.ingest(reply)
        #expect(later.code == 75, "\(later.code) \(later.stderr)")
        #expect(later.stderr.split(separator: "\n").count == 1)
        try rig.h.start()
        defer { rig.h.stop() }
        #expect(rig.ingest(reply).code == 0)
        #expect(try rig.occurrence()["status"] as? String == "kept")
    }

    @Test func aWatchedMaildirActsOnEachReplyOnceAndMarksItSeen() throws {
        let h = Harness()
        let watch = h.root + "/data/replies"
        let rig = try ReplyRig(extra: "  watch: \(watch)", harness: h)
        try rig.start()
        // A reply lands the way a sync program delivers it: written in tmp/, renamed into new/.
        let name = "1796126509.24075_1.vm,U=1:2,"
        try rig.reply("02-gmail-android-snooze-2d.eml").write(to: URL(fileURLWithPath: watch + "/tmp/" + name))
        #expect(rename(watch + "/tmp/" + name, watch + "/new/" + name) == 0)
        #expect(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: watch + "/cur/1796126509.24075_1.vm,U=1:2,S") })
        #expect(try rig.occurrence()["snoozedUntil"] != nil)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: watch + "/new")) ?? []).isEmpty)
        // What arrives while keptd is down is handled when it starts, once.
        h.stop()
        try rig.reply("05-apple-mail-macos-note.eml").write(to: URL(fileURLWithPath: watch + "/new/second"))
        // And mail that is not a reply kept may act on: left unread where it is.
        try rig.reply("13-missing-token.eml").write(to: URL(fileURLWithPath: watch + "/new/notareply"))
        try h.start()
        defer { h.stop() }
        #expect(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: watch + "/cur/second:2,S") })
        #expect(FileManager.default.fileExists(atPath: watch + "/new/notareply"))
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let notes = (show["timeline"] as? [[String: Any]] ?? []).filter { $0["what"] as? String == "note" }
        #expect(notes.count == 1 && notes.first?["text"] as? String == "the fix is deployed", "\(notes)")
        // Both answered, once each.
        #expect(Harness.eventually(seconds: 10) { ((try? rig.confirmations()) ?? []).count == 2 })
        // What a kill between the journal and the move leaves: the reply journaled, its file still
        // in new/. After the restart it is moved to cur/ and acts nothing twice.
        h.stop()
        try rig.reply("05-apple-mail-macos-note.eml").write(to: URL(fileURLWithPath: watch + "/new/third"))
        try h.start()
        #expect(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: watch + "/cur/third:2,S") })
        let after = try #require(try h.keptJSON("show", "1") as? [String: Any])
        #expect((after["timeline"] as? [[String: Any]] ?? []).filter { $0["what"] as? String == "note" }.count == 1)
        #expect(try rig.confirmations().count == 2)
    }

    @Test func eachReplyIsAnEntryInTheJournal() async throws {
        try await Journald.using {
            let rig = try ReplyRig()
            try rig.start(["--log", "journal"])
            defer { rig.h.stop() }
            let pid = try #require(rig.h.daemon?.processIdentifier)
            #expect(rig.ingest(try rig.reply("29-iphone-nl-done.eml")).code == 0)
            #expect(rig.ingest(try rig.reply("16-out-of-office-autoreply.eml")).code == 0)
            let entries = Journald.wait(for: ["_PID=\(pid)"]) { found in
                found.contains { $0["KEPT_EVENT"] == "reply-acted" } && found.contains { $0["KEPT_EVENT"] == "reply-ignored" }
            }
            let acted = try #require(entries.first { $0["KEPT_EVENT"] == "reply-acted" })
            #expect(acted["KEPT_ITEM"] == "1.14#1" && acted["KEPT_CLIENT"] == "Acme Corp")
            let ignored = try #require(entries.first { $0["KEPT_EVENT"] == "reply-ignored" })
            #expect(ignored["KEPT_REASON"] == "auto-submitted")
        }
    }
}
