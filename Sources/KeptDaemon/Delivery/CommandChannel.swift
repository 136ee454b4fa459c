import Foundation
import KeptCore

/// Runs the configured argv (no shell) with the reminder as one JSON object on stdin — for ntfy,
/// chat hooks, anything — within the configured time limit. Exit status is judged as for email.
public struct CommandChannel: DeliveryChannel {
    public let name = ChannelName.command
    public init() {}

    /// The reminder as the command receives it: every field of `Reminder`, plus the full message.
    public static func payload(_ entry: OutboxEntry) -> [UInt8] {
        struct Payload: Encodable {
            let reminder: Reminder
            let message: String
            func encode(to encoder: any Encoder) throws {
                try reminder.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(message, forKey: .message)
            }
            enum Key: String, CodingKey { case message }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Payload(reminder: entry.reminder, message: entry.message))) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    public func deliver(_ entry: OutboxEntry, _ context: DeliveryContext) async throws(DeliveryError) {
        let argv = context.config.command.argv
        let outcome = await ProgramRunner.run(argv, input: Self.payload(entry), timeoutSeconds: context.config.command.timeoutSeconds)
        try EmailChannel.judge(outcome, program: argv.first ?? "command")
    }

    public func alreadyDelivered(_ entry: OutboxEntry, _ context: DeliveryContext) async -> Bool { false }
}
