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
            /// What the store holds afterwards: the note or reason exactly, or the snooze's duration.
            var effect: Effect?
        }
        struct Effect: Decodable {
            var kind: String
            var text: String?
            var duration: String?
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
        if let effect = f.expected.effect {
            // Exactly what the store will hold: a note byte for byte, a snooze's duration read.
            #expect(command.argument == (effect.duration ?? effect.text), "\(f.file)")
        } else {
            #expect(command.argument == f.expected.argument.map { ReplyText.normalized($0).trimmingWhitespace() })
        }
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

    @Test func flowedTextJoinsOnlyWithinOneQuoteDepth() {
        let text = "note first \r\nsecond\r\n> quoted \r\n> more\r\nown \r\n> not joined\r\n-- \r\nsig\r\n"
        #expect(Flowed.unwrap(text, delsp: false) == "note first second\n> quoted more\nown \n> not joined\n-- \nsig\n")
        #expect(Flowed.unwrap("a  \nb\n", delsp: true) == "a b\n")
    }

    @Test func utf16IsReadWithOrWithoutAByteOrderMark() {
        let le: [UInt8] = [0xFF, 0xFE, 0x64, 0x00, 0xFC, 0x00], be: [UInt8] = [0x00, 0x64, 0x00, 0xFC]
        #expect(Charset.decode(le, "UTF-16") == "dü")
        #expect(Charset.decode(be, "utf-16") == "dü")
        #expect(Charset.decode(Array(le.dropFirst(2)), "utf-16le") == "dü")
        #expect(Charset.decode([0x00, 0x64, 0x00], "utf-16") == "d\u{FFFD}")
    }

    @Test func controlsAreShownNotActedOnAndTheTextIsKept() {
        let note = "\u{1B}[2Jpaid \u{1B}]8;;https://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\ \u{202E}fdp.exe\u{9B}\u{7F}\nnext\tline"
        let shown = TerminalText.escaped(note)
        #expect(shown == "^[[2Jpaid ^[]8;;https://evil.example/^[\\click^[]8;;^[\\ <U+202E>fdp.exe<U+009B>^?\nnext\tline")
        #expect(!shown.unicodeScalars.contains { TerminalText.isHidden($0) && $0 != "\n" && $0 != "\t" })
        #expect(TerminalText.escaped("plain ASCII") == "plain ASCII")
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

    /// The reply's lines found in its bytes are the lines splitting at its LF and CRLF Characters gives.
    @Test(arguments: ["", "done", "done\n", "done\r\nsnooze 2d\r\n", "a\rb\nc", "\n\n\r\n", "é\n\u{301}x\r\n\u{301}",
                      "> quoted\r\n>> more\n\ndone 🧾\r\n-- \nDana", "\r", "x\r\r\n"])
    func theLinesAreFoundInTheBytesAsCharactersWouldSplitThem(_ text: String) {
        let characters = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        #expect(ReplyText.lines(text) == characters, "\(text.debugDescription)")
    }
}
