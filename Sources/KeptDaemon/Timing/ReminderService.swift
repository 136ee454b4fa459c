import KeptCore
import ServiceLifecycle

/// Turns timer firings into reminders: each time the timer fires, the keeper sends what is due and
/// re-arms the timer for the next deadline.
struct ReminderService: Service {
    let keeper: Keeper
    let timer: WallClockTimer

    func run() async throws {
        await keeper.fireDue()
        for await _ in timer.firings.cancelOnGracefulShutdown() {
            await keeper.fireDue()
        }
    }
}
