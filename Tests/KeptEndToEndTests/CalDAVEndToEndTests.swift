import Foundation
import Testing

/// The calendar on the phone, for real: keptd publishing to Radicale and to Xandikos (from
/// Debian, on loopback), and PyPI's `caldav` as the phone that ticks, moves, deletes and edits.
@Suite(.serialized) struct CalDAVEndToEndTests {
    /// A CalDAV server started by its rig in `Tests/caldav`.
    final class Server {
        let kind: String, folder: String, port: Int
        let user = "dana", password = "s3cret pass"
        init(_ kind: String, root: String) throws {
            self.kind = kind
            folder = root + "/" + kind
            port = try SMTPSink.freePort()
        }
        var rig: String { Harness.packageRoot + "/Tests/caldav/\(kind)-rig" }
        /// The collection kept is told to use: it does not exist until kept makes it.
        var collection: String {
            kind == "radicale" ? "http://127.0.0.1:\(port)/\(user)/kept/" : "http://127.0.0.1:\(port)/\(user)/calendars/kept/"
        }
        func start() throws {
            let r = Harness.execute(rig, ["start", folder, String(port), user, password])
            guard r.code == 0 else { throw HarnessError("\(kind) did not start: \(r.stderr)") }
        }
        func stop() { _ = Harness.execute(rig, ["stop", folder]) }
        deinit { stop() }
    }

    struct Task: Decodable {
        var uid: String
        var summary: String?
        var description: String?
        var due: String?
        var due_utc: String?
        var status: String?
        var completed: String?
        var percent: Int?
        var categories: [String]?
        var related_to: [String]?
    }

    /// The phone: `Tests/python/phone.py` over PyPI's caldav.
    static func phone(_ s: Server, _ args: String...) throws -> String {
        let script = Harness.packageRoot + "/Tests/python/phone.py"
        var env = ProcessInfo.processInfo.environment
        env["PYTHONPATH"] = Harness.pythonPackages
        let r = Harness.execute(Harness.python, [script, s.collection, s.user, s.password] + args, environment: env)
        guard r.code == 0 else { throw HarnessError("phone \(args) failed: \(r.stderr)") }
        return r.stdout
    }

    static func tasks(_ s: Server) throws -> [Task] {
        try JSONDecoder().decode([Task].self, from: Data(phone(s, "list").utf8))
    }

    static func started(_ kind: String) throws -> (Harness, Server) {
        let h = Harness()
        let server = try Server(kind, root: h.root)
        try server.start()
        let secret = h.root + "/caldav-password"
        try server.password.write(toFile: secret, atomically: true, encoding: .utf8)
        chmod(secret, 0o600)
        try h.writeConfig("calendar:\n  url: \(server.collection)\n  username: \(server.user)\n  password_file: \(secret)\n")
        try h.start()
        return (h, server)
    }

    static func occurrences(_ h: Harness) throws -> [String: [String: Any]] {
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        var out: [String: [String: Any]] = [:]
        for item in show["items"] as? [[String: Any]] ?? [] {
            for o in item["occurrences"] as? [[String: Any]] ?? [] { out[o["id"] as? String ?? ""] = o }
        }
        return out
    }

    @Test(arguments: ["radicale", "xandikos"])
    func thePhoneSeesEveryDueAndWhatItDoesComesBack(_ kind: String) throws {
        let (h, server) = try Self.started(kind)
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        let first = h.kept("sync")
        #expect(first.code == 0, "\(first.stderr)")

        // Every open due is a task under its incident's own, the client in CATEGORIES.
        let open = try Self.occurrences(h).filter { ($0.value["status"] as? String) == "upcoming" || ($0.value["status"] as? String) == "overdue" }
        var tasks = try Self.tasks(server)
        let parent = try #require(tasks.first { $0.related_to?.isEmpty ?? true })
        #expect(parent.summary == "#1 Acme Corp: Invoice sent with the wrong amounts")
        #expect(tasks.count == open.count + 1)
        #expect(Set(tasks.map(\.uid)).count == tasks.count)
        for t in tasks where t.uid != parent.uid {
            #expect(t.related_to == [parent.uid])
            #expect(t.categories?.contains("Acme Corp") == true)
            #expect(t.status == "NEEDS-ACTION")
        }
        func uid(_ item: String) -> String {
            let parts = item.split(separator: "#").first.map(String.init) ?? item
            return tasks.first { $0.summary?.hasPrefix(parts + " ") == true }?.uid ?? "missing-\(item)"
        }

        // The phone ticks three tasks, each its own way; moves one's due; deletes one; edits one.
        let (ticked1, ticked2, ticked3) = (uid("1.1"), uid("1.2"), uid("1.3"))
        _ = try Self.phone(server, "complete", ticked1, "status")
        _ = try Self.phone(server, "complete", ticked2, "completed")
        _ = try Self.phone(server, "complete", ticked3, "percent")
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(9 * 86_400))
        _ = try Self.phone(server, "move", uid("1.4"), later)
        let deleted = uid("1.6"), edited = uid("1.7")
        _ = try Self.phone(server, "delete", deleted)
        _ = try Self.phone(server, "edit", edited, "--summary", "whatever the phone says")

