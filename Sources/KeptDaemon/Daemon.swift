import CSystemd
import Foundation
import KeptCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds and runs the daemon: the same function serves `keptd` and the tests.
public enum Daemon {
    public struct Options: Sendable {
        public var paths: Paths
        public var config: Config
        /// Where `KEPT_…` settings come from when the configuration is reloaded.
        public var environment: [String: String]
        public init(paths: Paths, config: Config, environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.paths = paths
            self.config = config
            self.environment = environment
        }
    }

    /// Opens the store, binds the socket, and runs until SIGTERM (or SIGINT).
    public static func run(_ options: Options, logger: Logger) async throws {
        let (store, state) = try StoreFile.open(directory: options.paths.stateDirectory)
        let timer = try WallClockTimer()
        let keeper = Keeper(paths: options.paths, config: options.config, environment: options.environment, store: store, state: state, timer: timer, logger: logger)
        // Loading a large store leaves the file's bytes and the decoder's scratch freed but held
        // by the allocator (one arena per loading thread): give them back before settling down.
        malloc_trim(0)
        if options.config.maildir.enabled {
            let maildir = options.config.maildir.path ?? options.paths.maildir
            do { try MaildirChannel.prepare(maildir) } catch {
                logger.error("Maildir not usable yet, deliveries will retry: \(error.message)", metadata: ["KEPT_CHANNEL": "maildir"])
            }
        }
        let channels: [any DeliveryChannel] = [MaildirChannel(storeID: state.storeID), EmailChannel(), CommandChannel()]
        let listen: ControlServer.Listen = SocketActivation.listeningSocket().map { .inherited($0) } ?? .path(options.paths.socket)
        let server = ControlServer(listen: listen, keeper: keeper, logger: logger) {
            let status = await keeper.readyStatus()
            // Logged before READY=1 is sent, so the entry's time bounds when systemd may call it active.
            logger.info("keptd \(KeptVersion.current) ready: \(status)", metadata: ["KEPT_EVENT": "ready"])
            Notifier.ready(status: status)
        }
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: server),
                .init(service: ReminderService(keeper: keeper, timer: timer)),
                .init(service: DeliveryService(keeper: keeper, channels: channels)),
                .init(service: ReloadService(keeper: keeper)),
                .init(service: WatchdogService(keeper: keeper, interval: Notifier.watchdogInterval())),
                .init(service: StoppingNotice(logger: logger)),
            ],
            logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        configuration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: configuration)
        logger.info("store \(store.documentPath), config \(options.paths.configFile), socket \(options.paths.socket)")
        try await group.run()
        await keeper.foldJournal()
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
