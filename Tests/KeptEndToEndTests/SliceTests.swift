import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The working slice through the real binaries: keptd on private folders, driven by `kept`,
/// the Maildir read back with Python's `mailbox` module.
@Suite(.serialized) struct SliceTests {
    @Test func aPromiseDueInTwoSecondsLandsInTheMaildir() throws {
        let h = Harness()
        try h.start()
        #expect(h.kept("open", "Acme Corp", "Wrong invoice sent").code == 0)
        let r = h.kept("promise", "1", "Send the revised invoice", "--due", "+2s")
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Promised 1.14"))
        let mails = try h.waitForMails(1)
        try #require(mails.count == 1)
        let m = mails[0]
        #expect(m.folder == "new")
        #expect(m.header("Subject") == "Due now: 1.14 Send the revised invoice (Acme Corp)")
        #expect(m.header("From")?.hasPrefix("kept <kept@") == true)
        #expect(m.header("To") != nil)
        #expect(m.header("Date") != nil)
        #expect(m.header("Message-ID")?.hasPrefix("<1.14.1.due.") == true)
        #expect(m.body.contains("Incident:  #1 Acme Corp: Wrong invoice sent"))
        #expect(m.body.contains("kept done 1.14#1"))
        #expect(m.body.contains("kept snooze 1.14#1"))
        var st = stat()
        stat(h.maildir + "/new/" + m.name, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        h.stop()
    }

    @Test func aPromiseSurvivesKillNineRightAfterItsReply() throws {
        let h = Harness()
        try h.start()
        h.kept("open", "Acme Corp", "Wrong invoice sent", "--no-playbook")
        #expect(h.kept("promise", "1", "Call Dana back", "--due", "tomorrow 10:00").code == 0)
        h.killHard()
        try h.start()
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let items = try #require(show["items"] as? [[String: Any]])
        #expect(items.map { $0["text"] as? String } == ["Call Dana back"])
        // Ids are never reused: the next incident is 2.
        let opened = try #require(try h.keptJSON("open", "Globex", "Late delivery") as? [String: Any])
        #expect((opened["incident"] as! [String: Any])["id"] as? Int == 2)
        h.stop()
    }

    @Test func aReminderDueWhileTheDaemonWasDownArrivesOnceAfterRestart() throws {
        let h = Harness()
        try h.start()
        h.kept("open", "Acme Corp", "Wrong invoice sent", "--no-playbook")
        h.kept("promise", "1", "Send the report", "--due", "+3s")
        h.stop()
        sleep(4)
        #expect(try h.mails().isEmpty)
        try h.start()
        let mails = try h.waitForMails(1)
        #expect(mails.count == 1)
        // Once more: a second start finds it delivered, and settles with nothing to send.
        h.stop()
        try h.start()
        try h.settled()
        h.stop()
        #expect(try h.mails().count == 1)
    }

    @Test func aReminderLongPastIsSentOnceMarkedLate() throws {
        let h = Harness()
        try h.start()
        // Noticed a day ago, promised for two hours ago: the due reminder is already behind.
        // (Times, not dates: "today" is 09:00, which two hours ago need not be after.)
        let iso = ISO8601DateFormatter()
        h.kept("open", "Acme Corp", "Wrong invoice sent", "--no-playbook", "--noticed", iso.string(from: Date().addingTimeInterval(-86_400)))
        let past = iso.string(from: Date().addingTimeInterval(-7200))
        // Just after midnight, two hours ago is yesterday, whose grace has ended: said on purpose.
        #expect(h.kept("promise", "1", "Confirm the credit note", "--due", past, "--allow-past").code == 0)
        let mails = try h.waitForMails(1)
        try #require(mails.count == 1)
        #expect(mails[0].header("X-Kept-Late") == "yes")
        #expect(mails[0].header("Subject")?.hasPrefix("[late] Due now:") == true)
        h.stop()
    }

    @Test func theCommandsDoWhatTheySay() throws {
        let h = Harness()
        try h.start()
        h.kept("open", "Acme Corp", "Wrong invoice sent")
        #expect(h.kept("promise", "1", "Weekly status mail", "--every", "1w", "--until", "+30d").code == 0)
        #expect(h.kept("done", "1.1", "--note", "Called Dana, apologized").code == 0)
        let again = h.kept("done", "1.1")
        #expect(again.code == 1)
        #expect(again.stderr.contains("apologize once"))
        #expect(h.kept("snooze", "1.2", "4h").stdout.contains("snoozed until"))
        #expect(h.kept("release", "1.3", "--reason", "Client asked to skip").code == 0)
        let agenda = h.kept("agenda", "--days", "14")
        #expect(agenda.code == 0)
        #expect(agenda.stdout.contains("1.2"))
        #expect(!agenda.stdout.contains("1.3 "))
        let list = h.kept("list")
        #expect(list.stdout.contains("Acme Corp"))
        #expect(list.stdout.contains("1 of 90"))
        let export = try #require(try h.keptJSON("export") as? [String: Any])
        #expect(export["version"] as? Int == 1)
        let closed = h.kept("close", "1", "--outcome", "recovered")
        #expect(closed.code == 0)
        #expect(h.kept("list").stdout.contains("No open incidents"))
        #expect(h.kept("list", "--all").stdout.contains("closed: recovered"))
        let status = h.kept("status")
        #expect(status.stdout.contains("maildir  yes"))
        h.stop()
    }

    @Test func twoDaemonsOnOneStore() throws {
        let h = Harness()
        try h.start()
        let second = try h.startFails()
        #expect(second.code == 1)
        #expect(second.stderr.contains("already using the store"))
        #expect(h.kept("status").code == 0)
        h.stop()
    }

    @Test func socketAndFoldersArePrivate() throws {
        let h = Harness()
        try h.start()
        var st = stat()
        stat(h.socket, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        stat(h.root + "/run/kept", &st)
        #expect(st.st_mode & 0o777 == 0o700)
        stat(h.storeDir + "/store.json", &st)
        #expect(st.st_mode & 0o777 == 0o600)
        h.stop()
    }
}
