import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

@Suite(.serialized) final class StoreFileTests {
    let dir: String

    init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kept-store-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func sample() throws -> (StoreFile, Engine) {
        let (file, state) = try StoreFile.open(directory: dir)
        var e = Engine(state: state, rules: Rules(config: Config(), zone: berlin), channels: [.maildir])
        let t0 = at("2026-11-22 10:30", berlin)
        func perform(_ changes: [Change]) throws {
            let records = e.records(for: changes, at: t0)
            try file.append(records)
            e.commit(records)
        }
        try perform(Methods.IncidentOpen.decide(e, Params.Open(client: "Acme", title: "Wrong invoice"), now: t0).changes)
        try perform(Methods.PromiseAdd.decide(e, Params.Promise(incident: 1, text: "send it", due: "+1d"), now: t0).changes)
        return (file, e)
    }

    @Test func aNewStoreIsPrivateAndVersioned() throws {
        _ = try StoreFile.open(directory: dir)
        var st = stat()
        stat(dir + "/store.json", &st)
        #expect(st.st_mode & 0o777 == 0o600)
        stat(dir, &st)
        #expect(st.st_mode & 0o777 == 0o700)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/store.json"))) as? [String: Any])
        #expect(json["version"] as? Int == 1)
    }

    @Test func journaledChangesAreThereAfterReopening() throws {
        var state: StoreState
        do {
            let (_, e) = try sample()
            state = e.state
        }
        let (_, reopened) = try StoreFile.open(directory: dir)
        #expect(reopened == state)
    }

    @Test func compactionFoldsTheJournalIntoTheDocument() throws {
        let state: StoreState
        do {
            let (file, e) = try sample()
            try file.compact(e.state)
            #expect(file.journalBytes == 0)
            state = e.state
        }
        let (_, reopened) = try StoreFile.open(directory: dir)
        #expect(reopened == state)
    }

