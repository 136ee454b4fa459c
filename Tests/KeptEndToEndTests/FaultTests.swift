import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A full disk, failed writes and fsyncs, and crashes in the middle of a delivery: nothing is
/// acknowledged that is not on disk, nothing is lost, nothing is sent twice but for the one window
/// no program can close (a channel accepted the message, the daemon died before recording it).
@Suite(.serialized) struct DiskFaultTests {
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    func storeBytes(_ h: Harness) -> Data { ReliabilityTests.storeBytes(h) }

    func promiseIDs(_ h: Harness) throws -> [String] { try ReliabilityTests.items(h).map(\.id) }

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullDiskRefusesTheChangeAndKeepsEverythingElse() throws {
        let h = Harness()
        let state = h.root + "/state"
        let mounted = Harness.execute("/bin/mount", ["-t", "tmpfs", "-o", "size=128k,mode=0700", "tmpfs", state])
        try #require(mounted.code == 0, "\(mounted.stderr)")
        defer { _ = Harness.execute("/bin/umount", ["-l", state]) }
        try h.start()
        #expect(h.kept("open", "Acme", "Full disk", "--no-playbook").code == 0)

        // Fill the disk, then promise until a write finds no room.
        let filler = state + "/filler"
        _ = Harness.execute("/bin/dd", ["if=/dev/zero", "of=" + filler, "bs=4k"])
        var acknowledged: [String] = []
        var refusal: Harness.Result?
        var before = Data()
        for n in 1...200 {
            before = storeBytes(h)
            let r = h.kept("promise", "1", "Promise \(n) \(String(repeating: "x", count: 200))", "--due", "+\(n)d")
            if r.code != 0 { refusal = r; break }
            acknowledged.append("1.\(n)")
        }
        let refused = try #require(refusal)
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("No space left on device"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(storeBytes(h) == before)
        // Reads are still served.
        #expect(h.kept("show", "1").code == 0)
        #expect(try promiseIDs(h) == acknowledged)

        // A stop while the disk is full cannot fold the journal: the old files stay as they were.
        h.stop()
        #expect(storeBytes(h) == before)
        unlink(filler)
        try h.start()
        #expect(try promiseIDs(h) == acknowledged)
        #expect(h.kept("promise", "1", "After the disk was freed", "--due", "+1d").code == 0)
        h.stop()
        figure("full disk (tmpfs, ENOSPC): \(acknowledged.count) promises acknowledged before the disk filled, all present after a restart; "
            + "the refused one changed no byte of the store; reads served meanwhile")
    }

    @Test(arguments: ["write EIO", "fsync EIO", "write EDQUOT"])
    func anInjectedWriteOrFsyncFailureRefusesTheChange(_ fault: String) throws {
        let h = Harness()
        let switchFile = h.root + "/faults"
        h.env["KEPT_TEST_FAULTS"] = switchFile
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Failing disk", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Before", "--due", "+1d").code == 0)
        let before = storeBytes(h)

        try fault.write(toFile: switchFile, atomically: true, encoding: .utf8)
        let refused = h.kept("promise", "1", "During", "--due", "+2d")
        #expect(refused.code == 1)
        #expect(refused.stderr.hasPrefix("kept: not saved, nothing changed: cannot write"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(h.kept("done", "1.1").code == 1)
        #expect(storeBytes(h) == before)
        #expect(h.kept("show", "1").code == 0)
        #expect(Harness.isRunning(h.daemon!.processIdentifier))

