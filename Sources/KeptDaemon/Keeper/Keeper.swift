import Foundation
import KeptCore
import Logging

/// The daemon's state and the one place it changes: requests, timer firings and deliveries all
/// pass through this actor, in order.
///
/// Every change is journaled and `fdatasync`ed before it is applied and before any reply.
public actor Keeper {
    var engine: Engine
    let store: StoreFile
    let timer: WallClockTimer
    let logger: Logger
    private let clock: @Sendable () -> Instant
    public let paths: Paths
    /// The environment `KEPT_…` settings are read from at each reload.
    let environment: [String: String]
    public private(set) var config: Config
    let started: Instant
    /// Channel → state the delivery loop waits on.
    let wakeups: [String: Wakeup]
    /// (key, channel) pairs that were in flight when the daemon last stopped.
    var recovering: Set<String> = []
    /// (key, channel) pairs being delivered right now.
    var inFlight: Set<String> = []

    public init(paths: Paths, config: Config, environment: [String: String], store: StoreFile, state: StoreState,
                timer: WallClockTimer, logger: Logger, clock: @escaping @Sendable () -> Instant = { Instant.now }) {
        self.paths = paths
        self.environment = environment
        self.config = config
        self.store = store
        self.timer = timer
        self.logger = logger
        self.clock = clock
        self.started = clock()
        let channels = Self.channels(config)
        var engine = Engine(state: state, rules: Rules(config: config, zone: .current), channels: channels)
        (engine.mailFrom, engine.mailTo) = Self.addresses(config)
        self.engine = engine
        self.wakeups = Dictionary(uniqueKeysWithValues: ["maildir", "email", "command"].map { ($0, Wakeup()) })
        for entry in state.outbox {
            for c in entry.channels where c.inFlight { recovering.insert(entry.key + " " + c.channel) }
        }
    }

    static func channels(_ config: Config) -> [String] {
        var names: [String] = []
        if config.maildir.enabled { names.append("maildir") }
        if config.email.enabled { names.append("email") }
        if config.command.enabled { names.append("command") }
        return names
    }

    static func addresses(_ config: Config) -> (String, [String]) {
        let host = ProcessInfo.processInfo.hostName
        let user = ProcessInfo.processInfo.environment["USER"] ?? "kept"
        return (config.email.from ?? "kept <kept@\(host)>", config.email.to.isEmpty ? ["\(user)@\(host)"] : config.email.to)
    }

    var now: Instant { clock() }

    // MARK: Requests

    /// Answers one request; the reply is a JSON line without its newline.
    public func handle(method name: String, id: RPC.ID, request: Data) async -> Data {
        guard let method = Method(rawValue: name) else {
            let error = RPC.ErrorObject(.methodNotFound, "unknown method \(name.debugDescription)")
            logRefusal(name, request, error)
            return Self.error(id, error)
        }
        let now = self.now
        do {
            switch method {
            case .status: return Self.reply(id, status(now: now))
            case .reload:
                switch await reload() {
                case .success(let status): return Self.reply(id, View.Message(message: "reloaded: \(status)"))
                case .failure(let problem):
                    return Self.error(id, RPC.ErrorObject(.refused, "configuration not reloaded, the one in force stays: \(problem.message)"))
                }
            default: break
            }
            let decision = try engine.decide(method, request: request, now: now)
            if !decision.changes.isEmpty {
                let records = engine.records(for: decision.changes, at: now)
                do { try append(records) } catch {
                    logger.error("change not saved: \(error.message)", metadata: ["KEPT_EVENT": "store-failed"])
                    return Self.error(id, RPC.ErrorObject(.storage, "not saved, nothing changed: \(error.message)"))
                }
                engine.commit(records)
                for record in records { log(record) }
                afterChange()
            }
            return Self.reply(id, try decision.answer(engine))
        } catch {
            logRefusal(name, request, error)
            return Self.error(id, error)
        }
    }

    func status(now: Instant) -> View.Status {
        let next = engine.nextSending(now: now)
        let history = engine.state.deliveries ?? [:]
        var pending: [View.Pending] = []
        for entry in engine.state.outbox {
            for c in entry.channels where c.isPending {
                pending.append(View.Pending(key: entry.key, channel: c.channel, subject: entry.reminder.subject,
                                            attempts: c.attempts, retryAt: c.retryAt, lastError: c.lastError))
            }
        }
        let channels = ["maildir", "email", "command"].map { name in
            let h = history[name]
            return View.Channel(name: name, enabled: engine.channels.contains(name), lastSuccess: h?.lastSuccess,
                                lastFailure: h?.lastFailure, lastError: h?.lastError,
                                pending: pending.count { $0.channel == name })
        }
        let givenUp = history.flatMap { name, h in h.givenUp.map { View.GivenUp(key: $0.key, channel: name, at: $0.at, error: $0.error) } }
            .sorted { $0.at < $1.at }
        return View.Status(
            version: KeptVersion.current, pid: getpid(), started: started, uptimeSeconds: now - started,
            store: store.documentPath, config: paths.configFile, socket: paths.socket, timeZone: engine.rules.zone.identifier,
            incidents: engine.state.incidents.count, openIncidents: engine.state.incidents.count { $0.isOpen },
            items: engine.state.incidents.reduce(0) { $0 + $1.items.count },
            nextReminder: next?.at, nextReminderKey: next?.key, outbox: engine.state.outbox.count,
            channels: channels, pending: pending, givenUp: givenUp)
    }

    /// After any change: fold the journal if it has grown, and re-arm the timer.
    func afterChange() {
        if store.wantsCompaction {
            do { try store.compact(engine.state) } catch {
                logger.error("could not fold the journal into the store: \(error.message)")
            }
        }
        armTimer()
    }

    /// On a clean stop: fold the journal into the document, so the next start reads one file.
    func foldJournal() {
        guard store.journalBytes > 0 else { return }
        do { try store.compact(engine.state) } catch {
            logger.error("could not fold the journal into the store at stop: \(error.message)")
        }
    }

    /// The system clock was set: say so; the caller looks again at what is due and re-arms.
    func clockWasSet() {
        logger.notice("the system clock was set; looking again at what is due", metadata: ["KEPT_EVENT": "clock-set"])
    }

    func armTimer() {
        let next = engine.nextWakeup(now: now)
        timer.arm(at: next)
        Notifier.status(statusLine(next: next))
    }

    func statusLine(next: Instant?) -> String {
        let open = engine.state.incidents.count { $0.isOpen }
        let when = next.map { "next reminder \(engine.rules.zone.format($0))" } ?? "no reminder scheduled"
        return "\(open) open incident\(open == 1 ? "" : "s"), \(when)"
    }

    /// Re-reads the configuration file and environment (SIGHUP, `kept reload`), rebuilds the schedule
    /// and re-arms the timer. A configuration with a problem is refused whole: the one in force stays.
    func reload() async -> Result<String, ConfigProblem> {
        Notifier.reloading()
        let result: Result<Config, ConfigProblem>
        do { result = .success(try await ConfigLoader.load(file: paths.configFile, environment: environment)) } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let fresh):
            apply(fresh)
            logger.info("reloaded \(paths.configFile)", metadata: ["KEPT_EVENT": "reloaded"])
        case .failure(let problem):
            logger.error("configuration not reloaded, the one in force stays: \(problem.message)", metadata: ["KEPT_EVENT": "reload-refused"])
        }
        let status = readyStatus()
        Notifier.ready(status: status)
        return result.map { _ in status }
    }

    func apply(_ fresh: Config) {
        NSTimeZone.resetSystemTimeZone()
        config = fresh
        engine.rules = Rules(config: fresh, zone: .current)
        engine.channels = Self.channels(fresh)
        (engine.mailFrom, engine.mailTo) = Self.addresses(fresh)
        engine.rebuildQueue()
        armTimer()
        // New settings may let a waiting delivery through now.
        for wakeup in wakeups.values { wakeup.signal() }
    }

    /// Answers as soon as the keeper is free: the watchdog pings only after this returns.
    func heartbeat() {}

    /// Makes records durable in the store's journal (where the reliability tests' faults strike).
    func append(_ records: [JournalRecord]) throws(StoreError) {
        Faults.prime(store)
        try store.append(records)
    }

    public func readyStatus() -> String { statusLine(next: engine.nextWakeup(now: now)) }

    // MARK: Timer

    /// Enqueues every reminder that is due, then re-arms the timer.
    func fireDue() {
        let now = self.now
        let changes = engine.dueReminders(at: now)
        if !changes.isEmpty {
            let records = engine.records(for: changes, at: now)
            do { try append(records) } catch {
                logger.error("reminders not saved, retrying in 5 s: \(error.message)", metadata: ["KEPT_EVENT": "store-failed"])
                timer.arm(at: now + 5)
                return
            }
            engine.commit(records)
            for record in records { log(record) }
            for channel in engine.channels { wakeups[channel]?.signal() }
        }
        afterChange()
    }

    /// One journal entry per change, with the incident, item, client and channel as fields.
    func log(_ record: JournalRecord) {
        var metadata: Logger.Metadata = ["KEPT_EVENT": .string(record.change.eventName)]
        if let incident = record.change.incidentID {
            metadata["KEPT_INCIDENT"] = .string(String(incident))
            if let client = engine.state.incident(incident)?.client { metadata["KEPT_CLIENT"] = .string(client) }
        }
        if let item = record.change.itemName { metadata["KEPT_ITEM"] = .string(item) }
        switch record.change {
        case .attempt(_, let channel):
            metadata["KEPT_CHANNEL"] = .string(channel)
            logger.debug("\(record.change.summary)", metadata: metadata)
        case .delivered(_, let channel):
            metadata["KEPT_CHANNEL"] = .string(channel)
            logger.info("\(record.change.summary)", metadata: metadata)
        case .failed(_, let channel, _, let permanent, _):
            metadata["KEPT_CHANNEL"] = .string(channel)
            if permanent { logger.error("\(record.change.summary)", metadata: metadata) } else {
                logger.warning("\(record.change.summary)", metadata: metadata)
            }
        default: logger.info("\(record.change.summary)", metadata: metadata)
        }
    }

    /// A refused request, with what it named (incident, item) when the request says.
    func logRefusal(_ method: String, _ request: Data, _ error: RPC.ErrorObject) {
        var metadata: Logger.Metadata = ["KEPT_EVENT": "refused", "KEPT_METHOD": .string(method)]
        if let object = try? JSONSerialization.jsonObject(with: request) as? [String: Any],
           let params = object["params"] as? [String: Any]
        {
            if let item = params["item"] as? String { metadata["KEPT_ITEM"] = .string(item) }
            if let incident = params["incident"] as? Int {
                metadata["KEPT_INCIDENT"] = .string(String(incident))
                if let client = engine.state.incident(incident)?.client { metadata["KEPT_CLIENT"] = .string(client) }
            }
        }
        logger.notice("refused \(method): \(error.message)", metadata: metadata)
    }

    static func reply(_ id: RPC.ID, _ result: some Encodable) -> Data {
        if let result = result as? any JSONWritable {
            var json = JSONWriter(capacity: 4096)
            json.response(id: id, result: result)
            return Data(json.bytes)
        }
        do { return try encoder.encode(RPC.Response(id: id, result: result)) } catch {
            return Self.error(id, RPC.ErrorObject(.internalError, "cannot encode the answer: \(error)"))
        }
    }

    static func error(_ id: RPC.ID, _ error: RPC.ErrorObject) -> Data {
        (try? encoder.encode(RPC.ErrorResponse(id: id, error: error))) ?? Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}"#.utf8)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()
}

