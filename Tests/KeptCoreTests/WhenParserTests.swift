import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

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

    /// The store writes four-digit years and reads back only those: a WHEN beyond them is refused
    /// with its year, before anything is kept (a promise due in 21190 once made keptd unable to start).
    @Test func aWhenOutsideTheYears0000To9999IsRefused() throws {
        let today = date("2026-11-22")
        let ahead = today.adding(days: 7_000_000).year
        let back = today.adding(days: -7_000_000).year
        #expect(ahead > 9999 && back < 0)
        for (raw, year) in [("+1000000w", ahead), ("in 1000000 weeks", ahead), ("1000000 weeks ago", back),
                            ("9999-12-31T23:00-05:00", 10_000)] {
            #expect(throws: InputError(#""\#(raw)" falls in the year \#(year); a date must fall in the years 0000 to 9999"#)) {
                try parser.parse(raw, toward: raw.hasSuffix("ago") ? .past : .future)
            }
        }
        #expect(throws: InputError.self) { try parser.after("+1000000w") }
        // The edges are kept, and written so they read back.
        for raw in ["9999-12-31", "9999-12-31T23:59:59Z", "0000-01-01", "+400000w"] {
            let due = try parser.parse(raw)
            #expect(Due(stored: due.description) == due, "\(raw) → \(due)")
        }
        #expect(Due(stored: Due.at(try parser.after("+400000w")).description) != nil)
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

    @Test func aWeekdayIsTodayOrTheComingOneAndNextIsAfterToday() throws {
        #expect(try parser.parse("friday") == .on(date("2026-11-27")))
        #expect(try parser.parse("mon") == .on(date("2026-11-23")))
        #expect(try parser.parse("sunday") == .on(date("2026-11-22")))  // today is Sunday, as GNU date reads it
        #expect(try parser.parse("next sunday") == .on(date("2026-11-29")))
        #expect(try parser.parse("next friday") == .on(date("2026-11-27")))
        #expect(try parser.parse("last friday") == .on(date("2026-11-20")))
    }

    @Test func lookingBackAWeekdayIsTheOneThatHasPassed() throws {
        #expect(try parser.parse("monday", toward: .past) == .on(date("2026-11-16")))
        #expect(try parser.parse("sunday", toward: .past) == .on(date("2026-11-15")))
        #expect(try parser.parse("yesterday", toward: .past) == .on(date("2026-11-21")))
        #expect(try parser.parse("9:00", toward: .past) == .at(at("2026-11-22 09:00", berlin)))
        #expect(try parser.parse("11:00", toward: .past) == .at(at("2026-11-21 11:00", berlin)))
        #expect(try parser.parse("dec 5", toward: .past) == .on(date("2025-12-05")))
    }

    @Test func aTimeOfDayAloneIsTheNextOne() throws {
        #expect(try parser.parse("17:00") == .at(at("2026-11-22 17:00", berlin)))
        #expect(try parser.parse("5pm") == .at(at("2026-11-22 17:00", berlin)))
        #expect(try parser.parse("5:30 pm") == .at(at("2026-11-22 17:30", berlin)))
        #expect(try parser.parse("9am") == .at(at("2026-11-23 09:00", berlin)))  // 09:00 today has passed
        #expect(try parser.parse("noon") == .at(at("2026-11-22 12:00", berlin)))
        #expect(try parser.parse("midnight") == .at(at("2026-11-23 00:00", berlin)))
        #expect(try parser.parse("12am") == .at(at("2026-11-23 00:00", berlin)))
        #expect(try parser.parse("12pm") == .at(at("2026-11-22 12:00", berlin)))
    }

    @Test func monthDaysAndSpokenIntervals() throws {
        #expect(try parser.parse("dec 5") == .on(date("2026-12-05")))
        #expect(try parser.parse("5 dec") == .on(date("2026-12-05")))
        #expect(try parser.parse("December 5 17:00") == .at(at("2026-12-05 17:00", berlin)))
        #expect(try parser.parse("jan 10") == .on(date("2027-01-10")))  // this year's has passed
        #expect(try parser.parse("nov 22") == .on(date("2026-11-22")))
        #expect(try parser.parse("dec 5 2027") == .on(date("2027-12-05")))
        #expect(try parser.parse("in 3 days") == .on(date("2026-11-25")))
        #expect(try parser.parse("in 90 minutes") == .at(now + 5400))
        #expect(try parser.parse("2 weeks ago") == .on(date("2026-11-08")))
        #expect(try parser.parse("5pm friday") == .at(at("2026-11-27 17:00", berlin)))
    }

    @Test func anImpossibleDateSaysWhy() {
        for (text, why) in [("2026-02-30", "2026-02-30: February 2026 has 28 days, so it has no day 30"),
                            ("feb 29 2027", "February 2027 has 28 days, so it has no day 29"),
                            ("2028-02-30", "2028-02-30: February 2028 has 29 days, so it has no day 30"),
                            ("2026-13-01", "2026-13-01: there is no month 13")] {
            do { _ = try parser.parse(text); Issue.record("\(text) parsed") } catch { #expect(error.message == why) }
        }
    }

    @Test func dayWordWithTime() throws {
        #expect(try parser.parse("tomorrow 09:15") == .at(at("2026-11-23 09:15", berlin)))
        #expect(try parser.parse("friday 17:00") == .at(at("2026-11-27 17:00", berlin)))
    }

    @Test(arguments: ["", "soon", "2026-02-30", "2026-13-01", "2026-12-05T25:00", "+0d", "+3x", "13pm", "dec 32", "next", "in 3 fortnights", "12/05/2026",
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

    /// The forms GNU `date -d` reads, read by both at the same moment in the same zone.
    @Test func readsWhatGNUDateReadsAsItReadsIt() throws {
        let zone = berlin
        for text in ["friday", "next friday", "last friday", "tuesday", "next tuesday", "tomorrow", "yesterday", "today",
                     "tomorrow 9:00", "friday 5pm", "dec 5 17:00", "5 dec", "december 24", "next monday 9:00", "tomorrow 17:30",
                     "2026-12-05", "2026-12-05 14:00", "2027-03-28T02:30:00Z"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/date")
            p.arguments = ["-d", text, "+%s"]
            p.environment = ["TZ": "Europe/Berlin", "LC_ALL": "C"]
            let out = Pipe()
            p.standardOutput = out
            let now = Instant.now
            try p.run()
            p.waitUntilExit()
            let gnu = try #require(Int64(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)), "date -d \(text)")
            let ours = try WhenParser(now: now, zone: zone).parse(text)
            // GNU gives a day as its midnight; the month day it reads as this year's even when passed.
            let instant: Instant = switch ours { case .on(let d): zone.instant(d, TimeOfDay(hour: 0, minute: 0)); case .at(let i): i }
            if text.hasPrefix("december 24") || text.hasPrefix("dec 5") || text == "5 dec",
               gnu < now.seconds - 86_400 { continue }  // past this year: kept reads the next one
            if ["today", "tomorrow", "yesterday"].contains(text), case .on(let d) = ours {
                // GNU keeps the time of day; kept means the day.
                #expect(zone.date(of: Instant(seconds: gnu)) == d, "\(text)")
                continue
            }
            #expect(instant.seconds == gnu, "\(text): kept \(ours), GNU \(gnu)")
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
