import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The agenda's own JSON writer and reader against Foundation's coders: same values both ways.
struct JSONBytesTests {
    static let awkward = [
        "", "plain", "quote \" and backslash \\ and slash /", "line\nbreak\rreturn\ttab\u{08}\u{0C}",
        "\u{00}\u{01}\u{1F} control", "naïve café — “quotes”", "emoji 🧾 and 𝄞", "\u{2028}\u{2029}", "\u{7F}\u{80}",
    ]

    static func occurrence(_ n: Int, full: Bool) -> View.Occurrence {
        let text = awkward[n % awkward.count]
        return View.Occurrence(
            id: "\(n).2#\(n)", item: "\(n).2", incident: n, client: "Client \(text)", kind: .promise,
            step: full ? .acknowledge : nil, text: text, due: "2026-12-0\(1 + n % 9)", status: full ? .kept : .overdue,
            done: full ? Instant(seconds: 1_790_000_000 + Int64(n)) : nil, note: full ? "note \(text)" : nil,
            released: full ? "renegotiated: \(text)" : nil, snoozedUntil: full ? Instant(seconds: 1_790_100_000) : nil,
            recurring: full)
    }

    static let agenda = View.Agenda(
        now: Instant(seconds: 1_795_000_000), days: 7,
        overdue: (0..<12).map { occurrence($0, full: $0 % 2 == 0) },
        upcoming: (12..<30).map { occurrence($0, full: $0 % 3 == 0) })

    @Test func writtenAgendaReadsBackThroughFoundation() throws {
        var json = JSONWriter()
        json.response(id: .number(7), result: Self.agenda)
        let reply = try JSONDecoder().decode(RPC.Reply<View.Agenda>.self, from: Data(json.bytes))
        #expect(reply.id == .number(7))
        #expect(reply.result == Self.agenda)
        // Compact, one line: the control protocol's framing.
        #expect(!json.bytes.contains(0x0A))
    }

    @Test func foundationsAgendaReadsBackThroughTheReader() throws {
        for formatting in [JSONEncoder.OutputFormatting(), [.prettyPrinted, .sortedKeys]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            let bytes = try encoder.encode(Response(id: .string("x"), result: Self.agenda))
            var reader = JSONReader(Array(bytes))
            #expect(try reader.reply(View.Agenda.self).get() == Self.agenda)
        }
    }

    @Test func everyFieldOfAnOccurrenceIsWrittenAndRead() throws {
        // A field added to View.Occurrence must be added to its writer and reader too.
        #expect(Mirror(reflecting: Self.occurrence(0, full: true)).children.count == 14)
        var json = JSONWriter()
        Self.occurrence(4, full: true).write(to: &json)
        let written = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(written.count == 14)
        let none = try JSONEncoder().encode(Self.occurrence(4, full: false))
        var sparse = JSONWriter()
        Self.occurrence(4, full: false).write(to: &sparse)
        let foundationKeys = Set((try JSONSerialization.jsonObject(with: none) as! [String: Any]).keys)
        let ownKeys = Set((try JSONSerialization.jsonObject(with: Data(sparse.bytes)) as! [String: Any]).keys)
        #expect(foundationKeys == ownKeys)  // nils are left out, as Codable leaves them out
    }

    static let promised = View.Promised(
        item: View.Item(id: "3.4", kind: .promise, step: nil, text: awkward[2], due: "2026-12-05T14:00:00Z", every: "1w",
                        until: "2027-02-01", zone: "America/New_York", occurrences: (0..<5).map { occurrence($0, full: $0 == 1) }),
        warnings: [View.Warning(code: "over-promising", message: awkward[6]), View.Warning(code: "low-follow-through", message: "")])

    @Test func aPromiseAnswerBothWays() throws {
        var json = JSONWriter()
        json.response(id: .number(1), result: Self.promised)
        #expect(try JSONDecoder().decode(RPC.Reply<View.Promised>.self, from: Data(json.bytes)).result == Self.promised)
        let foundation = try JSONEncoder().encode(Response(id: .number(1), result: Self.promised))
        var reader = JSONReader(Array(foundation))
        #expect(try reader.reply(View.Promised.self).get() == Self.promised)
        let bare = View.Promised(item: View.Item(id: "1.1", kind: .step, step: .acknowledge, text: "t", due: "2026-12-01",
                                                 every: nil, until: nil, zone: nil, occurrences: []), warnings: [])
        var reader2 = JSONReader(Array(try JSONEncoder().encode(Response(id: .null, result: bare))))
        #expect(try reader2.reply(View.Promised.self).get() == bare)
        // A field added to one of these types must be added to its writer and reader too.
        #expect(Mirror(reflecting: Self.promised).children.count == 2)
        #expect(Mirror(reflecting: Self.promised.item).children.count == 9)
        #expect(Mirror(reflecting: Self.promised.warnings[0]).children.count == 2)
    }

