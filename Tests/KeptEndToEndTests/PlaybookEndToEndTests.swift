import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The playbook through the real binaries: catching up on an incident noticed days ago, drafts
/// naming the real promises, the weekly digest arriving, the calendar export read by a real parser.
@Suite struct PlaybookEndToEndTests {
    @Test func anIncidentNoticedTenDaysAgoCatchesUpOnWhatFellDueOnce() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        let opened = h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--noticed", h.localDay(-10))
        #expect(opened.code == 0, "\(opened.stderr)")
        #expect(h.kept("show", "1").stdout.contains("day 11 of 90"))

        _ = try h.waitForMails(5)
        // Settled: every catch-up is out and the next reminder is still ahead.
        try h.settled()
        let mails = try h.mails()
        let items = mails.compactMap { $0.headers["x-kept-item"]?.first }
        #expect(Set(items).isSuperset(of: ["1.1", "1.2", "1.4", "1.6"]), "\(items)")
        #expect(items.count == Set(items).count, "one catch-up reminder per occurrence: \(items)")

        let acknowledge = try #require(mails.first { $0.headers["x-kept-item"]?.first == "1.1" })
        #expect(acknowledge.headers["subject"]?.first?.hasPrefix("[late] Overdue") == true)
        #expect(acknowledge.body.contains("keptd was not running then") || acknowledge.body.contains("was due at"))
        #expect(acknowledge.body.contains("A draft for Acme Corp (kept draft 1.1 prints it again):"))
        #expect(acknowledge.body.contains("I made a mistake: Invoice sent with the wrong amounts."))
        let checkin = try #require(mails.first { $0.headers["x-kept-item"]?.first == "1.6" })
        #expect(checkin.body.contains("progress update"))
    }

    @Test func aDraftNamesTheRealPromisesAndDates() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", h.localDay(2)).code == 0)
        #expect(h.kept("done", "1.2", "--note", "Dana walked me through their month-end").code == 0)

        let apology = h.kept("draft", "1.1")
        #expect(apology.code == 0)
        #expect(apology.stdout.hasPrefix("To: Acme Corp\nSubject: About Invoice sent with the wrong amounts\n\nDear Acme Corp,"))
        #expect(apology.stdout.contains("  - Send the corrected invoice — by \(h.localDay(2, format: "EEEE d MMMM"))"))

        let report = h.kept("draft", "1.6")
        #expect(report.code == 0)
        // What the client was promised and got; kept's own playbook steps are not theirs to read.
        #expect(!report.stdout.contains("Understand the impact"), "\(report.stdout)")
        #expect(report.stdout.contains("Done since the mistake on"), "no update yet: \(report.stdout)")
        #expect(report.stdout.contains("Coming next:\n  - Send the corrected invoice — by \(h.localDay(2, format: "EEEE d MMMM"))"))

        let json = try #require(try h.keptJSON("draft", "1.4") as? [String: Any])
        #expect(json["kind"] as? String == "plan")

        let none = h.kept("draft", "1.14")
        #expect(none.code == 1)
        #expect(none.stderr.contains("no draft for 1.14 (promise)"))
    }

    @Test func theWeeklyDigestArrivesThroughTheChannels() throws {
        let h = Harness()
        h.env.removeValue(forKey: "KEPT_DIGEST_ENABLED")
        try h.writeConfig("digest:\n  enabled: false\n")
        try h.start()
        defer { h.stop() }
        func ago(_ days: Int) -> String { h.localDay(-days) }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--no-playbook", "--noticed", ago(20)).code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        // A history for the record's grid: kept, missed, overdue, released.
        #expect(h.kept("promise", "1", "Call Dana back", "--due", ago(18) + "T10:00", "--allow-past").code == 0)
        #expect(h.kept("done", "1.2", "--at", ago(18) + "T09:00").code == 0)
        #expect(h.kept("promise", "1", "Send the audit", "--due", ago(15) + "T10:00", "--allow-past").code == 0)
        #expect(h.kept("promise", "1", "Confirm the refund", "--due", ago(2) + "T10:00", "--allow-past").code == 0)
        #expect(h.kept("promise", "1", "Visit the office", "--due", "+10d").code == 0)
        #expect(h.kept("release", "1.5", "--reason", "Dana prefers a call").code == 0)

        // Then the digest, due at the start of the next minute, today: the configuration is reloaded.
        let time = h.localTime(in: 60, format: "HH:mm"), weekday = h.localTime(in: 60, format: "EEEE").lowercased()
        try h.writeConfig("remind_at: \"\(time)\"\ndigest:\n  enabled: true\n  weekday: \(weekday)\n")
        #expect(h.kept("reload").code == 0)

        #expect(Harness.eventually(seconds: 120) { ((try? h.mails()) ?? []).contains { $0.headers["x-kept-kind"]?.first == "digest" } })
        let digest = try #require(try h.mails().first { $0.headers["x-kept-kind"]?.first == "digest" })
        #expect(digest.headers["subject"]?.first == "kept weekly: 1 open incident, 1 due this week")
        #expect(digest.body.contains("Open incidents\n  #1 Acme Corp: Invoice sent with the wrong amounts"))
        #expect(digest.body.contains("Send the corrected invoice"))
        #expect(digest.body.contains("Ledger by client"))
        try h.settled()
        #expect(try h.mails().count { $0.headers["x-kept-kind"]?.first == "digest" } == 1)

        // multipart/alternative, read by Python's strictest policy: the whole text, then the HTML.
        let read = h.run("/usr/bin/env", [Harness.python, "-c", Self.strictDigest, h.maildir])
        #expect(read.code == 0, "\(read.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(parsed["type"] as? String == "multipart/alternative")
        #expect(parsed["parts"] as? [String] == ["text/plain", "text/html"])
        #expect(parsed["defects"] as? Int == 0)
        let html = try #require(parsed["html"] as? String), text = try #require(parsed["plain"] as? String)
        #expect(text == digest.body && html == digest.html)
        for banned in ["<script", "<svg", "<style", "class=", "http://", "https://", "src="] {
            #expect(!html.lowercased().contains(banned), "the digest's HTML holds \(banned)")
        }
        // The same numbers in both, and the picture of the HTML counts what the ledger counts.
        let report = try h.keptJSON("report")
        let record = try #require(((report as? [String: Any])?["records"] as? [[String: Any]])?.first)
        let ledger = try #require((record["incident"] as? [String: Any])?["ledger"] as? [String: Any])
        let line = "\(ledger["due"]!) due, \(ledger["kept"]!) kept, \(ledger["late"]!) late, \(ledger["missed"]!) missed, \(ledger["released"]!) released"
        #expect(text.contains(line) && html.contains(line))
        let expected = ReportEndToEndTests.counts(report)
        #expect(expected["kept"] == 1 && expected["missed"] == 1 && expected["overdue"] == 1 && expected["released"] == 1)
        for width in [1280, 390] {
            let seen = try ReportEndToEndTests.picture(h, html, width: width)
            for status in ReportEndToEndTests.statuses {
                #expect(seen.counts[status] == expected[status, default: 0] + 1, "\(status) cells at \(width) px")
            }
        }
    }

    /// Finds the digest in a Maildir and reads it with `email.policy.strict`.
    static let strictDigest = """
        import email, email.policy, json, mailbox, sys
        box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
        for key in box.keys():
            raw = box.get_bytes(key)
            msg = email.message_from_bytes(raw, policy=email.policy.strict)
            if msg["X-Kept-Kind"] != "digest":
                continue
            parts = list(msg.iter_parts())
            defects = len(msg.defects) + sum(len(p.defects) for p in parts)
            print(json.dumps({"type": msg.get_content_type(), "parts": [p.get_content_type() for p in parts],
                              "defects": defects, "plain": parts[0].get_content(), "html": parts[1].get_content()}))
            break
        """

    @Test func theCalendarExportIsValidICalendar() throws {
        let h = Harness(zone: "Europe/Berlin")
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme; Corp, Ltd", "Invoice sent with the wrong amounts").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice, with a note", "--due", h.localDay(3) + "T14:00").code == 0)
        let export = h.kept("export", "--format", "ics")
        #expect(export.code == 0)
        let file = h.root + "/kept.ics"
        try export.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let check = """
            import icalendar, json, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            events = cal.walk("VEVENT")
            print(json.dumps({"count": len(events), "uids": [str(e["UID"]) for e in events],
                              "summaries": [str(e["SUMMARY"]) for e in events],
                              "starts": [e["DTSTART"].dt.isoformat() for e in events]}))
            """
        let r = h.run("/usr/bin/python3", ["-c", check, file])
        #expect(r.code == 0, "\(r.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let uids = parsed["uids"] as? [String] ?? []
        #expect(parsed["count"] as? Int == 14)
        #expect(Set(uids).count == uids.count)
        let summaries = parsed["summaries"] as? [String] ?? []
        #expect(summaries.contains("1.14 Send the corrected invoice, with a note (Acme; Corp, Ltd)"))
        // 14:00 in Berlin is 13:00 UTC in winter: the calendar shows it at the user's 14:00.
        let starts = parsed["starts"] as? [String] ?? []
        #expect(starts.contains { $0.hasSuffix("T13:00:00+00:00") || $0.hasSuffix("T12:00:00+00:00") })
        // Exported again, the same events keep the same UIDs (a calendar updates, never duplicates).
        let again = h.kept("export", "--format", "ics").stdout
        func uidLines(_ ics: String) -> [Substring] { ics.split(separator: "\r\n").filter { $0.hasPrefix("UID:") } }
        #expect(uidLines(again) == uidLines(export.stdout))
        #expect(uidLines(again).count == 14)
    }

    /// A calendar that imported the export updates on a new import: khal, its own store, by UID.
    @Test func aCalendarThatImportedTheExportUpdatesOnReimport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/khal"), "khal is not installed: run scripts/setup")
        let h = Harness(zone: "Europe/Berlin")
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Invoice sent with the wrong amounts", "--no-playbook").code == 0)
        let day = h.localDay(3)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", day + "T14:00").code == 0)
        #expect(h.kept("promise", "1", "Call Dana about the credit note", "--due", day + "T16:00").code == 0)
        let cal = h.root + "/khal", config = h.root + "/khal.conf"
        try FileManager.default.createDirectory(atPath: cal, withIntermediateDirectories: true)
        try """
            [calendars]
            [[kept]]
            path = \(cal)
            type = calendar
            [locale]
            timeformat = %H:%M
            dateformat = %Y-%m-%d
            longdateformat = %Y-%m-%d
            datetimeformat = %Y-%m-%d %H:%M
            longdatetimeformat = %Y-%m-%d %H:%M
            local_timezone = Europe/Berlin
            default_timezone = Europe/Berlin
            [default]
            default_calendar = kept
            """.write(toFile: config, atomically: true, encoding: .utf8)
        func reimport() throws -> String {
            let file = h.root + "/kept.ics"
            try h.kept("export", "--format", "ics").stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let imported = h.run("/usr/bin/khal", ["-c", config, "import", "--batch", file])
            #expect(imported.code == 0, "\(imported.stderr)")
            return h.run("/usr/bin/khal", ["-c", config, "list", day, "1d"]).stdout
        }
        let before = try reimport()
        #expect(before.contains("14:00-14:30 1.1 Send the corrected invoice (Acme)"), "\(before)")
        #expect(h.kept("done", "1.1", "--note", "sent with the credit").code == 0)
        #expect(h.kept("release", "1.2", "--reason", "Dana wrote instead").code == 0)
        let after = try reimport()
        #expect(after.contains("Done: 1.1 Send the corrected invoice (Acme)"), "\(after)")
        #expect(after.contains("CANCELLED") && after.contains("Released: 1.2 Call Dana"), "\(after)")
        #expect(!after.contains(" 1.1 Send the corrected invoice (Acme)\n") || after.components(separatedBy: "Send the corrected invoice").count == 2,
                "one event, updated, not a second one: \(after)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: cal)).count == 2)
    }

    // MARK: The user's own drafts

    func writeTemplate(_ h: Harness, _ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: h.root + "/config/kept/templates", withIntermediateDirectories: true)
        try text.write(toFile: h.root + "/config/kept/templates/\(name).mustache", atomically: true, encoding: .utf8)
    }

    @Test func aTemplateReplacesTheApologyAndABrokenOneOnReloadChangesNothing() throws {
        let h = Harness()
        try writeTemplate(h, "apology", "Subject: Sorry, {{client}}\n\nHi {{dear}} — {{title}}.\n{{#open_promises}}* {{text}}, {{due}}\n{{/open_promises}}")
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice <wrong> & late", "--contact", "Dana Scully").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "tomorrow 17:00").code == 0)
        let draft = h.kept("draft", "1.1")
        #expect(draft.code == 0, "\(draft.stderr)")
        #expect(draft.stdout.contains("Subject: Sorry, Acme Corp"), "\(draft.stdout)")
        #expect(draft.stdout.contains("Hi Dana — Invoice <wrong> & late.\n* Send the corrected invoice, "), "\(draft.stdout)")
        // The plan is still kept's own.
        #expect(h.kept("draft", "1.4").stdout.contains("To put it right:"))

        let path = h.root + "/config/kept/templates/apology.mustache"
        try writeTemplate(h, "apology", "Hi {{dear}},\n{{#open_promises}}\n* {{text}}\n")
        let refused = h.kept("reload")
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("\(path):4:1: a section is opened and never closed"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        // The template in force stays, and the daemon serves on.
        #expect(h.kept("draft", "1.1").stdout.contains("Hi Dana — Invoice <wrong> & late."))
        try writeTemplate(h, "apology", "Hi {{dear}}, again.\n")
        #expect(h.kept("reload").code == 0)
        #expect(h.kept("draft", "1.1").stdout.contains("Hi Dana, again."))
    }

    @Test func aBrokenTemplateStopsTheStartAndCheckConfigNamesIt() throws {
        let h = Harness()
        try writeTemplate(h, "progress", "Dear {{dear}},\nweek {{wek}}\n")
        let path = h.root + "/config/kept/templates/progress.mustache"
        let check = h.run(Harness.binaries + "/keptd", ["--check-config"])
        #expect(check.code == 78)
        #expect(check.stderr == "keptd: \(path):2:6: kept has no variable \"wek\" (the README lists the variables)\n", "\(check.stderr)")
        let start = try h.startFails()
        #expect(start.code == 78 && start.stderr == check.stderr)
        try writeTemplate(h, "progress", "Dear {{dear}},\nweek {{week}}\n")
        let good = h.run(Harness.binaries + "/keptd", ["--check-config"])
        #expect(good.code == 0 && good.stdout.contains("templates: ok (progress)"), "\(good.stdout)\(good.stderr)")
    }
}
