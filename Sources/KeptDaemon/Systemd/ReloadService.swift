import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl --user reload keptd`) re-reads the configuration; the keeper tells systemd
/// RELOADING=1 and then READY=1, whether the new configuration was taken or refused.
struct ReloadService: Service {
    let keeper: Keeper

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            _ = await keeper.reload()
        }
    }
}