    /// An added item's journal line is written by hand; Foundation reads it to the very record,
    /// whatever the item holds, and every other change is still JSONEncoder's.
    @Test func anAddedItemsLineIsReadBackAsTheRecordItWasWrittenFrom() throws {
        let texts = ["send it", "quote \" backslash \\ slash /", "line\nbreak\ttab\u{00}\u{1F}", "naïve — “quotes” 🧾 𝄞", "\u{2028}\u{7F}"]
        let created = Instant(seconds: 1_795_000_000)
        var items: [Item] = []
        for (n, text) in texts.enumerated() {
            items.append(Item(number: n + 1, kind: .promise, text: text, created: created, due: try #require(Due(stored: "2026-12-0\(n + 1)"))))
        }
        items.append(Item(number: 9, kind: .step, step: .acknowledge, text: "Acknowledge", created: created,
                          due: try #require(Due(stored: "2026-12-05T13:00:00Z")), zone: "America/New_York"))
        items.append(Item(number: 10, kind: .promise, text: "weekly", created: created, due: try #require(Due(stored: "2026-12-07")),
                          every: try Interval(parsing: "1w"), until: try #require(Due(stored: "2027-01-31"))))
        for (n, item) in items.enumerated() {
            let record = JournalRecord(seq: Int64(n) * 1_000_003, at: created + Int64(n), change: .addItem(incident: n, item: item))
            let line = try #require(record.writtenDirectly())
            #expect(try JSONDecoder().decode(JournalRecord.self, from: Data(line)) == record, "\(String(decoding: line, as: UTF8.self))")
        }
        var marked = items[0]
        marked.updateMark(0) { $0.note = "sent" }
        #expect(JournalRecord(seq: 1, at: created, change: .addItem(incident: 1, item: marked)).writtenDirectly() == nil)
        #expect(JournalRecord(seq: 1, at: created, change: .checkin(incident: 1, note: nil)).writtenDirectly() == nil)
        // (Through the store, written and reopened: `journaledChangesAreThereAfterReopening`.)
    }

    @Test func aSecondOpenIsRefusedByTheLock() throws {
        let (first, _) = try StoreFile.open(directory: dir)
        #expect { try StoreFile.open(directory: dir, lockWait: .milliseconds(50)) } throws: { ($0 as? StoreError)?.code == .locked }
        withExtendedLifetime(first) {}
    }

    @Test func aTornLastLineIsTrimmed() throws {
        let state: StoreState
        do { state = try sample().1.state }
        let journal = dir + "/store.journal"
        let h = try #require(FileHandle(forWritingAtPath: journal))
        h.seekToEndOfFile()
        h.write(Data(#"{"seq":3,"at":"2026-11-22T"#.utf8))
        h.closeFile()
        let (file, reopened) = try StoreFile.open(directory: dir)
        #expect(reopened == state)
        #expect(file.journalBytes == (try Data(contentsOf: URL(fileURLWithPath: journal))).count)
    }

    @Test func aBrokenDocumentIsNamedByLineAndColumnAndLeftAlone() throws {
        do { _ = try sample() }
        let path = dir + "/store.json"
        let broken = Data("{\n  \"version\": 1,\n  \"incidents\": [ x ]\n}\n".utf8)
        try broken.write(to: URL(fileURLWithPath: path))
        #expect { try StoreFile.open(directory: dir) } throws: { error in
            let message = (error as? StoreError)?.message ?? ""
            return message.hasPrefix(path + ":3:18:")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == broken)
    }

    @Test func aWrongTypeIsNamedByItsPath() throws {
        let path = dir + "/store.json"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data(#"{"version":1,"storeID":"x","seq":"three","incidents":[],"outbox":[]}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect { try StoreFile.open(directory: dir) } throws: { error in
            let message = (error as? StoreError)?.message ?? ""
            return message.hasPrefix(path + ":1:34: seq:")
        }
    }

    @Test func anUnknownVersionIsRefused() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data(#"{"version":7}"#.utf8).write(to: URL(fileURLWithPath: dir + "/store.json"))
        #expect { try StoreFile.open(directory: dir) } throws: { ($0 as? StoreError)?.code == .version }
    }

    @Test func aFolderOthersCanWriteIsRefused() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        chmod(dir, 0o777)
        #expect { try StoreFile.open(directory: dir) } throws: { ($0 as? StoreError)?.code == .unsafe }
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let (file, e) = try sample()
        let journal = dir + "/store.journal"
        let before = try Data(contentsOf: URL(fileURLWithPath: journal))
        file.injectFailure = ENOSPC
        let record = JournalRecord(seq: e.state.seq + 1, at: .now, change: .checkin(incident: 1, note: nil))
        #expect { try file.append([record]) } throws: { ($0 as? StoreError)?.message.contains("No space") == true }
        #expect(try Data(contentsOf: URL(fileURLWithPath: journal)) == before)
    }

    @Test func aDocumentCutAtEveryByteIsRefusedByLineAndColumn() throws {
        let (file, e) = try sample()
        try file.compact(e.state)
        let path = dir + "/store.json"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let end = try #require(whole.lastIndex(of: UInt8(ascii: "}")))
        var named = 0
        for offset in 0..<end {
            do {
                _ = try StoreFile.decodeDocument(whole.prefix(offset), path: path)
                Issue.record("a cut at \(offset) was accepted")
            } catch {
                let parts = error.message.split(separator: ":", maxSplits: 3)
                if parts.count == 4, parts[0] == path, Int(parts[1]) != nil, Int(parts[2]) != nil, !error.message.contains("\n") {
                    named += 1
                } else {
                    Issue.record("a cut at \(offset): \(error.message)")
                }
            }
        }
        #expect(named == end)
    }
}

/// A large store is decoded in pieces on several threads; it must come out the same as decoded
/// whole, and anything odd must send it back to the whole decode (and its exact error).
@Suite struct PiecewiseDecodeTests {
    /// A store of `incidents` incidents, each with its playbook, check-ins and a few promises.
    static func store(incidents: Int) throws -> (StoreState, Data) {
        var e = Engine(state: StoreState(storeID: "piecewise"), rules: Rules(config: Config(), zone: berlin), channels: [.maildir])
        let t0 = at("2026-11-22 10:30", berlin)
        for n in 1...incidents {
            _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Client \(n % 7) \"quoted\" \\ \u{1F600}", title: "Mistake {\(n)} [x]"), now: t0)
            for p in 0..<(n % 4) {
                _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: n, text: "promise \(p) ]}, \"", due: "2026-12-0\(p + 1)"), now: t0)
            }
        }
        _ = e.fire(at: t0 + 86_400 * 3)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (e.state, try encoder.encode(e.state))
    }

    @Test(arguments: [1, 2, 3, 8, 64])
    func piecesDecodeToTheSameStoreAsTheWhole(threads: Int) throws {
        let (state, data) = try Self.store(incidents: 25)
        #expect(!state.outbox.isEmpty)
        let whole = try StoreFile.decodeWhole(data, path: "store.json")
        #expect(whole == state)
        let pieces = try #require(StoreFile.decodeInPieces(data, threads: threads))
        #expect(pieces == state)
    }

    @Test func anEmptyStoreSplitsToo() throws {
        let data = try JSONEncoder().encode(StoreState(storeID: "empty"))
        #expect(StoreFile.decodeInPieces(data, threads: 2) == StoreState(storeID: "empty"))
    }

    @Test func anythingOddIsLeftToTheWholeDecode() throws {
        let (_, data) = try Self.store(incidents: 5)
        let text = String(decoding: data, as: UTF8.self)
        let odd = [
            text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2"),  // another version
            text.replacingOccurrences(of: "\"severity\" : \"major\"", with: "\"severity\" : \"huge\""),  // a bad value in a piece
            text.replacingOccurrences(of: "\"storeID\" : \"piecewise\"", with: "\"storeID\" : 7"),  // a bad value outside
            text + "x",  // trailing text
            "[" + text + "]",  // not an object
            String(text.dropLast(40)),  // cut short
            text.replacingOccurrences(of: "\"seq\"", with: "\"incidents\" : [], \"seq\""),  // a name twice
        ]
        for (n, document) in odd.enumerated() {
            #expect(document != text, "case \(n) changed nothing")
            #expect(StoreFile.decodeInPieces(Data(document.utf8), threads: 2) == nil, "case \(n)")
        }
    }

    @Test func aLargeBrokenStoreStillNamesLineAndColumn() throws {
        var (_, data) = try Self.store(incidents: 400)
        #expect(data.count >= StoreFile.parallelThreshold, "large enough to be decoded in pieces")
        #expect(try StoreFile.decodeDocument(data, path: "store.json").incidents.count == 400)
        // Break one severity deep inside: the message names where, as for a small store.
        let text = String(decoding: data, as: UTF8.self)
        let marker = try #require(text.range(of: "\"severity\" : \"major\"", options: .backwards))
        let broken = text.replacingCharacters(in: marker, with: "\"severity\" : \"huge\"")
        data = Data(broken.utf8)
        let line = broken[..<marker.lowerBound].filter { $0 == "\n" }.count + 1
        #expect { try StoreFile.decodeDocument(data, path: "store.json") } throws: { error in
            let message = (error as? StoreError)?.message ?? ""
            return message.hasPrefix("store.json:\(line):")
        }
    }
}

/// The store's id is in every Message-ID and every calendar UID: 32 hexadecimal digits, always.
@Suite struct StoreIDTests {
    @Test func aNewStoresIDIsThirtyTwoHexadecimalDigits() {
        for _ in 0..<200 {
            let id = StoreFile.randomID()
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit }, "\(id.debugDescription)")
        }
    }
}