extension Change {
    var eventName: String {
        switch self {
        case .open: "incident-opened"
        case .addItem: "promise-added"
        case .done: "item-done"
        case .snooze: "item-snoozed"
        case .release: "item-released"
        case .checkin: "checkin"
        case .close: "incident-closed"
        case .enqueue: "reminder-due"
        case .attempt: "delivery-attempt"
        case .delivered: "reminder-delivered"
        case .failed: "delivery-failed"
        }
    }

    var incidentID: Int? {
        switch self {
        case .open(let i): i.id
        case .addItem(let id, _), .checkin(let id, _), .close(let id, _, _, _): id
        case .done(let o, _, _, _), .snooze(let o, _): o.item.incident
        case .release(let os, _): os.first?.item.incident
        case .enqueue(let e, _): e.reminder.incident
        case .attempt(let key, _), .delivered(let key, _), .failed(let key, _, _, _, _): StoreState.occurrence(ofKey: key)?.item.incident
        }
    }

    var itemName: String? {
        switch self {
        case .open, .checkin, .close: nil
        case .addItem(let id, let item): "\(id).\(item.number)"
        case .done(let o, _, _, _), .snooze(let o, _): o.description
        case .release(let os, _): os.first?.description
        case .enqueue(let e, _): e.key
        case .attempt(let key, _), .delivered(let key, _), .failed(let key, _, _, _, _): key
        }
    }

    var summary: String {
        switch self {
        case .open(let i): "incident \(i.id) opened for \(i.client): \(i.title) (\(i.items.count) items)"
        case .addItem(let id, let item): "promise \(id).\(item.number) added: \(item.text)"
        case .done(let o, _, _, _): "\(o) done"
        case .snooze(let o, let until): "\(o) snoozed until \(until)"
        case .release(let os, let reason): "\(os.map(\.description).joined(separator: ", ")) released: \(reason)"
        case .checkin(let id, _): "check-in logged for incident \(id)"
        case .close(let id, let outcome, _, let released): "incident \(id) closed: \(outcome.rawValue) (\(released.count) released)"
        case .enqueue(let e, let covered): "reminder \(e.key) due\(e.reminder.late ? " (late)" : "")\(covered.isEmpty ? "" : ", covering \(covered.joined(separator: ", "))")"
        case .attempt(let key, let channel): "delivering \(key) via \(channel)"
        case .delivered(let key, let channel): "reminder \(key) delivered via \(channel)"
        case .failed(let key, let channel, let error, let permanent, _): "reminder \(key) \(permanent ? "failed for good" : "failed, will retry") via \(channel): \(error)"
        }
    }
}
