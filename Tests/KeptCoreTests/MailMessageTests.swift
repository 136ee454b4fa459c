import Foundation
import Testing
@testable import KeptCore

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
