import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

@Suite struct MailMessageTests {
    func reminder(subject: String, body: String) -> Reminder {
        Reminder(key: "1.2#1/due", incident: 1, client: "Acme", item: "1.2", text: "x", due: "2026-12-05",
                 scheduled: Instant(seconds: 0), late: false, subject: subject, body: body, messageID: "<1.2.1.due.s@kept>")
    }

    func headers(_ message: String) -> [String] {
        message.components(separatedBy: "\n\n")[0].split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { String($0.split(separator: ":")[0]) }
    }

    @Test func userTextCannotAddHeaders() {
        let m = MailMessage.render(reminder(subject: "hi\r\nBcc: victim@example.com\n\nbody", body: "ok\n"),
                                   from: "kept <k@h>", to: ["me@h"], date: "d")
        #expect(!headers(m).contains("Bcc"))
        #expect(m.contains("Subject: hi  Bcc: victim@example.com  body\n"))
    }

    @Test func nonASCIISubjectsAreEncodedWords() {
        let v = MailMessage.headerValue("Café Zürich — déjà vu")
        #expect(v.hasPrefix("=?UTF-8?B?"))
        #expect(v.split(separator: "\n").allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func plainBodiesStayReadable() {
        let m = MailMessage.render(reminder(subject: "s", body: "Due now: x\n"), from: "a", to: ["b"], date: "d")
        #expect(m.contains("Content-Transfer-Encoding: 7bit"))
        #expect(m.hasSuffix("\n\nDue now: x\n"))
    }

    @Test func longLinesAndLoneDotsAreQuotedPrintable() {
        let body = String(repeating: "a", count: 10_000) + "\n.\n-oQ\n"
        let m = MailMessage.render(reminder(subject: "s", body: body), from: "a", to: ["b"], date: "d")
        #expect(m.contains("Content-Transfer-Encoding: quoted-printable"))
        let lines = m.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(!lines.contains("."))
    }

    @Test func quotedPrintableRoundTrips() {
        let text = "Zürich = 100 %\n.\nend   \n" + String(repeating: "é", count: 80)
        let qp = MailMessage.quotedPrintable(text)
        #expect(decodeQP(qp) == text + "\n")
    }

    func decodeQP(_ s: String) -> String {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "=") {
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "\n") { i += 2; continue }
                out.append(UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)!)
                i += 3
            } else { out.append(b[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Headers as Python's `email` reads them under `policy.strict`: the display names that broke
/// before (a whole mailbox encoded, a comma that split one sender in two) and long subjects.
@Suite struct MailHeaderTests {
    func reminder(subject: String) -> Reminder {
        Reminder(key: "1.2#1/due", incident: 1, client: "Acme", item: "1.2", text: "x", due: "2026-12-05",
                 scheduled: Instant(seconds: 0), late: false, subject: subject, body: "ok\n", messageID: "<1.2.1.due.s@kept>")
    }

    /// Each header Python parsed: name, the display name and address of each mailbox (for From/To), or the text.
    func parse(_ message: String) throws -> [String: [String]] {
        let script = """
            import email, email.policy, json, sys
            m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.strict)
            out = {"defects": [type(d).__name__ for d in m.defects]}
            for name in ("From", "To"):
                h = m[name]
                out[name] = [x for a in h.addresses for x in (a.display_name, a.addr_spec)]
                out[name + "-defects"] = [type(d).__name__ for d in h.defects]
            out["Subject"] = [str(m["Subject"])]
            print(json.dumps(out))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(message.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python could not parse:\n\(message)")
        return try JSONDecoder().decode([String: [String]].self, from: data)
    }

    @Test func aNonASCIIDisplayNameIsEncodedAndTheAddressIsNot() throws {
        let m = MailMessage.render(reminder(subject: "s"), from: "Jürgen Müller <jm@example.org>", to: ["Dana <dana@example.org>"], date: "d")
        #expect(m.contains("From: =?UTF-8?B?"))
        #expect(m.contains(" <jm@example.org>\n"))
        let h = try parse(m)
        #expect(h["From"] == ["Jürgen Müller", "jm@example.org"])
        #expect(h["To"] == ["Dana", "dana@example.org"])
        #expect(h["defects"] == [] && h["From-defects"] == [] && h["To-defects"] == [])
    }

    @Test func aDisplayNameWithSpecialsIsQuotedNotSplit() throws {
        let m = MailMessage.render(reminder(subject: "s"), from: #"Sales, kept "the tool" <kept@example.org>"#,
                                   to: ["a@example.org", "O'Brien, Pat <pat@example.org>"], date: "d")
        let h = try parse(m)
        #expect(h["From"] == [#"Sales, kept "the tool""#, "kept@example.org"])
        #expect(h["To"] == ["", "a@example.org", "O'Brien, Pat", "pat@example.org"])
        #expect(h["From-defects"] == [] && h["To-defects"] == [])
    }

    @Test func longSubjectsFoldWithin78AndReadBackWhole() throws {
        let subjects = [
            "Due now: 1.14 Send the corrected invoice with the discount we agreed on the phone yesterday (Acme Corporation International)",
            "Überfällig (2 Tage): 1.14 Die korrigierte Rechnung senden, mit dem Rabatt, den wir am Telefon vereinbart haben (Müller & Söhne)",
            "Due now: 1.3 " + String(repeating: "x", count: 120) + " (Acme)",
            "=?UTF-8?B?Zm9v?= is not an encoded word here — 東京の顧客へ 🙂 (Ünïcode)",
        ]
        for subject in subjects {
            let m = MailMessage.render(reminder(subject: subject), from: "kept <k@example.org>", to: ["me@example.org"], date: "d")
            let head = m.components(separatedBy: "\n\n")[0]
            for line in head.split(separator: "\n") where !line.contains("xxxxxxxx") {
                #expect(line.count <= 78, "\(line)")
            }
            let h = try parse(m)
            #expect(h["Subject"] == [subject], "\(head)")
            #expect(h["defects"] == [])
        }
    }
}
