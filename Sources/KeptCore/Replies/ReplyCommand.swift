/// What a reply asks for, read from its verb line: `done [NOTE]`, `snooze DURATION|WHEN`,
/// `release REASON`, `note TEXT`. The verb's case and a trailing `.`, `!` or `:` do not matter
/// (phones capitalise the first word), nor a full stop after a snooze's time (`Snooze 2d.`);
/// anything else is not a command.
public enum ReplyCommand: Sendable, Equatable, Codable {
    case done(note: String?)
    case snooze(String)
    case release(String)
    case note(String)

    public init?(line: String) {
        let t = ReplyText.normalized(line).trimmingWhitespace()
        let verb = t.prefix { !$0.isWhitespace }
        let rest = t.dropFirst(verb.count).trimmingWhitespace()
        // `Done.`, `done!`, `Snooze:`: the verb is the word; the rest keeps its own punctuation.
        var word = verb.lowercased()
        while let last = word.last, ".!:,".contains(last) { word.removeLast() }
        switch word {
        case "done": self = .done(note: rest.isEmpty ? nil : rest)
        case "snooze" where !rest.isEmpty:
            // `Snooze 2d.` as a phone finishes a sentence: a duration or a day never ends so.
            var when = rest
            while let last = when.last, ".!,;".contains(last) { when.removeLast() }
            guard !when.isEmpty else { return nil }
            self = .snooze(when.trimmingWhitespace())
        case "release" where !rest.isEmpty: self = .release(rest)
        case "note" where !rest.isEmpty: self = .note(rest)
        default: return nil
        }
    }

    public var verb: String {
        switch self {
        case .done: "done"
        case .snooze: "snooze"
        case .release: "release"
        case .note: "note"
        }
    }

    public var argument: String? {
        switch self {
        case .done(let note): note
        case .snooze(let s), .release(let s), .note(let s): s
        }
    }
}
