import Foundation
import Testing

/// `kept report` through the real binaries, and its page and the digest's HTML drawn by a real
/// browser (headless Chromium) and counted from the picture.
@Suite(.serialized) struct ReportEndToEndTests {
    static let statuses = ["kept", "late", "missed", "released", "overdue", "upcoming"]
    /// The cells' fills, as the core draws them (`OccurrenceStatus.colour`).
    static let colours = ["kept": "#1a7f37", "late": "#b35900", "missed": "#c11f2c", "released": "#6e40c9",
                          "overdue": "#f0883e", "upcoming": "#d8dee4"]

    /// Two incidents with a history: kept, late, missed, released, overdue and upcoming dues, and
    /// one whose title and client are hostile.
    static func history(_ h: Harness) throws {
        func ago(_ days: Int) -> String { h.localDay(-days) }
        func run(_ args: String...) throws {
            let r = h.run(Harness.binaries + "/kept", args)
            guard r.code == 0 else { throw HarnessError("kept \(args) failed (\(r.code)): \(r.stderr)") }
        }
        try run("open", "Acme Corp", "Invoice sent with the wrong amounts", "--noticed", ago(30))
        try run("promise", "1", "Weekly status mail to Dana", "--every", "1w", "--from", ago(27) + "T10:00", "--allow-past")
        try run("done", "1.1", "--at", ago(30) + "T15:00")
        try run("done", "1.2", "--at", ago(27) + "T10:00")           // understand-impact, due the 2nd day: late
        try run("done", "1.14#1", "--at", ago(27) + "T09:00")
        try run("done", "1.14#2", "--at", ago(20) + "T09:00")
        try run("release", "1.14#4", "--reason", "Dana asked to skip a week")
        let hostile = "\u{202E}<script>alert(1)</script> \"&'<> " + String(repeating: "long ", count: 80) + "שלום עולם"
        try run("open", "<b>Evil</b> & Co", hostile, "--noticed", ago(3))
    }

    static func counts(_ json: Any) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: statuses.map { ($0, 0) })
        for record in (json as? [String: Any])?["records"] as? [[String: Any]] ?? [] {
            for week in record["weeks"] as? [[String: Any]] ?? [] {
                for cell in week["cells"] as? [[String: Any]] ?? [] { counts[cell["status"] as? String ?? "", default: 0] += 1 }
            }
        }
        return counts
    }

    /// The cells of each status in a picture of `html` at `width` pixels.
    static func picture(_ h: Harness, _ html: String, width: Int) throws -> (counts: [String: Int], width: Int) {
        let page = h.root + "/page-\(UUID().uuidString.prefix(6)).html", png = page + "-\(width).png"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let script = Harness.packageRoot + "/Tests/python/count_cells.py"
        let r = Harness.execute("/usr/bin/env", [Harness.python, script, page, String(width), png] + statuses.map { colours[$0]! })
        guard r.code == 0 else { throw HarnessError("count_cells.py failed: \(r.stderr)") }
        let out = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let byColour = try #require(out["counts"] as? [String: Int])
        return (Dictionary(uniqueKeysWithValues: statuses.map { ($0, byColour[colours[$0]!] ?? -1) }), out["width"] as? Int ?? 0)
    }

    @Test func theReportDrawsEveryDueAsTheLedgerCountsIt() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        try Self.history(h)

        let json = try h.keptJSON("report")
        let counts = Self.counts(json)
        for status in Self.statuses where status != "released" { #expect(counts[status, default: 0] > 0, "no \(status) cell in the history") }
        #expect(counts["released"] == 1)

        // The text: Unicode in a UTF-8 locale, ASCII otherwise; the legend names every symbol.
        func report(locale: String, _ args: String...) -> Harness.Result {
            var env = h.env
            env["LANG"] = locale
            env.removeValue(forKey: "LC_ALL"); env.removeValue(forKey: "LC_CTYPE")
            return Harness.execute(Harness.binaries + "/kept", ["report"] + args, environment: env)
        }
        let text = report(locale: "C.UTF-8", "1")
        #expect(text.code == 0)
        #expect(text.stdout.contains("✓ kept  ◐ late  ✗ missed  ⊘ released  ! overdue  ○ upcoming"))
        #expect(text.stdout.contains("#1 Acme Corp: Invoice sent with the wrong amounts"))
        #expect(text.stdout.contains("Budget:"))
        #expect(!text.stdout.contains("\u{1B}["), "no colour into a pipe")
        let ascii = report(locale: "C")
        #expect(ascii.code == 0)
        #expect(ascii.stdout.contains("+ kept  ~ late  x missed  / released  ! overdue  . upcoming"))
        let drawn = ascii.stdout.split(separator: "\n").filter { !$0.contains("Evil") }
        #expect(drawn.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII } })
        #expect(report(locale: "C.UTF-8", "--ascii").stdout == ascii.stdout)

        // Bad input: one line, exit 1 or 64, nothing printed to stdout.
        let unknown = h.kept("report", "9")
        #expect(unknown.code == 1 && unknown.stderr == "kept: no incident 9\n" && unknown.stdout.isEmpty)
        #expect(h.kept("report", "--format", "pdf").code == 64)
    }

    @Test func thePageIsSelfContainedAndItsPictureCountsTheLedger() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        try Self.history(h)
        let expected = Self.counts(try h.keptJSON("report"))

        let page = h.kept("report", "--format", "html")
        #expect(page.code == 0)
        let html = page.stdout
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for banned in ["<script", "http://", "https://", "src=", "url(", "@import", "<link"] {
            #expect(!html.lowercased().contains(banned), "the page holds \(banned)")
        }
        #expect(html.contains("<svg"))
        // The hostile title and client are text, never markup.
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;&lt;&gt;"))
        #expect(html.contains("&lt;b&gt;Evil&lt;/b&gt; &amp; Co"))
        #expect(!html.contains("<b>Evil"))

        // Drawn at a desk and on a phone: every due is a cell of its colour (and one in the legend).
        for width in [1280, 390] {
            let seen = try Self.picture(h, html, width: width)
            for status in Self.statuses {
                #expect(seen.counts[status] == expected[status, default: 0] + 1, "\(status) cells at \(width) px")
            }
        }
    }
}
