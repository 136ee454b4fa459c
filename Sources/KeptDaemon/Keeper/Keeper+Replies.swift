import KeptCore
import Logging

/// Replies by mail, as the keeper carries them: one transaction per reply, logged with
/// `KEPT_EVENT=reply-acted|reply-answered|reply-ignored|reply-bounce`.
extension Keeper {
    /// The reply settings for `config`: off without `reply.address`; the reply key opened (made
    /// on first use) in the state folder.
    static func replySettings(_ config: Config, folder: String) throws(DaemonError) -> ReplySettings? {
        guard let address = config.reply.address else { return nil }
        return ReplySettings(owners: config.reply.from, trustedServer: config.reply.requireDKIM ? config.reply.trustedServer : nil,
                             signer: try ReplyKeyring.open(folder: folder, address: address))
    }

    /// Turns replies on (or off) as `config` says.
    public func setReplies(_ config: Config) throws(DaemonError) {
        engine.replies = try Self.replySettings(config, folder: paths.stateDirectory)
    }

    /// Judges a reply and acts on it: durable before this returns.
    public func ingest(_ reply: Reply) throws(KeptError) -> View.Ingested {
        let answer = try perform { engine, now throws(KeptError) in try Methods.MailIngest.decide(engine, reply, now: now) }
        var metadata: Logger.Metadata = ["KEPT_EVENT": .string("reply-\(answer.outcome.rawValue)")]
        if let occ = answer.occurrence.flatMap({ try? ItemRef(parsing: $0) }) {
            metadata["KEPT_ITEM"] = .string(occ.description)
            metadata["KEPT_INCIDENT"] = .string(String(occ.item.incident))
            if let client = engine.state.incident(occ.item.incident)?.client { metadata["KEPT_CLIENT"] = .string(client) }
        }
        if let reason = answer.reason { metadata["KEPT_REASON"] = .string(reason) }
        // A letter the user sent: its own entry (letter-logged) went with the change; this says what it did.
        if answer.reason == "letter" { metadata["KEPT_EVENT"] = .string("letter-\(answer.outcome.rawValue)") }
        if reply.dryRun == true {
            metadata["KEPT_EVENT"] = "reply-dry-run"
            logger.info("reply \(reply.messageID) judged in a dry run (\(answer.outcome.rawValue)): \(answer.message)", metadata: metadata)
            return answer
        }
        switch answer.outcome {
        case .acted, .answered: logger.info("reply \(reply.messageID): \(answer.message)", metadata: metadata)
        case .ignored: logger.notice("reply \(reply.messageID) \(answer.message)", metadata: metadata)
        case .bounce:
            // A reminder that bounced did not reach the user: said as that reminder's delivery failure.
            metadata["KEPT_CHANNEL"] = "email"
            logger.error("\(answer.message): the reminder did not reach its reader", metadata: metadata)
        }
        return answer
    }
}
