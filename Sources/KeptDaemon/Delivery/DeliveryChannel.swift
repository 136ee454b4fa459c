import KeptCore

/// A way reminders leave kept: Maildir files, email, a command.
public protocol DeliveryChannel: Sendable {
    var name: ChannelName { get }
    /// Delivers the reminder once; throws `DeliveryError` on failure.
    func deliver(_ entry: OutboxEntry, _ context: DeliveryContext) async throws(DeliveryError)
    /// After a crash mid-delivery: whether this channel already has the reminder.
    /// A channel that cannot tell answers false (and may then deliver a duplicate, once).
    func alreadyDelivered(_ entry: OutboxEntry, _ context: DeliveryContext) async -> Bool
}

/// The settings in force when a delivery starts (they change on reload).
public struct DeliveryContext: Sendable {
    public var config: Config
    /// The From mailbox (`kept <kept@host>`) and the recipients of email reminders.
    public var from: String
    public var to: [String]
    /// The Maildir folder: the configured path or `$XDG_DATA_HOME/kept/Maildir`.
    public var maildir: String

    public init(config: Config, from: String, to: [String], maildir: String) {
        self.config = config; self.from = from; self.to = to; self.maildir = maildir
    }
}

/// Why a delivery failed, and whether trying again can help.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var permanent: Bool
    public init(_ message: String, permanent: Bool = false) { self.message = message; self.permanent = permanent }
    public var description: String { message }
}
