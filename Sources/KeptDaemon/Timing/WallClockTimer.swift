@preconcurrency import Dispatch
import CSystemd
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// One wall-clock timer, re-armed for the next deadline: no polling, no periodic tick.
///
/// Dispatch's `wallDeadline` follows the real-time clock (across suspend, and the clock being set),
/// unlike Swift's `ContinuousClock`. Firings arrive as an `AsyncStream`, as service-lifecycle's
/// `UnixSignalsSequence` wraps its `DispatchSource`s.
public final class WallClockTimer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "kept.timer")
    private let source: any DispatchSourceTimer
    public let firings: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (firings, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        source = DispatchSource.makeTimerSource(flags: [], queue: queue)
        let continuation = self.continuation
        source.setEventHandler { continuation.yield() }
        source.schedule(wallDeadline: .distantFuture, repeating: .never, leeway: .nanoseconds(0))
        source.activate()
    }

    /// Fires once at `deadline` (at once if it has passed); nil disarms.
    public func arm(at deadline: Instant?) {
        guard let deadline else {
            source.schedule(wallDeadline: .distantFuture, repeating: .never, leeway: .nanoseconds(0))
            return
        }
        let when = DispatchWallTime(timespec: timespec(tv_sec: Int(deadline.seconds), tv_nsec: 0))
        source.schedule(wallDeadline: when, repeating: .never, leeway: .nanoseconds(0))
    }

    deinit {
        source.cancel()
        continuation.finish()
    }
}
