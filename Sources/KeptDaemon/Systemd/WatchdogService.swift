import ServiceLifecycle

/// Pings systemd's watchdog (`WATCHDOG=1`) at half of `WatchdogSec=`, but only after the keeper
/// has answered: a daemon whose state is stuck stops pinging and systemd restarts it.
/// Without a watchdog it sleeps until shutdown and never wakes the process.
struct WatchdogService: Service {
    let keeper: Keeper
    let interval: Duration?

    func run() async throws {
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await keeper.heartbeat()
            Notifier.watchdog()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
