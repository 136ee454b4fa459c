import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// kept reads the tz database itself; these tests hold it to Python's `zoneinfo`, which reads the
/// same files with its own code, over zones chosen for their quirks and instants on both sides of
/// the last transition a file lists (after it, the file's POSIX rule decides).
@Suite struct ZoneRulesTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Europe/London", "Europe/Dublin",  // Dublin: negative DST
        "Australia/Sydney", "Australia/Lord_Howe",  // southern; a 30-minute DST
        "America/Santiago", "Pacific/Auckland", "Pacific/Chatham",  // southern; +12:45/+13:45
        "Asia/Kathmandu", "Asia/Kolkata", "America/St_Johns", "Asia/Tehran",  // odd offsets
        "Africa/Casablanca", "Antarctica/Troll", "America/Sao_Paulo", "Pacific/Apia",  // rule changes
        "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+5", "UTC",
    ]

    @Test func offsetsMatchAnIndependentReaderOfTheSameFiles() throws {
        var probes: [(String, Int64)] = []
        for zone in Self.zones {
            // Every hour around this year's and 2040's changes would be many; a spread is enough:
            // 400 instants from 1950 to 2100, about 137 days and 2 hours apart (so that they wander
            // through the year and the day), and the hours around each March and October of 2026
            // and 2045.
            for k in Int64(0)..<400 { probes.append((zone, -631_152_000 + k * 11_841_695)) }
            for year in [2026, 2045] {
                for month in [3, 4, 9, 10, 11] {
                    let first = LocalDate(year: year, month: month, day: 1).daysSinceEpoch * 86_400
                    for hour in stride(from: Int64(0), to: 31 * 24, by: 5) { probes.append((zone, first + hour * 3600 + 1800)) }
                }
            }
        }
        let expected = try pythonOffsets(probes)
        var mismatches: [String] = []
        let rules = Dictionary(uniqueKeysWithValues: Self.zones.map { ($0, zone($0).rules) })
        for ((zone, t), want) in zip(probes, expected) {
            let got = rules[zone]!.offset(at: t)
            if got != want { mismatches.append("\(zone) at \(t): \(got), zoneinfo \(want)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(probes.count): \(mismatches.prefix(5))")
        #expect(probes.count > 10_000)
    }

    @Test func theLastFileTransitionHandsOverToTheRule() throws {
        // Berlin's file lists changes to 2037; in 2080 the footer rule says: last Sunday of March,
        // 01:00 UTC, and last Sunday of October, 01:00 UTC.
        let zone = try #require(Zone(identifier: "Europe/Berlin"))
        #expect(zone.rules.rule == PosixRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        let spring = at("2080-03-31 01:59", zone)  // 31 March 2080 is the last Sunday
        #expect(zone.rules.offset(at: spring.seconds) == 3600)
        #expect(zone.rules.offset(at: spring.seconds + 60) == 7200)
        #expect(zone.local(spring + 60).time == TimeOfDay(hour: 3, minute: 0))
    }

    @Test(arguments: [
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T00:59:59Z", 3600), ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T01:00:00Z", 7200),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T00:59:59Z", 7200), ("CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T01:00:00Z", 3600),
        ("EST5EDT,M3.2.0,M11.1.0", "2026-03-08T07:00:00Z", -14400), ("EST5EDT", "2026-03-08T06:59:59Z", -18000),
        ("AEST-10AEDT,M10.1.0,M4.1.0/3", "2026-01-15T00:00:00Z", 39600), ("AEST-10AEDT,M10.1.0,M4.1.0/3", "2026-07-15T00:00:00Z", 36000),
        ("<+0545>-5:45", "2026-07-15T00:00:00Z", 20700), ("JST-9", "2026-07-15T00:00:00Z", 32400),
        ("IST-1GMT0,M10.5.0,M3.5.0/1", "2026-07-15T00:00:00Z", 3600), ("IST-1GMT0,M10.5.0,M3.5.0/1", "2026-12-15T00:00:00Z", 0),
        ("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "2026-07-15T00:00:00Z", -7200), ("XXX3YYY,J60/0,J300/0", "2026-03-01T03:00:00Z", -7200),
        ("XXX3YYY,59/0,300/0", "2024-03-01T03:00:00Z", -7200), ("XXX3YYY,59/0,300/0", "2024-02-29T02:59:59Z", -10800),
    ] as [(String, String, Int)])
    func posixRulesGiveTheOffset(_ rule: String, _ instant: String, _ offset: Int) throws {
        let zone = Zone(tz: rule)
        #expect(zone.identifier == rule)
        #expect(zone.rules.offset(at: try #require(Instant(rfc3339: instant)).seconds) == Int32(offset))
    }

    @Test(arguments: ["CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "C-1", "CET-1CEST,M3.5.0,M10.5.0/3x", "CET", ""])
    func malformedRulesAreRefused(_ rule: String) {
        #expect(PosixRule(rule) == nil)
    }

    @Test func theZoneComesFromTZAsTheCLibraryFindsIt() throws {
        #expect(Zone(tz: "Europe/Berlin").identifier == "Europe/Berlin")
        #expect(Zone(tz: ":America/New_York").identifier == "America/New_York")
        #expect(Zone(tz: "/usr/share/zoneinfo/Asia/Tokyo").identifier == "Asia/Tokyo")
        #expect(Zone(tz: "/usr/share/zoneinfo/Asia/Tokyo").rules.offset(at: 0) == 32400)
        #expect(Zone(tz: "").identifier == "UTC")
        #expect(Zone(tz: "Nowhere/Atlantis").rules == .utc)  // unreadable: UTC, as in C
        #expect(Zone(tz: "../../etc/passwd").rules == .utc)  // names never leave the database
        #expect(Zone(identifier: "Nowhere/Atlantis") == nil)
        #expect(Zone(identifier: "../../../etc/hostname") == nil)
    }

    @Test func aFileThatIsNotAZoneIsRefused() {
        #expect(ZoneRules.parse(Array("TZif2 but not really".utf8)) == nil)
        #expect(ZoneRules.parse([]) == nil)
        let berlin = readSmallFile("/usr/share/zoneinfo/Europe/Berlin")!
        #expect(ZoneRules.parse(berlin) != nil)
        for cut in Array(stride(from: 0, to: berlin.count, by: 97)) + [berlin.count - 1] {
            // Cut short anywhere, a zone file is refused, never misread.
            #expect(ZoneRules.parse(Array(berlin[0..<cut])) == nil, "cut at \(cut)")
        }
    }

    /// Offsets from Python's zoneinfo, one process for all probes.
    func pythonOffsets(_ probes: [(String, Int64)]) throws -> [Int32] {
        let script = """
            import sys, zoneinfo, datetime
            out = []
            for line in sys.stdin:
                zone, t = line.split()
                tz = zoneinfo.ZoneInfo(zone)
                dt = datetime.datetime.fromtimestamp(int(t), tz)
                out.append(str(int(dt.utcoffset().total_seconds())))
            print("\\n".join(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let text = probes.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
        let writer = Thread { input.fileHandleForWriting.write(Data(text.utf8)); try? input.fileHandleForWriting.close() }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { Int32($0)! }
    }
}
