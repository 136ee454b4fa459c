import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Replies through real mail systems: Postfix on loopback delivering to a user's `~/.forward`
/// pipe into `kept mail ingest` (keptd running as that user), and Dovecot with mbsync filling
/// the Maildir keptd watches. They start what they need and stop it; they need root (a mail
/// system and a second user), and say so when they cannot run.
@Suite(.serialized, .enabled(if: getuid() == 0, "the mail-system tests run a real Postfix and Dovecot, as root"))
struct MailSystemTests {
    static let rigs = Harness.packageRoot + "/Tests/mail/"

    static func sh(_ args: [String], environment: [String: String]? = nil) -> Harness.Result {
        Harness.execute("/usr/bin/env", args, environment: environment)
    }

    @Test func postfixDeliversAReplyToTheForwardPipeAndHoldsItWhileKeptdIsDown() throws {
        let user = try ForwardedUser("keptmail", config: "reply:\n  address: keptmail+kept@localhost\n  from: [dana@example.org]\n")
        defer { user.stop() }
        let rig = user.rig
        let kept = user.kept
        try user.startKeptd()
        #expect(kept(["open", "Acme Corp", "Wrong invoice"]).code == 0)
        #expect(kept(["promise", "1", "Send the corrected invoice", "--due", "+1s"]).code == 0)
        // The reminder, as Python's mailbox reads it from the user's Maildir.
        let maildir = user.home + "/data/kept/Maildir"
        #expect(Harness.eventually(seconds: 15) { ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).count >= 1 })
        let headers = Self.sh(["python3", "-c", """
            import mailbox, sys
            for m in mailbox.Maildir(sys.argv[1], factory=None).values():
                if m['X-Kept-Key'] == '1.14#1/due': print(m['Message-ID']); print(m['Reply-To'])
            """, maildir]).stdout.split(separator: "\n").map(String.init)
        try #require(headers.count == 2, "\(headers)")
        let (messageID, replyTo) = (headers[0], headers[1])
        #expect(replyTo.hasPrefix("keptmail+kept-") && replyTo.hasSuffix("@localhost"), "\(replyTo)")
        let bin = user.bin
        let log = user.log

        // A reply from the owner's phone, addressed to the Reply-To, as Postfix receives it over SMTP.
        func reply(_ file: String) throws -> String {
            var bytes = Array(try #require(FileManager.default.contents(atPath: ReplyRig.fixtures + file)))
            bytes = ReplyRig.replace(bytes, ReplyRig.fixtureID, Array(messageID.utf8))
            bytes = ReplyRig.replace(bytes, Array("dana+kept-k7q3m2x9a4b5c6d7@example.org".utf8), Array(replyTo.utf8))
            let path = bin + "/" + file
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        // keptd down: Postfix keeps the reply (the pipe said 75) and tries again.
        user.stopKeptd()
        #expect(Self.sh([rig, "send", "dana@example.org", replyTo, try reply("06-iphone-done-capitalised.eml")]).code == 0)
        #expect(Harness.eventually(seconds: 10) { log().contains("status=deferred") })
        #expect(Self.sh([rig, "queue"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        try user.startKeptd()
        #expect(Self.sh([rig, "wait-empty", "30"]).code == 0, "the reply is still queued")
        let show = try user.show()
        let items = show?["items"] as? [[String: Any]] ?? []
        let occurrence = (items.first { $0["id"] as? String == "1.14" }?["occurrences"] as? [[String: Any]])?.first
        #expect(occurrence?["status"] as? String == "kept", "\(String(describing: occurrence))")
        // Exactly once: one done on the timeline, one answer in the Maildir.
        let timeline = show?["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.filter { $0["what"] as? String == "done" }.count == 1)
        #expect(Harness.eventually(seconds: 10) {
            ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).contains { $0.contains("reply") }
        })
        // The same reply delivered again by the mail system: handled (exit 0), nothing twice.
        #expect(Self.sh([rig, "send", "dana@example.org", replyTo, try reply("06-iphone-done-capitalised.eml")]).code == 0)
        #expect(Self.sh([rig, "wait-empty", "30"]).code == 0)
        let again = try user.show()
        #expect((again?["timeline"] as? [[String: Any]] ?? []).filter { $0["what"] as? String == "done" }.count == 1)
        #expect(!log().contains("status=bounced"), "\(log())")
        #expect(log().contains("status=sent"), "\(log())")

        // A letter to the client, Bcc'd to the first check-in's logging address: the mail system
        // delivers the Bcc copy (the envelope's recipient; no Bcc header travels) to the same
        // pipe, and the check-in is done at the letter's Date.
        let letters = (again?["letters"] as? [[String: Any]]) ?? []
        let log16 = try #require(letters.first { $0["item"] as? String == "1.6" }?["address"] as? String, "\(letters)")
        #expect(log16.hasPrefix("keptmail+kept-log-") && log16.hasSuffix("@localhost"))
        let written = Date().addingTimeInterval(-600)
        let letter = bin + "/letter.eml"
        try """
            From: Dana <dana@example.org>\r
            To: Dana Scully <dana@acme.example>\r
            Subject: Weekly update: invoices\r
            Date: \(Harness.rfc5322(written))\r
            Message-ID: <letter-\(UUID().uuidString)@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Dear Dana, the corrected invoices went out this morning.\r

            """.write(toFile: letter, atomically: true, encoding: .utf8)
        #expect(Self.sh([rig, "send", "dana@example.org", log16, letter]).code == 0)
        #expect(Self.sh([rig, "wait-empty", "30"]).code == 0)
        let after = try user.show()
        let checkin = ((after?["items"] as? [[String: Any]])?.first { $0["id"] as? String == "1.6" }?["occurrences"] as? [[String: Any]])?.first
        #expect(checkin?["done"] != nil, "\(String(describing: checkin))")
        let sent = (after?["timeline"] as? [[String: Any]] ?? []).first { $0["what"] as? String == "letter" }
        #expect((sent?["text"] as? String)?.hasPrefix("sent to Dana Scully <dana@acme.example>: Weekly update: invoices <letter-") == true,
                "\(String(describing: sent))")
        #expect(!log().contains("status=bounced"), "\(log())")
    }

    @Test func mbsyncFillsTheWatchedMaildirFromDovecotAndAReplyBecomesDone() throws {
        let rig = Self.rigs + "imap-rig"
        #expect(Self.sh([rig, "install"]).code == 0)
        _ = Self.sh([rig, "stop"])  // one left by a run that was cut short
        let started = Self.sh([rig, "start", "dana", "secret-for-tests"])
        try #require(started.code == 0, "\(started.stderr)")
        defer { _ = Self.sh([rig, "stop"]) }
        let h = Harness()
        let watch = h.root + "/data/mail/kept"
        let drafts = h.root + "/data/mail/Drafts"
        let replies = try ReplyRig(extra: "  watch: \(watch)\nletters:\n  drafts: \(drafts)", harness: h)
        try replies.start()
        defer { h.stop() }
        let file = h.root + "/reply.eml"
        try replies.reply("07-thunderbird-bottom-post-snooze.eml").write(to: URL(fileURLWithPath: file))
        let uid = Self.sh([rig, "append", "dana", "secret-for-tests", "INBOX", file])
        #expect(uid.code == 0, "\(uid.stderr)")
        let sync = Self.sh([rig, "sync", h.root + "/mbsync", watch])
        #expect(sync.code == 0, "\(sync.stderr)")
        // keptd sees it land in new/, snoozes 1.14, and marks it seen in cur/.
        #expect(Harness.eventually(seconds: 10) {
            ((try? FileManager.default.contentsOfDirectory(atPath: watch + "/cur")) ?? []).contains { $0.hasSuffix(":2,S") }
        })
        #expect(try replies.occurrence()["snoozedUntil"] != nil)
        // The next sync tells the server it was read, and brings nothing back twice.
        #expect(Self.sh([rig, "sync", h.root + "/mbsync", watch]).code == 0)
        let flags = Self.sh([rig, "list", "dana", "secret-for-tests", "INBOX"]).stdout
        #expect(flags.contains("\\Seen"), "\(flags)")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: watch + "/cur")) ?? [])
            + ((try? FileManager.default.contentsOfDirectory(atPath: watch + "/new")) ?? [])
        #expect(files.count == 1, "\(files)")
        #expect(Harness.eventually(seconds: 10) { ((try? replies.confirmations()) ?? []).count == 1 })

        // A letter kept puts in the local Drafts folder goes up to the server's Drafts with mbsync,
        // as a draft, where the user's phone and webmail find it.
        #expect(h.kept("draft", "1.6", "--save").code == 0)
        let up = Self.sh([rig, "sync", h.root + "/mbsync-drafts", drafts, "Drafts"])
        #expect(up.code == 0, "\(up.stderr)")
        let onServer = Self.sh([rig, "list", "dana", "secret-for-tests", "Drafts"]).stdout
        #expect(onServer.split(separator: "\n").count == 1 && onServer.contains("\\Draft"), "\(onServer)")
    }
    /// The whole road of a letter: kept puts the check-in's letter in the user's Drafts folder;
    /// mbsync uploads it to the IMAP server; the phone (Python's imaplib and smtplib, as a mail
    /// app does it) opens the draft there and sends it through Postfix — the Bcc on the envelope,
    /// not in the message; Postfix delivers the client's copy to their mailbox and the Bcc copy to
    /// the user's `.forward` pipe, and the check-in is done at the letter's Date.
    @Test func aDraftGoesUpWithMbsyncIsSentFromThePhoneThroughPostfixAndItsBccCopyDoesTheCheckin() throws {
        let imap = Self.rigs + "imap-rig"
        #expect(Self.sh([imap, "install"]).code == 0)
        _ = Self.sh([imap, "stop"])  // one left by a run that was cut short
        let user = try ForwardedUser("keptmail") { home in
            "reply:\n  address: keptmail+kept@localhost\n  from: [\"Dana Example <dana@example.org>\"]\nletters:\n  drafts: \(home)/Mail/Drafts\n"
        }
        defer { user.stop() }
        let client = "keptclient"
        #expect(Self.sh([user.rig, "mailbox", client]).code == 0)
        defer { _ = Self.sh([user.rig, "uninstall-user", client]) }
        let started = Self.sh([imap, "start", "dana", "secret-for-tests"])
        try #require(started.code == 0, "\(started.stderr)")
        defer { _ = Self.sh([imap, "stop"]) }

        try user.startKeptd()
        #expect(user.kept(["open", "Acme Corp", "Wrong invoice", "--contact", "Dana Scully <\(client)@localhost>"]).code == 0)
        let saved = user.kept(["draft", "1.6", "--save"])
        #expect(saved.code == 0, "\(saved.stderr)")
        let up = Self.sh([imap, "sync", user.bin + "/mbsync", user.home + "/Mail/Drafts", "Drafts"])
        #expect(up.code == 0, "\(up.stderr)")

        // The phone: the draft from the server's Drafts folder, sent as it is (a new Date), the
        // draft then deleted there, as mail apps do.
        let phone = Self.sh([Harness.python, "-c", """
            import datetime, email, email.policy, email.utils, imaplib, json, smtplib, sys
            m = imaplib.IMAP4('127.0.0.1', 10143)
            m.login('dana', 'secret-for-tests')
            m.select('Drafts')
            typ, found = m.uid('SEARCH', 'DRAFT')
            uids = found[0].split()
            assert len(uids) == 1, uids
            typ, data = m.uid('FETCH', uids[0], '(RFC822)')
            letter = email.message_from_bytes(data[0][1], policy=email.policy.SMTP)
            bcc = str(letter['Bcc'])
            del letter['Date']
            letter['Date'] = email.utils.formatdate(localtime=True)
            with smtplib.SMTP('127.0.0.1', 25) as smtp:
                refused = smtp.send_message(letter)  # recipients from To, Cc and Bcc; Bcc not sent
            assert not refused, refused
            m.uid('STORE', uids[0], '+FLAGS', '(\\\\Deleted)')
            m.expunge()
            m.logout()
            sent = email.utils.parsedate_to_datetime(letter['Date']).astimezone(datetime.timezone.utc)
            print(json.dumps({'bcc': bcc, 'date': sent.strftime('%Y-%m-%dT%H:%M:%SZ'), 'subject': str(letter['Subject']),
                              'id': str(letter['Message-ID'])}))
            """])
        try #require(phone.code == 0, "\(phone.stderr)")
        let letter = try #require(try JSONSerialization.jsonObject(with: Data(phone.stdout.utf8)) as? [String: String])
        #expect(letter["bcc"]?.hasPrefix("keptmail+kept-log-") == true, "\(letter)")
        #expect(Self.sh([user.rig, "wait-empty", "30"]).code == 0, "the letter is still queued")
        #expect(!user.log().contains("status=bounced") && !user.log().contains("status=deferred"), "\(user.log())")

        // The check-in is done at the letter's Date, and the timeline says to whom and what.
        let show = try user.show()
        let checkin = ((show?["items"] as? [[String: Any]])?.first { $0["id"] as? String == "1.6" }?["occurrences"] as? [[String: Any]])?.first
        #expect(checkin?["done"] as? String == letter["date"], "\(String(describing: checkin)) \(letter)")
        let sent = (show?["timeline"] as? [[String: Any]] ?? []).filter { $0["what"] as? String == "letter" }
        #expect(sent.count == 1)
        #expect(sent.first?["text"] as? String == "sent to Dana Scully <\(client)@localhost>: \(letter["subject"] ?? "") \(letter["id"] ?? "")",
                "\(sent)")

        // The client's mailbox: exactly one copy, nothing of kept's in it, no Bcc, no logging address.
        let mailbox = Self.sh([Harness.python, "-c", """
            import json, mailbox, sys
            box = mailbox.mbox(sys.argv[1], create=False)
            messages = [bytes(m) for m in box]
            print(json.dumps({'count': len(messages),
                              'kept': [m.decode('latin-1').split('\\n\\n')[0].lower().count('x-kept') for m in messages],
                              'bcc': [b'\\nbcc:' in m.lower() for m in messages],
                              'logging': [b'kept-log' in m for m in messages],
                              'to': [mailbox.mboxMessage(m)['To'] for m in messages]}))
            """, "/var/mail/\(client)"])
        #expect(mailbox.code == 0, "\(mailbox.stderr)")
        let delivered = try #require(try JSONSerialization.jsonObject(with: Data(mailbox.stdout.utf8)) as? [String: Any])
        #expect(delivered["count"] as? Int == 1, "\(delivered)")
        #expect(delivered["kept"] as? [Int] == [0] && delivered["bcc"] as? [Bool] == [false] && delivered["logging"] as? [Bool] == [false],
                "\(delivered)")
        #expect(delivered["to"] as? [String] == ["Dana Scully <\(client)@localhost>"], "\(delivered)")
    }

}

