import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The email and command channels, for real: msmtp as the sendmail program, handing mail to an
/// SMTP server on loopback; shell scripts as commands.
@Suite(.enabled(if: SMTPSink.available)) struct EmailTests {
    static func config(sendmail: [String], retry: (Int, Int) = (1, 2), extra: String = "") -> String {
        """
        channels:
          email:
            enabled: true
            to: [dana@example.org]
            from: "kept <kept@example.org>"
            sendmail: [\(sendmail.map { "\"\($0)\"" }.joined(separator: ", "))]
            timeout_seconds: 20
        \(extra)
        retry:
          first_seconds: \(retry.0)
          cap_seconds: \(retry.1)
        """
    }

    func channel(_ h: Harness, _ name: String) throws -> [String: Any] {
        let status = try #require(try h.keptJSON("status") as? [String: Any])
        let channels = try #require(status["channels"] as? [[String: Any]])
        return try #require(channels.first { $0["name"] as? String == name })
    }

    func pending(_ h: Harness) throws -> [[String: Any]] {
        let status = try #require(try h.keptJSON("status") as? [String: Any])
        return status["pending"] as? [[String: Any]] ?? []
    }

    @Test func aReminderArrivesWithItsHeadersBodyAndTheMaildirsMessageID() throws {
        let h = Harness()
        let smtp = try SMTPSink(root: h.root)
        try smtp.start()
        try h.writeConfig(Self.config(sendmail: ["/usr/bin/msmtp", "-C", smtp.msmtprc]))
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Café Zoë", "Invoice sent with the wrong amounts", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+1s").code == 0)

        let mails = try smtp.waitForReceived(1)
        try #require(mails.count == 1)
        let mail = mails[0]
        #expect(mail.mailFrom == "kept@example.org")
        #expect(mail.rcptTos == ["dana@example.org"])
        #expect(mail.headers.map { $0[0] } == ["From", "To", "Date", "Message-ID", "Subject", "MIME-Version", "Content-Type",
                                               "Content-Transfer-Encoding", "X-Kept-Key", "X-Kept-Kind", "X-Kept-Incident", "X-Kept-Item"])
        #expect(mail.header("From") == ["kept <kept@example.org>"])
        #expect(mail.header("To") == ["dana@example.org"])
        #expect(mail.header("Subject").first?.contains("Send the corrected invoice (Café Zoë)") == true)
        // Only the words that are not ASCII are RFC 2047-encoded on the wire; the rest stays readable.
        #expect(mail.raw.contains("Subject: Due now: 1.1 Send the corrected invoice"), "\(mail.raw)")
        #expect(mail.raw.contains("=?UTF-8?B?"), "\(mail.raw)")
        #expect(mail.body.contains("Send the corrected invoice"))
        #expect(mail.body.contains("kept done 1.1"))

        // The same message as the Maildir's: one Message-ID for one reminder, whichever way it came.
        let files = try h.waitForMails(1)
        #expect(files.count == 1)
        #expect(mail.header("Message-ID") == files.first?.headers["message-id"])
        #expect(mail.header("Message-ID").first?.hasPrefix("<") == true)

        let email = try channel(h, "email")
        #expect(email["enabled"] as? Bool == true)
        #expect(email["lastSuccess"] != nil)
        #expect(email["pending"] as? Int == 0)
    }

    @Test func remindersWaitForADownServerAndArriveOnceEachAcrossARestart() throws {
        let h = Harness()
        let smtp = try SMTPSink(root: h.root)  // not started: the server is down
        try h.writeConfig(Self.config(sendmail: ["/usr/bin/msmtp", "-C", smtp.msmtprc]))
        try h.start()
        #expect(h.kept("open", "Acme Corp", "Wrong invoice", "--no-playbook").code == 0)
        for n in 1...5 { #expect(h.kept("promise", "1", "Promise \(n)", "--due", "+1s").code == 0) }

        // All five reach the Maildir at once: the failing email channel delays nothing else.
        #expect(try h.waitForMails(5).count == 5)
        #expect(Harness.eventually { ((try? self.pending(h)) ?? []).count == 5 })
        let waiting = try pending(h)
        #expect(waiting.allSatisfy { $0["channel"] as? String == "email" })
        #expect(waiting.allSatisfy { ($0["lastError"] as? String)?.contains("exited 75 (EX_TEMPFAIL)") == true })
        #expect(try channel(h, "email")["lastFailure"] != nil)
        #expect(h.kept("status").stdout.contains("PENDING"))

        // Restarted while they wait; then the server comes up.
        h.stop()
        try h.start()
        defer { h.stop() }
        try smtp.start()
        let mails = try smtp.waitForReceived(5)
        // Settled — nothing queued, pending or due — nothing more is coming: each went once.
        try h.settled()
        let final = try smtp.received()
        #expect(try h.timeline(1, "reminded").count { ($0["text"] as? String)?.hasSuffix("via email") == true } == 5)
        #expect(final.count == 5)
        #expect(Set(final.compactMap { $0.header("Message-ID").first }).count == 5, "each once")
        #expect(Set(mails.compactMap { $0.header("X-Kept-Item").first }) == ["1.1", "1.2", "1.3", "1.4", "1.5"])
    }

    @Test func textAUserTypedCannotAddHeadersRecipientsOrOptions() throws {
        let h = Harness()
        let smtp = try SMTPSink(root: h.root)
        try smtp.start()
        // The program records its argv, then hands over to msmtp.
        let recorder = h.root + "/sendmail-recorder"
        try "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > \"\(h.root)/argv\"\nexec /usr/bin/msmtp \"$@\"\n"
            .write(toFile: recorder, atomically: true, encoding: .utf8)
        chmod(recorder, 0o755)
        try h.writeConfig(Self.config(sendmail: [recorder, "-C", smtp.msmtprc]))
        try h.start()
        defer { h.stop() }

        let client = "Evil Corp\r\nBcc: victim@example.com"
        let long = String(repeating: "0123456789", count: 1024)
        let promise = "Refund\r\nBcc: victim@example.com\n.\n-oQ/tmp/queue\n\(long)\nbad bytes: "
        #expect(h.kept("open", client, "Title\nX-Injected: yes", "--no-playbook").code == 0)
        // Invalid UTF-8 on the command line: bash's $'\xff\xfe' puts the raw bytes in argv.
        let script = "exec \"$0\" promise 1 \"$1\"$'\\xff\\xfe' --due +1s"
        let added = h.run("/bin/bash", ["-c", script, Harness.binaries + "/kept", promise])
        #expect(added.code == 0, "\(added.stderr)")

        let mails = try smtp.waitForReceived(1)
        try #require(mails.count == 1)
        let mail = mails[0]
        #expect(mail.rcptTos == ["dana@example.org"])
        #expect(mail.headers.map { $0[0] } == ["From", "To", "Date", "Message-ID", "Subject", "MIME-Version", "Content-Type",
                                               "Content-Transfer-Encoding", "X-Kept-Key", "X-Kept-Kind", "X-Kept-Incident", "X-Kept-Item"])
        #expect(mail.header("Bcc").isEmpty && mail.header("X-Injected").isEmpty)
        #expect(mail.headers.allSatisfy { !$0[1].contains("\n") && !$0[1].contains("\r") })
        #expect(mail.longestLine < 998)
        #expect(mail.body.contains("Refund"))
        #expect(mail.body.contains("Bcc: victim@example.com"), "the text is kept, in the body")
        #expect(mail.body.contains("\n.\n"))
        #expect(mail.body.contains("-oQ/tmp/queue"))
        #expect(mail.body.contains(long), "10 KB intact")
        #expect(mail.body.contains("bad bytes: \u{FFFD}\u{FFFD}"))

        let argv = try String(contentsOfFile: h.root + "/argv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(argv == [recorder, "-C", smtp.msmtprc, "-i", "-f", "kept@example.org", "--", "dana@example.org"])
    }

    @Test func aPermanentFailureIsGivenUpAndShownAMissingProgramIsRetried() throws {
        let h = Harness()
        let refusing = h.root + "/refusing-sendmail", runs = h.root + "/runs"
        try "#!/bin/sh\ncat >/dev/null\necho run >> '\(runs)'\necho 'no such user here' >&2\nexit 67\n"
            .write(toFile: refusing, atomically: true, encoding: .utf8)
        chmod(refusing, 0o755)
        try h.writeConfig(Self.config(sendmail: [refusing], retry: (1, 1)))
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Wrong invoice", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send it", "--due", "+1s").code == 0)
        #expect(Harness.eventually {
            ((try? self.channel(h, "email"))?["lastError"] as? String)?.contains("exited 67 (EX_NOUSER): no such user here") == true
        })
        // Settled, with nothing pending: it is not tried again.
        let status = try h.settled()
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\n")
        let givenUp = try #require(status["givenUp"] as? [[String: Any]])
        #expect(givenUp.count == 1)
        #expect(givenUp.first?["channel"] as? String == "email")
        #expect(try pending(h).isEmpty)
        #expect(h.kept("status").stdout.contains("GAVE UP ON"))

        // A missing program is a temporary failure: kept waits for it to be installed.
        try h.writeConfig(Self.config(sendmail: ["/nonexistent/sendmail"], retry: (1, 1)))
        #expect(h.kept("reload").code == 0)
        #expect(h.kept("promise", "1", "Send the next one", "--due", "+1s").code == 0)
        #expect(Harness.eventually {
            ((try? self.pending(h)) ?? []).contains { ($0["lastError"] as? String)?.contains("/nonexistent/sendmail: not found") == true }
        })
        let waiting = try pending(h)
        #expect(waiting.count == 1)
        #expect((waiting.first?["attempts"] as? Int ?? 0) >= 1)
    }

    @Test func theCommandReceivesEachReminderAsJSONOnce() throws {
        let h = Harness()
        let out = h.root + "/received"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let script = h.root + "/hook"
        try "#!/bin/sh\ncat > \"$1/$(date +%s%N).json\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try h.writeConfig("""
            channels:
              command:
                enabled: true
                argv: ["\(script)", "\(out)"]
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Wrong invoice", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "First \"quoted\"\nline", "--due", "+1s").code == 0)
        #expect(h.kept("promise", "1", "Second", "--due", "+2s").code == 0)
        #expect(Harness.eventually { ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).count >= 2 })
        try h.settled()
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.count == 2)
        let objects = try files.map { try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + $0))) as? [String: Any]) }
        #expect(Set(objects.compactMap { $0["item"] as? String }) == ["1.1", "1.2"])
        #expect(objects.contains { $0["text"] as? String == "First \"quoted\"\nline" })
        #expect(objects.allSatisfy { ($0["message"] as? String)?.contains("Message-ID: ") == true && $0["subject"] is String })
    }

    @Test func aHangingCommandIsStoppedAtItsLimitAndTriedAgain() throws {
        let h = Harness()
        let out = h.root + "/received.json"
        let script = h.root + "/hook"
        // The first run hangs; the next one takes the reminder.
        try """
            #!/bin/sh
            if [ ! -e "\(h.root)/hung-once" ]; then touch "\(h.root)/hung-once"; exec sleep 987; fi
            cat > "\(out)"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try h.writeConfig("""
            channels:
              command:
                enabled: true
                argv: ["\(script)"]
                timeout_seconds: 1
            retry:
              first_seconds: 1
              cap_seconds: 1
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Wrong invoice", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Call Dana", "--due", "+1s").code == 0)
        #expect(Harness.eventually(seconds: 30) { FileManager.default.fileExists(atPath: out) && ((try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data()).count > 0 })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect(object["text"] as? String == "Call Dana")
        let command = try channel(h, "command")
        #expect((command["lastError"] as? String)?.contains("did not finish within 1 s and was stopped") == true)
        #expect(Harness.execute("/usr/bin/pgrep", ["-f", "sleep 987"]).code != 0, "the hung run was killed")
    }
}