        let second = h.kept("sync")
        #expect(second.code == 0, "\(second.stderr)")
        let after = try Self.occurrences(h)
        for item in ["1.1", "1.2", "1.3"] {
            #expect(after[item]?["done"] != nil, "\(item) ticked on the phone is done in kept")
        }
        #expect(after["1.4"]?["snoozedUntil"] != nil, "a due moved on the phone is a snooze")
        #expect(after["1.4"]?["status"] as? String == "upcoming")
        #expect(after["1.4"]?["due"] as? String != nil)

        tasks = try Self.tasks(server)
        #expect(tasks.contains { $0.uid == deleted }, "a task deleted on the phone is put back")
        #expect(tasks.first { $0.uid == edited }?.summary?.hasPrefix("1.7 ") == true, "kept's summary is restored")
        for done in [ticked1, ticked2, ticked3] { #expect(tasks.first { $0.uid == done }?.status == "COMPLETED") }
        #expect(Set(tasks.map(\.uid)).count == tasks.count)

        // In step: a sync with nothing new writes nothing.
        let steady = h.kept("sync")
        #expect(steady.code == 0 && steady.stdout.hasPrefix("Synced: 0 tasks written"), "\(steady.stdout)")
        let status = h.kept("status")
        #expect(status.stdout.contains("Calendar:  \(server.collection)"))
        #expect(status.stdout.contains("0 changes waiting"))
        #expect(h.daemonOutput.contains("calendar-done") && h.daemonOutput.contains("calendar-restored"))
    }

    @Test(arguments: ["radicale", "xandikos"])
    func aConflictIsDecidedByTheRulesAndNothingIsLost(_ kind: String) throws {
        let (h, server) = try Self.started(kind)
        defer { h.stop(); server.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+3d").code == 0)
        #expect(h.kept("promise", "1", "Call Dana", "--due", "+4d").code == 0)
        #expect(h.kept("sync").code == 0)
        let tasks = try Self.tasks(server)
        let invoice = try #require(tasks.first { $0.summary?.hasPrefix("1.1 ") == true })
        let call = try #require(tasks.first { $0.summary?.hasPrefix("1.2 ") == true })
        // Between two syncs: kept marks 1.1 done while the phone moves its due; the phone ticks
        // 1.2 while kept snoozes it.
        _ = try Self.phone(server, "move", invoice.uid, ISO8601DateFormatter().string(from: Date().addingTimeInterval(6 * 86_400)))
        #expect(h.kept("done", "1.1").code == 0)
        #expect(h.kept("snooze", "1.2", "2h").code == 0)
        _ = try Self.phone(server, "complete", call.uid, "status")
        let r = h.kept("sync")
        #expect(r.code == 0, "\(r.stderr)")
        let after = try Self.occurrences(h)
        #expect(after["1.1"]?["done"] != nil && after["1.2"]?["done"] != nil)
        let server2 = try Self.tasks(server)
        #expect(server2.first { $0.uid == invoice.uid }?.status == "COMPLETED")
        #expect(server2.first { $0.uid == call.uid }?.status == "COMPLETED")
        #expect(h.kept("sync").stdout.hasPrefix("Synced: 0 tasks written"))

        // kept snoozes a task by command, then the phone edits its summary before kept wrote the
        // new due: the edit is not a move, the snooze stands, kept's summary and new due go back.
        #expect(h.kept("promise", "1", "Send the audit", "--due", "+5d").code == 0)
        #expect(h.kept("sync").code == 0)
        let audit = try #require(try Self.tasks(server).first { $0.summary?.hasPrefix("1.3 ") == true })
        let until = Date().addingTimeInterval(2 * 86_400)
        let untilText = ISO8601DateFormatter().string(from: until)
        // The sync after the snooze waits a moment after the change; the phone edits first.
        #expect(h.kept("snooze", "1.3", "--until", untilText).code == 0)
        _ = try Self.phone(server, "edit", audit.uid, "--summary", "renamed on the phone")
        #expect(h.kept("sync").code == 0)
        let snoozed = try Self.occurrences(h)["1.3"]?["snoozedUntil"] as? String
        #expect(snoozed.flatMap { ISO8601DateFormatter().date(from: $0) }.map { abs($0.timeIntervalSince(until)) < 61 } == true,
                "the snooze by command stands: \(snoozed ?? "none")")
        let now = try #require(try Self.tasks(server).first { $0.uid == audit.uid })
        #expect(now.summary?.hasPrefix("1.3 Send the audit") == true)
        #expect(now.due_utc.flatMap { ISO8601DateFormatter().date(from: $0) }.map { abs($0.timeIntervalSince(until)) < 61 } == true,
                "the phone shows the snoozed due: \(now.due_utc ?? "none")")
    }
}
