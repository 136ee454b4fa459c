import Foundation
import Testing

/// The real binaries at the awkward hours of the user's day, whenever the suite runs: each case
/// picks a zone (a POSIX rule, as `TZ` allows) in which it is now just after midnight, just before
/// the 09:00 reminder time, or late in the evening, and checks what depends on the date.
@Suite struct HoursTests {
    /// The local date `days` from now, in a zone `offset` seconds east of UTC.
    static func localDay(_ days: Int, offset: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date().addingTimeInterval(Double(days * 86_400 + offset)))
    }

    @Test(arguments: [(0, 20), (8, 50), (22, 50)])
    func datesFollowTheUsersCalendar(hour: Int, minute: Int) throws {
        let (tz, offset) = Harness.zone(whereItIsNow: hour, minute)
        let h = Harness(zone: tz)
        try h.start()
        defer { h.stop() }

        // Noticed ten days ago: day 11 of the window, whatever the hour.
        #expect(h.kept("open", "Acme Corp", "Wrong invoice", "--noticed", Self.localDay(-10, offset: offset)).code == 0)
        let show = h.kept("show", "1").stdout
        #expect(show.contains("day 11 of 90"), "\(tz): \(show)")

        // Relative days and `tomorrow` land on the user's dates, and the agenda agrees.
        let inTwo = h.kept("promise", "1", "Send the corrected invoice", "--due", "+2d")
        #expect(inTwo.stdout.contains("due \(Self.localDay(2, offset: offset))"), "\(tz): \(inTwo.stdout)")
        #expect(h.kept("promise", "1", "Call Dana", "--due", "tomorrow").code == 0)
        let agenda = h.kept("agenda", "--days", "3").stdout
        #expect(agenda.contains("\(Self.localDay(1, offset: offset))  Acme Corp  Call Dana"), "\(tz): \(agenda)")
        #expect(agenda.contains(Self.localDay(2, offset: offset)), "\(tz): \(agenda)")
        // The playbook steps noticed ten days ago are overdue, not upcoming.
        #expect(agenda.hasPrefix("Overdue:"), "\(tz): \(agenda)")
    }
}
