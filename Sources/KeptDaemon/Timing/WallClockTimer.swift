import CSystemd
import Foundation
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// One wall-clock timer, re-armed for the next deadline: no polling, no periodic tick.
///
/// A `timerfd` on `CLOCK_REALTIME` with an absolute deadline fires when the wall clock reaches it —
/// across suspend and across the clock being set, unlike Swift's `ContinuousClock`. With
/// `TFD_TIMER_CANCEL_ON_SET` the kernel also says when the clock was set, so the daemon can look
/// again at what is due. One thread of its own sleeps in `read(2)`; nothing wakes while nothing is due.
public final class WallClockTimer: ReminderTimer, @unchecked Sendable {
    public let events: AsyncStream<TimerEvent>
    private let continuation: AsyncStream<TimerEvent>.Continuation
    private let fd: Int32

    /// With no deadline the timer is still armed this far ahead, so that clock changes are reported.
    static let farAhead: Int64 = 10 * 365 * 86_400

    public init() throws {
        (events, continuation) = AsyncStream.makeStream(of: TimerEvent.self, bufferingPolicy: .bufferingNewest(2))
        fd = timerfd_create(CLOCK_REALTIME, kept_TFD_CLOEXEC)
        guard fd >= 0 else { throw DaemonError("cannot create a timer: \(errnoText())") }
        arm(at: nil)
        let fd = self.fd, continuation = self.continuation
        let thread = Thread {
            var expirations: UInt64 = 0
            while true {
                let n = read(fd, &expirations, 8)
                if n == 8 { continuation.yield(.deadline); continue }
                switch errno {
                case ECANCELED: continuation.yield(.clockSet)
                case EINTR, EAGAIN: continue
                default: continuation.finish(); return
                }
            }
        }
        thread.start()
    }

    /// Closing the descriptor ends the thread's read, and with it the events.
    deinit { close(fd) }

    /// Fires once at `deadline` (at once if it has passed); nil disarms.
    public func arm(at deadline: Instant?) {
        let seconds = deadline?.seconds ?? Int64(time(nil)) + Self.farAhead
        var spec = itimerspec(it_interval: timespec(tv_sec: 0, tv_nsec: 0),
                              it_value: timespec(tv_sec: Int(max(seconds, 1)), tv_nsec: 0))
        let flags = kept_TFD_TIMER_ABSTIME | kept_TFD_TIMER_CANCEL_ON_SET
        if timerfd_settime(fd, flags, &spec, nil) != 0 {
            // Only a bad descriptor or value can fail here; firing now is the safe way to fail.
            continuation.yield(.deadline)
        }
    }
}