    /// An answer as Foundation's coders write it.
    struct Response<Result: Encodable>: Encodable {
        var jsonrpc = "2.0"
        var id: RPC.ID
        var result: Result
    }

    struct Envelope<P: Decodable>: Decodable {
        var jsonrpc: String
        var id: RPC.ID
        var method: String
        var params: P
    }

    @Test func aPromiseRequestReadsAsTheDaemonReadsIt() throws {
        for p in [Params.Promise(incident: 3, text: Self.awkward[3], due: "2026-12-05T13:00:00Z"),
                  Params.Promise(incident: 1, text: "weekly", every: "1w", from: "2026-12-01", until: "2027-01-31"),
                  Params.Promise(incident: 2, text: "late", due: "2026-11-01", allowPast: true, zone: "America/New_York")] {
            var json = JSONWriter()
            json.request(id: .number(9), method: Methods.PromiseAdd.name, params: p)
            let e = try JSONDecoder().decode(Envelope<Params.Promise>.self, from: Data(json.bytes))
            #expect(e.jsonrpc == "2.0" && e.id == .number(9) && e.method == "promise.add")
            #expect(e.params.incident == p.incident && e.params.text == p.text && e.params.due == p.due)
            #expect(e.params.every == p.every && e.params.from == p.from && e.params.until == p.until)
            // The daemon's own envelope check accepts it.
            guard case .single(.success(let call)) = RPC.read(json.bytes) else { Issue.record("request refused"); continue }
            let read = try Methods.PromiseAdd.params(from: call.params)
            #expect(read.text == p.text && read.due == p.due && read.every == p.every && read.until == p.until && read.allowPast == p.allowPast && read.zone == p.zone)
        }
        #expect(Mirror(reflecting: Params.Promise(incident: 1, text: "")).children.count == 8)
    }

    /// The daemon reads a promise straight from its bytes when it can; whatever it takes, Codable
    /// reads to the same params, and whatever Codable alone would refuse or read otherwise goes to
    /// Codable.
    @Test func aPromiseReadDirectlyIsWhatCodableReads() throws {
        func codable(_ text: String) -> Params.Promise? { try? Methods.PromiseAdd.decodedParams(from: Array(text.utf8)[...]) }
        func same(_ a: Params.Promise, _ b: Params.Promise) -> Bool {
            a.incident == b.incident && a.text == b.text && a.due == b.due && a.every == b.every && a.from == b.from
                && a.until == b.until && a.allowPast == b.allowPast && a.zone == b.zone
        }
        // What kept's client sends, every member and every awkward text: taken, and as Codable reads it.
        var sent: [Params.Promise] = Self.awkward.enumerated().map { Params.Promise(incident: $0.offset, text: $0.element, due: "+3d") }
        sent.append(Params.Promise(incident: 7, text: "weekly", every: "1w", from: "2026-12-01", until: "2027-01-31", zone: "Europe/Berlin"))
        sent.append(Params.Promise(incident: Int(Int64.max), text: "late", due: "2026-11-01", allowPast: false))
        for p in sent {
            var json = JSONWriter()
            p.write(to: &json)
            let direct = try #require(Params.Promise.readDirectly(json.bytes[...]), "not read directly: \(String(decoding: json.bytes, as: UTF8.self))")
            #expect(same(direct, try #require(codable(String(decoding: json.bytes, as: UTF8.self)))))
        }
        // Hand-written documents: each either read the same both ways, or left to Codable.
        let documents = [
            #"{"incident":1,"text":"a","due":"friday"}"#, #" { "text" : "a" , "incident" : -0 , "due" : "x" } "#,
            #"{"incident":1,"text":"\u00e9\ud83e\uddfe\n\"\/","due":"x"}"#, #"{"incident":1,"text":"a","every":"2w","allowPast":true}"#,
            #"{"incident":01,"text":"a","due":"x"}"#, #"{"incident":1.0,"text":"a","due":"x"}"#, #"{"incident":1e0,"text":"a","due":"x"}"#,
            #"{"incident":99999999999999999999,"text":"a","due":"x"}"#, #"{"incident":"1","text":"a","due":"x"}"#,
            #"{"incident":1,"text":"a","due":null}"#, #"{"incident":1,"text":"a","due":"x","due":"y"}"#,
            #"{"incident":1,"text":"a","due":"x","colour":"red"}"#, #"{"incident":1,"text":"a","every":"fortnightly"}"#,
            #"{"incident":1,"text":"a","due":"x"} x"#, #"{"incident":1,"text":"a","due":{"at":"x"}}"#, #"{"incident":1,"due":"x"}"#,
            #"{"incident":1,"text":"\ud800","due":"x"}"#, #"{"incident":1,"text":"a","allowPast":1}"#, #"[1]"#, #"{}"#, "",
        ]
        var taken = 0
        for text in documents {
            guard let direct = Params.Promise.readDirectly(Array(text.utf8)[...]) else { continue }
            taken += 1
            let read = try #require(codable(text), "read directly, refused by Codable: \(text)")
            #expect(same(direct, read), "read otherwise by Codable: \(text)")
        }
        #expect(taken == 4)
        // A request's params go the direct way, and Codable's refusals are still the daemon's words.
        #expect(try Methods.PromiseAdd.params(from: Array(documents[0].utf8)[...]).text == "a")
        #expect(throws: KeptError.self) { try Methods.PromiseAdd.params(from: Array(documents[11].utf8)[...]) }
        do {
            _ = try Methods.PromiseAdd.params(from: Array(documents[11].utf8)[...])
        } catch {
            #expect(error.message == #"unknown parameter "colour" for promise.add"#)
        }
    }

