import Foundation
import Testing

/// The calendar when things go wrong, for real (Radicale from Debian on loopback, PyPI's `caldav`
/// as the phone): the server down, a write refused as stale, a token forgotten, the password as a
/// systemd credential. A suite of its own so that it runs beside the two-server tests.
@Suite(.serialized) struct CalDAVRecoveryTests {
    @Test func aServerThatIsDownMakesChangesWaitAndThenArriveOnce() throws {
        let (h, server) = try CalDAVEndToEndTests.started("radicale")
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("sync").code == 0)
        server.stop()
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        let down = h.kept("sync")
        #expect(down.code == 1 && down.stderr.hasPrefix("kept: the calendar did not sync:"), "\(down.stderr)")
        let status = h.kept("status").stdout
        #expect(status.contains("1 change waiting") && status.contains("last error"), "\(status)")
        // Said once, however many syncs fail.
        #expect(h.kept("sync").code == 1)
        #expect(h.daemonOutput.components(separatedBy: "calendar-failed").count - 1 == 1)

        try server.start()
        #expect(h.kept("sync").code == 0)
        let tasks = try CalDAVEndToEndTests.tasks(server)
        #expect(tasks.count { $0.summary?.hasPrefix("1.1 ") == true } == 1)
        #expect(h.kept("status").stdout.contains("0 changes waiting"))
        #expect(!h.daemonOutput.contains(server.password), "the password is never logged")
    }

    @Test func aWriteAnsweredPreconditionFailedIsReadJudgedAndWrittenAgain() throws {
        let h = Harness()
        let server = try CalDAVEndToEndTests.Server("radicale", root: h.root)
        try server.start()
        defer { h.stop(); server.stop() }
        // kept reaches Radicale through a proxy that ticks a task on the server just before
        // kept's next write of it: the server answers that write 412.
        let proxyDir = h.root + "/proxy"
        try FileManager.default.createDirectory(atPath: proxyDir, withIntermediateDirectories: true)
        let port = try SMTPSink.freePort()
        let proxy = try Harness.spawnDetached([Harness.python, Harness.packageRoot + "/Tests/caldav/conflict-proxy", proxyDir, String(port), String(server.port)])
        defer { Harness.stopDetached(proxy) }
        #expect(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: proxyDir + "/pid") })
        let secret = h.root + "/caldav-password"
        try server.password.write(toFile: secret, atomically: true, encoding: .utf8)
        chmod(secret, 0o600)
        try h.writeConfig("calendar:\n  url: http://127.0.0.1:\(port)/\(server.user)/kept/\n  username: \(server.user)\n  password_file: \(secret)\n")
        try h.start()
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        #expect(h.kept("sync").code == 0)
        let task = try #require(try CalDAVEndToEndTests.tasks(server).first { $0.summary?.hasPrefix("1.1 ") == true })
        try (task.uid.replacingOccurrences(of: "@", with: "-") + ".ics").write(toFile: proxyDir + "/trigger", atomically: true, encoding: .utf8)
        // kept changes the task (a snooze): its next write meets the phone's tick.
        #expect(h.kept("snooze", "1.1", "2h").code == 0)
        let r = h.kept("sync")
        #expect(r.code == 0, "\(r.stderr)")
        let answers = (try? String(contentsOfFile: proxyDir + "/answers", encoding: .utf8)) ?? ""
        #expect(answers.hasPrefix("412"), "the write met the phone's change: \(answers)")
        #expect(try CalDAVEndToEndTests.occurrences(h)["1.1"]?["done"] != nil, "the phone's tick, read after the 412, is done in kept")
        #expect(try CalDAVEndToEndTests.tasks(server).first { $0.uid == task.uid }?.status == "COMPLETED")
        #expect(h.kept("sync").stdout.hasPrefix("Synced: 0 tasks written"), "no 412 loop")
    }

    @Test func thePasswordMayComeAsASystemdCredential() throws {
        let h = Harness()
        let server = try CalDAVEndToEndTests.Server("radicale", root: h.root)
        try server.start()
        defer { h.stop(); server.stop() }
        let credentials = h.root + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try (server.password + "\n").write(toFile: credentials + "/caldav-password", atomically: true, encoding: .utf8)
        h.env["CREDENTIALS_DIRECTORY"] = credentials
        try h.writeConfig("calendar:\n  url: \(server.collection)\n  username: \(server.user)\n")
        try h.start()
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        let r = h.kept("sync")
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try CalDAVEndToEndTests.tasks(server).count == 1)
        // A wrong one is a refusal said in words, not a crash.
        try "wrong\n".write(toFile: credentials + "/caldav-password", atomically: true, encoding: .utf8)
        h.stop()
        try h.start()
        let refused = h.kept("sync")
        #expect(refused.code == 1 && refused.stderr.contains("refused calendar.username and its password (401)"), "\(refused.stderr)")

        // A URL that is a collection but not a calendar (the user's home) is refused, not written into.
        try (server.password + "\n").write(toFile: credentials + "/caldav-password", atomically: true, encoding: .utf8)
        try h.writeConfig("calendar:\n  url: http://127.0.0.1:\(server.port)/\(server.user)/\n  username: \(server.user)\n")
        h.stop()
        try h.start()
        let home = h.kept("sync")
        #expect(home.code == 1 && home.stderr.contains("is not a calendar"), "\(home.stderr)")
        #expect(h.daemonOutput.contains("calendar-moved"), "the move to another calendar.url is said")
    }

    @Test func aSyncTokenTheServerNoLongerKnowsStartsAFullListing() throws {
        let (h, server) = try CalDAVEndToEndTests.started("radicale")
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        #expect(h.kept("sync").code == 0)
        // Radicale forgets every token it gave (403 valid-sync-token); the phone ticks the task.
        server.stop()
        let collections = server.folder + "/collections"
        let caches = (FileManager.default.enumerator(atPath: collections)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".Radicale.cache") }
        #expect(!caches.isEmpty)
        for cache in caches { try FileManager.default.removeItem(atPath: collections + "/" + cache) }
        try server.start()
        let task = try #require(try CalDAVEndToEndTests.tasks(server).first { $0.summary?.hasPrefix("1.1 ") == true })
        _ = try CalDAVEndToEndTests.phone(server, "complete", task.uid, "percent")
        let r = h.kept("sync")
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try CalDAVEndToEndTests.occurrences(h)["1.1"]?["done"] != nil, "seen through a full listing")
        #expect(!h.daemonOutput.contains(server.password), "the password is never logged")
    }
}
