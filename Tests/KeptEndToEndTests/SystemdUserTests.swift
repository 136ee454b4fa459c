import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// kept as a real user service: installed by its install script into a real `systemd --user`
/// manager, started by its socket, watched, reloaded and stopped by systemd.
@Suite(.serialized, .enabled(if: UserManager.available)) struct SystemdUserTests {
    @Test func socketActivationReadinessReloadAndACleanStop() async throws {
        try await Journald.using {
            let m = try UserManager()
            defer { m.shutdown() }
            try m.install()
            // The manual pages, made from the commands' own help, where man finds them from ~/.local/bin.
            let manuals = m.home + "/.local/share/man/man1/"
            #expect(try String(contentsOfFile: manuals + "kept.promise.1", encoding: .utf8).contains("--every"))
            #expect(try String(contentsOfFile: manuals + "keptd.1", encoding: .utf8).contains("check-config"))
            #expect(FileManager.default.fileExists(atPath: manuals + "kept.1"))

            // What the README tells a user to run after `make install`.
            #expect(m.systemctl("enable", "--now", "keptd.socket").code == 0)
            #expect(m.property("UnitFileState", of: "keptd.socket") == "enabled")
            #expect(m.property("ActiveState", of: "keptd.socket") == "active")
            #expect(m.property("ActiveState") == "inactive")

            // The first command starts the daemon through the socket.
            let status = m.kept("status")
            #expect(status.code == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Store:"))
            #expect(m.property("ActiveState") == "active")
            #expect(m.property("SubState") == "running")
            let pid = m.mainPID
            #expect(pid > 0)
            #expect(m.property("StatusText") == "0 open incidents, no reminder scheduled")
            // The unit's state folders, not the XDG fallbacks.
            #expect(status.stdout.contains(m.home + "/.config/kept/store.json") || status.stdout.contains(m.home + "/.local/state/kept/store.json"))

            // Active only after READY=1: the daemon's own "ready" entry was sent before systemd
            // marked the unit active, and that was well after the process started.
            let ready = Journald.wait(for: ["_PID=\(pid)", "KEPT_EVENT=ready"]) { !$0.isEmpty }
            let readySent = try #require(ready.first.flatMap { Int64($0["_SOURCE_REALTIME_TIMESTAMP"] ?? "") })
            let activeAt = try #require(UserManager.microseconds(m.property("ActiveEnterTimestamp")))
            let startedAt = try #require(UserManager.microseconds(m.property("ExecMainStartTimestamp")))
            #expect(startedAt < readySent)
            #expect(readySent <= activeAt)

            // A change through the socket shows in systemd's STATUS.
            #expect(m.kept("open", "Acme Corp", "Invoice sent with the wrong amounts").code == 0)
            #expect(Harness.eventually { m.property("StatusText").hasPrefix("1 open incident, next reminder") })

            // Reload: same process, the configuration re-read, still running.
            #expect(m.systemctl("reload", "keptd.service").code == 0)
            #expect(m.mainPID == pid)
            #expect(Harness.eventually {
                !Journald.entries(["_PID=\(pid)", "KEPT_EVENT=reloaded"]).isEmpty
            })
            #expect(m.property("ActiveState") == "active")

            // A broken configuration is refused on reload; the daemon keeps serving with the old one.
            try "window_days: soon\n".write(toFile: m.home + "/.config/kept/config.yaml", atomically: true, encoding: .utf8)
            #expect(m.systemctl("reload", "keptd.service").code == 0)
            let refused = m.kept("reload")
            #expect(refused.code == 1)
            #expect(refused.stderr.contains("config.yaml:1:1: window_days: must be a whole number"))
            #expect(m.kept("status").code == 0)
            #expect(m.mainPID == pid)
            try "window_days: 90\n".write(toFile: m.home + "/.config/kept/config.yaml", atomically: true, encoding: .utf8)

            // Stop is clean: exit 0, no failure, the socket stays and starts it again on demand.
            #expect(m.systemctl("stop", "keptd.service").code == 0)
            #expect(m.property("ActiveState") == "inactive")
            #expect(m.property("Result") == "success")
            #expect(m.property("ExecMainStatus") == "0")
            #expect(!Journald.entries(["_PID=\(pid)", "KEPT_EVENT=stopping"]).isEmpty)
            #expect(m.property("ActiveState", of: "keptd.socket") == "active")
            let again = m.kept("list")
            #expect(again.code == 0)
            #expect(again.stdout.contains("Acme Corp"), "the incident survived the restart")
            #expect(m.mainPID != pid)
        }
    }

    @Test func aDaemonThatStopsAnsweringIsRestartedByTheWatchdog() throws {
        let m = try UserManager()
        defer { m.shutdown() }
        try m.install()
        let dropIn = m.home + "/.config/systemd/user/keptd.service.d"
        try FileManager.default.createDirectory(atPath: dropIn, withIntermediateDirectories: true)
        try "[Service]\nWatchdogSec=2\n".write(toFile: dropIn + "/watchdog.conf", atomically: true, encoding: .utf8)
        #expect(m.systemctl("daemon-reload").code == 0)
        #expect(m.systemctl("start", "keptd.socket").code == 0)
        #expect(m.kept("status").code == 0)
        let pid = m.mainPID
        // A pid of 0 would stop the test runner's own process group.
        try #require(pid > 0)
        #expect(m.property("WatchdogUSec") == "2s")

        Harness.signal(pid, SIGSTOP)
        #expect(Harness.eventually(seconds: 90) { m.mainPID != pid && m.mainPID > 0 && m.property("ActiveState") == "active" })
        #expect(Int(m.property("NRestarts")) ?? 0 >= 1)
        #expect(!Harness.isRunning(pid), "the stuck process is gone")
        #expect(m.kept("status").code == 0)
    }

    @Test func theUnitsVerifyCleanAndKeepTheirSecurityScore() throws {
        let m = try UserManager()
        defer { m.shutdown() }
        try m.install()
        // The units as shipped (ExecStart=%h/.local/bin/keptd, which the install put there) and as installed.
        var env = m.env
        env["XDG_CONFIG_HOME"] = m.home + "/.config"
        let shipped = Harness.execute("/usr/bin/systemd-analyze", ["--user", "verify",
            UserManager.packageRoot + "/systemd/keptd.service", UserManager.packageRoot + "/systemd/keptd.socket"], environment: env)
        #expect(shipped.code == 0, "\(shipped.stderr)")
        #expect(shipped.stderr.isEmpty, "\(shipped.stderr)")
        let unitDir = m.home + "/.config/systemd/user"
        let installed = Harness.execute("/usr/bin/systemd-analyze", ["--user", "verify",
            unitDir + "/keptd.service", unitDir + "/keptd.socket"], environment: env)
        #expect(installed.code == 0, "\(installed.stderr)")
        #expect(installed.stderr.isEmpty, "\(installed.stderr)")

        // The exposure score the README reports (2.3) must not creep up: --threshold fails above it.
        let security = Harness.execute("/usr/bin/systemd-analyze", ["--user", "security", "--offline=true", "--threshold=23",
            UserManager.packageRoot + "/systemd/keptd.service"], environment: env)
        #expect(security.code == 0, "\(security.stdout.split(separator: "\n").last ?? "")")
    }
}
