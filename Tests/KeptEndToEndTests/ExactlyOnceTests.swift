import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// 200 reminders falling due over two minutes while keptd is stopped and started 100 times at
/// random: each reaches the Maildir once and the SMTP server once.
@Suite(.enabled(if: SMTPSink.available)) struct ExactlyOnceTests {
    @Test func twoHundredRemindersAcrossAHundredRestartsArriveOncePerChannel() throws {
        let seed = SeededRandom.seed()
        var rng = SeededRandom(seed: seed)
        let h = Harness()
        let smtp = try SMTPSink(root: h.root)
        try smtp.start()
        defer { smtp.stop() }
        try h.writeConfig(EmailTests.config(sendmail: ["/usr/bin/msmtp", "-C", smtp.msmtprc]))
        try h.start()
        #expect(h.kept("open", "Acme", "Exactly once", "--no-playbook").code == 0)
        let client = try LineClient(socket: h.socket)
        for n in 1...200 {
            // One every 0.6 s, from 5 s to two minutes from now.
            let due = Date().addingTimeInterval(5 + Double(n) * 0.6)
            let reply = client.call(ReliabilityTests.promiseRequest(id: n, text: "Reminder \(n)", due: Self.iso(due)))
            #expect(reply?.contains("\"result\"") == true, "\(reply ?? "no reply")")
        }

        var restarts = 0
        for _ in 1...100 {
            usleep(UInt32(200_000 + rng.next(upperBound: 800_000 as UInt64)))
            h.stop()
            usleep(UInt32(rng.next(upperBound: 300_000 as UInt64)))
            try h.start()
            restarts += 1
        }
        defer { h.stop() }

        let expected = Set((1...200).map { "1.\($0)#1/due" })
        _ = try h.waitForMails(200, seconds: 120)
        _ = try smtp.waitForReceived(200, seconds: 120)
        // Let anything still in flight land, so a late duplicate would be seen.
        _ = Harness.eventually(seconds: 30) {
            ((try? h.keptJSON("status") as? [String: Any])?["pending"] as? [Any])?.isEmpty == true
        }
        let maildirKeys = try h.mails().compactMap { $0.header("X-Kept-Key") }
        let emailKeys = try smtp.received().compactMap { $0.header("X-Kept-Key").first }
        func tally(_ keys: [String]) -> (delivered: Int, duplicates: Int) {
            let counts = Dictionary(keys.map { ($0, 1) }, uniquingKeysWith: +)
            return (expected.count { counts[$0] != nil }, counts.values.reduce(0) { $0 + max(0, $1 - 1) })
        }
        let maildir = tally(maildirKeys), email = tally(emailKeys)
        #expect(maildir.delivered == 200 && maildir.duplicates == 0)
        #expect(email.delivered == 200 && email.duplicates == 0)
        #expect(Set(maildirKeys).subtracting(expected).isEmpty, "unexpected reminders")
        figure("exactly once: 200 reminders due over 2 minutes, keptd stopped and started \(restarts) times; "
            + "Maildir \(maildir.delivered)/200 delivered, \(maildir.duplicates) duplicates; "
            + "email (msmtp → SMTP) \(email.delivered)/200 delivered, \(email.duplicates) duplicates (seed \(seed))")
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
