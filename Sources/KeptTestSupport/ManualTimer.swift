import KeptCore
import KeptDaemon
import Synchronization

/// A timer and a clock in one, moved by hand: `advance(to:)` sets the time and fires when the
/// armed deadline has come, `jump(to:)` sets the clock as an administrator would. The daemon's own
/// loop runs over it exactly as over the wall clock, and its tests never sleep.
public final class ManualTimer: ReminderTimer {
    private struct State {
        var now: Instant
        var deadline: Instant?
        var armings = 0
    }
    private let state: Mutex<State>
    public let events: AsyncStream<TimerEvent>
    private let continuation: AsyncStream<TimerEvent>.Continuation

    public init(now: Instant) {
        state = Mutex(State(now: now))
        (events, continuation) = AsyncStream.makeStream(of: TimerEvent.self)
    }

    /// The manual clock's time: the keeper's clock in tests.
    public var now: Instant { state.withLock { $0.now } }
    /// The deadline armed now.
    public var deadline: Instant? { state.withLock { $0.deadline } }
    /// How many times the timer was armed so far.
    public var armings: Int { state.withLock { $0.armings } }

    public func arm(at deadline: Instant?) {
        let fire: Bool = state.withLock { s in
            s.deadline = deadline
            s.armings += 1
            return deadline.map { $0 <= s.now } ?? false
        }
        if fire { continuation.yield(.deadline) }
    }

    /// Time passes until `instant`: the timer fires if its deadline has come.
    public func advance(to instant: Instant) {
        let fire: Bool = state.withLock { s in
            s.now = instant
            return s.deadline.map { $0 <= instant } ?? false
        }
        if fire { continuation.yield(.deadline) }
    }

    /// The clock is set to `instant`, forward or back.
    public func jump(to instant: Instant) {
        state.withLock { $0.now = instant }
        continuation.yield(.clockSet)
    }
}
