/// Draws the record as HTML. The daemon's painter fills Mustache templates, which escape every
/// text the user typed; the core decides what is drawn and says it in the same words everywhere.
public protocol HTMLPainter: Sendable {
    /// The page `kept report --format html` prints: one self-contained document.
    func page(_ report: View.Report) -> String
    /// The weekly digest's HTML part, for mail clients: tables and inline colours only.
    func digest(_ digest: View.Digest) -> String
    /// The review reminder's HTML part: the incident's record, then the reminder's own text.
    func review(_ record: View.Record, warningRate: Double, text: String) -> String
}

extension View {
    /// The weekly digest, as data: the plain text and the HTML part are drawn from it.
    public struct Digest: Sendable, Equatable {
        /// The Monday (or `digest.weekday`) the week starts.
        public var weekStart: LocalDate
        public var heading: String
        public var warningRate: Double
        /// Every open incident's record.
        public var records: [Record]
        public var lastWeek: [Line]
        public var thisWeek: [Line]
        public var clients: [LedgerReport.Row]
        public var closing: String
        /// The letters kept saw go last week, one line each.
        public var letters: [String] = []

        /// One due in the week.
        public struct Line: Sendable, Equatable {
            public var id: String
            public var text: String
            public var due: String
            public var status: OccurrenceStatus
        }
    }
}

extension View.Digest {
    /// The plain text: complete on its own, the grid in characters.
    public var text: String {
        let draw = RecordText()
        var body = heading + "\n\nOpen incidents\n"
        for r in records {
            let i = r.incident
            body += "  #\(i.id) \(i.client): \(ReminderComposer.clip(i.title, 60)) — day \(i.day) of \(i.windowDays)\n"
            body += "      \(r.ledgerLine)\n"
            if let letters = r.lettersLine { body += "      \(letters)\n" }
            body += "      \(r.budgetLine(warningRate: warningRate))\n\n"
            for line in draw.grid(r, warningRate: warningRate) { body += "      " + line + "\n" }
            body += "\n"
        }
        if !records.isEmpty { body += "  " + draw.legend() + "\n" }
        func lines(_ list: [Line], none: String) -> String {
            if list.isEmpty { return "  \(none)\n" }
            return list.map {
                "  \($0.id.padding(8)) \(ReminderComposer.clip($0.text, 44).padding(46)) \($0.due.padding(31)) \($0.status.rawValue)\n"
            }.joined()
        }
        body += "\nLast week\n" + lines(lastWeek, none: "nothing fell due")
        if !letters.isEmpty {
            body += "\nLetters you sent last week (\(letters.count))\n" + letters.map { "  \($0)\n" }.joined()
        }
        body += "\nThis week\n" + lines(thisWeek, none: "nothing falls due")
        body += "\nLedger by client\n"
        for c in clients { body += "  \(c.client): \(ReminderComposer.describe(c.ledger))\n" }
        return body + "\n" + closing + "\n"
    }
}
