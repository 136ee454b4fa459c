/// How each status is drawn, in every rendering of the record: a symbol (with an ASCII one for
/// terminals that are not UTF-8), a colour and a word — never the colour alone.
extension OccurrenceStatus {
    /// The order of the legend.
    public static let legendOrder: [OccurrenceStatus] = [.kept, .late, .missed, .released, .overdue, .upcoming]

    public var symbol: String {
        switch self {
        case .kept: "✓"
        case .late: "◐"
        case .missed: "✗"
        case .released: "⊘"
        case .overdue: "!"
        case .upcoming: "○"
        }
    }

    public var asciiSymbol: String {
        switch self {
        case .kept: "+"
        case .late: "~"
        case .missed: "x"
        case .released: "/"
        case .overdue: "!"
        case .upcoming: "."
        }
    }

    /// The cell's fill. Nothing else on a page or in a mail uses these exact colours, so that a
    /// picture of either can be counted.
    public var colour: String {
        switch self {
        case .kept: "#1a7f37"
        case .late: "#b35900"
        case .missed: "#c11f2c"
        case .released: "#6e40c9"
        case .overdue: "#f0883e"
        case .upcoming: "#d8dee4"
        }
    }

    /// The symbol's colour on that fill (contrast 4.5:1 or more).
    public var ink: String { self == .upcoming || self == .overdue ? "#1f2328" : "#ffffff" }

    /// The terminal's colour for it (SGR parameters).
    public var ansi: String {
        switch self {
        case .kept: "32"
        case .late: "33"
        case .missed: "1;31"
        case .released: "35"
        case .overdue: "1;33"
        case .upcoming: "2"
        }
    }

    public var label: String { self == .upcoming ? "upcoming" : rawValue }
}

/// The record's sentences, the same in the text, the mail and the page.
extension View.Record {
    /// `12 due, 10 kept, 1 late, 1 missed, 0 released; follow-through 83%`
    public var ledgerLine: String { ReminderComposer.describe(incident.ledger) }

    /// `12 letters sent, at least one every week`, `5 letters sent, in 4 of 7 weeks`; nil: none.
    public var lettersLine: String? {
        guard let l = letters else { return nil }
        let sent = Engine.plural(l.sent, "letter") + " sent"
        if l.of <= 1 { return sent }
        return l.weeks >= l.of ? sent + (l.sent == l.of ? ", one every week" : ", at least one every week") : sent + ", in \(l.weeks) of \(l.of) weeks"
    }

    /// `open · major · day 23 of 90 · 67 days left`, or the outcome of a closed incident.
    public var statusLine: String {
        let i = incident
        if let outcome = i.outcome {
            return "closed on \(today): \(outcome.rawValue) · \(i.severity.rawValue) · \(i.windowDays)-day window"
        }
        return "open · \(i.severity.rawValue) · day \(i.day) of \(i.windowDays) · \(Engine.plural(daysLeft, "day")) left"
    }

    /// How many more may slip: the budget in one sentence; for a closed incident, how it ended.
    public func budgetLine(warningRate rate: Double) -> String {
        let target = View.Record.percent(rate)
        guard let b = budget else {
            let r = incident.ledger.rate.map(View.Record.percent) ?? "not judged"
            return "The window ended at \(r) follow-through (warning below \(target))."
        }
        let keepable = b.remaining - b.pastGrace
        var line: String
        if b.remaining == 0 {
            let r = incident.ledger.rate.map(View.Record.percent) ?? "no rate"
            line = "Nothing is left to fall due; the window ends at \(r)."
        } else if b.slack < 0 {
            line = "Budget: none — even if every one from here is kept, the window ends at \(b.bestRate.map(View.Record.percent) ?? "—"), below \(target)."
        } else if b.slack == 0 {
            line = "Budget: none — every one from here must be kept to end the window at or above \(target)."
        } else if b.slack >= keepable {
            line = "Budget: the window ends at or above \(target) even if all \(Engine.plural(b.remaining, "due")) left slip."
        } else {
            line = "Budget: \(b.slack) of the \(Engine.plural(b.remaining, "due")) left may slip (late or missed) and the window still ends at or above \(target)."
        }
        if b.pastGrace > 0 {
            line += " \(b.pastGrace) overdue can no longer be on time."
        }
        return line
    }

    /// `83%`
    public static func percent(_ rate: Double) -> String { "\(Int((rate * 100).rounded()))%" }

    /// `Nov 8`
    public static func shortDate(_ d: LocalDate) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(months[d.month - 1]) \(d.day)"
    }
}
