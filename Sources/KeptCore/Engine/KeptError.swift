/// Why kept will not do what was asked, in the domain's own words.
///
/// The Engine says what is wrong with a request ("the due date is in the past") and, when one
/// parameter is to blame, which (`field`, the parameter's name). Each door translates: the control
/// socket into a JSON-RPC error code, the CLI into its flags and exit codes, a mail reply into the
/// confirmation's words.
public struct KeptError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request does not make sense as given (a bad date, a missing text, a range).
        case invalid
        /// No such incident, item or occurrence.
        case notFound
        /// Understood, and kept will not do it (already done, apologize once, closed …).
        case refused
        /// The change could not be made durable; nothing changed.
        case storage
        /// The request could not be carried out for a reason inside kept.
        case `internal`
    }

    public var kind: Kind
    public var message: String
    /// The parameter the message is about, by its name in the request (`due`, `item`, `window` …).
    public var field: String?
    /// The parameter that, given, would let it through (`allowPast`): each door says it its way.
    public var remedy: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil, remedy: String? = nil) {
        self.kind = kind; self.message = message; self.field = field; self.remedy = remedy
    }

    public static func invalid(_ field: String?, _ message: String) -> KeptError { KeptError(.invalid, message, field: field) }
    public static func notFound(_ message: String) -> KeptError { KeptError(.notFound, message) }
    public static func refused(_ message: String) -> KeptError { KeptError(.refused, message) }

    public var description: String { message }
}
