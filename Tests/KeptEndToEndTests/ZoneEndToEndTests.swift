import Foundation
import Testing

/// keptd as a user service runs it, in UTC, with the user's shell in New York: a daily 09:00
/// promise is at 09:00 in New York on both sides of the March change, and is said so.
@Suite(.serialized) struct ZoneEndToEndTests {
    func kept(_ h: Harness, in zone: String, _ args: String...) -> Harness.Result {
        var env = h.env
        env["TZ"] = zone
        return Harness.execute(Harness.binaries + "/kept", args, environment: env)
    }

    @Test func aDailyPromiseMadeInNewYorkStaysAtNineThereWhileTheDaemonRunsInUTC() throws {
        let h = Harness(zone: "UTC")
        try h.start()
        defer { h.stop() }
        let opened = kept(h, in: "America/New_York", "open", "Acme", "Wrong invoice", "--no-playbook", "--window", "150")
        #expect(opened.code == 0, "\(opened.stderr)")
        let made = kept(h, in: "America/New_York", "promise", "1", "Status call", "--every", "1d",
                        "--from", "2027-03-12 09:00", "--until", "2027-03-16")
        #expect(made.code == 0, "\(made.stderr)")
        #expect(made.stdout.contains("from 2027-03-12 09:00"), "\(made.stdout)")

        let show = kept(h, in: "America/New_York", "show", "1")
        let dues = show.stdout.split(separator: "\n").filter { $0.contains("1.1#") }
        #expect(dues.count == 5, "\(show.stdout)")
        for (n, line) in dues.enumerated() {
            #expect(line.contains("2027-03-\(12 + n) 09:00"), "\(line)")
            #expect(!line.contains("America/New_York"), "the user's own zone goes unsaid: \(line)")
        }
        // The same promise seen from Berlin: Berlin's time, and New York's beside it.
        let far = kept(h, in: "Europe/Berlin", "show", "1")
        #expect(far.stdout.contains("2027-03-15 14:00 (09:00 America/New_York)"), "\(far.stdout)")
        // A snooze said back in the user's zone, not the daemon's.
        let snoozed = kept(h, in: "America/New_York", "snooze", "1.1#1", "--until", "2027-03-11 18:30")
        #expect(snoozed.stdout.contains("snoozed until 2027-03-11 18:30; still due 2027-03-12 09:00"), "\(snoozed.stdout)")
    }
}
