/// The record at a glance: what `kept report`, the weekly digest and the review draw. It is worked
/// out once, here, from the ledger's own rules; the text, the mail's HTML and the page only draw it.
extension View {
    /// The answer to `report`: one record per incident asked for.
    public struct Report: Codable, Sendable, Equatable {
        public var now: Instant
        /// The warning rate the budget and the rate line are drawn against (`warnings.min_rate`).
        public var warningRate: Double
        public var records: [Record]
        /// With `format: html`, the page: one self-contained HTML document.
        public var page: String?

        public init(now: Instant, warningRate: Double, records: [Record], page: String? = nil) {
            self.now = now; self.warningRate = warningRate; self.records = records; self.page = page
        }
    }

    /// One incident's follow-through, week by week over its window.
    public struct Record: Codable, Sendable, Equatable {
        public var incident: IncidentSummary
        /// Today, where the incident is lived (for a closed incident, the day it closed).
        public var today: LocalDate
        /// Whole days from today to the window's end; 0 once it has ended.
        public var daysLeft: Int
        public var weeks: [RecordWeek]
        /// How many more may slip; nil for a closed incident.
        public var budget: Budget?
        public var closedNote: String?
        /// The letters kept saw the user send the client (Bcc'd to a logging address); nil: none.
        public var letters: Letters?
    }

    /// How many letters went out, and in how many of the weeks begun.
    public struct Letters: Codable, Sendable, Equatable {
        public var sent: Int
        public var weeks: Int
        public var of: Int
    }

    /// Seven days of the window, from the day the mistake was noticed.
    public struct RecordWeek: Codable, Sendable, Equatable {
        /// 1 for the first week.
        public var number: Int
        public var start: LocalDate
        /// The week's last day.
        public var end: LocalDate
        /// Every occurrence due in the week, in due order.
        public var cells: [RecordCell]
        /// The week's own count.
        public var ledger: Ledger
        /// The follow-through rate of everything judged from the first week to the end of this
        /// one; nil for weeks still ahead, and while nothing has been judged.
        public var rateToDate: Double?
        /// Today falls in it.
        public var current: Bool
    }

    /// One due occurrence.
    public struct RecordCell: Codable, Sendable, Equatable {
        /// `3.2` or `3.4#2`.
        public var id: String
        public var kind: KeptCore.Item.Kind
        public var text: String
        /// A date or an RFC 3339 time, as the item's occurrences say it.
        public var due: String
        public var status: OccurrenceStatus
        /// Due today.
        public var today: Bool
    }

    /// How many of the dues still ahead may slip — be late or missed — and the window still end at
    /// or above the warning rate.
    public struct Budget: Codable, Sendable, Equatable {
        /// Dues not yet judged (upcoming or overdue).
        public var remaining: Int
        /// Of those, overdue past their grace: they can no longer be kept on time.
        public var pastGrace: Int
        /// How many more may slip; 0: every one from here must be kept; below 0: even then the
        /// window ends below the warning rate.
        public var slack: Int
        /// The rate at the window's end if every one still keepable is kept; nil when nothing will be judged.
        public var bestRate: Double?
    }
}

extension View.Budget {
    /// `slack` for `kept` kept of `judged` judged, `remaining` still to be judged of which
    /// `pastGrace` can no longer be kept, against `rate`: the largest number of further slips that
    /// still ends at or above it.
    public static func slack(kept: Int, judged: Int, remaining: Int, pastGrace: Int, rate: Double) -> Int {
        let best = Double(kept + remaining - pastGrace)
        let needed = rate * Double(judged + remaining)
        // Exact for rates like 0.8 whose products land a hair off a whole number.
        return Int((best - needed + 1e-9).rounded(.down))
    }
}
