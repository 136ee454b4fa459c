/// A WHEN in a request: text a person wrote, read by the Engine in the request's zone and at its
/// moment (`friday 17:00`, `+3d`, `2026-12-05` — what the socket carries), or an exact due that a
/// door already knows (a phone's completion time, a snooze moved on a calendar), handed to the
/// Engine as it is, never written out and parsed back.
///
/// On the wire it is a string either way; it is read back as text.
public enum When: Sendable, Equatable, Codable, CustomStringConvertible, ExpressibleByStringInterpolation {
    case text(String)
    case exact(Due)

    public init(stringLiteral text: String) { self = .text(text) }

    /// The time as a person reads it in messages (`friday`, `2026-12-05T14:00:00Z`).
    public var description: String {
        switch self {
        case .text(let text): text
        case .exact(let due): due.description
        }
    }

    public init(from decoder: any Decoder) throws {
        self = .text(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
