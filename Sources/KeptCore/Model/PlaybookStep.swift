/// The steps of recovering a client after a mistake, in the order they are created.
public enum PlaybookStep: String, Codable, Sendable, CaseIterable {
    case acknowledge
    case understandImpact = "understand-impact"
    case rootCause = "root-cause"
    case sharePlan = "share-plan"
    case review

    /// What the step is, as the item's text.
    public var title: String {
        switch self {
        case .acknowledge: "Acknowledge the mistake and apologize — once, without excuses"
        case .understandImpact: "Understand the impact from the client's side"
        case .rootCause: "Re-examine the cause: systemic or judgement"
        case .sharePlan: "Present the corrective action and ask what it would take"
        case .review: "Review the relationship: recovered, stronger, or lost"
        }
    }

    /// The practice behind the step, carried in its reminders.
    public var hint: String {
        switch self {
        case .acknowledge:
            "Move first: reach the client before they have to chase you. Apologize once, clearly, and own it "
                + "fully — no excuses, no \"but\". Say what happened, what you are doing to fix it, what you will "
                + "do so it cannot happen again, and ask what would help them feel confident."
        case .understandImpact:
            "See it from their side: what did it cost them in time, money, embarrassment, or with their own "
                + "customers? Ask, listen, and write it down; the fix has to answer their loss, not yours."
        case .rootCause:
            "Find out why it happened. Systemic (a process gap: fix the process, add a fail-safe) or "
                + "judgement (a call that went wrong: training, a second pair of eyes)? Record which."
        case .sharePlan:
            "Present the corrective action: the specific fix, the prevention, and the dates. Ask what it "
                + "would take to set it right — then make small, specific promises and keep every one."
        case .review:
            "The follow-through window ends. Look back with the client: is the relationship recovered, "
                + "stronger than before, or lost? If it went well, ask for the next piece of trust."
        }
    }
}

public enum PlaybookHint {
    public static let checkin =
        "Touch base even when there is nothing new: report progress on every promise, say what is next, and "
        + "listen. Over-communicate while rebuilding; the cadence tapers as trust returns."
    public static let promise =
        "A promise made while rebuilding trust is worth more than usual, and so is breaking one. Keep it on "
        + "time, or renegotiate it with the client before it is due — never let it slip quietly."
}