    @Test func integersAtTheirLimits() throws {
        for n in [Int64.min, -1, 0, 9, 10, Int64.max] {
            var json = JSONWriter()
            json.int(n)
            #expect(String(decoding: json.bytes, as: UTF8.self) == String(n))
            var reader = JSONReader(json.bytes)
            #expect(try reader.int() == n)
        }
        for bad in ["9223372036854775808", "-9223372036854775809", "1.5", "1e3", "-", "x"] {
            var reader = JSONReader(Array(bad.utf8))
            #expect(throws: JSONReader.Failure.self) { try reader.int() }
        }
    }

    @Test func stringsWithEveryEscape() throws {
        var reader = JSONReader(Array(#""a\"b\\c\/d\n\r\t\b\f\u00e9\u20AC\ud83e\uddfe""#.utf8))
        #expect(try reader.string() == "a\"b\\c/d\n\r\t\u{08}\u{0C}é€🧾")
        for s in Self.awkward {
            var json = JSONWriter()
            json.string(s)
            var back = JSONReader(json.bytes)
            #expect(try back.string() == s)
            #expect(try JSONDecoder().decode(String.self, from: Data(json.bytes)) == s)
        }
    }

    @Test func unknownMembersAreSkipped() throws {
        let text = #"{"future":{"a":[1,2.5e3,-3,{"b":null}],"c":"}"},"id":null,"result":{"now":"2026-11-22T10:00:00Z","days":1,"overdue":[],"upcoming":[],"more":[true,false]},"jsonrpc":"2.0"}"#
        var reader = JSONReader(Array(text.utf8))
        let agenda = try reader.reply(View.Agenda.self).get()
        #expect(agenda.days == 1 && agenda.overdue.isEmpty && agenda.upcoming.isEmpty)
    }

    @Test func theDaemonsErrorComesBackAsAnError() throws {
        var reader = JSONReader(Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no incident 9","data":{}}}"#.utf8))
        #expect(try reader.reply(View.Agenda.self) == .failure(RPC.ErrorObject(code: -32001, message: "no incident 9")))
    }

    @Test(arguments: [
        (#"{"result":{"now":"2026-11-22T10:00:00Z","days":1,"overdue":[]}}"#, "missing \"upcoming\""),
        (#"{"result":{"now":"2026-11-22T10:00:00Z","days":1,"overdue":[],"upcoming":[{"id":"1.1"}]}}"#, "missing \"item\""),
        (#"{"result":{"now":"yesterday","days":1,"overdue":[],"upcoming":[]}}"#, "expected an RFC 3339 time"),
        (#"{"result":{"now":"2026-11-22T10:00:00Z","days":1,"overdue":[],"upcoming":[]"#, "unexpected end of the document"),
        (#"{"result":null} trailing"#, "more after the end of the document"),
        (#"{"result":null}"#, "neither a result nor an error"),
        (#"{"a":"\ud83e"}"#, "a lone surrogate in a string"),
        (#"{"a":"\udc00"}"#, "a lone surrogate in a string"),
        ("{\"a\":\"tab\there\"}", "a control character in a string"),
        (#"{"a":"\q"}"#, "an unknown escape in a string"),
        (#"{"a" 1}"#, "expected :"),
        (#"{"a":1 "b":2}"#, "expected , or } in an object"),
        (#"{"a":[1 2]}"#, "expected , or ] in an array"),
        (#"{"a":tru}"#, "expected true or false"),
    ])
    func badAnswersAreNamed(text: String, message: String) {
        var reader = JSONReader(Array(text.utf8))
        #expect { _ = try reader.reply(View.Agenda.self) } throws: { error in
            (error as? JSONReader.Failure)?.message == message
        }
    }

    @Test func invalidUTF8IsRefused() throws {
        var reader = JSONReader([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")])
        #expect(throws: JSONReader.Failure(message: "a string that is not UTF-8", offset: 1)) { try reader.string() }
        var fine = JSONReader(Array("\"é\"".utf8))
        #expect(try fine.string() == "é")
    }

    /// A value written here is the document Foundation writes — the same members — and reads
    /// back through Foundation as the same value.
    static func sameAsFoundation<T: JSONWritable & Decodable>(_ value: T) throws -> Bool {
        func members(_ data: Data) throws -> NSDictionary { try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary) }
        var json = JSONWriter()
        value.write(to: &json)
        let theirs = try members(try JSONEncoder().encode(value))
        let readBack = try JSONDecoder().decode(T.self, from: Data(json.bytes))
        return try members(Data(json.bytes)) == theirs && (try members(try JSONEncoder().encode(readBack))) == theirs
    }

    @Test func theBusiestRequestsAreWrittenAsFoundationWritesThem() throws {
        let text = Self.awkward.joined(separator: "|")
        let done = Params.Done(item: try ItemRef(parsing: "3.2#4"), note: text, at: .exact(.at(Instant(seconds: 1_795_000_000))),
                               cause: .systemic, zone: "Europe/Berlin")
        #expect(try Self.sameAsFoundation(done))
        #expect(try Self.sameAsFoundation(Params.Done(item: try ItemRef(parsing: "1.1"))))
        #expect(try Self.sameAsFoundation(Params.Agenda(days: 14)))
        #expect(try Self.sameAsFoundation(Params.Agenda()))
        var full = Reply(messageID: "<\(text)@example.org>", from: ["dana@example.org", text], sender: "", recipients: [text],
                         thread: ["<a@b>", "<c@d>"], subject: text, autoSubmitted: "no", precedence: "bulk", list: true, autoReply: true,
                         report: true, reported: "<r@x>", authentication: ["mx.example.org; dkim=pass"], keptKey: "1.6#1/due",
                         line: text, date: Instant(seconds: 1_795_000_000), sentTo: ["Dana <d@acme.example>"])
        full.dryRun = true
        #expect(Mirror(reflecting: full).children.count == 18, "a field added to Reply must be added to its writer too")
        #expect(try Self.sameAsFoundation(full))
        #expect(try Self.sameAsFoundation(Reply(messageID: "hash:1.2", from: [], recipients: [], thread: [], line: nil)))
    }

    @Test func theirAnswersAreReadAsFoundationReadsThem() throws {
        let changed = View.Changed(occurrences: [Self.occurrence(2, full: true), Self.occurrence(3, full: false)],
                                   message: Self.awkward.joined(separator: "|"), warnings: [View.Warning(code: "w", message: "\u{1F}x")])
        let ingested = View.Ingested(outcome: .ignored, reason: "bad-token", message: "its token \"x\"", occurrence: "1.6#1")
        #expect(try Self.sameAsFoundation(changed))
        #expect(try Self.sameAsFoundation(ingested))
        #expect(try Self.sameAsFoundation(View.Ingested(outcome: .acted, message: "done")))
        for formatting in [JSONEncoder.OutputFormatting(), [.prettyPrinted, .sortedKeys]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            var reader = JSONReader(Array(try encoder.encode(Response(id: .number(1), result: changed))))
            #expect(try reader.reply(View.Changed.self).get() == changed)
            var again = JSONReader(Array(try encoder.encode(Response(id: .number(1), result: ingested))))
            #expect(try again.reply(View.Ingested.self).get() == ingested)
        }
    }

    /// The busiest requests and answers take the byte-level road — chosen by witness, not by a
    /// cast — and the others go through Codable.
    @Test func theRoadIsChosenByTheTypes() throws {
        #expect(Params.Promise(incident: 1, text: "x", due: "tomorrow").writable != nil)
        #expect(Params.Done(item: try ItemRef(parsing: "1.1")).writable != nil)
        #expect(Params.Agenda().writable != nil)
        #expect(Reply(messageID: "m", from: [], recipients: [], thread: [], line: nil).writable != nil)
        #expect(Params.Ledger().writable == nil)
        #expect(Methods.PromiseAdd.resultReader != nil && Methods.ItemDone.resultReader != nil)
        #expect(Methods.Agenda.resultReader != nil && Methods.MailIngest.resultReader != nil)
        #expect(Methods.Ledger.resultReader == nil)
    }
}
