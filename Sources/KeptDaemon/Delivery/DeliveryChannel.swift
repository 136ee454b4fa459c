import KeptCore

/// A way reminders leave kept: Maildir files, email, a command.
public protocol DeliveryChannel: Sendable {
    var name: String { get }
    /// Delivers the reminder once; throws `DeliveryError` on failure.
    func deliver(_ entry: OutboxEntry) async throws(DeliveryError)
    /// After a crash mid-delivery: whether this channel already has the reminder.
    /// A channel that cannot tell answers false (and may then deliver a duplicate, once).
    func alreadyDelivered(_ entry: OutboxEntry) async -> Bool
}

/// Why a delivery failed, and whether trying again can help.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var permanent: Bool
    public init(_ message: String, permanent: Bool = false) { self.message = message; self.permanent = permanent }
    public var description: String { message }
}
