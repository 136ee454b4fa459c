import Foundation
import Testing
@testable import KeptCore

/// Replies as real mail clients write them (Tests/Fixtures/replies): each one's own first line,
/// and the verb and argument kept reads from it, as its manifest says.
@Suite struct ReplyParsingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/replies")

    struct Fixture: Decodable, CustomTestStringConvertible {
        struct Expected: Decodable {
            var verb: String?
            var argument: String?
            var ignored: Bool
            var reason: String?
            var actions: Int
            var line: String?
        }
        var file: String
        var reminder: String?
        var token: String?
        var expected: Expected
        var testDescription: String { file }
    }

    struct Manifest: Decodable { var fixtures: [Fixture] }

    static let fixtures: [Fixture] = {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("manifest.json").path),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return manifest.fixtures
    }()

    static func bytes(_ f: Fixture) -> [UInt8] {
        Array(FileManager.default.contents(atPath: folder.appendingPathComponent(f.file).path) ?? Data())
    }

    @Test func theFixturesAreThere() { #expect(Self.fixtures.count >= 30) }

    @Test(arguments: fixtures.filter { $0.expected.line != nil })
    func theVerbLineIsTheFirstLineOfTheReplysOwnText(_ f: Fixture) throws {
        let reply = Reply(parsing: Self.bytes(f))
        let expected = f.expected.line.map { ReplyText.normalized($0).trimmingWhitespace() }
        #expect(reply.line == expected, "\(f.file)")
        guard f.expected.verb != nil else {
            #expect(ReplyCommand(line: reply.line ?? "") == nil, "\(f.file): a line kept cannot read")
            return
        }
        let command = try #require(ReplyCommand(line: reply.line ?? ""), "\(f.file): \(reply.line ?? "nil")")
        #expect(command.verb == f.expected.verb)
        #expect(command.argument == f.expected.argument.map { ReplyText.normalized($0).trimmingWhitespace() })
    }

    @Test func aReplyWithNothingAboveTheQuoteHasNoVerbLine() throws {
        let f = try #require(Self.fixtures.first { $0.expected.reason == "no-own-text" })
        #expect(Reply(parsing: Self.bytes(f)).line == nil)
    }

    @Test func theHeadersAreRead() throws {
        let f = try #require(Self.fixtures.first { $0.file.hasPrefix("01-") })
        let r = Reply(parsing: Self.bytes(f))
        #expect(r.from == ["dana@example.org"])
        #expect(r.recipients.contains("dana+kept-k7q3m2x9a4b5c6d7@example.org"))
        #expect(r.thread.contains("<r.1.14-1.due.k7q3m2x9a4b5c6d7@kept.host.example>"))
        #expect(!r.messageID.isEmpty && r.messageID.hasPrefix("<"))
        let bounce = Reply(parsing: Self.bytes(try #require(Self.fixtures.first { $0.expected.reason == "delivery-status-notification" })))
        #expect(bounce.report && bounce.reported != nil)
        let list = Reply(parsing: Self.bytes(try #require(Self.fixtures.first { $0.expected.reason == "list-mail" })))
        #expect(list.list || list.precedence == "list")
    }

    @Test func verbsAsPeopleTypeThem() {
        #expect(ReplyCommand(line: "Done.") == .done(note: nil))
        #expect(ReplyCommand(line: "DONE! called her") == .done(note: "called her"))
        #expect(ReplyCommand(line: "snooze 2d\u{A0}") == .snooze("2d"))
        #expect(ReplyCommand(line: "release") == nil)
        #expect(ReplyCommand(line: "note") == nil)
        #expect(ReplyCommand(line: "Thanks!") == nil)
        #expect(ReplyCommand(line: "doneish") == nil)
    }

    @Test func hostileHTMLIsReadInBoundedWork() {
        let opens = "Content-Type: text/html\n\ndone<br>" + String(repeating: "<", count: 400_000)
        #expect(Reply(parsing: Array(opens.utf8)).line == "done")
        let deep = "Content-Type: text/html\n\n" + String(repeating: "<blockquote>", count: 100_000) + "done"
        let text = HTMLText.text(String(deep.dropFirst(25)))
        #expect(!text.contains(String(repeating: "> ", count: HTMLText.maxQuoteDepth + 1)))
        #expect(Reply(parsing: Array(deep.utf8)).line == nil, "all of it quoted")
    }

    @Test func anyBytesGiveAnAnswer() {
        for bytes: [UInt8] in [[], [0xFF, 0xFE], Array("From x\n".utf8), Array("Content-Type: multipart/mixed; boundary=\n\n--\n".utf8),
                               Array(repeating: 0x0A, count: 10_000), Array("Subject: =?x?Q?=ZZ?=\n\n=\n=4".utf8)] {
            _ = Reply(parsing: bytes)
        }
    }
}
