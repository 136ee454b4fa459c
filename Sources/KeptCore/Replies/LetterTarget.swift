/// What a letter's logging address names: an incident (a touchpoint, as `kept checkin`), or one
/// of its letter items — the apology, the plan, a check-in, a promise — whose open occurrence
/// the letter does.
public enum LetterTarget: Hashable, Sendable, CustomStringConvertible {
    case incident(Int)
    case item(ItemID)

    public var incident: Int {
        switch self {
        case .incident(let id): id
        case .item(let item): item.incident
        }
    }

    /// What the token is made of: `incident/3`, `item/3.2`.
    public var description: String {
        switch self {
        case .incident(let id): "incident/\(id)"
        case .item(let item): "item/\(item)"
        }
    }

    /// Whether `item` is a letter the client reads: the apology, the plan, a check-in's report,
    /// or a promise (kept by a mail more often than not).
    public static func isLetter(_ item: Item) -> Bool {
        switch item.kind {
        case .promise, .checkin: true
        case .step: item.step == .acknowledge || item.step == .sharePlan
        }
    }
}
