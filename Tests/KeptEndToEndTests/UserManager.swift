import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real `systemd --user` manager on a private home and runtime folder, with kept installed
/// into it by `scripts/install` — the same command a user runs.
final class UserManager {
    let root: String
    var home: String { root + "/home" }
    var runtime: String { root + "/run" }
    let env: [String: String]
    let manager: pid_t
    /// The manager's own control group, in each hierarchy that tracks processes.
    private let groups: [String]

    /// How many managers run; the first marks the machine as booted with systemd (when it was
    /// not), the last takes the mark away.
    private static let running = Mutex<(count: Int, marked: Bool)>((0, false))

    static var packageRoot: String { Harness.packageRoot }

    /// Where the managers' homes (and kept's installed binaries) go: beside the build, unless the
    /// checkout is in a folder the service's private /tmp hides.
    static var testRoot: String {
        let hidden = ["/tmp/", "/var/tmp/"].contains { (packageRoot + "/").hasPrefix($0) }
        return hidden ? "/var/lib/kept-systemd-tests" : packageRoot + "/.build/kept-systemd-tests"
    }

    /// Whether this machine can run one: systemd installed and root (to mark the machine as booted with systemd).
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemctl")
    }

    /// With `hidingToolchain`, the manager (and everything it starts) runs in a mount namespace of
    /// its own where `/opt/swift` is an empty folder, with no toolchain on its PATH.
    init(hidingToolchain: Bool = false) throws {
        // Not under /tmp or /var/tmp: the service has a private /tmp and would not see its own binary.
        let base = Self.testRoot
        root = base + "/" + UUID().uuidString.prefix(8).lowercased()
        for dir in [root, root + "/home", root + "/run"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("KEPT_") || key.hasPrefix("XDG_") || key.hasPrefix("DBUS_")
            || ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "STATE_DIRECTORY", "CONFIGURATION_DIRECTORY", "JOURNAL_STREAM"].contains(key)
        {
            env.removeValue(forKey: key)
        }
        env["HOME"] = root + "/home"
        env["XDG_RUNTIME_DIR"] = root + "/run"
        env["SYSTEMD_PAGER"] = ""
        env["TZ"] = Harness.chosenZone().tz
        if hidingToolchain { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        self.env = env

        // systemctl and the manager look for this to believe systemd is the init system.
        Self.running.withLock { state in
            if state.count == 0, !FileManager.default.fileExists(atPath: "/run/systemd/system") {
                state.marked = (try? FileManager.default.createDirectory(atPath: "/run/systemd/system", withIntermediateDirectories: true)) != nil
            }
            state.count += 1
        }

        // A manager started outside a user's slice takes the root of the control-group tree for
        // its own, so two of them would put their keptd.service in the same group, and stopping
        // one would kill the other's keptd. Each starts in a group of its own instead (where the
        // tree can be written: a machine whose tree is read-only runs them as before).
        let name = (root as NSString).lastPathComponent
        let groups = Self.hierarchies.map { "\($0)/kept-tests/\(name)" }.filter {
            (try? FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: true)) != nil
        }
        self.groups = groups
        let enter = groups.map { "echo $$ >\($0)/cgroup.procs && " }.joined()

        do {
            if hidingToolchain {
                manager = try Harness.spawnDetached(["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                                     enter + "mount -t tmpfs -o size=64k,mode=755 kept-no-toolchain /opt/swift && exec /lib/systemd/systemd --user"],
                                                    environment: env)
            } else {
                manager = try Harness.spawnDetached(["/bin/sh", "-c", enter + "exec /lib/systemd/systemd --user"], environment: env)
            }
        } catch {
            Self.release(groups)
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        let runtime = root + "/run"
        guard Harness.eventually(seconds: 30, { FileManager.default.fileExists(atPath: runtime + "/systemd/private") }) else {
            shutdown()
            throw HarnessError("systemd --user did not come up")
        }
        _ = Harness.eventually(seconds: 30) { self.systemctl("is-system-running").stdout.hasPrefix("running") }
        let group = property("ControlGroup", of: "app.slice")
        guard groups.isEmpty || group.hasPrefix("/kept-tests/\(name)/") else {
            shutdown()
            throw HarnessError("systemd --user is not in a control group of its own (its app.slice: \(group.isEmpty ? "none" : group))")
        }
    }

    func shutdown() {
        _ = systemctl("stop", "keptd.socket", "keptd.service")
        Harness.stopDetached(manager)
        Self.release(groups)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A manager's groups removed — whatever it left running in them killed first, where the
    /// hierarchy can (`cgroup.kill`, in the unified one) — and the machine's mark counted down.
    private static func release(_ groups: [String]) {
        for group in groups {
            let kill = open(group + "/cgroup.kill", O_WRONLY)
            if kill >= 0 { _ = write(kill, "1", 1); close(kill) }
            _ = Harness.eventually(seconds: 10) { removeGroup(group) }
        }
        running.withLock { state in
            state.count -= 1
            if state.count == 0, state.marked {
                try? FileManager.default.removeItem(atPath: "/run/systemd/system")
                state.marked = false
            }
        }
    }

    /// The mounted control-group hierarchies a manager tracks its units in: the unified one, and in
    /// a hybrid layout also systemd's named one.
    static var hierarchies: [String] {
        ["/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"].filter {
            FileManager.default.fileExists(atPath: $0 + "/cgroup.procs")
        }
    }

    /// Removes a group and the groups under it, deepest first; whether it is gone.
    static func removeGroup(_ group: String) -> Bool {
        let below = ((try? FileManager.default.subpathsOfDirectory(atPath: group)) ?? []).map { group + "/" + $0 }
            .filter { path in var isDir: ObjCBool = false; return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue }
            .sorted { $0.count > $1.count }
        for dir in below + [group] { rmdir(dir) }
        return !FileManager.default.fileExists(atPath: group)
    }

    @discardableResult
    func systemctl(_ args: String...) -> Harness.Result {
        Harness.execute("/usr/bin/systemctl", ["--user", "--no-pager"] + args, environment: env)
    }

    /// One property of a unit, as `systemctl show` prints it.
    func property(_ name: String, of unit: String = "keptd.service") -> String {
        systemctl("show", "-p", name, "--value", "--timestamp=us+utc", unit).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var mainPID: Int32 { Int32(property("MainPID")) ?? 0 }

    /// `make install`'s script, with the binaries the suite just built.
    func install() throws {
        var env = self.env
        env["KEPT_BIN"] = Harness.binaries
        env["PREFIX"] = home + "/.local"
        let r = Harness.execute(Self.packageRoot + "/scripts/install", [], environment: env)
        guard r.code == 0 else { throw HarnessError("scripts/install failed (\(r.code)): \(r.stderr)") }
    }

    @discardableResult
    func kept(_ args: String...) -> Harness.Result {
        Harness.execute(home + "/.local/bin/kept", args, environment: env)
    }

    /// A `systemctl show` timestamp (`Sun 2026-11-22 10:00:00.123456 UTC`) in microseconds since 1970.
    static func microseconds(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count >= 3 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let whole = parts[2].split(separator: ".")
        guard let date = formatter.date(from: "\(parts[1]) \(whole[0])") else { return nil }
        let micros = whole.count > 1 ? Int64(whole[1]) ?? 0 : 0
        return Int64(date.timeIntervalSince1970) * 1_000_000 + micros
    }
}
