import Foundation
import Testing

/// The calendar door against peers that misbehave and clients nobody here wrote: a server that
/// trickles its answer or never gives one, a write redirected to another host, a write in flight
/// when keptd is killed (all through `Tests/caldav/hostile-front` before a real Radicale), and
/// vdirsyncer with todoman moving a date-only due.
@Suite(.serialized) struct HostileCalendarTests {
    typealias Server = CalDAVEndToEndTests.Server

    /// `Tests/caldav/hostile-front` between keptd and a running Radicale.
    final class Front {
        let folder: String, port: Int, pid: pid_t
        init(_ h: Harness, before server: Server) throws {
            folder = h.root + "/front"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            port = try SMTPSink.freePort()
            pid = try Harness.spawnDetached([Harness.python, Harness.packageRoot + "/Tests/caldav/hostile-front", folder, String(port), String(server.port)])
            guard Harness.eventually(seconds: 10, { FileManager.default.fileExists(atPath: self.folder + "/pid") }) else {
                Harness.stopDetached(pid)
                throw HarnessError("hostile-front did not start")
            }
        }
        deinit { Harness.stopDetached(pid) }
        func mode(_ m: String) throws { try m.write(toFile: folder + "/mode", atomically: true, encoding: .utf8) }
        func file(_ name: String) -> String { (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "" }
        var log: String { file("log") }
    }

    /// Radicale, the front before it, and keptd told to use the front.
    static func started() throws -> (Harness, Server, Front) {
        let h = Harness()
        let server = try Server("radicale", root: h.root)
        try server.start()
        let front = try Front(h, before: server)
        let secret = h.root + "/caldav-password"
        try server.password.write(toFile: secret, atomically: true, encoding: .utf8)
        chmod(secret, 0o600)
        try h.writeConfig("calendar:\n  url: http://127.0.0.1:\(front.port)/\(server.user)/kept/\n  username: \(server.user)\n  password_file: \(secret)\n")
        try h.start()
        return (h, server, front)
    }

    static func calendarStatus(_ h: Harness) -> [String: Any] {
        ((try? h.keptJSON("status")) as? [String: Any])?["calendar"] as? [String: Any] ?? [:]
    }

    /// What the wire carries for a tick on the phone, seen by a front that names each request:
    /// Radicale gives the ticked task with its changes, so kept reads it without a
    /// calendar-multiget and writes its own text back — two exchanges.
    @Test func aTickOnThePhoneCostsTheChangesAndTheWriteBack() throws {
        let (h, server, front) = try Self.started()
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        #expect(h.kept("sync").code == 0)
        try h.settled()
        let uid = try #require(try CalDAVEndToEndTests.tasks(server).first { $0.summary?.hasPrefix("1.1 ") == true }?.uid)
        try "".write(toFile: front.folder + "/log", atomically: true, encoding: .utf8)
        _ = try CalDAVEndToEndTests.phone(server, "complete", uid, "status")
        #expect(h.kept("sync").code == 0)
        #expect(try h.timeline(1, "done").count == 1, "the tick was carried out")
        // The front writes each line once its answer is sent: the last may come a moment after.
        let puts = { front.log.split(separator: "\n").count { $0.hasPrefix("pass PUT ") && $0.contains(".ics ") } }
        #expect(Harness.eventually(seconds: 10) { puts() >= 1 }, "\(front.log)")
        #expect(front.log.contains("pass REPORT /dana/kept/ sync-collection+data 207"), "\(front.log)")
        #expect(!front.log.contains("calendar-multiget"), "not read a second time: \(front.log)")
        #expect(puts() == 1, "kept's text written back once: \(front.log)")
        #expect(try CalDAVEndToEndTests.tasks(server).first { $0.uid == uid }?.description?.hasSuffix("Done, kept.") == true)
    }

