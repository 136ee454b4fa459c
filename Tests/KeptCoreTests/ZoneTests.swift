import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

@Suite struct ZoneTests {
    @Test func anInstantIsWrittenInRFC3339AndReadBackTheSameAcrossTheYears() throws {
        for text in ["1970-01-01T00:00:00Z", "2026-12-05T13:00:00Z", "2028-02-29T23:59:59Z", "0001-01-01T00:00:00Z",
                     "0999-12-31T09:05:07Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"] {
            let instant = try #require(Instant(rfc3339: text))
            #expect(instant.description == text)
            #expect(LocalDate(iso: String(text.prefix(10)))?.description == String(text.prefix(10)))
        }
        // Out of ISO 8601's four digits, still one readable line.
        #expect(Instant(seconds: 253_402_300_800).description == "10000-01-01T00:00:00Z")
    }

    @Test func localRoundTrips() {
        let i = at("2026-07-01 09:00", berlin)
        #expect(i == Instant(rfc3339: "2026-07-01T07:00:00Z"))
        let (d, t) = berlin.local(i)
        #expect(d == date("2026-07-01"))
        #expect(t == TimeOfDay(hour: 9, minute: 0))
    }

    @Test func springForwardGapMovesForward() {
        // 2026-03-08 02:30 does not exist in New York: clocks go 02:00 → 03:00.
        let i = newYork.instant(date("2026-03-08"), TimeOfDay(hour: 2, minute: 30))
        #expect(newYork.local(i).time == TimeOfDay(hour: 3, minute: 30))
        // Berlin: 2026-03-29 02:30 does not exist.
        let b = berlin.instant(date("2026-03-29"), TimeOfDay(hour: 2, minute: 30))
        #expect(berlin.local(b).time == TimeOfDay(hour: 3, minute: 30))
    }

    @Test func autumnAmbiguityTakesTheFirst() {
        // 2026-11-01 01:30 happens twice in New York; the first is EDT (UTC-4).
        let i = newYork.instant(date("2026-11-01"), TimeOfDay(hour: 1, minute: 30))
        #expect(i == Instant(rfc3339: "2026-11-01T05:30:00Z"))
        let b = berlin.instant(date("2026-10-25"), TimeOfDay(hour: 2, minute: 30))
        #expect(b == Instant(rfc3339: "2026-10-25T00:30:00Z"))
    }

    @Test(arguments: [("2026-03-07 09:00", "America/New_York"), ("2026-10-31 09:00", "America/New_York"),
                      ("2026-03-28 09:00", "Europe/Berlin"), ("2026-10-24 09:00", "Europe/Berlin")])
    func addingDaysKeepsTheWallClockAcrossChanges(_ start: String, _ zoneID: String) throws {
        let zone = try #require(Zone(identifier: zoneID))
        let before = at(start, zone)
        let after = zone.adding(days: 1, to: before)
        #expect(zone.local(after).time == TimeOfDay(hour: 9, minute: 0))
        #expect(after - before != 86_400)  // the day had 23 or 25 hours
    }

    @Test func endOfDayIsTheLastSecond() {
        #expect(berlin.endOfDay(date("2026-12-05")) == at("2026-12-05 23:59", berlin) + 59)
    }

    @Test func formats() {
        let i = at("2026-12-05 14:00", berlin)
        #expect(berlin.rfc5322(i) == "Sat, 05 Dec 2026 14:00:00 +0100")
        #expect(berlin.rfc3339(i) == "2026-12-05T14:00:00+01:00")
        #expect(i.description == "2026-12-05T13:00:00Z")
        #expect(Instant(rfc3339: i.description) == i)
    }

    @Test func localDateArithmetic() {
        #expect(date("2026-12-31").adding(days: 1) == date("2027-01-01"))
        #expect(date("2028-02-28").adding(days: 1) == date("2028-02-29"))
        #expect(date("2026-11-22").isoWeekday == 7)
        #expect(LocalDate(daysSinceEpoch: 0) == date("1970-01-01"))
        #expect(LocalDate(iso: "2027-02-29") == nil)
    }

    /// The zone's name from the file TZ or /etc/localtime names: what follows `zoneinfo/` in the
    /// link's target, or in the path itself; the path where there is none.
    @Test func aZoneFileIsNamedByItsLinkIntoTheDatabase() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kept-zone-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (target, name) in [("/usr/share/zoneinfo/America/New_York", "America/New_York"), ("../usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"),
                               ("zoneinfo/Asia/Tokyo", "Asia/Tokyo"), ("/opt/myzoneinfo/Etc/UTC", "/opt/myzoneinfo/Etc/UTC")] {
            let link = folder + "/localtime-\(name.count)"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            #expect(Zone.name(ofZoneFile: link) == name, "\(target)")
        }
        #expect(Zone.name(ofZoneFile: "/nonexistent/zoneinfo/Pacific/Auckland") == "Pacific/Auckland", "a path that is no link")
        #expect(Zone.name(ofZoneFile: folder + "/nothing") == folder + "/nothing")
    }
}
