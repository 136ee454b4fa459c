/// Everything a draft may say, worked out once from the store: the built-in drafts write from
/// these, and so do the user's own templates. Dates are written as people read them (`Tuesday 1
/// December`, `… at 15:00`), in the zone the incident is lived in; the user's words are as typed.
public struct DraftFacts: Sendable, Equatable {
    /// The four drafts, by the template file each can be replaced with (`apology.mustache`, …).
    public enum Kind: String, Sendable, CaseIterable {
        case apology, plan, progress, review

        /// The name answers and reminders give it.
        public var label: String { self == .progress ? "progress-report" : rawValue }
    }

    /// A promise still open: what, and by when.
    public struct Promised: Sendable, Equatable {
        public var text: String
        /// The next due: `Monday 7 December`.
        public var due: String
        /// When, as a client reads a promise: `by Monday 7 December`, or for one that recurs
        /// `every Monday, from Monday 7 December until Sunday 28 February`.
        public var when: String

        public init(text: String, due: String, when: String? = nil) {
            self.text = text
            self.due = due
            self.when = when ?? "by " + due
        }
    }

    /// A promise kept since the last update: what, and the day it was done.
    public struct Done: Sendable, Equatable {
        public var text: String
        public var done: String
    }

    public var kind: Kind
    public var subject: String
    public var client: String
    /// The person at the client, as the user named them; nil when no contact was given.
    public var contact: String?
    /// Whom the letter greets: the contact's first name, else the client.
    public var dear: String
    public var title: String
    /// The incident's description, as the user wrote it.
    public var note: String?
    public var incident: Int
    public var noticed: String
    public var windowEnd: String
    public var day: Int
    public var windowDays: Int
    /// Open promises, soonest first (for the apology and the plan, at most ten).
    public var openPromises: [Promised]
    /// For the progress report: the last update's day (or the mistake's, before the first update),
    /// what was kept since, what is due in the next two weeks, and the week since the mistake.
    public var since: String?
    public var firstUpdate: Bool
    public var doneSince: [Done]
    public var coming: [Promised]
    public var week: Int
    /// For the plan: what kind of cause the root-cause step found.
    public var cause: Cause?
    /// For the review: days since the mistake, the whole ledger, and the ledger of the promises
    /// alone — what the client was promised by name and saw kept or not.
    public var days: Int
    public var ledger: View.Ledger
    public var promises: View.Ledger
    /// How the letter is signed: `letters.signature`, else the owner's name; a placeholder when
    /// neither is configured.
    public var signature: String = "[your name]"
    /// For the review: the letters kept saw go to the client, and the weeks they fell in.
    public var letters: View.Letters?

    /// The promises' record as one sentence for the client; nil while none has been judged.
    public var record: String? {
        let p = promises, judged = p.kept + p.late + p.missed
        switch judged {
        case 0: return nil
        case 1:
            return p.kept == 1 ? "In that time I made you one commitment, and I kept it on time."
                : p.late == 1 ? "In that time I made you one commitment; I kept it, but late."
                : "In that time I made you one commitment, and I did not keep it."
        default:
            var s = "In that time I made you \(judged) commitments and kept "
            s += p.kept == judged ? "every one of them on time" : "\(p.kept) of them on time"
            if p.late > 0 { s += ", \(p.late) more late" }
            if p.missed > 0 { s += "; I missed \(p.missed)" }
            return s + "."
        }
    }
}

extension DraftFacts {
    /// The letters as one sentence for the client, in the review; nil for fewer than two.
    public var lettersSentence: String? {
        guard let l = letters, l.sent >= 2, l.of >= 2 else { return nil }
        if l.weeks >= l.of { return "I have written to you every week since then: \(l.sent) letters in \(l.of) weeks." }
        return "I have written to you \(l.sent) times since then, in \(l.weeks) of the \(l.of) weeks."
    }
}

/// Writes a draft from its facts in the user's own words, or leaves it to kept's built-in one.
public protocol DraftWriter: Sendable {
    /// The draft's subject and text, or nil for the built-in draft of this kind.
    func write(_ facts: DraftFacts) -> (subject: String, text: String)?
}
