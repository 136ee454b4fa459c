import Foundation
@testable import KeptCore
@testable import KeptDaemon
import Testing

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The record drawn as HTML: the page, and the HTML part of the digest and the review, whose
/// messages become multipart/alternative (every other reminder stays plain text).
@Suite struct RecordPagesTests {
    let berlin = Zone.named("Europe/Berlin") ?? .utc
    /// Sunday 22 November 2026, 10:30 in Berlin.
    var t0: Instant { berlin.instant(LocalDate(iso: "2026-11-22")!, TimeOfDay(hour: 10, minute: 30)) }
    var monday: Instant { berlin.instant(LocalDate(iso: "2026-11-23")!, TimeOfDay(hour: 9, minute: 0)) }
    static let hostile = "\u{202E}<script>alert(1)</script> \"&'<> " + String(repeating: "w", count: 420) + " שלום"

    func engine(title: String = "Invoice sent with the wrong amounts", client: String = "Acme Corp") throws -> Engine {
        var config = Config()
        config.digest.enabled = true
        var e = Engine(state: StoreState(storeID: "s"), rules: Rules(config: config, zone: berlin), channels: [.maildir])
        e.painter = RecordPages()
        try e.apply(Methods.IncidentOpen.self, Params.Open(client: client, title: title, noticed: "2026-11-20T09:00:00+01:00"), now: t0)
        try e.apply(Methods.ItemDone.self, Params.Done(item: try ItemRef(parsing: "1.1")), now: t0)
        return e
    }

    func messages(_ e: inout Engine, at now: Instant) -> [ReminderKey: String] {
        var out: [ReminderKey: String] = [:]
        let changes = e.dueReminders(at: now)
        for case .enqueue(let entry, _) in changes { out[entry.key] = entry.message }
        e.commit(e.records(for: changes, at: now))
        return out
    }

    /// The parts of a multipart message, by their Content-Type, in order, decoded.
    func parts(_ message: String) throws -> [(type: String, text: String)] {
        let head = try #require(message.range(of: "\n\n")).lowerBound
        let headers = String(message[..<head])
        let boundary = try #require(headers.split(separator: "\"").dropFirst().first.map(String.init))
        #expect(headers.contains("Content-Type: multipart/alternative; boundary=\"\(boundary)\""))
        let pieces = message.components(separatedBy: "\n--\(boundary)")
        #expect(pieces.last == "--\n")
        return try pieces.dropFirst().dropLast().map { piece in
            let split = try #require(piece.range(of: "\n\n"))
            let type = piece[..<split.lowerBound].contains("text/html") ? "text/html" : "text/plain"
            return (type, Self.unQP(String(piece[split.upperBound...])))
        }
    }

    static func unQP(_ text: String) -> String {
        var bytes: [UInt8] = []
        let u = Array(text.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "="), i + 1 < u.count, u[i + 1] == UInt8(ascii: "\n") { i += 2; continue }
            if u[i] == UInt8(ascii: "="), i + 2 < u.count, let b = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(b); i += 3; continue
            }
            bytes.append(u[i]); i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func cells(_ html: String, _ status: OccurrenceStatus) -> Int {
        html.components(separatedBy: "background:\(status.colour)").count - 1
    }

    @Test func theDigestIsItsTextThenHTMLForMailClients() throws {
        var e = try engine()
        let digest = try #require(messages(&e, at: monday)[.digest(LocalDate(iso: "2026-11-23")!)])
        let p = try parts(digest)
        #expect(p.map(\.type) == ["text/plain", "text/html"])
        let (text, html) = (p[0].text, p[1].text)
        // The text is whole: the grid in characters, the sums, the weeks' lists.
        #expect(text.contains("Open incidents\n  #1 Acme Corp: Invoice sent with the wrong amounts — day 4 of 90"))
        #expect(text.contains("week  from    dues"))
        #expect(text.contains("✓ kept  ◐ late  ✗ missed"))
        #expect(text.contains("Last week") && text.contains("This week") && text.contains("Ledger by client"))
        // The HTML says the same numbers, with nothing a mail client drops or fetches.
        let record = try #require(try e.report(incident: 1, now: monday).records.first)
        for line in [record.ledgerLine, record.budgetLine(warningRate: 0.8)] {
            #expect(text.contains(line))
            #expect(html.contains(line.replacing("'", with: "&#39;")))
        }
        for banned in ["<svg", "<script", "<style", "class=", "http://", "https://", "src=", "<img"] {
            #expect(!html.lowercased().contains(banned), "the digest's HTML holds \(banned)")
        }
        // Every due is one cell of its status's colour, and the legend has one of each.
        let all = record.weeks.flatMap(\.cells)
        for status in OccurrenceStatus.legendOrder {
            #expect(Self.cells(html, status) == all.filter { $0.status == status }.count + 1, "\(status) cells")
        }
    }