        unlink(switchFile)
        #expect(h.kept("promise", "1", "After", "--due", "+3d").code == 0)
        h.stop()
        try h.start()
        #expect(try ReliabilityTests.items(h).map(\.text) == ["Before", "After"])
        figure("injected \(fault): the change was refused with one line, the store stayed byte-identical, reads and later writes worked")
    }

    // MARK: Crash points in a delivery

    enum Point: String, CaseIterable { case before, between, after }

    /// keptd killed at a point of a delivery, then started again: how many copies arrived.
    func crash(at point: Point, channel: String, smtp: SMTPSink?) throws -> (copies: Int, maildirFiles: Int) {
        let h = Harness()
        let switchFile = h.root + "/faults"
        h.env["KEPT_TEST_FAULTS"] = switchFile
        if let smtp { try h.writeConfig(EmailTests.config(sendmail: ["/usr/bin/msmtp", "-C", smtp.msmtprc])) }
        try "crash \(point.rawValue) \(channel)".write(toFile: switchFile, atomically: true, encoding: .utf8)
        try h.start()
        #expect(h.kept("open", "Acme", "Crash in delivery", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Call back", "--due", "+1s").code == 0)
        let pid = h.daemon!.processIdentifier
        try #require(Harness.eventually(seconds: 30) { !Harness.isRunning(pid) }, "keptd did not reach the crash point")
        h.daemon!.waitUntilExit()
        h.daemon = nil
        #expect(!FileManager.default.fileExists(atPath: switchFile))
        // Someone read their mail meanwhile: the message moved from new/ to cur/.
        if let name = try? FileManager.default.contentsOfDirectory(atPath: h.maildir + "/new").first {
            rename(h.maildir + "/new/" + name, h.maildir + "/cur/" + name + ":2,S")
        }
        try h.start()
        defer { h.stop() }
        let settled = Harness.eventually(seconds: 30) {
            guard let status = try? h.keptJSON("status") as? [String: Any] else { return false }
            let channels = (status["channels"] as? [[String: Any]] ?? []).filter { $0["enabled"] as? Bool == true }
            return (status["pending"] as? [[String: Any]] ?? []).isEmpty && channels.allSatisfy { $0["lastSuccess"] != nil }
        }
        #expect(settled)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: h.maildir + "/new")) ?? [])
            + ((try? FileManager.default.contentsOfDirectory(atPath: h.maildir + "/cur")) ?? [])
        let copies = channel == "maildir" ? files.count : try smtp!.waitForReceived(1, seconds: 5).count
        return (copies, files.count)
    }

    @Test func aCrashAroundAMaildirDeliveryNeverLosesOrDoublesIt() throws {
        var results: [String] = []
        for point in Point.allCases {
            let (copies, files) = try crash(at: point, channel: "maildir", smtp: nil)
            // The Maildir channel looks before it writes again: one file even across new/ and cur/.
            #expect(copies == 1, "\(point)")
            #expect(files == 1, "\(point)")
            results.append("\(point.rawValue) \(copies)")
        }
        figure("crash in a Maildir delivery (copies per reminder): " + results.joined(separator: ", "))
    }

    @Test(.enabled(if: SMTPSink.available)) func aCrashAroundAnEmailDeliveryLosesNothingAndDoublesOnlyInTheGap() throws {
        var results: [String] = []
        for point in Point.allCases {
            let h = Harness()
            let smtp = try SMTPSink(root: h.root)
            try smtp.start()
            defer { smtp.stop() }
            let (copies, files) = try crash(at: point, channel: "email", smtp: smtp)
            #expect(files == 1)
            // Between msmtp's success and the outbox's record no program can tell: at most one more.
            #expect(point == .between ? (1...2).contains(copies) : copies == 1, "\(point): \(copies)")
            results.append("\(point.rawValue) \(copies)")
        }
        figure("crash in an email delivery (copies per reminder): " + results.joined(separator: ", ")
            + " — a second copy only from a crash between the server accepting and the outbox recording")
    }

    // MARK: Access

    @Test func filesArePrivateAndALooseStateFolderIsRefused() throws {
        let h = Harness()
        try h.start()
        #expect(h.kept("open", "Acme", "Private", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Soon", "--due", "+1s").code == 0)
        #expect(try h.waitForMails(1).count == 1)
        h.stop()
        func mode(_ path: String) -> mode_t { var st = stat(); stat(path, &st); return st.st_mode & 0o777 }
        for file in ["store.json", "store.journal", "store.lock"] { #expect(mode(h.storeDir + "/" + file) == 0o600, "\(file)") }
        #expect(mode(h.storeDir) == 0o700)
        let mails = try FileManager.default.contentsOfDirectory(atPath: h.maildir + "/new")
        #expect(mails.count == 1 && mails.allSatisfy { mode(h.maildir + "/new/" + $0) == 0o600 })
        for folder in ["", "/new", "/cur", "/tmp"] { #expect(mode(h.maildir + folder) == 0o700) }

        chmod(h.storeDir, 0o777)
        let before = storeBytes(h)
        let refused = try h.startFails()
        #expect(refused.code == 1)
        #expect(refused.stderr == "keptd: \(h.storeDir) is writable by others (mode 777); run: chmod 700 \(h.storeDir)\n")
        #expect(storeBytes(h) == before)
        figure("access: socket 0600 in a 0700 folder, store and Maildir files 0600, folders 0700; a state folder others can write is refused")
    }
}

/// Broken files: refused with one line naming the file, line and column, and never touched.
@Suite struct BrokenFileTests {
    /// A real store document, written by a clean stop of a daemon that made a few changes.
    func realStore() throws -> (Harness, Data) {
        let h = Harness()
        try h.start()
        for (client, title) in [("Acme", "Wrong invoice"), ("Café Zoë", "Missed the launch"), ("Initech", "Leaked the roadmap")] {
            #expect(h.kept("open", client, title, "--note", "noticed by \"them\"\nfirst").code == 0)
        }
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+2d").code == 0)
        #expect(h.kept("promise", "2", "Weekly status", "--every", "1w", "--until", "+6w").code == 0)
        #expect(h.kept("done", "1.1", "--note", "called Dana").code == 0)
        #expect(h.kept("close", "3", "--outcome", "lost").code == 0)
        h.stop()
        #expect(h.fileBytes(h.storeDir + "/store.journal")?.count == 0)  // folded into the document
        return (h, try #require(h.fileBytes(h.storeDir + "/store.json")))
    }

    @Test func aStoreTruncatedAnywhereIsRefusedByFileLineAndColumn() throws {
        let (h, whole) = try realStore()
        let path = h.storeDir + "/store.json"
        // Every cut short of the closing brace breaks the document (500 of them, spread evenly).
        let end = try #require(whole.lastIndex(of: UInt8(ascii: "}")))
        let offsets = Set((0..<500).map { $0 * end / 500 }).sorted()
        let pattern = try Regex("^keptd: \(NSRegularExpression.escapedPattern(for: path)):[0-9]+:[0-9]+: [^\n]+\n$")
        var refused = 0
        for offset in offsets {
            let cut = whole.prefix(offset)
            try cut.write(to: URL(fileURLWithPath: path))
            let r = try h.startFails()
            if r.code == 1, r.stderr.wholeMatch(of: pattern) != nil, h.fileBytes(path) == cut { refused += 1 } else {
                Issue.record("cut at \(offset): exit \(r.code), \(r.stderr)")
            }
        }
        #expect(refused == offsets.count)
        figure("truncated store: \(refused)/\(offsets.count) cuts of a \(whole.count)-byte store refused with FILE:LINE:COLUMN, each file left byte-identical")
    }

    @Test func aStoreOfAnotherVersionIsRefused() throws {
        let (h, whole) = try realStore()
        let path = h.storeDir + "/store.json"
        let text = String(decoding: whole, as: UTF8.self).replacingOccurrences(of: "\"version\":1", with: "\"version\":7")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let r = try h.startFails()
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("keptd: \(path):1:"))
        #expect(r.stderr.hasSuffix(": store version 7 is not one this keptd reads (it reads 1)\n"))
        #expect(h.fileBytes(path) == Data(text.utf8))
    }

    @Test func aConfigValueOfTheWrongTypeIsRefused() throws {
        let h = Harness()
        let config = "# kept\nwindow_days: ninety\nremind_at: \"09:00\"\n"
        try h.writeConfig(config)
        let r = try h.startFails()
        let path = h.root + "/config/kept/config.yaml"
        #expect(r.code == 78)
        #expect(r.stderr.hasPrefix("keptd: \(path):2:1: window_days:"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == config)
    }
}
