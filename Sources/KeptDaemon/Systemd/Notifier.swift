import CSystemd

/// Tells systemd how the service is doing (`sd_notify`): READY, STATUS, RELOADING, STOPPING, WATCHDOG.
/// Without `NOTIFY_SOCKET` (not run by systemd) every call is a no-op.
public enum Notifier {
    public static func send(_ fields: String) {
        _ = sd_notify(0, fields)
    }

    public static func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public static func status(_ text: String) { send("STATUS=\(text)") }
    public static func stopping() { send("STOPPING=1\nSTATUS=stopping") }
}