    /// The letters kept saw go last week are listed in both parts, each line whole, escaped.
    @Test func theDigestListsLastWeeksLettersInBothParts() throws {
        let e = try engine()
        var digest = e.digest(slot: monday, now: monday)
        digest.letters = ["#1 Acme Corp, Fri 20 Nov 16:02: sent to Dana Scully <dana@acme.example>: Weekly update <l1@example.org>",
                          "#1 Acme Corp, Sat 21 Nov 10:00: sent to dana@acme.example: <b>Fixed</b> & done <l2@example.org>"]
        #expect(digest.text.contains("Letters you sent last week (2)\n  #1 Acme Corp, Fri 20 Nov 16:02: sent to Dana Scully"))
        let html = RecordPages().digest(digest)
        #expect(html.contains("Letters you sent last week (2)</h2>"))
        #expect(html.contains("<td style=\"padding:2px 0\">#1 Acme Corp, Fri 20 Nov 16:02: sent to Dana Scully &lt;dana@acme.example&gt;: Weekly update &lt;l1@example.org&gt;</td>"))
        #expect(html.contains("&lt;b&gt;Fixed&lt;/b&gt; &amp; done") && !html.contains("<b>Fixed"))
        digest.letters = []
        #expect(!RecordPages().digest(digest).contains("Letters you sent"), "no heading for a week without letters")
    }

    @Test func theReviewCarriesTheRecordAndOtherRemindersStayPlain() throws {
        var e = try engine()
        let windowEnd = try #require(e.state.incident(1)?.windowEnd)
        var all: [ReminderKey: String] = [:]
        var day = monday
        while day <= windowEnd {
            all.merge(messages(&e, at: day)) { a, _ in a }
            day = day + 86_400
        }
        let review = try #require(all.first { $0.key.description.hasPrefix("1.5#1/") }?.value)
        let p = try parts(review)
        #expect(p.map(\.type) == ["text/plain", "text/html"])
        #expect(p[0].text.contains("The record so far:\n\n#1 Acme Corp"))
        #expect(p[0].text.contains("Mark it done:   kept done 1.5#1"))
        #expect(p[1].text.contains("Mark it done:   kept done 1.5#1"))
        #expect(p[1].text.contains("<h1 style=\"font-size:20px;margin:0 0 4px\">The review of incident #1</h1>"))
        let plain = all.filter { !$0.key.description.hasPrefix("1.5#") && !$0.key.description.hasPrefix("digest/") }
        #expect(!plain.isEmpty)
        for (key, message) in plain {
            #expect(message.contains("Content-Type: text/plain; charset=utf-8\n"), "\(key) is not plain text")
            #expect(!message.contains("multipart"), "\(key)")
        }
    }

    @Test func whatTheUserTypedIsEscapedEverywhere() throws {
        let e = try engine(title: Self.hostile, client: "<b>Evil</b> & Co")
        let report = try e.report(incident: nil, now: monday)
        let pages = RecordPages()
        let record = try #require(report.records.first)
        for html in [pages.page(report), pages.digest(e.digest(slot: monday, now: monday)), pages.review(record, warningRate: 0.8, text: "<i>x</i>")] {
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;&lt;&gt;"))
            #expect(html.contains("&lt;b&gt;Evil&lt;/b&gt; &amp; Co"))
            #expect(!html.contains("<script") && !html.contains("<b>Evil") && !html.contains("<i>x"))
            #expect(html.contains("<bdi>"), "the title is isolated, so a right-to-left one cannot reorder the line")
            #expect(!html.unicodeScalars.contains { $0.value == 0x202E }, "a direction override is dropped")
            #expect(html.contains("שלום"))
        }
    }

    @Test func thePageIsOneDocumentWithNothingToFetch() throws {
        let e = try engine()
        let page = RecordPages().page(try e.report(incident: nil, now: monday))
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        #expect(page.contains("<meta name=\"viewport\""))
        #expect(page.contains("@media print"))
        #expect(page.contains("<polyline points=\""))
        for banned in ["<script", "http://", "https://", "src=", "url(", "@import", "<link"] {
            #expect(!page.lowercased().contains(banned), "the page holds \(banned)")
        }
        let empty = RecordPages().page(View.Report(now: monday, warningRate: 0.8, records: []))
        #expect(empty.contains("No open incidents: nothing to report."))
    }
}
