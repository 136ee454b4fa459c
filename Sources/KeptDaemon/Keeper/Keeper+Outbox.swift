import KeptCore
import Logging

/// The outbox side of the keeper: what each channel should deliver next, and recording how it went.
extension Keeper {
    public struct Job: Sendable {
        public var entry: OutboxEntry
        /// The channel was mid-delivery when the daemon stopped: check before sending again.
        public var recovering: Bool
        /// The settings in force now.
        public var context: DeliveryContext
    }

    var deliveryContext: DeliveryContext {
        DeliveryContext(config: config, from: engine.mailFrom, to: engine.mailTo, maildir: config.maildir.path ?? paths.maildir)
    }

    /// Entries waiting on `channel` and ready now, and the earliest time a waiting retry is due.
    func jobs(for channel: String) -> (ready: [Job], nextRetry: Instant?) {
        let now = self.now
        var ready: [Job] = []
        var nextRetry: Instant?
        let context = deliveryContext
        for entry in engine.state.outbox {
            guard let c = entry.channels.first(where: { $0.channel == channel }),
                  c.isPending, !inFlight.contains(entry.key + " " + channel) else { continue }
            if let at = c.retryAt, at > now {
                nextRetry = min(nextRetry ?? at, at)
                continue
            }
            ready.append(Job(entry: entry, recovering: recovering.contains(entry.key + " " + channel), context: context))
        }
        return (ready, nextRetry)
    }

    /// Records that `channel` is about to try `key`; false if that could not be made durable.
    func beginAttempt(_ key: String, _ channel: String) -> Bool {
        guard record([.attempt(key: key, channel: channel)]) else { return false }
        inFlight.insert(key + " " + channel)
        return true
    }

    func finishAttempt(_ key: String, _ channel: String, error: DeliveryError?) {
        inFlight.remove(key + " " + channel)
        recovering.remove(key + " " + channel)
        let now = self.now
        if let error {
            let attempts = engine.state.outbox.first { $0.key == key }?.channels.first { $0.channel == channel }?.attempts ?? 1
            let delay = min(Int64(config.retry.capSeconds), Int64(config.retry.firstSeconds) << Int64(min(max(attempts - 1, 0), 20)))
            _ = record([.failed(key: key, channel: channel, error: error.message, permanent: error.permanent,
                                retryAt: error.permanent ? nil : now + delay)])
        } else {
            _ = record([.delivered(key: key, channel: channel)])
        }
    }

    /// Journals and applies changes that need no answer; false if they could not be made durable.
    @discardableResult
    func record(_ changes: [Change]) -> Bool {
        let records = engine.records(for: changes, at: now)
        do { try append(records) } catch {
            logger.error("not saved: \(error.message)", metadata: ["KEPT_EVENT": "store-failed"])
            return false
        }
        engine.commit(records)
        for r in records { log(r) }
        afterChange()
        return true
    }
}
