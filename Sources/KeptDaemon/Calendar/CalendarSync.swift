import AsyncHTTPClient
import Foundation
import KeptCore
import Logging
import NIOCore
import ServiceLifecycle

/// Keeps the CalDAV calendar in step with the store, both ways.
///
/// One sync: make the collection if it is missing; learn what changed there (sync-collection
/// where the server has it, else every member's ETag); read the tasks a client changed and carry
/// out what they mean (ticked: done; due moved later: snoozed); then write every task whose text
/// kept owns differs from the server's — new ones only where none is (`If-None-Match: *`), others
/// only over the version read (`If-Match`). A 412 is read again, judged again and written again,
/// at most three times. What the server holds is journaled as it goes, so a restart mid-sync
/// writes nothing twice and never a second copy (every task's name comes from its UID).
///
/// It runs at start, a moment after each change, at each reminder time (a reminder is a change),
/// on `kept sync`, and every `interval_minutes`.
public actor CalendarSync: Service {
    public struct Settings: Sendable {
        public var collection: URL
        public var username: String?
        public var password: String?
        public var interval: Duration
        public init(collection: URL, username: String?, password: String?, interval: Duration) {
            self.collection = collection; self.username = username; self.password = password; self.interval = interval
        }
    }

    /// What a sync did, for `kept sync` and the journal.
    public struct Outcome: Sendable {
        public var written = 0, read = 0, restored = 0, actedOn = 0
        public var error: String?
    }

    let keeper: Keeper
    let settings: Settings
    let logger: Logger
    /// After a change, wait this long for the next before syncing (a burst of commands is one sync).
    static let debounce: Duration = .seconds(1)
    private var running: Task<Outcome, Never>?
    private var failing: String?
    public private(set) var lastError: (message: String, at: Instant)?

    public init(keeper: Keeper, settings: Settings, logger: Logger) {
        self.keeper = keeper; self.settings = settings; self.logger = logger
    }

    var collection: String { settings.collection.absoluteString }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        // A server that is down is said at once (and tried again at the next sync), not retried
        // until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = CalDAVClient(collection: settings.collection, username: settings.username, password: settings.password, http: http)
        self.client = client
        let wakeup = await keeper.calendarWakeup
        // On SIGTERM the loop is cancelled: its waits end, and a sync in flight is cancelled too.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.sync()
                let interval = self.settings.interval
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
        try? await http.shutdown()
    }

    private var client: CalDAVClient?
    /// When a sync last ended in step (kept in memory: a sync with nothing new writes nothing).
    public private(set) var lastSuccess: Instant?

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

    struct Failure: Error { var message: String }

    func syncOnce() async -> Outcome {
        var outcome = Outcome()
        guard let client else { outcome.error = "the calendar is not running yet"; return outcome }
        do {
            try await sync(client, &outcome)
            if failing != nil {
                logger.info("calendar \(collection): reachable again, in step", metadata: ["KEPT_EVENT": "calendar-recovered"])
            }
            failing = nil
            lastError = nil
            lastSuccess = Instant.now
        } catch is CancellationError {
            outcome.error = "stopped"
        } catch {
            if Task.isCancelled { outcome.error = "stopped"; return outcome }
            let message = (error as? Failure)?.message ?? (error as? CalDAVClient.Problem)?.message
                ?? (error as? KeptError)?.message ?? "\(error)"
            outcome.error = message
            lastError = (message, Instant.now)
            // A server that keeps failing is said once, not at every sync.
            if failing != message {
                logger.error("calendar \(collection): \(message); changes wait in the store", metadata: ["KEPT_EVENT": "calendar-failed"])
            }
            failing = message
        }
        return outcome
    }

    func sync(_ client: CalDAVClient, _ outcome: inout Outcome) async throws {
        let supportsSync = try await ensureCollection(client)
        var plan = await keeper.calendarPlan(collection: collection)
        var published = plan.state?.tasks ?? [:]
        let uidOfHref = Dictionary(published.map { (Self.path($0.value.href), $0.key) }, uniquingKeysWith: { a, _ in a })

        // What changed on the server since kept last looked.
        var changed: [String] = [], gone: Set<String> = []
        var token: String?
        var full = true
        if supportsSync, let old = plan.state?.syncToken {
            let answer = try await client.changes(since: old)
            if answer.status == 207, let ms = Multistatus(answer.body) {
                full = false
                token = ms.syncToken
                for r in ms.responses {
                    guard let uid = uidOfHref[Self.path(r.href)] else { continue }
                    if r.status == 404 { gone.insert(uid) } else if r.properties["getetag"] != published[uid]?.etag { changed.append(uid) }
                }
            } else if answer.status == 401 {
                throw Failure(message: "the server refused calendar.username and its password (401)")
            }
            // Else a token the server no longer takes — 403 valid-sync-token, or some servers' 400,
            // 409 or 500 — starts over with a full listing.
        }
        if full {
            if supportsSync { token = try await syncToken(client) }
            let answer = try await client.listing()
            guard answer.status == 207, let ms = Multistatus(answer.body) else { throw Failure(message: "listing the calendar was answered \(answer.status)") }
            var seen: Set<String> = []
            for r in ms.responses {
                guard let uid = uidOfHref[Self.path(r.href)] else { continue }
                seen.insert(uid)
                if r.properties["getetag"] != published[uid]?.etag || published[uid]?.gone == true { changed.append(uid) }
            }
            for uid in published.keys where !seen.contains(uid) && published[uid]?.gone != true { gone.insert(uid) }
        }

        // Read what a client changed, and carry it out.
        var onServer: [String: (todo: VTodo, etag: String?)] = [:]
        var updates: [String: CalendarState.Published] = [:]
        for (uid, object) in try await read(client, changed.compactMap { published[$0]?.href }, uidOfHref) {
            outcome.read += 1
            onServer[uid] = object
            if let task = plan.tasks.first(where: { $0.uid == uid }) {
                let action = await keeper.calendarReadBack(object.todo, for: task, written: published[uid]?.owned)
                if action != .nothing { outcome.actedOn += 1 }
                await keeper.calendarApply(action)
                // Its new ETag is recorded once the server holds what kept owns: if this sync
                // ends before kept writes it back, the next one reads it again.
                if !task.owned.matches(object.todo) { continue }
            }
            published[uid]?.etag = object.etag
            published[uid]?.gone = nil
            updates[uid] = published[uid]
        }
        for uid in gone {
            published[uid]?.gone = true
            updates[uid] = published[uid]
        }
        try await keeper.calendarRecord(collection: collection, tasks: updates)
        updates = [:]

        // Write what the server should hold. A task the server refuses is said and skipped; the
        // others go on. What was written is journaled even when the sync ends early.
        plan = await keeper.calendarPlan(collection: collection)
        var refused: [String] = []
        do {
            for task in plan.tasks {
                let pub = published[task.uid]
                // A finished task deleted on a client ("clear completed") stays deleted.
                if pub?.gone == true, task.owned.status != .needsAction { continue }
                let needed: Bool
                if let server = onServer[task.uid] { needed = !task.owned.matches(server.todo) } else {
                    needed = pub == nil || pub?.gone == true || pub?.owned != task.owned
                }
                guard needed else { continue }
                do {
                    if let written = try await write(client, task, pub, seen: onServer[task.uid], &outcome) {
                        if pub?.gone == true {
                            outcome.restored += 1
                            logger.notice("calendar: \(task.uid) was deleted on a client; put back", metadata: ["KEPT_EVENT": "calendar-restored"])
                        }
                        published[task.uid] = written
                        updates[task.uid] = written
                        outcome.written += 1
                    }
                } catch let failure as Failure {
                    refused.append(failure.message)
                }
                if updates.count >= 50 {
                    try await keeper.calendarRecord(collection: collection, tasks: updates)
                    updates = [:]
                }
            }
        } catch {
            try? await keeper.calendarRecord(collection: collection, tasks: updates)
            throw error
        }
        // The token from before kept's own writes: the next sync sees them, with the ETags kept has.
        // A sync that found nothing new writes nothing.
        let newToken: String?? = token != plan.state?.syncToken || !updates.isEmpty ? .some(token) : nil
        try await keeper.calendarRecord(collection: collection, tasks: updates, token: newToken)
        if outcome.written + outcome.actedOn + outcome.restored > 0 {
            logger.info("calendar \(collection): \(outcome.written) written, \(outcome.read) read, \(outcome.actedOn) acted on",
                        metadata: ["KEPT_EVENT": "calendar-synced"])
        }
        if let first = refused.first {
            throw Failure(message: refused.count == 1 ? first : "\(refused.count) tasks were refused; the first: \(first)")
        }
    }

    /// The collection exists (made if missing); whether it offers sync-collection.
    func ensureCollection(_ client: CalDAVClient) async throws -> Bool {
        var answer = try await client.collectionProperties()
        // Missing: a 404, or (some servers) a multistatus whose one response is a 404.
        let missing = answer.status == 404 || (answer.status == 207 && Multistatus(answer.body)?.responses.first?.status == 404)
        if missing {
            let made = try await client.makeCalendar()
            guard (200..<300).contains(made.status) else { throw Failure(message: "making the calendar was answered \(made.status)") }
            logger.notice("calendar \(collection): made, for kept's tasks", metadata: ["KEPT_EVENT": "calendar-made"])
            answer = try await client.collectionProperties()
        }
        switch answer.status {
        case 207: break
        case 401: throw Failure(message: "the server refused calendar.username and its password (401)")
        case 403: throw Failure(message: "the server does not let calendar.username use it (403)")
        default: throw Failure(message: "the calendar was answered \(answer.status)")
        }
        guard let ms = Multistatus(answer.body), let me = ms.responses.first else { throw Failure(message: "the calendar's answer was not WebDAV") }
        if let types = me.properties["resourcetype"], !types.split(separator: " ").contains("calendar") {
            throw Failure(message: "\(collection) is not a calendar (a calendar home, or another collection?): set calendar.url to a calendar's own URL, or to one that does not exist yet")
        }
        return me.properties["sync-token"] != nil || String(decoding: answer.body, as: UTF8.self).contains("sync-collection")
    }

    func syncToken(_ client: CalDAVClient) async throws -> String? {
        let answer = try await client.collectionProperties()
        return Multistatus(answer.body)?.responses.first?.properties["sync-token"]
    }

    /// The tasks at `hrefs` as the server holds them, by UID.
    func read(_ client: CalDAVClient, _ hrefs: [String], _ uidOfHref: [String: String]) async throws -> [(String, (todo: VTodo, etag: String?))] {
        guard !hrefs.isEmpty else { return [] }
        var out: [(String, (todo: VTodo, etag: String?))] = []
        for start in stride(from: 0, to: hrefs.count, by: 200) {
            let answer = try await client.objects(Array(hrefs[start..<min(hrefs.count, start + 200)]))
            guard answer.status == 207, let ms = Multistatus(answer.body) else { throw Failure(message: "reading tasks was answered \(answer.status)") }
            for r in ms.responses {
                guard let uid = uidOfHref[Self.path(r.href)], let data = r.properties["calendar-data"], let todo = VTodo(ics: data) else { continue }
                out.append((uid, (todo, r.properties["getetag"])))
            }
        }
        return out
    }

    /// Writes one task; on a 412 (a client changed it meanwhile) reads it, carries out what the
    /// client did, and writes again — at most three times.
    /// `seen` is the server's copy read (and judged) earlier in this sync: the write goes over that version.
    func write(_ client: CalDAVClient, _ first: CalendarTask, _ pub: CalendarState.Published?, seen: (todo: VTodo, etag: String?)?,
               _ outcome: inout Outcome) async throws -> CalendarState.Published? {
        var task = first
        let href = pub?.href ?? (settings.collection.path.hasSuffix("/") ? settings.collection.path : settings.collection.path + "/") + task.fileName
        var etag = pub?.gone == true ? nil : (seen?.etag ?? pub?.etag)
        var exists = pub != nil && pub?.gone != true
        // Raised on each change, and above a client's own where one raised it.
        let sequence = max(pub?.sequence ?? -1, seen?.todo.sequence ?? -1) + 1
        for _ in 0..<3 {
            if exists && etag == nil {
                // Written before, its ETag not given: read it first.
                guard let (_, object) = try await read(client, [href], [Self.path(href): task.uid]).first else { exists = false; continue }
                etag = object.etag
            }
            let answer = try await client.put(href, task.ics(sequence: sequence, stamp: Instant.now), ifMatch: exists ? etag : nil)
            if (200..<300).contains(answer.status) && answer.status != 207 {
                return CalendarState.Published(href: href, etag: answer.etag, sequence: sequence, owned: task.owned)
            }
            // Some servers answer a refused PUT with a multistatus holding the real status and,
            // for a precondition of their own (a UID twice, data they do not take), its name.
            if answer.status == 207 {
                let body = String(decoding: answer.body, as: UTF8.self)
                let inner = Multistatus(answer.body)?.responses.first?.status
                let why = ["no-uid-conflict", "valid-calendar-data", "valid-calendar-object-resource", "supported-calendar-component"]
                    .first { body.contains($0) }
                if inner != 412 || why != nil {
                    throw Failure(message: "writing \(task.uid) was refused (\(inner.map(String.init) ?? "207")\(why.map { " " + $0 } ?? ""))")
                }
            } else if answer.status != 412 {
                throw Failure(message: "writing \(task.uid) was answered \(answer.status)")
            }
            // Changed (or made) meanwhile: read, judge, write again.
            guard let (_, object) = try await read(client, [href], [Self.path(href): task.uid]).first else {
                exists = false; etag = nil; continue
            }
            exists = true
            etag = object.etag
            outcome.read += 1
            let action = await keeper.calendarReadBack(object.todo, for: task, written: pub?.owned)
            if action != .nothing { outcome.actedOn += 1 }
            await keeper.calendarApply(action)
            guard let fresh = await keeper.calendarPlan(collection: collection).tasks.first(where: { $0.uid == task.uid }) else { return nil }
            task = fresh
            if task.owned.matches(object.todo) {
                return CalendarState.Published(href: href, etag: etag, sequence: sequence, owned: task.owned)
            }
        }
        throw Failure(message: "\(task.uid) kept changing while being written; tried three times")
    }

    /// An href as a path, percent-decoded, so that servers that write it either way match.
    static func path(_ href: String) -> String {
        let p = URL(string: href).map { $0.path.isEmpty ? href : $0.path } ?? href
        return p.removingPercentEncoding ?? p
    }
}
