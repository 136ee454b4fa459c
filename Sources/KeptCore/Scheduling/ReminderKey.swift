/// Which reminder: one of an occurrence's (`3.2#1/due`, `3.2#1/overdue2`), a week's digest
/// (`digest/2026-11-23`), or the confirmation of a reply (`reply/3fa9c2…`). The same reminder
/// always has the same key; its text is part of Maildir file names and Message-IDs, so it never
/// changes form.
public enum ReminderKey: Hashable, Sendable, CustomStringConvertible {
    case occurrence(OccurrenceID, Rules.ReminderKind)
    case digest(LocalDate)
    case reply(String)

    public init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let head = String(text[..<slash]), tail = String(text[text.index(after: slash)...])
        if head == "digest" {
            guard let date = LocalDate(iso: tail) else { return nil }
            self = .digest(date)
            return
        }
        if head == "reply" {
            guard !tail.isEmpty, tail.utf8.count <= 64, tail.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            self = .reply(tail)
            return
        }
        guard let ref = try? ItemRef(parsing: head), let index = ref.occurrence, let kind = Rules.ReminderKind(name: tail) else {
            return nil
        }
        self = .occurrence(OccurrenceID(item: ref.item, index: index), kind)
    }

    public var description: String {
        switch self {
        case .occurrence(let occ, let kind): "\(occ)/\(kind)"
        case .digest(let date): "digest/\(date)"
        case .reply(let id): "reply/\(id)"
        }
    }

    /// The occurrence a reminder is about; none for a digest.
    public var occurrence: OccurrenceID? {
        if case .occurrence(let occ, _) = self { occ } else { nil }
    }

    /// `lead`, `due`, `overdue1`, `snooze1` … or `digest`.
    public var kindName: String {
        switch self {
        case .occurrence(_, let kind): kind.description
        case .digest: "digest"
        case .reply: "reply"
        }
    }

    /// The reminder in words, for the timeline: `the due reminder`, `the third overdue nudge`.
    public var spoken: String {
        switch self {
        case .occurrence(_, let kind): kind.spoken
        case .digest: "the weekly digest"
        case .reply: "the answer to a reply"
        }
    }

    /// The key kept's Message-ID `<1.14.1.due.STORE@kept>` was made from, for this store.
    public init?(messageID: String, storeID: String) {
        var id = Substring(messageID.trimmingWhitespace())
        if id.hasPrefix("<") { id = id.dropFirst() }
        if id.hasSuffix(">") { id = id.dropLast() }
        let suffix = "." + storeID + "@kept"
        guard !storeID.isEmpty, id.hasSuffix(suffix) else { return nil }
        let token = id.dropLast(suffix.count)
        if token.hasPrefix("digest."), let date = LocalDate(iso: String(token.dropFirst(7))) {
            self = .digest(date)
            return
        }
        if token.hasPrefix("reply.") {
            self.init(parsing: "reply/" + token.dropFirst(6))
            return
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        self.init(parsing: "\(parts[0]).\(parts[1])#\(parts[2])/\(parts[3])")
    }

    /// The week a digest is for.
    public var digestDate: LocalDate? {
        if case .digest(let date) = self { date } else { nil }
    }
}

extension ReminderKey: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let key = ReminderKey(parsing: text) else { throw TextNotUnderstood("not a reminder key: \(text)") }
        self = key
    }
}

extension Rules.ReminderKind: StringCodable {
    /// `lead`, `due`, `overdue3`, `snooze2`.
    public init?(name: String) {
        switch name {
        case "lead": self = .lead
        case "due": self = .due
        default:
            for (prefix, make) in [("overdue", Self.overdue), ("snooze", Self.snooze)] where name.hasPrefix(prefix) {
                guard let n = Int(name.dropFirst(prefix.count)), n > 0 else { return nil }
                self = make(n)
                return
            }
            return nil
        }
    }

    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let kind = Self(name: text) else { throw TextNotUnderstood("not a reminder kind: \(text)") }
        self = kind
    }
}

extension Rules.ReminderKind {
    /// In words: `the lead reminder`, `the second overdue nudge`, `the reminder after snooze 1`.
    public var spoken: String {
        switch self {
        case .lead: "the lead reminder"
        case .due: "the due reminder"
        case .overdue(let n): "the \(Self.ordinal(n)) overdue nudge"
        case .snooze(let n): n == 1 ? "the reminder after the snooze" : "the reminder after snooze \(n)"
        }
    }

    static func ordinal(_ n: Int) -> String {
        let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
        return n >= 1 && n <= words.count ? words[n - 1] : "\(n)th"
    }
}
