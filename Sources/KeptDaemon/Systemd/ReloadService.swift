import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl --user reload keptd`) reloads, telling systemd RELOADING=1 then READY=1.
struct ReloadService: Service {
    let keeper: Keeper

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            Notifier.send("RELOADING=1\nSTATUS=reloading")
            let status = await keeper.reload()
            Notifier.ready(status: status)
        }
    }
}
