import Testing
@testable import KeptClient

/// The dates in these tables are text in a cell, never read as time: nothing here expires.
@Suite struct TableTests {
    @Test func columnsArePaddedToTheWidestCellAndTheLastIsNot() {
        var t = Table("ITEM", "DUE", "WHAT")
        t.add("1.1", "2026-11-23 10:30", "Apologize")
        t.add("12.14", "2026-12-01", "Send the corrected invoice")
        #expect(t.render(width: nil) == """
            ITEM   DUE               WHAT
            1.1    2026-11-23 10:30  Apologize
            12.14  2026-12-01        Send the corrected invoice
            """)
    }

    @Test func cellsStayOnOneLineAndTheWidestGivesWayOnANarrowTerminal() {
        var t = Table("A", "B")
        t.add("Zoë's\nline\tand more", "x")
        t.add(String(repeating: "é", count: 60), "y")
        #expect(t.render(width: nil).split(separator: "\n")[2] == String(repeating: "é", count: 60) + "  y", "whole without a width")
        let lines = t.render(width: 23).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1] == "Zoë's line and more   x")
        #expect(lines[2] == String(repeating: "é", count: 19) + "…  y")
    }

    @Test func wideCharactersTakeTwoColumns() {
        var t = Table("CLIENT", "DUE")
        t.add("東京商事", "2026-12-05")
        t.add("Acme", "2026-12-06")
        t.add("Café 🙂", "2026-12-07")
        let lines = t.render(width: nil).split(separator: "\n").map(String.init)
        #expect(lines[1] == "東京商事  2026-12-05")
        #expect(lines[2] == "Acme      2026-12-06")
        #expect(lines[3] == "Café 🙂   2026-12-07")
        #expect(Terminal.width("東京商事") == 8 && Terminal.width("e\u{301}") == 1)
    }

    @Test func idsDatesAndStatusesAreNeverCut() {
        #expect(Table.fit([4, 16, 40, 60, 8], into: 80) == [4, 16, 22, 22, 8])
        #expect(Table.fit([4, 16, 40, 60, 8], into: 30) == [4, 16, 16, 16, 8], "past the edge rather than a date cut")
        #expect(Table.fit([4, 16, 10], into: 250) == [4, 16, 10])
    }
}
