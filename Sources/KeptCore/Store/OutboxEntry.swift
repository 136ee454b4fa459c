/// A reminder on its way out, with its state on each channel.
///
/// It is recorded before any channel is tried and leaves the outbox once every channel has it.
public struct OutboxEntry: Codable, Sendable, Equatable {
    /// `3.2#1/due`: item, occurrence and reminder kind; the same reminder always has the same key.
    public var key: ReminderKey
    public var reminder: Reminder
    /// The RFC 5322 message, fixed when enqueued so every channel and retry sends the same bytes.
    public var message: String
    public var channels: [ChannelState]

    public init(key: ReminderKey, reminder: Reminder, message: String, channels: [ChannelName]) {
        self.key = key; self.reminder = reminder; self.message = message
        self.channels = channels.map { ChannelState(channel: $0) }
    }

    public var isDone: Bool { channels.allSatisfy { !$0.isPending } }
}

public struct ChannelState: Codable, Sendable, Equatable {
    public var channel: ChannelName
    public var delivered: Instant?
    public var attempts: Int
    public var inFlight: Bool
    public var lastError: String?
    public var permanentError: String?
    public var retryAt: Instant?

    public init(channel: ChannelName) {
        self.channel = channel; self.attempts = 0; self.inFlight = false
    }

    /// Neither delivered nor given up on.
    public var isPending: Bool { delivered == nil && permanentError == nil }
}

/// What a reminder says, as data: the Maildir and email channels render it as a message, the
/// command channel receives it as JSON.
public struct Reminder: Codable, Sendable, Equatable {
    public var key: ReminderKey
    /// `lead`, `due`, `overdue1`…, `snooze1`…, `digest`: the key's last part, for the command channel's JSON.
    public var kind: String
    public var incident: Int?
    public var client: String?
    public var item: String?
    public var text: String
    public var due: String?
    /// When it was meant to go out.
    public var scheduled: Instant
    /// True when it goes out more than a minute after that (the daemon was down).
    public var late: Bool
    public var subject: String
    public var body: String
    public var messageID: String

    public init(key: ReminderKey, incident: Int?, client: String?, item: String?, text: String, due: String?,
                scheduled: Instant, late: Bool, subject: String, body: String, messageID: String) {
        self.key = key; self.kind = key.kindName; self.incident = incident; self.client = client; self.item = item
        self.text = text; self.due = due; self.scheduled = scheduled; self.late = late; self.subject = subject
        self.body = body; self.messageID = messageID
    }
}
