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
        let user = "keptmail"
        let rig = Self.rigs + "postfix-rig"
        #expect(Self.sh([rig, "install"]).code == 0)
        // The binaries where the user can run them.
        let home = "/home/\(user)"
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("kept-mail-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: bin) }
        for name in ["kept", "keptd"] {
            try FileManager.default.copyItem(atPath: Harness.binaries + "/" + name, toPath: bin + "/" + name)
        }
        let socket = home + "/run/kept/control.sock"
        // Only what this test's deliveries log counts.
        let logFile = "/var/log/postfix-rig.log"
        let logStart = (try? FileManager.default.attributesOfItem(atPath: logFile)[.size] as? Int) ?? 0
        func log() -> String {
            guard let data = FileManager.default.contents(atPath: logFile), data.count >= logStart else { return "" }
            return String(decoding: data.dropFirst(logStart), as: UTF8.self)
        }
        let start = Self.sh([rig, "start", user, "\(bin)/kept --socket \(socket) mail ingest"])
        try #require(start.code == 0, "\(start.stderr)")
        defer {
            _ = Self.sh([rig, "stop"])
            _ = Self.sh([rig, "uninstall-user", user])
        }
        let uid = try #require(Int(Self.sh(["id", "-u", user]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        var env = ["HOME": home, "USER": user, "PATH": "/usr/bin:/bin", "TZ": Harness.chosenZone().tz, "KEPT_DIGEST_ENABLED": "false",
                   "XDG_RUNTIME_DIR": home + "/run", "XDG_STATE_HOME": home + "/state", "XDG_DATA_HOME": home + "/data",
                   "XDG_CONFIG_HOME": home + "/config"]
        let asUser = ["setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--init-groups", "--"]
        #expect(Self.sh(asUser + ["mkdir", "-m", "700", "-p", home + "/run", home + "/state", home + "/data", home + "/config/kept"]).code == 0)
        #expect(Self.sh(asUser + ["sh", "-c", "printf 'reply:\\n  address: \(user)+kept@localhost\\n  from: [dana@example.org]\\n' > \(home)/config/kept/config.yaml"]).code == 0)
        env["KEPT_SOCKET"] = socket
        func kept(_ args: String...) -> Harness.Result { Self.sh(asUser + [bin + "/kept"] + args, environment: env) }
        func startKeptd() throws -> pid_t {
            let pid = try Harness.spawnDetached(asUser + [bin + "/keptd"], environment: env)
            #expect(Harness.eventually(seconds: 15) { kept("status").code == 0 }, "keptd did not start")
            return pid
        }
        var keptd = try startKeptd()
        defer { Harness.stopDetached(keptd) }
        #expect(kept("open", "Acme Corp", "Wrong invoice").code == 0)
        #expect(kept("promise", "1", "Send the corrected invoice", "--due", "+1s").code == 0)
        // The reminder, as Python's mailbox reads it from the user's Maildir.
        let maildir = home + "/data/kept/Maildir"
        #expect(Harness.eventually(seconds: 15) { ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).count >= 1 })
        let headers = Self.sh(["python3", "-c", """
            import mailbox, sys
            for m in mailbox.Maildir(sys.argv[1], factory=None).values():
                if m['X-Kept-Key'] == '1.14#1/due': print(m['Message-ID']); print(m['Reply-To'])
            """, maildir]).stdout.split(separator: "\n").map(String.init)
        try #require(headers.count == 2, "\(headers)")
        let (messageID, replyTo) = (headers[0], headers[1])
        #expect(replyTo.hasPrefix("\(user)+kept-") && replyTo.hasSuffix("@localhost"), "\(replyTo)")

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
        Harness.stopDetached(keptd)
        #expect(Self.sh([rig, "send", "dana@example.org", replyTo, try reply("06-iphone-done-capitalised.eml")]).code == 0)
        #expect(Harness.eventually(seconds: 10) { log().contains("status=deferred") })
        #expect(Self.sh([rig, "queue"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        keptd = try startKeptd()
        #expect(Self.sh([rig, "wait-empty", "30"]).code == 0, "the reply is still queued")
        let show = try JSONSerialization.jsonObject(with: Data(kept("show", "1", "--json").stdout.utf8)) as? [String: Any]
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
        let again = try JSONSerialization.jsonObject(with: Data(kept("show", "1", "--json").stdout.utf8)) as? [String: Any]
        #expect((again?["timeline"] as? [[String: Any]] ?? []).filter { $0["what"] as? String == "done" }.count == 1)
        #expect(!log().contains("status=bounced"), "\(log())")
        #expect(log().contains("status=sent"), "\(log())")

        // A letter to the client, Bcc'd to the first check-in's logging address: the mail system
        // delivers the Bcc copy (the envelope's recipient; no Bcc header travels) to the same
        // pipe, and the check-in is done at the letter's Date.
        let letters = (again?["letters"] as? [[String: Any]]) ?? []
        let log16 = try #require(letters.first { $0["item"] as? String == "1.6" }?["address"] as? String, "\(letters)")
        #expect(log16.hasPrefix("\(user)+kept-log-") && log16.hasSuffix("@localhost"))
        let written = Date().addingTimeInterval(-600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let letter = bin + "/letter.eml"
        try """
            From: Dana <dana@example.org>\r
            To: Dana Scully <dana@acme.example>\r
            Subject: Weekly update: invoices\r
            Date: \(formatter.string(from: written))\r
            Message-ID: <letter-\(UUID().uuidString)@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Dear Dana, the corrected invoices went out this morning.\r

            """.write(toFile: letter, atomically: true, encoding: .utf8)
        #expect(Self.sh([rig, "send", "dana@example.org", log16, letter]).code == 0)
        #expect(Self.sh([rig, "wait-empty", "30"]).code == 0)
        let after = try JSONSerialization.jsonObject(with: Data(kept("show", "1", "--json").stdout.utf8)) as? [String: Any]
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
}
