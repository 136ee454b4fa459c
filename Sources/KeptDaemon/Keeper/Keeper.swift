import CSystemd
import Foundation
import KeptCore
import Logging

/// The daemon's state and the one place it changes: requests, timer firings, deliveries and
/// replies all pass through this actor, in order.
///
/// A change is decided by the Engine, journaled and `fdatasync`ed, then applied, logged, and the
/// timer re-armed — before any answer. What the keeper reports, reloads and delivers lives beside
/// it (`Keeper+Status`, `Keeper+Reload`, `Keeper+Outbox`, `Keeper+Log`).
public actor Keeper {
    var engine: Engine
    let store: any Journal
    let timer: any ReminderTimer
    let logger: Logger
    let clock: @Sendable () -> Instant
    public let paths: Paths
    /// The environment `KEPT_…` settings are read from at each reload.
    let environment: [String: String]
    public internal(set) var config: Config
    let started: Instant
    /// The zone the keeper was given, if any; otherwise the system's, read again at each reload.
    let fixedZone: Zone?
    /// Channel → state the delivery loop waits on.
    let wakeups: [ChannelName: Wakeup]
    /// Signalled by every change a calendar sync should follow (not by the sync's own records).
    let calendarWakeup = Wakeup()
    /// The calendar's sync, when `calendar.url` is set.
    var calendarSync: CalendarSync?
    /// Whether the move to another `calendar.url` has been said (once per run).
    var calendarMoveSaid = false
    /// Deliveries that were in flight when the daemon last stopped.
    var recovering: Set<DeliverySlot> = []
    /// Deliveries being made right now.
    var inFlight: Set<DeliverySlot> = []

    public init(paths: Paths, config: Config, drafts: DraftTemplates? = nil, environment: [String: String], store: any Journal, state: StoreState,
                timer: any ReminderTimer, logger: Logger, zone: Zone? = nil,
                clock: @escaping @Sendable () -> Instant = { Instant.now }) {
        self.paths = paths
        self.environment = environment
        self.config = config
        self.store = store
        self.timer = timer
        self.logger = logger
        self.clock = clock
        self.started = clock()
        self.fixedZone = zone
        var engine = Engine(state: state, rules: Rules(config: config, zone: zone ?? .current), channels: Self.channels(config))
        (engine.mailFrom, engine.mailTo) = Self.addresses(config)
        engine.drafts = drafts
        engine.painter = RecordPages()
        self.engine = engine
        self.wakeups = Dictionary(uniqueKeysWithValues: ChannelName.allCases.map { ($0, Wakeup()) })
        for entry in state.outbox {
            for c in entry.channels where c.inFlight { recovering.insert(DeliverySlot(key: entry.key, channel: c.channel)) }
        }
    }

    static func channels(_ config: Config) -> [ChannelName] {
        ChannelName.allCases.filter { config.enabled($0) }
    }

    static func addresses(_ config: Config) -> (String, [String]) {
        let host = ProcessInfo.processInfo.hostName
        let user = ProcessInfo.processInfo.environment["USER"] ?? "kept"
        return (config.email.from ?? "kept <kept@\(host)>", config.email.to.isEmpty ? ["\(user)@\(host)"] : config.email.to)
    }

    var now: Instant { clock() }

    /// The store as it is now: every acknowledged change applied.
    public var state: StoreState { engine.state }

    // MARK: Transactions

    /// Decides at this moment, makes the changes durable, applies them, and answers. Nothing is
    /// applied, and the answer is an error, unless the journal holds the changes first.
    public func perform<Result: Sendable>(wakingTheCalendar: Bool = true, _ decide: @Sendable (Engine, Instant) throws(KeptError) -> Decision<Result>)
        throws(KeptError) -> Result
    {
        let now = self.now
        let decision = try decide(engine, now)
        if !decision.changes.isEmpty {
            let records = engine.records(for: decision.changes, at: now)
            do { try append(records) } catch {
                logger.error("change not saved: \(error.message)", metadata: ["KEPT_EVENT": "store-failed"])
                throw KeptError(.storage, "not saved, nothing changed: \(error.message)")
            }
            commit(records, wakingTheCalendar: wakingTheCalendar)
        }
        return decision.answer(engine)
    }

    /// Applies records that are durable, logs them, and re-arms the timer.
    func commit(_ records: [JournalRecord], wakingTheCalendar: Bool = true) {
        engine.commit(records)
        for record in records { log(record) }
        afterChange()
        // Something new to send (a reminder, an answer to a reply): the deliveries go now.
        if records.contains(where: { if case .enqueue = $0.change { true } else { false } }) {
            for channel in engine.channels { wakeups[channel]?.signal() }
            putDrafts()
        }
        if wakingTheCalendar, records.contains(where: \.change.changesTheCalendar) { calendarWakeup.signal() }
    }

    /// Makes records durable in the store's journal (where the reliability tests' faults strike).
    func append(_ records: [JournalRecord]) throws(StoreError) {
        if let file = store as? StoreFile { Faults.prime(file) }
        try store.append(records)
    }

    /// After any change: fold the journal if it has grown, and re-arm the timer.
    func afterChange() {
        if store.wantsCompaction {
            do { try store.compact(engine.state) } catch {
                logger.error("could not fold the journal into the store: \(error.message)")
            }
            // The document written was built whole in memory: its bytes given back.
            malloc_trim(0)
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

    func armTimer() {
        let next = engine.nextWakeup(now: now)
        timer.arm(at: next)
        Notifier.status(statusLine(next: next))
    }

    /// Answers as soon as the keeper is free: the watchdog pings only after this returns.
    func heartbeat() {}

    // MARK: Timer

    /// Enqueues every reminder that is due, then re-arms the timer. When the reminders cannot be
    /// made durable, nothing is enqueued and the timer is armed again a little later.
    func fireDue() {
        let now = self.now
        let changes = engine.dueReminders(at: now)
        guard !changes.isEmpty else {
            putDrafts()  // at start, and any owed since a write failed
            return armTimer()
        }
        let records = engine.records(for: changes, at: now)
        do { try append(records) } catch {
            logger.error("reminders not saved, retrying in \(Self.storeRetrySeconds) s: \(error.message)", metadata: ["KEPT_EVENT": "store-failed"])
            timer.arm(at: now + Self.storeRetrySeconds)
            return
        }
        commit(records)
    }

    /// How long the timer waits before it tries again to save reminders that fell due.
    static let storeRetrySeconds: Int64 = 5

    /// The system clock was set: say so; the caller looks again at what is due and re-arms.
    func clockWasSet() {
        logger.notice("the system clock was set; looking again at what is due", metadata: ["KEPT_EVENT": "clock-set"])
    }
}