    /// A server that sends its headers and then a byte a second is given up on like one that
    /// never answers, said in words; the change made meanwhile arrives once it answers again.
    @Test func aServerThatTricklesOrSaysNothingIsGivenUpOnAndNothingIsLost() throws {
        let (h, server, front) = try Self.started()
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("sync").code == 0)
        for (mode, n) in [("trickle", 1), ("silent", 2)] {
            try front.mode(mode)
            #expect(h.kept("promise", "1", "Promise \(n)", "--due", "+\(n + 2)d").code == 0)
            _ = h.kept("sync")
            #expect(Harness.eventually(seconds: 40) {
                (Self.calendarStatus(h)["lastError"] as? String)?.contains("did not answer") == true
            }, "\(mode): \(Self.calendarStatus(h))")
            let error = Self.calendarStatus(h)["lastError"] as? String ?? ""
            #expect(error.contains("within 8 s") && !error.contains("HTTPClientError"), "in words: \(error)")
            #expect(h.kept("status").stdout.contains("last error"), "kept status answers and says it")
            // kept hung up on it: the front saw the client leave.
            #expect(Harness.eventually(seconds: 15) { front.log.contains("client-left") }, "\(front.log)")
            try front.mode("pass")
            #expect(Harness.eventually(seconds: 40) { h.kept("sync").code == 0 })
            let tasks = try CalDAVEndToEndTests.tasks(server)
            #expect(tasks.count { $0.summary?.hasPrefix("1.\(n) Promise \(n)") == true } == 1, "\(mode): \(tasks.map(\.summary))")
            #expect(Self.calendarStatus(h)["pending"] as? Int == 0)
            try "".write(toFile: front.folder + "/log", atomically: true, encoding: .utf8)
        }
    }

    /// A write answered with a redirect — to another host, or the same one — is never followed:
    /// nothing of the task reaches the other host, the task waits, and the redirect is said.
    @Test(arguments: ["redirect 307", "redirect 301", "redirect-same 308"])
    func aRedirectedWriteIsNotFollowedAndTheTaskWaits(_ mode: String) throws {
        let (h, server, front) = try Self.started()
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("sync").code == 0)
        try front.mode(mode)
        #expect(h.kept("promise", "1", "Send the corrected invoice for Dana", "--due", "+3d").code == 0)
        let refused = h.kept("sync")
        #expect(refused.code == 1 && refused.stderr.contains("kept follows no redirect"), "\(refused.stderr)")
        #expect(front.log.contains("redirect PUT"), "the fault happened: \(front.log)")
        #expect(front.file("sink-log").isEmpty, "nothing reached the other host: \(front.file("sink-log"))")
        #expect(!front.log.contains("pass PUT /dana/elsewhere/"), "the same host's other path was not tried: \(front.log)")
        let status = Self.calendarStatus(h)
        #expect((status["lastError"] as? String)?.contains("redirects PUT") == true, "\(status)")
        #expect((status["pending"] as? Int ?? 0) >= 1, "the task waits: \(status)")
        #expect(try CalDAVEndToEndTests.tasks(server).allSatisfy { $0.summary?.contains("Send the corrected") != true })

        try front.mode("pass")
        #expect(h.kept("sync").code == 0)
        #expect(try CalDAVEndToEndTests.tasks(server).count { $0.summary?.hasPrefix("1.1 Send the corrected") == true } == 1)
        #expect(Self.calendarStatus(h)["pending"] as? Int == 0)
    }

    /// keptd killed while a write is provably in flight — the server has stored it, its answer
    /// has not come — leaves no second copy and loses nothing.
    @Test func aKeptdKilledWithAWriteInFlightLeavesNoSecondCopy() throws {
        let (h, server, front) = try Self.started()
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts").code == 0)
        #expect(h.kept("sync").code == 0)
        let before = try CalDAVEndToEndTests.tasks(server).count
        try front.mode("hold-put 5")
        for n in 1...20 { #expect(h.kept("promise", "1", "Promise \(n)", "--due", "+\(n)d").code == 0) }
        // The fifth write reaches Radicale; its answer is held. keptd is killed while it waits.
        #expect(Harness.eventually(seconds: 30) { FileManager.default.fileExists(atPath: front.folder + "/held") })
        #expect(!front.log.contains("client-left"), "still in flight at the kill: \(front.log)")
        h.killHard()
        #expect(front.log.contains("held PUT"), "the fault happened: \(front.log)")
        try front.mode("pass")
        try h.start()
        #expect(h.kept("sync").code == 0)
        let tasks = try CalDAVEndToEndTests.tasks(server)
        #expect(Set(tasks.map(\.uid)).count == tasks.count, "no UID twice")
        #expect(tasks.count == before + 20)
        #expect(Self.calendarStatus(h)["pending"] as? Int == 0)
    }

    /// vdirsyncer and todoman (Debian's) as the phone: a date-only due moved to another day is one
    /// snooze, and the task stays a day on the server.
    @Test func aDateOnlyDueMovedInTodomanIsOneSnoozeAndStaysADay() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/todoman"), "todoman is not installed: run scripts/setup")
        let (h, server) = try CalDAVEndToEndTests.started("radicale")
        defer { h.stop(); server.stop() }
        let rig = Harness.packageRoot + "/Tests/caldav/todoman-rig", phone = h.root + "/todoman"
        func todoman(_ args: String...) throws -> String {
            var env = h.env
            env["TZ"] = h.zone
            let r = Harness.execute(rig, args, environment: env)
            guard r.code == 0 else { throw HarnessError("todoman-rig \(args) failed (\(r.code)): \(r.stderr)") }
            return r.stdout
        }
        let (promised, moved) = (h.localDay(3), h.localDay(6))
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", promised).code == 0)
        #expect(h.kept("sync").code == 0)
        _ = try todoman("setup", phone, server.collection, server.user, server.password)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(todoman("todo", phone, "list").utf8)) as? [[String: Any]])
        let id = try #require(listed.first { ($0["summary"] as? String)?.hasPrefix("1.1 ") == true }?["id"] as? Int, "\(listed)")
        _ = try todoman("todo", phone, "--plain", "edit", String(id), "--due", moved)
        _ = try todoman("sync", phone)

        // This sync or one keptd started itself carries it out; either way, once.
        let sync = h.kept("sync")
        #expect(sync.code == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(try h.timeline(1, "snoozed").count == 1, "one snooze")
        #expect(h.kept("sync").stdout.hasPrefix("Synced: 0 tasks written"))
        #expect(try h.timeline(1, "snoozed").count == 1, "still one")
        _ = try todoman("sync", phone)
        let files = try FileManager.default.contentsOfDirectory(atPath: phone + "/tasks/kept")
        let ics = try files.map { try String(contentsOfFile: phone + "/tasks/kept/" + $0, encoding: .utf8) }
            .first { $0.contains("SUMMARY:1.1 ") } ?? ""
        let day = moved.replacingOccurrences(of: "-", with: "")
        #expect(ics.contains("DUE;VALUE=DATE:\(day)"), "still a day: \(ics)")
    }
}
