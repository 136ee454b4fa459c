import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What keptd tells systemd, read from a `NOTIFY_SOCKET` the test holds as systemd would.
@Suite struct NotifyTests {
    @Test func readyStatusWatchdogReloadingAndStoppingInOrder() throws {
        let h = Harness()
        let notify = try NotifySocket(path: h.root + "/notify")
        h.env["NOTIFY_SOCKET"] = notify.path
        h.env["WATCHDOG_USEC"] = "300000"
        try h.launch()

        // READY=1 comes once the store is loaded and the socket listens: a client gets through at once.
        let ready = try #require(notify.receive(until: { $0.contains("READY=1") }))
        #expect(ready.last == "READY=1\nSTATUS=0 open incidents, no reminder scheduled")
        #expect(h.kept("status").code == 0)

        // The watchdog is pinged at half of WATCHDOG_USEC, again and again.
        var pings = 0
        while pings < 3, let message = notify.receive(seconds: 10) {
            if message == "WATCHDOG=1" { pings += 1 }
        }
        #expect(pings == 3)

        // STATUS follows the store and the schedule.
        #expect(h.kept("open", "Acme", "Wrong invoice").code == 0)
        let status = try #require(notify.receive(until: { $0.hasPrefix("STATUS=1 open incident") }))
        #expect(status.last?.contains("next reminder") == true)

        // SIGHUP: RELOADING=1 (with the monotonic time newer managers want), then READY=1.
        Harness.signal(try #require(h.daemon?.processIdentifier), SIGHUP)
        let reloading = try #require(notify.receive(until: { $0.hasPrefix("RELOADING=1") }))
        #expect(reloading.last?.contains("\nMONOTONIC_USEC=") == true)
        let readyAgain = try #require(notify.receive(until: { $0.hasPrefix("READY=1") }))
        #expect(readyAgain.last?.contains("STATUS=1 open incident") == true)

        // A bad configuration on reload: still RELOADING=1 then READY=1, the daemon keeps serving.
        try h.writeConfig("remind_at: 9am\n")
        Harness.signal(try #require(h.daemon?.processIdentifier), SIGHUP)
        #expect(notify.receive(until: { $0.hasPrefix("RELOADING=1") }) != nil)
        #expect(notify.receive(until: { $0.hasPrefix("READY=1") }) != nil)
        #expect(h.kept("status").code == 0)
        #expect(h.daemonOutput.contains("configuration not reloaded, the one in force stays"))

        // SIGTERM: STOPPING=1, and a clean exit.
        Harness.signal(try #require(h.daemon?.processIdentifier), SIGTERM)
        #expect(notify.receive(until: { $0.hasPrefix("STOPPING=1") }) != nil)
        h.daemon!.waitUntilExit()
        #expect(h.daemon!.terminationStatus == 0)
    }

    @Test func withoutAWatchdogThereAreNoPings() throws {
        let h = Harness()
        let notify = try NotifySocket(path: h.root + "/notify")
        h.env["NOTIFY_SOCKET"] = notify.path
        try h.launch()
        #expect(notify.receive(until: { $0.hasPrefix("READY=1") }) != nil)
        Harness.signal(try #require(h.daemon?.processIdentifier), SIGTERM)
        let rest = try #require(notify.receive(until: { $0.hasPrefix("STOPPING=1") }))
        #expect(!rest.contains("WATCHDOG=1"))
        h.daemon!.waitUntilExit()
    }
}
