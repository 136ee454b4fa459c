import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The mail door and the terminal against what others send: replies as mail systems really
/// encode them, notes that carry terminal controls, and a watched Maildir holding a pipe.
@Suite(.serialized) struct HostileMailTests {
    /// What `kept` shows on a terminal (a pseudo-terminal of 120 columns).
    static func onTerminal(_ h: Harness, _ args: String...) -> Harness.Result {
        h.run(Harness.python, [Harness.packageRoot + "/Tests/python/pty_run.py", "120", Harness.binaries + "/kept"] + args + ["--socket", h.socket])
    }

    @Sendable static func hidden(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\n" && s != "\t") || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value)
            || (0x2066...0x2069).contains(s.value)
    }

    /// UTF-16 (with and without a byte-order mark), format=flowed (with and without DelSp), a
    /// snooze ending in a full stop, and a note of terminal escapes: each acts once, the note is
    /// stored exactly as sent, and a terminal is shown the escapes, never given them.
    @Test func repliesAsMailSystemsSendThemActAndTheirControlsAreShownNotActedOn() throws {
        let rig = try ReplyRig()
        try rig.start()
        defer { rig.h.stop() }
        let notes = [
            "34-thunderbird-flowed-note.eml": "Called Dana about the corrected invoice: she confirmed the 19% VAT rate is right now, the PDF goes to accounts@acme.example as well, and she wants the credit note for INV-2026-1142 by Friday.",
            "39-mutt-note-terminal-escapes.eml": "\u{1B}[2JAcme paid, receipt \u{1B}]8;;https://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\ and invoice_\u{202E}fdp.exe",
        ]
        for file in ["34-thunderbird-flowed-note.eml", "35-horde-flowed-delsp-note.eml", "39-mutt-note-terminal-escapes.eml",
                     "36-iphone-snooze-2d-period.eml", "37-gmail-web-snooze-2d-exclamation.eml", "31-outlook-utf16-bom-done-note.eml"] {
            let r = rig.ingest(try rig.reply(file))
            #expect(r.code == 0 && !r.stderr.contains("could not"), "\(file): \(r.code) \(r.stderr)")
        }
        let stored = try rig.h.timeline(1, "note").compactMap { $0["text"] as? String }
        for (file, text) in notes { #expect(stored.contains(text), "\(file) stored exactly: \(stored)") }
        #expect(stored.contains { $0.hasPrefix("Rückruf von Dana:") && $0.hasSuffix("as well.") && !$0.contains("  ") }, "DelSp: \(stored)")
        #expect(try rig.h.timeline(1, "snoozed").count == 2, "Snooze 2d. and snooze 2d! both act")
        let occ = try rig.occurrence()
        #expect(occ["status"] as? String == "kept" && occ["note"] as? String == "Überweisung geprüft — merci", "UTF-16: \(occ)")
        #expect(try rig.h.settled()["outbox"] as? Int == 0)
        #expect(try rig.confirmations().count == 6, "each answered once")
        #expect(try rig.confirmations().allSatisfy { !$0.body.contains("could not read") && !$0.body.contains("\u{0}") })

        // The export keeps the note exactly; the terminal is shown its escapes, never given them.
        let export = rig.h.kept("export")
        #expect(export.stdout.contains("\\u001b[2JAcme paid") || export.stdout.contains("\u{1B}[2JAcme paid"), "kept in the export")
        let show = Self.onTerminal(rig.h, "show", "1")
        #expect(show.code == 0, "\(show.stdout)")
        #expect(!show.stdout.unicodeScalars.contains(where: Self.hidden), "nothing hidden reaches the terminal")
        #expect(show.stdout.contains("^[[2JAcme paid, receipt ^[]8;;https://evil.example/^[\\click"), "\(show.stdout)")
        #expect(show.stdout.contains("invoice_<U+202E>fdp.exe"))
    }

    /// Text typed on the command line is shown the same way by `list`, `agenda`, `show` and `report`.
    @Test func controlsTypedOnTheCommandLineAreShownNotActedOn() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        let client = "Evil\u{1B}[2J Corp", title = "Invoice \u{1B}]8;;https://evil.example/\u{1B}\\here\u{1B}]8;;\u{1B}\\ \u{202E}fdp.exe \u{9B}31m"
        #expect(h.kept("open", client, title).code == 0)
        #expect(h.kept("promise", "1", "Refund\u{7}\u{1B}[31m in red", "--due", "+2d").code == 0)
        for args in [["list"], ["agenda"], ["show", "1"], ["report", "1"], ["ledger"]] {
            let r = h.run(Harness.python, [Harness.packageRoot + "/Tests/python/pty_run.py", "200", Harness.binaries + "/kept"] + args
                          + ["--socket", h.socket])
            #expect(r.code == 0, "\(args): \(r.stdout)")
            // kept's own colours aside (the report draws with SGR on a terminal), nothing hidden.
            let own = r.stdout.replacingOccurrences(of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
            #expect(!own.unicodeScalars.contains(where: Self.hidden), "\(args): \(r.stdout.debugDescription)")
            #expect(r.stdout.contains("Evil^[[2J Corp") || args == ["agenda"], "\(args): \(r.stdout)")
        }
        let export = try #require(try h.keptJSON("show", "1") as? [String: Any])
        #expect(((export["incident"] as? [String: Any])?["client"] as? String) == client, "stored as typed")
    }

    /// A named pipe in the watched Maildir — there at start, or moved in later — is skipped and
    /// said; keptd answers throughout and acts on the next real reply.
    @Test func aPipeInTheWatchedMaildirIsSkippedAndNothingStalls() throws {
        let h = Harness()
        let watch = h.root + "/data/replies"
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: watch + "/" + sub, withIntermediateDirectories: true)
        }
        #expect(mkfifo(watch + "/new/0-a-pipe-at-start", 0o600) == 0)
        let rig = try ReplyRig(extra: "  watch: \(watch)", harness: h)
        try rig.start()  // keptd answers on its socket with the pipe there
        defer { h.stop() }
        #expect(mkfifo(watch + "/tmp/pipe", 0o600) == 0)
        #expect(rename(watch + "/tmp/pipe", watch + "/new/1-a-pipe-later") == 0)
        #expect(Harness.eventually(seconds: 10) { h.daemonOutput.components(separatedBy: "is a named pipe, not a message").count - 1 == 2 },
                "\(h.daemonOutput.suffix(1500))")
        #expect(h.kept("status").code == 0)
        // The next reply acts as ever, and the pipes stay where they were.
        let name = "1796126509.24075_2.vm,U=2:2,"
        try rig.reply("02-gmail-android-snooze-2d.eml").write(to: URL(fileURLWithPath: watch + "/tmp/" + name))
        #expect(rename(watch + "/tmp/" + name, watch + "/new/" + name) == 0)
        #expect(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: watch + "/cur/" + name + "S") })
        #expect(try rig.occurrence()["snoozedUntil"] != nil)
        #expect(FileManager.default.fileExists(atPath: watch + "/new/0-a-pipe-at-start"))
    }
}
