import Foundation
import KeptCore
import KeptTestSupport
import KeptClient
import Logging
import ServiceLifecycle
import Testing
@testable import KeptDaemon

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The daemon's own loop — the services `Daemon.build` puts together for `keptd` — run inside the
/// test over a manual clock and a journal in memory, delivering into a real Maildir. Nothing here
/// sleeps to let time pass: the clock moves when the test moves it.
@Suite(.serialized) struct DaemonLoopTests {
    static let t0 = Instant(seconds: 1_796_000_000)  // 2026-11-30 01:53:20 in Berlin
    static let zone = Zone.named("Europe/Berlin") ?? .utc

    /// A running daemon and what it is made of.
    struct Running {
        let keeper: Keeper
        let timer: ManualTimer
        let journal: MemoryJournal
        let maildir: String
        let socket: String
        let task: Task<Void, any Error>
        let group: ServiceGroupHandle

        /// Files delivered into the Maildir's new/.
        var delivered: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).sorted()
        }

        /// Stops the daemon; one that has not stopped within five minutes is a failure, not a hang.
        /// (The suite's end-to-end tests wait on processes from the same few threads this daemon
        /// runs on: under a full run its stop can take a minute.)
        func stop() async {
            await group.stop()
            let task = self.task
            let stopped = await withTaskGroup(of: Bool.self) { waits in
                waits.addTask { _ = try? await task.value; return true }
                waits.addTask { try? await Task.sleep(for: .seconds(300)); return false }
                let first = await waits.next() ?? false
                waits.cancelAll()
                return first
            }
            if !stopped { Issue.record("the daemon did not stop within five minutes") }
            try? FileManager.default.removeItem(atPath: (maildir as NSString).deletingLastPathComponent)
        }
    }

    /// Lets the daemon's own tasks catch up: returns once `condition` holds (or fails after 30 s).
    static func settle(_ what: String, _ condition: () async -> Bool) async {
        for _ in 0..<3000 {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("never happened within 30 s: \(what)")
    }

    static func start(zone: Zone = zone, now: Instant = t0, configure: (inout Config, String) -> Void = { _, _ in }) async throws -> Running {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kept-loop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let maildir = root + "/Maildir"
        var config = Config()
        config.maildir.path = maildir
        config.digest.enabled = false
        configure(&config, root)
        let paths = Paths(stateDirectory: root + "/state", configFile: root + "/config.yaml", socket: root + "/control.sock", maildir: maildir)
        var options = Daemon.Options(paths: paths, config: config, environment: [:])
        options.handlesSignals = false
        // The suite's other tests may hold every thread a while: a slow stop is not a crash.
        options.gracefulStopLimit = nil
        options.cancellationLimit = nil
        let timer = ManualTimer(now: now)
        let journal = MemoryJournal()
        let state = StoreState(storeID: "loopte57")
        try MaildirChannel.prepare(maildir)
        let parts = Daemon.Parts(store: journal, state: state, timer: timer, clock: { timer.now }, zone: zone,
                                 channels: [MaildirChannel(storeID: state.storeID)], listen: .path(paths.socket))
        let daemon = Daemon.build(options, parts, logger: Logger(label: "kept-loop-test"))
        let group = ServiceGroupHandle(daemon.group)
        let task = Task { try await daemon.group.run() }
        await settle("the socket listens") { FileManager.default.fileExists(atPath: paths.socket) }
        return Running(keeper: daemon.keeper, timer: timer, journal: journal, maildir: maildir, socket: paths.socket, task: task, group: group)
    }

    /// Opens a bare incident and promises one thing per deadline given, through the keeper's own transaction.
    static func promise(_ r: Running, at deadlines: [Instant]) async throws {
        _ = try await r.keeper.perform { e, now throws(KeptError) in
            try Methods.IncidentOpen.decide(e, Params.Open(client: "Acme", title: "Wrong invoice", playbook: false), now: now)
        }
        for (n, at) in deadlines.enumerated() {
            _ = try await r.keeper.perform { e, now throws(KeptError) in
                try Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "promise \(n + 1)", due: .text(zone.rfc3339(at))), now: now)
            }
        }
    }

    /// The letter of a check-in goes into the Drafts folder as a draft when its lead reminder goes
    /// out, addressed to the client; once: deleted there, it is not put back.
    @Test func aLetterGoesIntoTheDraftsFolderWithItsLeadReminderOnce() async throws {
        var folder = ""
        let r = try await Self.start { config, root in
            folder = root + "/Drafts"
            config.letters.drafts = folder
            config.letters.signature = "Dana Example"
            config.reply.from = ["dana@example.org"]
        }
        _ = try await r.keeper.perform { e, now throws(KeptError) in
            try Methods.IncidentOpen.decide(e, Params.Open(client: "Acme", title: "Wrong invoice", contact: "Dana Scully <dana@acme.example>"), now: now)
        }
        func drafts() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/cur")) ?? []).sorted() }
        func letterOf(_ occ: String) -> [String] { drafts().filter { $0.contains("kept-letter-loopte57-\(occ).") } }
        // The check-in 1.6, due in a week: its lead reminder the day before.
        let checkin = try #require(await r.keeper.state.incident(1)?.item(6))
        #expect(checkin.kind == .checkin)
        #expect(letterOf("1_6_1").isEmpty)
        let due = try #require(await r.keeper.engine.occurrences(of: checkin, in: r.keeper.state.incident(1)!).first?.times.due)
        r.timer.advance(to: due - 86_400 + 3600 * 12)
        await Self.settle("the check-in's letter is a draft") { letterOf("1_6_1").count == 1 }
        let name = try #require(letterOf("1_6_1").first)
        #expect(name.hasSuffix(":2,D"))
        let text = try String(contentsOfFile: folder + "/cur/" + name, encoding: .utf8)
        #expect(text.hasPrefix("From: Dana Example <dana@example.org>\nTo: Dana Scully <dana@acme.example>\nSubject: "), "\(text)")
        #expect(text.contains("\n\nDear Dana,\n") && text.hasSuffix("\nDana Example\n"))
        #expect(!text.contains("X-Kept"))
        await Self.settle("the reminder says so") {
            r.delivered.contains { ((try? String(contentsOfFile: r.maildir + "/new/" + $0, encoding: .utf8)) ?? "").contains("The letter is in your Drafts folder") }
        }
        #expect(await r.keeper.state.incident(1)?.item(6)?.mark(1)?.drafted != nil)
        // The user deleted it; the due reminder comes and goes: it is not put back.
        try FileManager.default.removeItem(atPath: folder + "/cur/" + name)
        r.timer.advance(to: due + 60)
        await Self.settle("the due reminder is out") { await r.keeper.state.incident(1)?.item(6)?.mark(1)?.reminded?.contains(.due) == true }
        await Self.settle("the outbox is empty") { await r.keeper.state.outbox.isEmpty }
        #expect(letterOf("1_6_1").isEmpty)
        await r.stop()
    }

    /// A Drafts folder that cannot be written when the lead reminder goes: the letter is owed, not
    /// lost, and goes in at the next reminder once the folder can take it.
    @Test func aLetterThatCouldNotBeWrittenIsPutThereAtTheNextReminder() async throws {
        var folder = ""
        let r = try await Self.start { config, root in
            folder = root + "/Drafts"
            config.letters.drafts = folder
            config.reply.from = ["dana@example.org"]
        }
        // A file where the folder should be: nothing can be written under it.
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: folder))
        _ = try await r.keeper.perform { e, now throws(KeptError) in
            try Methods.IncidentOpen.decide(e, Params.Open(client: "Acme", title: "Wrong invoice", contact: "dana@acme.example"), now: now)
        }
        let checkin = try #require(await r.keeper.state.incident(1)?.item(6))
        let due = try #require(await r.keeper.engine.occurrences(of: checkin, in: r.keeper.state.incident(1)!).first?.times.due)
        r.timer.advance(to: due - 86_400 + 3600 * 12)
        await Self.settle("the lead reminder is out") { await r.keeper.state.incident(1)?.item(6)?.mark(1)?.reminded?.contains(.lead) == true }
        #expect(await r.keeper.state.incident(1)?.item(6)?.mark(1)?.drafted == nil, "the write failed: not recorded as drafted")
        #expect(await r.keeper.engine.draftsDue(now: due).contains(OccurrenceID(item: ItemID(incident: 1, number: 6), index: 1)))
        // Mended; the due reminder goes out, and the letter with it.
        try FileManager.default.removeItem(atPath: folder)
        r.timer.advance(to: due + 60)
        await Self.settle("the letter is a draft now") {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/cur")) ?? []).filter { $0.contains("-1_6_1.") }.count == 1
        }
        await Self.settle("and recorded") { await r.keeper.state.incident(1)?.item(6)?.mark(1)?.drafted != nil }
        await r.stop()
    }

    @Test func aReminderIsDeliveredAtItsDeadlineAndTheNextIsArmed() async throws {
        let r = try await Self.start()
        try await Self.promise(r, at: [Self.t0 + 3600, Self.t0 + 7200])
        #expect(r.timer.deadline == Self.t0 + 3600)
        r.timer.advance(to: Self.t0 + 3599)
        #expect(r.delivered.isEmpty)
        r.timer.advance(to: Self.t0 + 3600)
        await Self.settle("the first reminder is in the Maildir") { r.delivered.count == 1 }
        await Self.settle("the outbox is empty") { await r.keeper.state.outbox.isEmpty }
        #expect(r.delivered.first?.contains("K" + "loopte57" + "_1_1-1-due") == true)
        #expect(r.timer.deadline == Self.t0 + 7200)
        await r.stop()
    }

    @Test func aStoreFailureWhileRemindersFallDueRearmsAndLosesNothing() async throws {
        let r = try await Self.start()
        try await Self.promise(r, at: [Self.t0 + 60])
        r.journal.failure = "no space left on device"
        r.timer.advance(to: Self.t0 + 60)
        // Not saved, so not sent: the timer tries again shortly.
        await Self.settle("the timer is armed to try again") { r.timer.deadline == Self.t0 + 60 + Keeper.storeRetrySeconds }
        #expect(r.delivered.isEmpty)
        #expect(await r.keeper.state.outbox.isEmpty)
        r.journal.failure = nil
        r.timer.advance(to: Self.t0 + 60 + Keeper.storeRetrySeconds)
        await Self.settle("the reminder is delivered") { r.delivered.count == 1 }
        await Self.settle("the outbox is empty") { await r.keeper.state.outbox.isEmpty }
        // Once, and nothing more is due.
        r.timer.advance(to: Self.t0 + 86_400)
        await Self.settle("the keeper is idle") { await r.keeper.state.outbox.isEmpty }
        #expect(r.delivered.count == 1)
        let enqueued = r.journal.records.filter { if case .enqueue = $0.change { true } else { false } }
        #expect(enqueued.count == 1)
        await r.stop()
    }

    @Test func aClockJumpSendsWhatItSkippedOnce() async throws {
        let r = try await Self.start()
        try await Self.promise(r, at: [Self.t0 + 3600, Self.t0 + 7200, Self.t0 + 90_000])
        r.timer.jump(to: Self.t0 + 10_000)
        await Self.settle("both skipped reminders are delivered") { r.delivered.count == 2 }
        await Self.settle("the outbox is empty") { await r.keeper.state.outbox.isEmpty }
        let late = await r.keeper.state.incidents[0].timeline.filter { $0.what == "reminded" }.count
        #expect(late == 2)
        // Next: the third promise's lead reminder, the day before it is due, at 09:00.
        #expect(r.timer.deadline == Self.zone.instant(LocalDate(iso: "2026-11-30")!, TimeOfDay(hour: 9, minute: 0)))
        // The clock set again, to the same time: nothing is sent twice.
        r.timer.jump(to: Self.t0 + 10_001)
        await Self.settle("the timer is armed again") { r.timer.armings >= 1 }
        #expect(r.delivered.count == 2)
        await r.stop()
    }

    @Test func theSocketReachesTheSameTransaction() async throws {
        let r = try await Self.start()
        let client = ControlClient(socketPath: r.socket)
        let opened = try await Self.exchange(client, #"{"jsonrpc":"2.0","id":"a","method":"incident.open","params":{"client":"Acme","title":"x","playbook":false}}"#)
        #expect(opened.hasPrefix(#"{"jsonrpc":"2.0","id":"a","result":{"#))
        // A notification is carried out and not answered; the next request's answer comes back alone.
        let batch = try await Self.exchange(client, #"[{"jsonrpc":"2.0","method":"checkin.log","params":{"incident":1}},{"jsonrpc":"2.0","id":2,"method":"status"}]"#)
        #expect(batch.hasPrefix(#"[{"jsonrpc":"2.0","id":2,"result":"#))
        #expect(await r.keeper.state.incidents[0].timeline.contains { $0.what == "checkin" })
        await r.stop()
    }
}

extension DaemonLoopTests {
    /// One request line and its answer, on a thread of its own: the client blocks, the daemon's
    /// tasks must not wait behind it.
    static func exchange(_ client: ControlClient, _ line: String) async throws -> String {
        let bytes = Array((line + "\n").utf8)
        let answer: Result<[UInt8], ControlClient.Failure> = await withCheckedContinuation { done in
            Thread { done.resume(returning: Result { () throws(ControlClient.Failure) in try client.exchange(bytes) }) }.start()
        }
        return String(decoding: try answer.get(), as: UTF8.self)
    }
}

/// Lets a test stop a running service group.
final class ServiceGroupHandle: Sendable {
    let group: ServiceGroup
    init(_ group: ServiceGroup) { self.group = group }
    func stop() async { await group.triggerGracefulShutdown() }
}
