/// The record drawn in characters: for `kept report`, and for the plain text of the digest and the
/// review. Unicode symbols by default; `ascii` for a terminal or a pipe that is not UTF-8, where
/// every character drawn is ASCII. Colour only when asked (a terminal), and never alone.
public struct RecordText: Sendable {
    public var ascii: Bool
    public var colour: Bool
    /// Cells on one line of a week's row before it wraps.
    public var cellsPerLine = 16

    public init(ascii: Bool = false, colour: Bool = false) { self.ascii = ascii; self.colour = colour }

    public func draw(_ report: View.Report) -> String {
        guard !report.records.isEmpty else { return "No open incidents: nothing to report.\n" }
        return report.records.map { draw($0, warningRate: report.warningRate) }.joined(separator: "\n")
    }

    /// The whole record: heading, grid, legend, ledger and budget.
    public func draw(_ record: View.Record, warningRate: Double) -> String {
        let i = record.incident
        var out = "#\(i.id) \(Self.clean(i.client, 60, ascii: ascii)): \(Self.clean(i.title, 72, ascii: ascii))\n"
        out += "   \(ascii ? record.statusLine.replacing("·", with: "-") : record.statusLine)\n\n"
        for line in grid(record, warningRate: warningRate) { out += "   " + line + "\n" }
        out += "\n   " + legend() + "\n\n"
        out += "   Ledger: " + record.ledgerLine + "\n"
        if let letters = record.lettersLine { out += "   Letters: " + letters + "\n" }
        out += "   " + Self.plain(record.budgetLine(warningRate: warningRate), ascii: ascii) + "\n"
        if let note = record.closedNote { out += "   Note: " + Self.clean(note, 200, ascii: ascii) + "\n" }
        return out
    }

    /// The grid alone, a line per week (and more for a crowded week), with the rate to date.
    public func grid(_ record: View.Record, warningRate: Double) -> [String] {
        let width = 2 * cellsPerLine + 2
        var lines = ["week  from    " + "dues".padding(width) + "to date (\(ascii ? "|" : "┆") = \(View.Record.percent(warningRate)))"]
        for week in record.weeks {
            let marker = week.current ? (ascii ? ">" : "▸") : " "
            let rows = stride(from: 0, to: max(1, week.cells.count), by: cellsPerLine).map {
                Array(week.cells[$0..<min(week.cells.count, $0 + cellsPerLine)])
            }
            for (n, row) in rows.enumerated() {
                var cells = "", visible = 0
                for cell in row {
                    let s = symbol(cell.status)
                    cells += cell.today ? "[\(s)]" : " \(s) "
                    visible += 3
                }
                cells += String(repeating: " ", count: max(0, width + 1 - visible))
                if n == 0 {
                    let head = "\(marker)\(String(week.number).leftPadded(3, with: " "))  \(View.Record.shortDate(week.start).padding(6))"
                    lines.append(head + " " + cells + bar(week.rateToDate, warningRate))
                } else {
                    lines.append(String(repeating: " ", count: 12) + " " + cells)
                }
            }
        }
        return lines.map { $0.trimmingTrailingSpaces() }
    }

    public func legend() -> String {
        var parts = OccurrenceStatus.legendOrder.map { symbol($0) + " " + $0.label }
        parts.append("[ ] due today")
        parts.append((ascii ? ">" : "▸") + " this week")
        return parts.joined(separator: "  ")
    }

    func symbol(_ status: OccurrenceStatus) -> String {
        let s = ascii ? status.asciiSymbol : status.symbol
        return colour ? "\u{1B}[\(status.ansi)m\(s)\u{1B}[0m" : s
    }

    /// `████████┆█░  90%`: ten steps, the warning rate marked where it falls.
    func bar(_ rate: Double?, _ warningRate: Double) -> String {
        guard let rate else { return "" }
        let filled = Int((rate * 10).rounded()), mark = Int((warningRate * 10).rounded())
        var s = ""
        for step in 0..<10 {
            if step == mark { s += ascii ? "|" : "┆" }
            s += step < filled ? (ascii ? "#" : "█") : (ascii ? "." : "░")
        }
        if mark >= 10 { s += ascii ? "|" : "┆" }
        let percent = View.Record.percent(rate).leftPadded(5, with: " ")
        let below = rate + 1e-9 < warningRate
        return s + (colour && below ? "\u{1B}[1;31m\(percent)\u{1B}[0m" : percent)
    }

    /// A text the user typed, made safe for one line of a terminal: controls and direction
    /// overrides (which would reorder what follows) shown as what they are (`^[`, `<U+202E>`),
    /// the first line only, at most `limit` characters.
    public static func clean(_ text: String, _ limit: Int, ascii: Bool = false) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" { break }
            let shown = scalar == "\t" ? " " : TerminalText.isHidden(scalar) ? TerminalText.escaped(String(scalar)) : String(scalar)
            if count + shown.count > limit { return out + (ascii ? "..." : "…") }
            out += shown
            count += shown.count
        }
        return out
    }

    /// A text the user typed, for a page: whole, with controls made spaces and the direction
    /// overrides removed (a right-to-left text still reads right to left, but cannot turn the rest
    /// of a line around).
    public static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C { continue }
            if v < 0x20 || (0x7F...0x9F).contains(v) { out += " "; continue }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// The record's own sentences with their typography made ASCII where asked.
    static func plain(_ text: String, ascii: Bool) -> String {
        ascii ? text.replacing("—", with: "-").replacing("·", with: "-") : text
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
