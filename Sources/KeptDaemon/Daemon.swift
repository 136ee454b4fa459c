import CSystemd
import Foundation
import KeptCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds and runs the daemon: `build` serves `keptd` and the in-process tests alike.
public enum Daemon {
    public struct Options: Sendable {
        public var paths: Paths
        public var config: Config
        /// The user's draft templates, if any.
        public var drafts: DraftTemplates?
        /// Where `KEPT_…` settings come from when the configuration is reloaded.
        public var environment: [String: String]
        /// SIGTERM and SIGINT stop, SIGHUP reloads; off for a daemon inside a test process.
        public var handlesSignals = true
        /// How long a graceful stop may take before the services are cancelled, and how long
        /// cancelling them may take before the process gives up (nil: as long as it takes — for
        /// a daemon inside a test process, whose other tests may hold every thread a while).
        public var gracefulStopLimit: Duration? = .seconds(5)
        public var cancellationLimit: Duration? = .seconds(2)
        public init(paths: Paths, config: Config, drafts: DraftTemplates? = nil,
                    environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.paths = paths
            self.config = config
            self.drafts = drafts
            self.environment = environment
        }
    }

    /// What the daemon is made of: the real store, timer and clock in `keptd`; fakes in tests.
    public struct Parts: Sendable {
        public var store: any Journal
        public var state: StoreState
        public var timer: any ReminderTimer
        public var clock: @Sendable () -> Instant
        /// The user's zone; nil for the system's (`TZ`, then /etc/localtime).
        public var zone: Zone?
        public var channels: [any DeliveryChannel]
        public var listen: Listen

        public init(store: any Journal, state: StoreState, timer: any ReminderTimer, clock: @escaping @Sendable () -> Instant = { .now },
                    zone: Zone? = nil, channels: [any DeliveryChannel], listen: Listen) {
            self.store = store; self.state = state; self.timer = timer; self.clock = clock; self.zone = zone
            self.channels = channels; self.listen = listen
        }
    }

    /// The daemon, ready to run: its services in one group, and the keeper they share.
    public struct Built: Sendable {
        public let group: ServiceGroup
        public let keeper: Keeper
        /// With `calendar.url`: the calendar's sync, one of the group's services.
        public let calendar: CalendarSync?
    }

    public static func build(_ options: Options, _ parts: Parts, logger: Logger) -> Built {
        let keeper = Keeper(paths: options.paths, config: options.config, drafts: options.drafts, environment: options.environment, store: parts.store,
                            state: parts.state, timer: parts.timer, logger: logger, zone: parts.zone, clock: parts.clock)
        let server = ControlServer(listen: parts.listen, keeper: keeper, logger: logger) {
            // Loading a large store and building its schedule leave the file's bytes and the
            // scratch of the threads that decoded it freed but held by the allocator (an arena a
            // thread): given back before settling down.
            malloc_trim(0)
            let status = await keeper.readyStatus()
            // Logged before READY=1 is sent, so the entry's time bounds when systemd may call it active.
            logger.info("keptd \(KeptVersion.current) ready: \(status)", metadata: ["KEPT_EVENT": "ready"])
            Notifier.ready(status: status)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server),
            .init(service: ReminderService(keeper: keeper, timer: parts.timer)),
            .init(service: DeliveryService(keeper: keeper, channels: parts.channels)),
            .init(service: WatchdogService(keeper: keeper, interval: Notifier.watchdogInterval())),
            .init(service: StoppingNotice(logger: logger)),
        ]
        if options.handlesSignals { services.append(.init(service: ReloadService(keeper: keeper))) }
        if options.config.reply.address != nil, let maildir = options.config.reply.watch {
            services.append(.init(service: ReplyWatchService(keeper: keeper, maildir: maildir, logger: logger)))
        }
        var calendar: CalendarSync?
        if let url = options.config.calendar.url.flatMap(URL.init(string:)) {
            let client = CalDAVClient(collection: url, username: options.config.calendar.username,
                                      password: calendarPassword(options.config.calendar, environment: options.environment))
            calendar = CalendarSync(keeper: keeper, transport: client, collection: url,
                                    interval: .seconds(60 * options.config.calendar.intervalMinutes), logger: logger)
            services.append(.init(service: calendar!))
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        if options.handlesSignals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        configuration.maximumGracefulShutdownDuration = options.gracefulStopLimit
        configuration.maximumCancellationDuration = options.cancellationLimit
        return Built(group: ServiceGroup(configuration: configuration), keeper: keeper, calendar: calendar)
    }

    /// The calendar's password: `password_file` (checked to be 0600 when the config was read),
    /// else systemd's credential `caldav-password` (`LoadCredential=` in a drop-in), else none.
    static func calendarPassword(_ c: Config.Calendar, environment: [String: String]) -> String? {
        let path = c.passwordFile ?? environment["CREDENTIALS_DIRECTORY"].map { $0 + "/caldav-password" }
        guard let path, let data = FileManager.default.contents(atPath: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// Opens the store, binds the socket, and runs until SIGTERM (or SIGINT).
    public static func run(_ options: Options, logger: Logger) async throws {
        let (store, state) = try StoreFile.open(directory: options.paths.stateDirectory)
        let timer = try WallClockTimer()
        if options.config.maildir.enabled {
            let maildir = options.config.maildir.path ?? options.paths.maildir
            do { try MaildirChannel.prepare(maildir) } catch {
                logger.error("Maildir not usable yet, deliveries will retry: \(error.message)", metadata: ["KEPT_CHANNEL": "maildir"])
            }
        }
        let channels: [any DeliveryChannel] = [MaildirChannel(storeID: state.storeID), EmailChannel(), CommandChannel()]
        let listen: Listen = SocketActivation.listeningSocket().map { .inherited($0) } ?? .path(options.paths.socket)
        let daemon = build(options, Parts(store: store, state: state, timer: timer, channels: channels, listen: listen), logger: logger)
        try await daemon.keeper.setReplies(options.config)
        await daemon.keeper.setCalendarSync(daemon.calendar)
        logger.info("store \(store.documentPath), config \(options.paths.configFile), socket \(options.paths.socket)")
        try await daemon.group.run()
        await daemon.keeper.foldJournal()
    }
}

/// Tells systemd (and the log) when a graceful stop begins.
struct StoppingNotice: Service {
    let logger: Logger
    func run() async throws {
        try? await gracefulShutdown()
        Notifier.stopping()
        logger.info("stopping", metadata: ["KEPT_EVENT": "stopping"])
    }
}
