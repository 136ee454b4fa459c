import Testing
@testable import KeptCore

@Suite struct WhenParserTests {
    // Sunday 22 November 2026, 10:30 in Berlin.
    let now = at("2026-11-22 10:30", berlin)
    var parser: WhenParser { WhenParser(now: now, zone: berlin) }

    @Test func isoDateIsADay() throws {
        #expect(try parser.parse("2026-12-05") == .on(date("2026-12-05")))
    }

    @Test func isoLocalTimeIsInTheZone() throws {
        #expect(try parser.parse("2026-12-05T14:00") == .at(at("2026-12-05 14:00", berlin)))
        #expect(try parser.parse("2026-12-05 14:00:30") == .at(at("2026-12-05 14:00", berlin) + 30))
    }

    @Test func isoWithOffsetIsExact() throws {
        #expect(try parser.parse("2026-12-05T14:00Z") == .at(at("2026-12-05 14:00", utc)))
        #expect(try parser.parse("2026-12-05T14:00+01:00") == .at(at("2026-12-05 13:00", utc)))
        #expect(try parser.parse("2026-12-05T14:00-0500") == .at(at("2026-12-05 19:00", utc)))
    }

    @Test func relativeSecondsAndHoursAreInstants() throws {
        #expect(try parser.parse("+90s") == .at(now + 90))
        #expect(try parser.parse("+4h") == .at(now + 4 * 3600))
        #expect(try parser.parse("+30m") == .at(now + 1800))
    }

    @Test func relativeDaysAndWeeksAreDays() throws {
        #expect(try parser.parse("+3d") == .on(date("2026-11-25")))
        #expect(try parser.parse("+2w") == .on(date("2026-12-06")))
    }

    @Test func dayWords() throws {
        #expect(try parser.parse("today") == .on(date("2026-11-22")))
        #expect(try parser.parse("Tomorrow") == .on(date("2026-11-23")))
        #expect(try parser.parse("now") == .at(now))
    }

    @Test func weekdayIsTheNextSuchDayNeverToday() throws {
        #expect(try parser.parse("friday") == .on(date("2026-11-27")))
        #expect(try parser.parse("mon") == .on(date("2026-11-23")))
        #expect(try parser.parse("sunday") == .on(date("2026-11-29")))  // today is Sunday
    }

    @Test func dayWordWithTime() throws {
        #expect(try parser.parse("tomorrow 09:15") == .at(at("2026-11-23 09:15", berlin)))
        #expect(try parser.parse("friday 17:00") == .at(at("2026-11-27 17:00", berlin)))
    }

    @Test(arguments: ["", "soon", "2026-02-30", "2026-13-01", "2026-12-05T25:00", "+0d", "+3x", "friday 5pm", "12/05/2026",
                      "2026-12-05T14:00+99:00", String(repeating: "9", count: 100)])
    func rejectsWhatItCannotRead(_ text: String) {
        #expect(throws: InputError.self) { try parser.parse(text) }
    }

    @Test func errorMessageNamesTheInputAndTheForms() {
        do { _ = try parser.parse("next tuesday-ish"); Issue.record("parsed") } catch {
            #expect(error.message.contains("\"next tuesday-ish\""))
            #expect(error.message.contains("2026-12-05T14:00"))
        }
    }

    @Test func followsTheZone() throws {
        let ny = WhenParser(now: now, zone: newYork)
        #expect(try ny.parse("2026-12-05T14:00") == .at(at("2026-12-05 19:00", utc)))
    }

    @Test func snoozeDurationsFromNow() throws {
        #expect(try parser.after("4h") == now + 14_400)
        #expect(try parser.after("1d") == at("2026-11-23 10:30", berlin))
        #expect(throws: InputError.self) { try parser.after("later") }
    }
}
