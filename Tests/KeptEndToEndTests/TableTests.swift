import Testing
@testable import KeptClient

@Suite struct TableTests {
    @Test func columnsArePaddedToTheWidestCellAndTheLastIsNot() {
        var t = Table("ITEM", "DUE", "WHAT")
        t.add("1.1", "2026-11-23 10:30", "Apologize")
        t.add("12.14", "2026-12-01", "Send the corrected invoice")
        #expect(t.render() == """
            ITEM   DUE               WHAT
            1.1    2026-11-23 10:30  Apologize
            12.14  2026-12-01        Send the corrected invoice
            """)
    }

    @Test func cellsStayOnOneLineAndWithinTheirWidth() {
        var t = Table("A", "B")
        t.add("Zoë's\nline\tand more", "x")
        t.add(String(repeating: "é", count: 60), "y")
        let lines = t.render(maxWidth: 20).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1] == "Zoë's line and more   x")
        #expect(lines[2] == String(repeating: "é", count: 19) + "…  y")
    }
}
