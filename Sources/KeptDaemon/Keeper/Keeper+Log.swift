import KeptCore
import Logging

/// What the keeper writes to the journal: one entry per change, one per refusal, each with the
/// incident, item, client and channel as fields.
extension Keeper {
    func log(_ record: JournalRecord) {
        var metadata: Logger.Metadata = ["KEPT_EVENT": .string(record.change.eventName)]
        if let incident = record.change.incidentID {
            metadata["KEPT_INCIDENT"] = .string(String(incident))
            if let client = engine.state.incident(incident)?.client { metadata["KEPT_CLIENT"] = .string(client) }
        }
        if let item = record.change.itemName { metadata["KEPT_ITEM"] = .string(item) }
        switch record.change {
        case .attempt(_, let channel):
            metadata["KEPT_CHANNEL"] = .string(channel.rawValue)
            logger.debug("\(record.change.summary)", metadata: metadata)
        case .delivered(_, let channel):
            metadata["KEPT_CHANNEL"] = .string(channel.rawValue)
            logger.info("\(record.change.summary)", metadata: metadata)
        case .failed(_, let channel, _, let permanent, _):
            metadata["KEPT_CHANNEL"] = .string(channel.rawValue)
            if permanent { logger.error("\(record.change.summary)", metadata: metadata) } else {
                logger.warning("\(record.change.summary)", metadata: metadata)
            }
        default: logger.info("\(record.change.summary)", metadata: metadata)
        }
    }

    /// A refused request, with the incident and item it named when its params could be read.
    func logRefusal(_ method: String, _ target: RequestTarget, _ message: String) {
        var metadata: Logger.Metadata = ["KEPT_EVENT": "refused", "KEPT_METHOD": .string(method)]
        if let item = target.item { metadata["KEPT_ITEM"] = .string(item.description) }
        if let incident = target.incident ?? target.item?.item.incident {
            metadata["KEPT_INCIDENT"] = .string(String(incident))
            if let client = engine.state.incident(incident)?.client { metadata["KEPT_CLIENT"] = .string(client) }
        }
        logger.notice("refused \(method): \(message)", metadata: metadata)
    }
}

extension Keeper {
    /// A line that is not a request kept can read.
    func logMalformed(_ message: String) {
        logger.notice("refused a malformed request: \(message)", metadata: ["KEPT_EVENT": "refused"])
    }
}
