import Foundation
import Testing

/// Tables as a terminal shows them: whole through a pipe and on a wide terminal, cut with … on a
/// narrow one (ids, dates and statuses never), wide characters keeping the columns in line.
@Suite(.serialized) struct TableTerminalTests {
    static let long = "Send the corrected invoice with every line checked twice by someone who did not write it, and a note"

    /// The columns a line takes on a terminal (CJK and emoji two), as Python's unicodedata says.
    static func widths(_ text: String) throws -> [Int] {
        let script = """
            import sys, unicodedata
            for line in sys.stdin.read().split("\\n"):
                print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in line))
            """
        let r = Harness.execute(Harness.python, ["-c", script], stdin: Data(text.utf8))
        return r.stdout.split(separator: "\n").compactMap { Int($0) }
    }

    /// The display column where `needle` starts on each line holding it.
    static func columns(of needle: String, in text: String) throws -> [Int] {
        try text.split(separator: "\n").filter { $0.contains(needle) }.map { line in
            try widths(String(line[..<line.range(of: needle)!.lowerBound])).first ?? 0
        }
    }

    @Test func wholeThroughAPipeAndWideCutWhenNarrow() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "東京商事 Tokyo Trading", "請求書の金額が間違っていた").code == 0)
        #expect(h.kept("promise", "1", Self.long + " 🙂", "--due", "+2d").code == 0)
        let kept = Harness.binaries + "/kept"

        let piped = h.kept("agenda")
        #expect(piped.stdout.contains(Self.long + " 🙂"), "whole through a pipe")
        #expect(!piped.stdout.contains("…"))
        let list = h.kept("list")
        #expect(list.stdout.contains("請求書の金額が間違っていた"))

        for columns in [250, 80, 40] {
            // Thirty days hold four playbook steps, four weekly check-ins and the promise at any
            // hour: the fourth check-in falls on day 28, the fifth on day 42.
            let r = h.run(Harness.python, [Harness.packageRoot + "/Tests/python/pty_run.py", String(columns), kept, "agenda",
                                           "--days", "30", "--socket", h.socket])
            #expect(r.code == 0, "\(r.stdout)")
            let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("1.") }
            #expect(rows.count == 9, "\(columns): \(r.stdout)")
            // Dates whole at every width: every row holds one.
            #expect(rows.allSatisfy { $0.range(of: #"\d{4}-\d\d-\d\d"#, options: .regularExpression) != nil }, "\(r.stdout)")
            // Every row's STATUS starts in the same column, wide characters or not.
            #expect(Set(try Self.columns(of: "upcoming", in: r.stdout)).count == 1, "\(columns):\n\(r.stdout)")
            switch columns {
            case 250: #expect(r.stdout.contains(Self.long + " 🙂"))
            case 80:
                #expect(r.stdout.contains("…"))
                #expect(try Self.widths(r.stdout).allSatisfy { $0 <= 80 }, "\(r.stdout)")
            default:
                #expect(r.stdout.contains("…"))
            }
        }
    }
}
