import Foundation
import KeptCore
import Logging
import NIOPosix
import ServiceLifecycle

/// Keeps the CalDAV calendar in step with the store, both ways.
///
/// One sync: learn what changed there (sync-collection from the last sync's token where the
/// server has it; else the collection is made if it is missing and every member's ETag read);
/// read the tasks a client changed and carry out what they mean (ticked: done; due moved later:
/// snoozed); then write every task whose text kept owns differs from the server's — new ones
/// only where none is (`If-None-Match: *`), others only over the version read (`If-Match`). A
/// 412 is read again, judged again and written again, at most three times. What the server
/// holds is journaled as it goes, so a restart mid-sync writes nothing twice and never a second
/// copy (every task's name comes from its UID).
///
/// It runs at start, a moment after each change, at each reminder time (a reminder is a change),
/// on `kept sync`, and every `interval_minutes`.
public actor CalendarSync: Service {
    /// What a sync did, for `kept sync` and the journal.
    public struct Outcome: Sendable {
        public var written = 0, read = 0, restored = 0, actedOn = 0
        /// Tasks still to be written when the sync ended (refused ones); nil if it did not get that far.
        public var pending: Int?
        public var error: String?
    }

    let keeper: Keeper
    let transport: any CalDAVTransport
    /// The collection's URL, as the store and the journal name it.
    let collection: String
    /// The collection's path on the server, below which new tasks are written.
    let collectionPath: String
    let interval: Duration
    let logger: Logger
    /// After a change, wait this long for the next before syncing (a burst of commands is one sync).
    static let debounce: Duration = .seconds(1)
    private var running: Task<Outcome, Never>?
    private var failing: String?
    public private(set) var lastError: (message: String, at: Instant)?
    /// When a sync last ended in step (kept in memory: a sync with nothing new writes nothing).
    public private(set) var lastSuccess: Instant?
    /// While a sync writes: the tasks it has still to write (and those refused so far). `kept
    /// status` reads this rather than plan the whole calendar again beside a long first publish.
    public private(set) var toWrite: Int?
    /// How many tasks the last sync wrote since the token it recorded; nil at start and after a
    /// sync that ended before recording one (the changes since the token then hold writes not counted).
    private var lastWrote: Int?
    /// The changed tasks' data is asked for with the changes only after a sync that wrote at most
    /// this many: its token is from before its writes, so the next changes list every task it
    /// wrote, and after a first publish their data would make one answer of megabytes — more than
    /// a slow link carries within an exchange's time limit, for tasks known by their ETags anyway.
    static let dataWithChangesAfterWrites = 50

    public init(keeper: Keeper, transport: any CalDAVTransport, collection: URL, interval: Duration, logger: Logger) {
        self.keeper = keeper
        self.transport = transport
        self.collection = collection.absoluteString
        self.collectionPath = collection.path
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let wakeup = keeper.calendarWakeup
        // On SIGTERM the loop is cancelled: its waits end, and a sync in flight is cancelled too.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.sync()
                let interval = self.interval
                let woken = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await wakeup.wait(); return true }
                    group.addTask { try? await Task.sleep(for: interval); return false }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
                if woken { try? await Task.sleep(for: Self.debounce) }
            }
        }
        await transport.close()
    }

    /// One sync, after any that is running; what `kept sync` waits for. Cancelled, it cancels
    /// the sync it started.
    public func sync() async -> Outcome {
        // Each sync is chained after the one before: never two at once, none skipped.
        let previous = running
        let t = Task { _ = await previous?.value; return await self.syncOnce() }
        running = t
        return await withTaskCancellationHandler { await t.value } onCancel: { t.cancel() }
    }

    // MARK: One sync

    func syncOnce() async -> Outcome {
        var outcome = Outcome()
        do {
            try await sync(&outcome)
            if failing != nil {
                logger.info("calendar \(collection): reachable again, in step", metadata: ["KEPT_EVENT": "calendar-recovered"])
            }
            failing = nil
            lastError = nil
            lastSuccess = await keeper.now
        } catch is CancellationError {
            outcome.error = "stopped"
        } catch {
            if Task.isCancelled {
                outcome.error = "stopped"
                return outcome
            }
            let message = (error as? CalDAVProblem)?.message ?? (error as? KeptError)?.message ?? "\(error)"
            outcome.error = message
            lastError = (message, await keeper.now)
            // A server that keeps failing is said once, not at every sync.
            if failing != message {
                logger.error("calendar \(collection): \(message); changes wait in the store", metadata: ["KEPT_EVENT": "calendar-failed"])
            }
            failing = message
        }
        return outcome
    }

    func sync(_ outcome: inout Outcome) async throws {
        // What changed on the server since kept last looked is asked for first: with a token
        // from the last sync, sync-collection at once — one request when nothing changed.
        // While the server answers, the plan is made on a thread of its own: every task the
        // store calls for now, and which of them differ from what kept last wrote.
        let basis = await keeper.calendarBasis(collection: collection)
        let withData = (lastWrote ?? .max) <= Self.dataWithChangesAfterWrites
        lastWrote = nil
        let token = basis.state?.syncToken
        async let asked = Self.changes(transport, since: token, withData: withData)
        let collectionPath = self.collectionPath
        var made = try await Self.besideTheRequests { [basis] in Made(basis.plan(), collectionPath: collectionPath) }
        // The copy of the store is let go at once: a client's change carried out below changes
        // the store's incidents in place.
        _ = consume basis

        // Without a token, or when the server no longer takes it (or the calendar is gone), the
        // collection is looked at (made if missing) and listed whole.
        var changed: CalendarReconciler.Changed
        let newToken: String?
        var given: [String: CalDAVObject] = [:]
        if let changes = try await asked {
            changed = made.reconciler.changed(by: changes.members)
            newToken = changes.token
            for object in changes.objects { given[CalendarReconciler.path(object.href)] = object }
        } else {
            newToken = try await ensureCollection()
            changed = made.reconciler.changed(in: try await transport.listing())
        }

        // Read what a client changed (what the server gave with its changes is not asked for
        // again), and carry it out.
        var onServer: [String: (todo: VTodo, etag: String?)] = [:]
        var acted: [Int] = []
        var objects: [(object: CalDAVObject, todo: VTodo)] = []
        var unread: [String] = []
        for href in made.reconciler.hrefs(changed.read) {
            // Data given that is not a task is asked for again, as if none had come.
            if let object = given[CalendarReconciler.path(href)], let todo = VTodo(ics: object.ics) {
                objects.append((object, todo))
            } else {
                unread.append(href)
            }
        }
        for object in try await transport.objects(unread) {
            if let todo = VTodo(ics: object.ics) { objects.append((object, todo)) }
        }
        for (object, todo) in objects {
            guard let uid = made.reconciler.uid(at: object.href) else { continue }
            outcome.read += 1
            onServer[uid] = (todo, object.etag)
            let index = made.position[uid]
            if let index, await judge(todo, for: made.plan.tasks[index], written: made.reconciler.published(uid)?.owned, &outcome) {
                acted.append(index)
            }
            made.reconciler.read(uid, etag: object.etag, holds: todo, wanted: index.map { made.plan.tasks[$0] })
        }
        made.reconciler.deleted(changed.gone)
        try await keeper.calendarRecord(collection: collection, tasks: made.reconciler.takeUpdates())

        // What was carried out changed only those tasks (a client's tick or move touches its
        // own occurrence): they are read from the store again, the rest of the plan stands.
        for index in acted {
            guard let occ = made.plan.tasks[index].occurrence, let fresh = await keeper.calendarTask(occ, collection: collection) else { continue }
            made.plan.tasks[index] = fresh
        }
        // Only the tasks read in this sync, and those it learned anything of (gone ones), are
        // judged again; for the others what was decided while the server answered stands.
        for uid in Set(onServer.keys).union(made.reconciler.learnedUIDs) {
            guard let index = made.position[uid] else { continue }
            made.differs[index] = made.reconciler.needsWrite(made.plan.tasks[index], server: onServer[uid]?.todo)
        }

        // Write what the server should hold. A task the server refuses is said and skipped; the
        // others go on. What was written is journaled even when the sync ends early.
        var refused: [String] = []
        var wrote = false
        let writes = made.plan.tasks.indices.filter { made.differs[$0] }.map { made.plan.tasks[$0] }
        defer { toWrite = nil }
        do {
            for (n, task) in writes.enumerated() {
                toWrite = writes.count - n + refused.count
                switch try await write(task, &made.reconciler, seen: onServer[task.uid], &outcome) {
                case .written(let restored):
                    wrote = true
                    outcome.written += 1
                    if restored {
                        outcome.restored += 1
                        logger.notice("calendar: \(task.uid) was deleted on a client; put back", metadata: ["KEPT_EVENT": "calendar-restored"])
                    }
                case .inStep:
                    wrote = true
                case .refused(let why):
                    refused.append("writing \(task.uid) was \(why)")
                }
                if made.reconciler.updates.count >= 50 {
                    try await keeper.calendarRecord(collection: collection, tasks: made.reconciler.takeUpdates())
                }
            }
        } catch {
            try? await keeper.calendarRecord(collection: collection, tasks: made.reconciler.takeUpdates())
            throw error
        }
        let record = CalendarReconciler.tokenToRecord(newToken, previous: made.plan.state?.syncToken, wroteTasks: wrote)
        let updates = made.reconciler.takeUpdates()
        // The plan and the reconciler hold the store's own dictionary of tasks: let go of them
        // first, and the record changes it in place instead of copying every task.
        _ = consume made
        try await keeper.calendarRecord(collection: collection, tasks: updates, token: record)
        lastWrote = outcome.written
        // Every task that needed writing was written, found in step, or refused.
        outcome.pending = refused.count
        if outcome.written + outcome.actedOn + outcome.restored > 0 {
            logger.info("calendar \(collection): \(outcome.written) written, \(outcome.read) read, \(outcome.actedOn) acted on",
                        metadata: ["KEPT_EVENT": "calendar-synced"])
        }
        if let first = refused.first {
            throw CalDAVProblem(refused.count == 1 ? first : "\(refused.count) tasks were refused; the first: \(first)")
        }
    }

    /// What a sync decides before the server's answer: the plan, the reconciler over what kept
    /// last wrote, which tasks differ from that, and where each UID is in the plan.
    struct Made: Sendable {
        var plan: Keeper.CalendarPlan
        var reconciler: CalendarReconciler
        var differs: [Bool]
        var position: [String: Int]

        init(_ plan: Keeper.CalendarPlan, collectionPath: String) {
            self.plan = plan
            reconciler = CalendarReconciler(published: plan.state?.tasks ?? [:], collectionPath: collectionPath)
            differs = plan.tasks.map { [reconciler] in reconciler.needsWrite($0, server: nil) }
            position = Dictionary(plan.tasks.enumerated().map { ($1.uid, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// sync-collection from `token`; nil without one, or when the server no longer takes it.
    static func changes(_ transport: any CalDAVTransport, since token: String?, withData: Bool) async throws -> CalDAVChanges? {
        guard let token else { return nil }
        return try await transport.changes(since: token, withData: withData)
    }

    /// Runs `work` on NIO's threads for blocking work, away from the event loops: a request just
    /// made goes out and its answer is read on a loop meanwhile, whichever loop its connection is on.
    static func besideTheRequests<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// The collection exists (made if missing); its sync token where it has sync-collection.
    func ensureCollection() async throws -> String? {
        var collection = try await transport.collection()
        if collection == .missing {
            try await transport.makeCalendar()
            logger.notice("calendar \(self.collection): made, for kept's tasks", metadata: ["KEPT_EVENT": "calendar-made"])
            collection = try await transport.collection()
        }
        guard case .calendar(let token) = collection else { throw CalDAVProblem("the calendar made was not found") }
        return token
    }

    /// Lets the Engine judge what a client did to a task and carries it out; whether it acted.
    func judge(_ todo: VTodo, for task: CalendarTask, written: CalendarTask.Owned?, _ outcome: inout Outcome) async -> Bool {
        let action = await keeper.calendarReadBack(todo, for: task, written: written)
        guard action != .nothing else { return false }
        outcome.actedOn += 1
        await keeper.calendarApply(action)
        return true
    }

    enum Written {
        /// Written; whether it was put back after a client deleted it.
        case written(restored: Bool)
        /// Not written: the server's copy, read after a conflict, already says what kept owns.
        case inStep
        case refused(String)
    }

    /// Writes one task; on a 412 (a client changed it meanwhile) reads it, carries out what the
    /// client did, and writes again — at most three times.
    /// `seen` is the server's copy read (and judged) earlier in this sync: the write goes over that version.
    func write(_ first: CalendarTask, _ reconciler: inout CalendarReconciler, seen: (todo: VTodo, etag: String?)?,
               _ outcome: inout Outcome) async throws -> Written {
        var task = first
        var attempt = reconciler.attempt(task, seen: seen)
        let written = reconciler.published(task.uid)?.owned
        for _ in 0..<3 {
            if attempt.exists && attempt.etag == nil {
                // Written before, its ETag not given: read it first.
                guard let object = try await transport.objects([attempt.href]).first else {
                    attempt.exists = false
                    continue
                }
                attempt.etag = object.etag
            }
            let ics = task.ics(sequence: attempt.sequence, stamp: await keeper.now)
            switch try await transport.put(attempt.href, ics, ifMatch: attempt.exists ? attempt.etag : nil) {
            case .stored(let etag):
                return .written(restored: reconciler.written(task, attempt, etag: etag))
            case .refused(let why):
                return .refused(why)
            case .changedMeanwhile:
                break
            }
            // Changed (or made) meanwhile: read, judge, write again.
            guard let object = try await transport.objects([attempt.href]).first, let todo = VTodo(ics: object.ics) else {
                attempt.exists = false
                attempt.etag = nil
                continue
            }
            attempt.exists = true
            attempt.etag = object.etag
            outcome.read += 1
            if await judge(todo, for: task, written: written, &outcome) {
                guard let occ = task.occurrence, let fresh = await keeper.calendarTask(occ, collection: collection) else { return .inStep }
                task = fresh
            }
            if task.owned.matches(todo) {
                reconciler.written(task, attempt, etag: object.etag)
                return .inStep
            }
        }
        throw CalDAVProblem("\(task.uid) kept changing while being written; tried three times")
    }
}
