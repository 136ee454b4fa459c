import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how the service is doing (`sd_notify`): READY, STATUS, RELOADING, STOPPING, WATCHDOG.
/// Without `NOTIFY_SOCKET` (not run by systemd) every call is a no-op.
public enum Notifier {
    public static func send(_ fields: String) {
        _ = sd_notify(0, fields)
    }

    public static func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public static func status(_ text: String) { send("STATUS=\(text)") }
    public static func stopping() { send("STOPPING=1\nSTATUS=stopping") }
    public static func watchdog() { send("WATCHDOG=1") }

    /// RELOADING=1 with the `MONOTONIC_USEC` newer managers ask for (`Type=notify-reload`).
    public static func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=reloading")
    }

    /// How often to ping systemd's watchdog (half of `WATCHDOG_USEC`), if it is watching this process.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }
}
