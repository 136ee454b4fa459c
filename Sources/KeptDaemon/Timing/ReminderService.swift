import KeptCore
import ServiceLifecycle

/// Turns timer events into reminders: at each deadline the keeper sends what is due and re-arms the
/// timer for the next one. When the system clock is set, the same happens at once: a jump forward
/// sends what the jump skipped (marked late), a jump back re-arms for the new time.
struct ReminderService: Service {
    let keeper: Keeper
    let timer: any ReminderTimer

    func run() async throws {
        await keeper.fireDue()
        for await event in timer.events.cancelOnGracefulShutdown() {
            if case .clockSet = event { await keeper.clockWasSet() }
            await keeper.fireDue()
        }
    }
}
