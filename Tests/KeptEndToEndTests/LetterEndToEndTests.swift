import Foundation
import Testing

/// A letter from draft to done, through the real binaries: `kept draft --save` puts it in the
/// Drafts folder addressed to the client and Bcc'd to its logging address (Python's `email` reads
/// it strictly; neomutt recalls and sends it); sent, its Bcc copy comes back through `kept mail
/// ingest` and the check-in is done.
@Suite(.serialized) struct LetterEndToEndTests {
    static var neomuttAndTmux: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/neomutt") && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
    }

    /// neomutt, a mail client nobody here wrote, recalls kept's draft (`-p`) in a terminal (tmux)
    /// and sends it: the Bcc goes on the envelope only, and that copy, delivered, does the check-in.
    @Test(.enabled(if: neomuttAndTmux)) func neomuttRecallsTheDraftAndSendsItWithItsBcc() throws {
        let h = Harness()
        let drafts = h.root + "/Mail/Drafts"
        try h.writeConfig("""
            reply:
              address: dana+kept@example.org
              from: ["Dana Example <dana@example.org>"]
            letters:
              drafts: \(drafts)
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--contact", "Dana Scully <dana@acme.example>").code == 0)
        #expect(h.kept("draft", "1.6", "--save").code == 0)
        // neomutt's sendmail: keeps its argv (the envelope's recipients) and the message.
        let send = h.root + "/send"
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > \(h.root)/argv\ncat > \(h.root)/sent\n".write(toFile: send, atomically: true, encoding: .utf8)
        chmod(send, 0o755)
        try FileManager.default.createDirectory(atPath: h.root + "/Mail/Inbox/cur", withIntermediateDirectories: true)
        for part in ["new", "tmp"] { try FileManager.default.createDirectory(atPath: h.root + "/Mail/Inbox/" + part, withIntermediateDirectories: true) }
        let rc = h.root + "/neomuttrc"
        try """
            set folder=\(h.root)/Mail/Inbox
            set spoolfile=\(h.root)/Mail/Inbox
            set mbox_type=Maildir
            set postponed=\(drafts)
            set record=""
            set sendmail="\(send)"
            set editor="true"
            set sleep_time=0
            set header_cache=""
            set message_cachedir=""

            """.write(toFile: rc, atomically: true, encoding: .utf8)
        let session = "kept-neomutt-\(UUID().uuidString.prefix(8))"
        let tmux = { (args: [String]) in Harness.execute("/usr/bin/tmux", args, environment: h.env) }
        // Started detached: the tmux server it starts must hold none of this process's descriptors.
        _ = try Harness.spawnDetached(["/usr/bin/tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40",
                                       "TERM=xterm /usr/bin/neomutt -n -F \(rc) -p"], environment: h.env)
        defer { _ = tmux(["kill-session", "-t", session]) }
        // The compose screen of the recalled draft, its Bcc there; then y sends it.
        #expect(Harness.eventually(seconds: 15) { tmux(["capture-pane", "-p", "-t", session]).stdout.contains("Bcc: dana+kept-log-") },
                "\(tmux(["capture-pane", "-p", "-t", session]).stdout)")
        #expect(tmux(["send-keys", "-t", session, "y"]).code == 0)
        #expect(Harness.eventually(seconds: 15) { FileManager.default.fileExists(atPath: h.root + "/sent") })
        #expect(Harness.eventually(seconds: 5) { ((try? String(contentsOfFile: h.root + "/sent", encoding: .utf8)) ?? "").hasSuffix("Dana Example\n") })

        let argv = try String(contentsOfFile: h.root + "/argv", encoding: .utf8).split(separator: "\n").map(String.init)
        let bcc = try #require(argv.first { $0.hasPrefix("dana+kept-log-") }, "\(argv)")
        #expect(argv.contains("dana@acme.example"))
        let sent = try String(contentsOfFile: h.root + "/sent", encoding: .utf8)
        #expect(!sent.contains("Bcc:") && !sent.contains("kept-log"), "the client's copy names no logging address")
        #expect(sent.contains("To: Dana Scully <dana@acme.example>"))
        let copy = "Return-Path: <dana@example.org>\nDelivered-To: \(bcc)\n" + sent
        let ingested = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(copy.utf8))
        #expect(ingested.code == 0 && ingested.stdout.contains("\"acted\""), "\(ingested.stdout) \(ingested.stderr)")
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let checkin = ((show["items"] as? [[String: Any]])?.first { $0["id"] as? String == "1.6" }?["occurrences"] as? [[String: Any]])?.first
        #expect(checkin?["done"] != nil)
    }

    @Test func aDraftSavedSentAndSeenGoingDoesItsCheckin() throws {
        let h = Harness()
        let drafts = h.root + "/Mail/Drafts"
        try h.writeConfig("""
            reply:
              address: dana+kept@example.org
              from: ["Dana Example <dana@example.org>"]
            letters:
              drafts: \(drafts)
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--contact", "Dana Scully <dana@acme.example>").code == 0)
        let contact = h.kept("contact", "1", "Dana Scully <dana@acme.example>", "--cc", "ops@acme.example", "--cc", "Bob Ops <bob@acme.example>")
        #expect(contact.code == 0, "\(contact.stderr)")
        #expect(h.kept("contact", "1", "not an address").code == 1)

        let saved = h.kept("draft", "1.6", "--save")
        #expect(saved.code == 0, "\(saved.stderr)")
        #expect(saved.stdout.hasPrefix("The letter is in your Drafts folder ("))
        let files = try FileManager.default.contentsOfDirectory(atPath: drafts + "/cur")
        try #require(files.count == 1)
        #expect(files[0].hasSuffix(":2,D"))
        // Saved again: the same draft, not a second one.
        #expect(h.kept("draft", "1.6", "--save").code == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: drafts + "/cur").count == 1)

        // As the client's mail program will read it: no defect under the strict policy.
        let read = h.run(Harness.python, ["-c", """
            import email, email.policy, json, sys
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.strict)
            assert not m.defects, m.defects
            print(json.dumps({k: str(m[k]) for k in ['From', 'To', 'Cc', 'Bcc', 'Subject', 'Message-ID']} | {'body': m.get_content(), 'kept': [k for k in m.keys() if k.lower().startswith('x-kept')]}))
            """, drafts + "/cur/" + files[0]])
        #expect(read.code == 0, "\(read.stderr)")
        let draft = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(draft["From"] as? String == "Dana Example <dana@example.org>")
        #expect(draft["To"] as? String == "Dana Scully <dana@acme.example>")
        #expect(draft["Cc"] as? String == "ops@acme.example, Bob Ops <bob@acme.example>")
        // Named as the user's own mail program would: at their domain, nothing of kept's.
        let messageID = try #require(draft["Message-ID"] as? String)
        #expect(messageID.hasSuffix("@example.org>") && !messageID.contains("kept"), "\(messageID)")
        let bcc = try #require(draft["Bcc"] as? String)
        #expect(bcc.hasPrefix("dana+kept-log-") && bcc.hasSuffix("@example.org"))
        #expect((draft["Subject"] as? String)?.hasPrefix("Invoice sent with the wrong amounts: progress update") == true)
        let body = draft["body"] as? String ?? ""
        #expect(body.hasPrefix("Dear Dana,\n") && body.hasSuffix("\nDana Example\n"), "\(body)")
        #expect((draft["kept"] as? [String])?.isEmpty == true)
        #expect(!body.contains("[your name]"))

        // Sent: the Bcc copy arrives with the logging address as its envelope recipient.
        var letter = try String(contentsOfFile: drafts + "/cur/" + files[0], encoding: .utf8)
        letter = letter.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Bcc:") }.joined(separator: "\n")
        let copy = "Return-Path: <dana@example.org>\nDelivered-To: \(bcc)\n" + letter
        let ingested = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(copy.utf8))
        #expect(ingested.code == 0, "\(ingested.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(ingested.stdout.utf8)) as? [String: Any])
        #expect(answer["outcome"] as? String == "acted", "\(answer)")
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let checkin = ((show["items"] as? [[String: Any]])?.first { $0["id"] as? String == "1.6" }?["occurrences"] as? [[String: Any]])?.first
        #expect(checkin?["done"] != nil)
        let timeline = show["timeline"] as? [[String: Any]] ?? []
        let sent = timeline.first { $0["what"] as? String == "letter" }?["text"] as? String ?? ""
        #expect(sent.hasPrefix("sent to Dana Scully <dana@acme.example>, ops@acme.example, Bob Ops <bob@acme.example>: Invoice sent"), "\(sent)")
        #expect(!sent.contains("kept-log"), "the logging address is never named as a recipient")
        // The same letter again (the mail system delivering twice): nothing more.
        let again = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(copy.utf8))
        #expect(again.code == 0 && again.stdout.contains("\"replayed\""), "\(again.stdout)")
    }

    /// The replies' safety rules, through the binary a mail system runs: a forged sender, a token
    /// kept did not make, an automatic reply, a list's copy, a bounce, kept's own message — each
    /// exits 0 (nothing for the mail system to bounce), says why, and changes nothing.
    @Test func mailThatIsNotTheOwnersOwnLetterChangesNothingThroughKeptMailIngest() throws {
        let h = Harness()
        try h.writeConfig("""
            reply:
              address: dana+kept@example.org
              from: ["Dana Example <dana@example.org>"]
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--contact", "Dana Scully <dana@acme.example>").code == 0)
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let letters = show["letters"] as? [[String: Any]] ?? []
        let address = try #require(letters.first { $0["item"] as? String == "1.6" }?["address"] as? String)
        let token = address.dropFirst("dana+kept-log-".count).prefix(16)
        let forgedToken = "dana+kept-log-" + String(token.reversed()) + "@example.org"
        func record() throws -> String {
            let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
            let kept = ["items", "timeline"].map { show[$0] ?? NSNull() }
            return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
        }
        let before = try record()
        let attacks: [(name: String, from: String, to: String, extra: String, reason: String)] = [
            ("a forged sender", "Mallory <mallory@evil.example>", address, "", "from-not-owner"),
            ("a token kept did not make", "Dana Example <dana@example.org>", forgedToken, "", "bad-token"),
            ("an automatic reply", "Dana Example <dana@example.org>", address, "Auto-Submitted: auto-replied\n", "auto-submitted"),
            ("a list's copy", "Dana Example <dana@example.org>", address, "List-Id: <team.example.org>\n", "list-mail"),
            ("a bounce", "MAILER-DAEMON@example.org", address, "", "bounce"),
            ("kept's own message", "Dana Example <dana@example.org>", address, "X-Kept-Key: 1.6#1/due\n", "own-message"),
        ]
        for attack in attacks {
            let message = """
                Return-Path: <\(attack.reason == "bounce" ? "" : "dana@example.org")>
                Delivered-To: \(attack.to)
                From: \(attack.from)
                To: Dana Scully <dana@acme.example>
                Subject: Invoice sent with the wrong amounts: progress update, week 1
                Date: \(Harness.rfc5322(Date().addingTimeInterval(-60)))
                Message-ID: <attack-\(UUID().uuidString)@example.org>
                \(attack.extra)MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8

                Dear Dana, here is where things stand.

                """
            let ingested = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(message.utf8))
            #expect(ingested.code == 0, "\(attack.name): \(ingested.stderr)")
            let answer = try JSONSerialization.jsonObject(with: Data(ingested.stdout.utf8)) as? [String: Any]
            #expect(answer?["outcome"] as? String == "ignored" && answer?["reason"] as? String == attack.reason,
                    "\(attack.name): \(String(describing: answer))")
        }
        #expect(try record() == before, "nothing changed")
    }
}
