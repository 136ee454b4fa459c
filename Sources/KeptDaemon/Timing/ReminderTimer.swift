import KeptCore

/// What the reminder loop waits on: one deadline, re-armed after each firing, and word when the
/// clock was set. `WallClockTimer` is the real one; `ManualTimer` (KeptTestSupport) is driven by a test's hand.
public protocol ReminderTimer: Sendable {
    var events: AsyncStream<TimerEvent> { get }
    /// Fires once at `deadline` (at once if it has passed); nil disarms.
    func arm(at deadline: Instant?)
}

public enum TimerEvent: Sendable {
    /// The deadline was reached.
    case deadline
    /// Someone set the system clock (by any amount, in either direction).
    case clockSet
}
