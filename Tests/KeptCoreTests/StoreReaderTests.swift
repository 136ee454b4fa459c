import Foundation
import Testing
@testable import KeptCore

// The dates in this file are plain data: no test here reads the wall clock to judge them.

/// The hand reader of a large store's incidents answers as Codable does, or not at all.
@Suite struct StoreReaderTests {
    static let t0 = at("2026-11-22 10:30", berlin)

    /// Incidents with every member a store can hold, optional ones set and not, and texts that
    /// need escaping.
    static func incidents() throws -> [Incident] {
        var plain = Incident(id: 1, client: "Acme \"Corp\" \\ \u{1F600}", title: "Wrong invoice\n\ttwice", note: nil, noticed: t0,
                             severity: .major, windowDays: 90, windowEnd: t0 + 90 * 86_400, opened: t0 + 60)
        plain.items = [Item(number: 1, kind: .step, step: .acknowledge, text: "Apologize", created: t0, due: .at(t0 + 86_400))]
        plain.timeline = [Event(at: t0, what: "opened")]

        var full = Incident(id: 2, client: "Beta", title: "Late report", contact: "Dana Scully <dana@acme.example>", note: "a note — with “quotes”",
                            noticed: t0 - 3_600, severity: .critical, windowDays: 30, windowEnd: t0 + 30 * 86_400, opened: t0, zone: "America/New_York")
        full.to = ["Dana Scully <dana@acme.example>", "ops@acme.example"]
        full.cc = []
        full.closed = Incident.Closure(at: t0 + 20 * 86_400, outcome: .strengthened, note: "they stayed")
        var recurring = Item(number: 2, kind: .promise, text: "Weekly report ]}, \"", created: t0, due: .on(date("2026-11-23")),
                             every: try Interval(parsing: "1w"), until: .on(date("2026-12-21")), zone: "Europe/Berlin")
        var first = Mark(occurrence: 1)
        first.done = t0 + 86_400
        first.note = "sent\u{0}with a NUL"
        first.cause = .systemic
        first.reminded = [.lead, .due, .overdue(2), .snooze(1)]
        first.drafted = t0 + 3_600
        var second = Mark(occurrence: 3)
        second.released = "client away"
        second.releasedAt = t0 + 2 * 86_400
        second.snoozes = [Snooze(at: t0, until: t0 + 7_200), Snooze(at: t0 + 7_200, until: t0 + 86_400)]
        recurring.marks = [first, second, Mark(occurrence: 4)]
        full.items = [Item(number: 1, kind: .checkin, text: "Check in", created: t0, due: .at(t0 + 7 * 86_400)), recurring]
        full.timeline = [Event(at: t0, what: "opened", text: "Late report"), Event(at: t0 + 60, what: "promised", item: "2.2", text: "Weekly")]
        return [plain, full]
    }

    static func codable(_ bytes: [UInt8]) -> [Incident]? { try? JSONDecoder().decode([Incident].self, from: Data(bytes)) }

    @Test(arguments: [false, true])
    func everyMemberReadsAsCodableReadsIt(pretty: Bool) throws {
        let incidents = try Self.incidents()
        let encoder = JSONEncoder()
        if pretty { encoder.outputFormatting = [.prettyPrinted, .sortedKeys] }
        let bytes = [UInt8](try encoder.encode(incidents))
        let read = try #require(StoreReader.incidents(bytes))
        #expect(read == incidents)
        #expect(read == Self.codable(bytes))
    }

    @Test func nullsAndUnknownMembersAreReadAsCodableReadsThem() throws {
        let json = """
            [{"id":3,"client":"C","title":"T","contact":null,"to":null,"note":null,"noticed":"2026-11-22T09:30:00Z",
              "severity":"minor","windowDays":90,"windowEnd":"2027-02-20T09:30:00Z","opened":"2026-11-22T09:30:00+01:00",
              "closed":null,"zone":null,"later":{"a":[1,2.5,true,null,"x"]},
              "items":[{"number":1,"kind":"promise","step":null,"text":"P","created":"2026-11-22T09:30:00Z","due":"2026-11-30",
                        "every":null,"until":null,"zone":null,"marks":[{"occurrence":1,"done":null,"snoozes":null,"extra":0}]}],
              "timeline":[{"at":"2026-11-22T09:30:00Z","what":"opened","item":null,"text":null,"by":"someone"}]}]
            """
        let bytes = Array(json.utf8)
        let codable = try #require(Self.codable(bytes))
        #expect(StoreReader.incidents(bytes) == codable)
        #expect(codable[0].opened == Instant(rfc3339: "2026-11-22T08:30:00Z"))
    }

    @Test func whatItDoesNotExpectIsLeftToJSONDecoder() throws {
        let good = String(decoding: try JSONEncoder().encode(try Self.incidents()), as: UTF8.self)
        let odd = [
            good.replacingOccurrences(of: "\"windowDays\":90", with: "\"windowDays\":90,\"windowDays\":91"),  // a member twice
            good.replacingOccurrences(of: "\"windowDays\":90", with: "\"windowDays\":90.0"),  // a fraction
            good.replacingOccurrences(of: "\"severity\":\"major\"", with: "\"severity\":\"huge\""),  // no such word
            good.replacingOccurrences(of: "\"outcome\":\"strengthened\"", with: "\"outcome\":7"),  // another kind of value
            good.replacingOccurrences(of: "\"every\":\"1w\"", with: "\"every\":\"fortnightly\""),  // not an interval
            good.replacingOccurrences(of: "\"overdue2\"", with: "\"overdue0\""),  // not a reminder kind
            good.replacingOccurrences(of: "\"title\":\"Late report\",", with: ""),  // a required member missing
            good.replacingOccurrences(of: "\"marks\":[]", with: "\"marks\":null"),  // null where a value must be
            good + " x",  // more after the end
        ]
        for (n, text) in odd.enumerated() {
            #expect(text != good, "case \(n) changed nothing")
            #expect(StoreReader.incidents(Array(text.utf8)) == nil, "case \(n)")
        }
        // Where JSONDecoder reads what the hand reader leaves (a whole number written with a
        // fraction), the store still opens.
        let fraction = Array(odd[1].utf8)
        #expect(Self.codable(fraction)?.first?.windowDays == 90)
    }

    @Test func aStoreTheHandReaderLeavesStillOpensWhole() throws {
        let (state, data) = try PiecewiseDecodeTests.store(incidents: 6)
        let text = String(decoding: data, as: UTF8.self)
        let odd = text.replacingOccurrences(of: "\"windowDays\" : 90", with: "\"windowDays\" : 90.0")
        #expect(odd != text)
        #expect(StoreFile.decodeInPieces(Data(odd.utf8), threads: 2) == state)
    }
}
