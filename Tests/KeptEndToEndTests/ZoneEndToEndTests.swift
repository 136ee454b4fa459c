import Foundation
import Testing

/// keptd as a user service runs it, in UTC, with the user's shell in New York: a daily 09:00
/// promise is at 09:00 in New York on both sides of New York's next change of clocks, and is said so.
@Suite(.serialized) struct ZoneEndToEndTests {
    func kept(_ h: Harness, in zone: String, _ args: String...) -> Harness.Result {
        var env = h.env
        env["TZ"] = zone
        return Harness.execute(Harness.binaries + "/kept", args, environment: env)
    }

    /// `instant` in `zone`, as `format` writes it.
    static func local(_ instant: Date, _ zone: String, _ format: String) throws -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = try #require(TimeZone(identifier: zone))
        f.dateFormat = format
        return f.string(from: instant)
    }

    @Test func aDailyPromiseMadeInNewYorkStaysAtNineThereWhileTheDaemonRunsInUTC() throws {
        // New York's next change of clocks at least a week away (March's or November's, whichever
        // comes), so that the promise's first day, two days before it, is still ahead.
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let change = try #require(newYork.nextDaylightSavingTimeTransition(after: Date().addingTimeInterval(7 * 86_400)))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = newYork
        let changeDay = calendar.startOfDay(for: change)
        func nineOn(_ offset: Int) throws -> Date {
            let day = try #require(calendar.date(byAdding: .day, value: offset, to: changeDay))
            return try #require(calendar.date(bySettingHour: 9, minute: 0, second: 0, of: day))
        }
        let days = try (-2...2).map { try Self.local(try nineOn($0), "America/New_York", "yyyy-MM-dd HH:mm") }
        let window = Int(change.timeIntervalSinceNow / 86_400) + 30

        let h = Harness(zone: "UTC")
        try h.start()
        defer { h.stop() }
        let opened = kept(h, in: "America/New_York", "open", "Acme", "Wrong invoice", "--no-playbook", "--window", String(window))
        #expect(opened.code == 0, "\(opened.stderr)")
        let until = String(days[4].prefix(10))
        let made = kept(h, in: "America/New_York", "promise", "1", "Status call", "--every", "1d", "--from", days[0], "--until", until)
        #expect(made.code == 0, "\(made.stderr)")
        #expect(made.stdout.contains("from \(days[0])"), "\(made.stdout)")

        let show = kept(h, in: "America/New_York", "show", "1")
        let dues = show.stdout.split(separator: "\n").filter { $0.contains("1.1#") }
        #expect(dues.count == 5, "\(show.stdout)")
        for (line, day) in zip(dues, days) {
            #expect(line.contains(day), "\(line)")
            #expect(!line.contains("America/New_York"), "the user's own zone goes unsaid: \(line)")
        }
        // The same promise seen from Berlin: Berlin's time, and New York's beside it.
        let far = kept(h, in: "Europe/Berlin", "show", "1")
        let inBerlin = try Self.local(try nineOn(1), "Europe/Berlin", "yyyy-MM-dd HH:mm")
        #expect(far.stdout.contains("\(inBerlin) (09:00 America/New_York)"), "\(far.stdout)")
        // A snooze said back in the user's zone, not the daemon's.
        let evening = try Self.local(try nineOn(-3), "America/New_York", "yyyy-MM-dd") + " 18:30"
        let snoozed = kept(h, in: "America/New_York", "snooze", "1.1#1", "--until", evening)
        #expect(snoozed.stdout.contains("snoozed until \(evening); still due \(days[0])"), "\(snoozed.stdout)")
    }
}
