import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The record at a glance, worked out from a known history over an injected clock.
@Suite struct RecordTests {
    /// Four weeks from Monday 2 November 2026 (UTC), seven promises:
    /// week 1: kept (3rd), late (4th, done the 6th); week 2: missed (10th), released (12th);
    /// week 3: due this morning and not yet done (18th 08:00), upcoming (20th); week 4: upcoming (26th).
    static let now = at("2026-11-18 12:00", utc)

    static func history(config: Config = Config()) throws -> Engine {
        var e = engine(utc, config: config)
        let t0 = at("2026-11-02 09:00", utc)
        _ = try e.perform(Methods.IncidentOpen.self,
                          Params.Open(client: "Acme", title: "Wrong invoice", noticed: "2026-11-02T09:00:00Z", window: 28, playbook: false),
                          now: t0)
        for due in ["2026-11-03T10:00:00Z", "2026-11-04T10:00:00Z", "2026-11-10T10:00:00Z", "2026-11-12T10:00:00Z",
                    "2026-11-18T08:00:00Z", "2026-11-20T10:00:00Z", "2026-11-26T10:00:00Z"] {
            _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "promise due \(due)", due: .text(due)), now: t0 + 60)
        }
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.1"), now: at("2026-11-03 09:30", utc))
        _ = try e.perform(Methods.ItemDone.self, Params.Done(item: "1.2"), now: at("2026-11-06 09:30", utc))
        _ = try e.perform(Methods.ItemRelease.self, Params.Release(item: "1.4", reason: "agreed to drop it"), now: at("2026-11-11 09:00", utc))
        return e
    }

    @Test func eachDueIsACellInItsWeekJudgedByTheLedgersRules() throws {
        let record = try #require(try Self.history().report(incident: 1, now: Self.now).records.first)
        #expect(record.weeks.map(\.number) == [1, 2, 3, 4])
        #expect(record.weeks.map(\.start) == [date("2026-11-02"), date("2026-11-09"), date("2026-11-16"), date("2026-11-23")])
        #expect(record.weeks.map { $0.cells.map(\.status) } == [[.kept, .late], [.missed, .released], [.overdue, .upcoming], [.upcoming]])
        #expect(record.weeks.map { $0.cells.map(\.id) } == [["1.1", "1.2"], ["1.3", "1.4"], ["1.5", "1.6"], ["1.7"]])
        #expect(record.weeks.map(\.current) == [false, false, true, false])
        #expect(record.weeks.flatMap(\.cells).filter(\.today).map(\.id) == ["1.5"])
        #expect(record.today == date("2026-11-18"))
        #expect(record.daysLeft == 12)
        // The counts are the ledger's.
        let ledger = record.incident.ledger
        #expect((ledger.kept, ledger.late, ledger.missed, ledger.released) == (1, 1, 1, 1))
    }

    @Test func theRateToDateRunsWeekByWeekAndStopsAtToday() throws {
        let record = try #require(try Self.history().report(incident: 1, now: Self.now).records.first)
        #expect(record.weeks.map(\.rateToDate) == [0.5, 1.0 / 3, 1.0 / 3, nil])
        #expect(record.weeks.map(\.ledger.kept) == [1, 0, 0, 0])
        #expect(record.weeks[1].ledger.missed == 1 && record.weeks[1].ledger.released == 1)
    }

    @Test func theBudgetSaysEvenKeepingEveryOneEndsBelowTheRate() throws {
        let record = try #require(try Self.history().report(incident: 1, now: Self.now).records.first)
        let budget = try #require(record.budget)
        // 1 kept of 3 judged, 3 ahead (one due this morning, still within its day's grace).
        #expect(budget.remaining == 3 && budget.pastGrace == 0)
        #expect(budget.slack == -1)
        #expect(budget.bestRate == 4.0 / 6)
        #expect(record.budgetLine(warningRate: 0.8) == "Budget: none — even if every one from here is kept, the window ends at 67%, below 80%.")
        // At a warning rate of 50% the same record may still lose one: 3 of 6.
        var config = Config()
        config.warnings.minRate = 0.5
        let lenient = try #require(try Self.history(config: config).report(incident: 1, now: Self.now).records.first)
        #expect(lenient.budget?.slack == 1)
        #expect(lenient.budgetLine(warningRate: 0.5) == "Budget: 1 of the 3 dues left may slip (late or missed) and the window still ends at or above 50%.")
    }

    @Test func anOverdueDuePastItsGraceCanNoLongerBeKept() throws {
        let record = try #require(try Self.history().report(incident: 1, now: at("2026-11-19 00:30", utc)).records.first)
        #expect(record.budget?.pastGrace == 1)
        #expect(record.budget?.bestRate == 3.0 / 6)
        #expect(record.budgetLine(warningRate: 0.8).hasSuffix("1 overdue can no longer be on time."))
    }

    // MARK: The budget at its boundaries

    @Test func theBudgetAtItsBoundaries() {
        // Exactly at the rate: 7 kept of 8, 2 ahead; one more slip ends at 8/10 = 80%.
        #expect(View.Budget.slack(kept: 7, judged: 8, remaining: 2, pastGrace: 0, rate: 0.8) == 1)
        // None left: 7 of 9, 1 ahead: it must be kept (8/10).
        #expect(View.Budget.slack(kept: 7, judged: 9, remaining: 1, pastGrace: 0, rate: 0.8) == 0)
        // One over: 6 of 9, 1 ahead: even kept, 7/10.
        #expect(View.Budget.slack(kept: 6, judged: 9, remaining: 1, pastGrace: 0, rate: 0.8) == -1)
        // A due past its grace counts as slipped already.
        #expect(View.Budget.slack(kept: 7, judged: 8, remaining: 2, pastGrace: 1, rate: 0.8) == 0)
        // Rates whose products are not whole in binary: 0.7 × 10 = 7.000000000000001.
        #expect(View.Budget.slack(kept: 7, judged: 7, remaining: 3, pastGrace: 0, rate: 0.7) == 3)
    }

    @Test func theBudgetIsTheLargestNumberOfSlipsThatStillEndsAtTheRate() {
        for rate in [0.5, 0.7, 0.8, 0.9, 1.0] {
            for judged in 0...8 {
                for kept in 0...judged {
                    for remaining in 0...6 {
                        for pastGrace in 0...remaining {
                            let keepable = remaining - pastGrace, total = judged + remaining
                            guard total > 0 else { continue }
                            func ends(slipping x: Int) -> Bool { Double(kept + keepable - x) / Double(total) >= rate - 1e-12 }
                            let slack = View.Budget.slack(kept: kept, judged: judged, remaining: remaining, pastGrace: pastGrace, rate: rate)
                            if slack < 0 {
                                #expect(!ends(slipping: 0), "\(kept)/\(judged), \(remaining) ahead at \(rate)")
                            } else {
                                #expect(ends(slipping: min(slack, keepable)), "\(kept)/\(judged), \(remaining) ahead at \(rate)")
                                if slack < keepable { #expect(!ends(slipping: slack + 1), "\(kept)/\(judged), \(remaining) ahead at \(rate)") }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Closed, and the text

    @Test func aClosedIncidentsRecordStandsAsItWasWhenItClosed() throws {
        var e = try Self.history()
        _ = try e.perform(Methods.IncidentClose.self, Params.Close(incident: 1, outcome: .recovered, note: "Dana renewed"),
                          now: at("2026-11-14 12:00", utc))
        let record = try #require(try e.report(incident: 1, now: at("2026-12-20 12:00", utc)).records.first)
        #expect(record.budget == nil)
        #expect(record.today == date("2026-11-14"))
        #expect(record.statusLine.hasPrefix("closed on 2026-11-14: recovered"))
        #expect(record.closedNote == "Dana renewed")
        // Closing released what was still open, the overdue one too.
        #expect(record.weeks.map { $0.cells.map(\.status) } == [[.kept, .late], [.released, .released], [.released, .released], [.released]])
        #expect(record.budgetLine(warningRate: 0.8) == "The window ended at 50% follow-through (warning below 80%).")
        // Without an incident, only the open ones.
        #expect(try e.report(incident: nil, now: Self.now).records.isEmpty)
        #expect(throws: KeptError.notFound("no incident 9")) { try e.report(incident: 9, now: Self.now) }
    }

    @Test func theTextDrawsEveryCellWithASymbolAndALegend() throws {
        let report = try Self.history().report(incident: nil, now: Self.now)
        let text = RecordText().draw(report)
        #expect(text.contains("#1 Acme: Wrong invoice"))
        #expect(text.contains("      1  Nov 2   ✓  ◐"))
        #expect(text.contains("   ▸  3  Nov 16 [!] ○"))
        #expect(text.contains("✓ kept  ◐ late  ✗ missed  ⊘ released  ! overdue  ○ upcoming  [ ] due today  ▸ this week"))
        #expect(text.contains("█████░░░┆░░  50%"))
        #expect(text.contains("Ledger: 4 due, 1 kept, 1 late, 1 missed, 1 released; follow-through 33%"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func theASCIITextIsASCIIAndTheColourIsNeverAlone() throws {
        let report = try Self.history().report(incident: nil, now: Self.now)
        let ascii = RecordText(ascii: true).draw(report)
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("      1  Nov 2   +  ~"))
        #expect(ascii.contains("+ kept  ~ late  x missed  / released  ! overdue  . upcoming  [ ] due today  > this week"))
        let coloured = RecordText(colour: true).draw(report)
        #expect(coloured.contains("\u{1B}[32m✓\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[1;31m  33%\u{1B}[0m"))
    }

    @Test func aHostileTitleStaysOnItsLineInTheText() throws {
        var e = engine(utc)
        let title = "\u{202E}evil\u{202C} <script>alert(1)</script> \"&'<>\n second line " + String(repeating: "x", count: 400)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "שלום Acme", title: title), now: Self.now)
        let text = RecordText().draw(try e.report(incident: 1, now: Self.now))
        let heading = try #require(text.split(separator: "\n").first)
        #expect(!heading.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) })
        // The overrides are shown as what they are, so the rest of the line cannot be turned around.
        #expect(heading == "#1 שלום Acme: <U+202E>evil<U+202C> <script>alert(1)</script> \"&'<>")
        #expect(RecordText.clean("\u{1B}[31mred", 20) == "^[[31mred", "an escape shown, none of it acted on")
        let long = RecordText.clean(String(repeating: "y", count: 500), 72)
        #expect(long.count == 73 && long.hasSuffix("…"))
    }
}