/// A user of the loopback Postfix whose `~/.forward` pipes their mail into `kept mail ingest`, with
/// keptd running as them (a second user: Postfix runs root's pipes as nobody). `stop` ends keptd
/// and Postfix and removes the user.
final class ForwardedUser {
    let rig = MailSystemTests.rigs + "postfix-rig"
    let name: String
    let home: String
    /// The binaries, where the user can run them.
    let bin: String
    let socket: String
    private let env: [String: String]
    private let asUser: [String]
    private let logStart: Int
    private var keptd: pid_t?
    static let logFile = "/var/log/postfix-rig.log"

    init(_ name: String, config: (String) -> String) throws {
        self.name = name
        home = "/home/\(name)"
        socket = home + "/run/kept/control.sock"
        #expect(MailSystemTests.sh([rig, "install"]).code == 0)
        bin = FileManager.default.temporaryDirectory.appendingPathComponent("kept-mail-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for program in ["kept", "keptd"] {
            try FileManager.default.copyItem(atPath: Harness.binaries + "/" + program, toPath: bin + "/" + program)
        }
        // Only what this test's deliveries log counts.
        logStart = (try? FileManager.default.attributesOfItem(atPath: Self.logFile)[.size] as? Int) ?? 0
        let start = MailSystemTests.sh([rig, "start", name, "\(bin)/kept --socket \(socket) mail ingest"])
        guard start.code == 0 else { throw HarnessError("postfix-rig did not start: \(start.stderr)") }
        let uid = MailSystemTests.sh(["id", "-u", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        env = ["HOME": home, "USER": name, "PATH": "/usr/bin:/bin", "TZ": Harness.chosenZone().tz, "KEPT_DIGEST_ENABLED": "false",
               "XDG_RUNTIME_DIR": home + "/run", "XDG_STATE_HOME": home + "/state", "XDG_DATA_HOME": home + "/data",
               "XDG_CONFIG_HOME": home + "/config", "KEPT_SOCKET": socket]
        asUser = ["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--init-groups", "--"]
        #expect(run(["mkdir", "-m", "700", "-p", home + "/run", home + "/state", home + "/data", home + "/config/kept"]).code == 0)
        let file = bin + "/config.yaml"
        try config(home).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(run(["cp", file, home + "/config/kept/config.yaml"]).code == 0)
    }

    convenience init(_ name: String, config: String) throws { try self.init(name, config: { _ in config }) }

    /// Runs a program as the user, in their environment.
    func run(_ args: [String]) -> Harness.Result { MailSystemTests.sh(asUser + args, environment: env) }
    func kept(_ args: [String]) -> Harness.Result { run([bin + "/kept"] + args) }

    func startKeptd() throws {
        keptd = try Harness.spawnDetached(asUser + [bin + "/keptd"], environment: env)
        #expect(Harness.eventually(seconds: 15) { kept(["status"]).code == 0 }, "keptd did not start")
    }

    func stopKeptd() {
        if let keptd { Harness.stopDetached(keptd) }
        keptd = nil
    }

    /// `kept show 1 --json`.
    func show(_ incident: String = "1") throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(kept(["show", incident, "--json"]).stdout.utf8)) as? [String: Any]
    }

    /// What Postfix logged since this user was made.
    func log() -> String {
        guard let data = FileManager.default.contents(atPath: Self.logFile), data.count >= logStart else { return "" }
        return String(decoding: data.dropFirst(logStart), as: UTF8.self)
    }

    func stop() {
        stopKeptd()
        _ = MailSystemTests.sh([rig, "stop"])
        _ = MailSystemTests.sh([rig, "uninstall-user", name])
        try? FileManager.default.removeItem(atPath: bin)
    }
}
