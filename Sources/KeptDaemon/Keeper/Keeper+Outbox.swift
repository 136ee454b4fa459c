import KeptCore
import Logging

/// The outbox side of the keeper: what each channel should deliver next, and recording how it went.
/// One reminder on one channel.
struct DeliverySlot: Hashable, Sendable {
    var key: ReminderKey
    var channel: ChannelName
}

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
    func jobs(for channel: ChannelName) -> (ready: [Job], nextRetry: Instant?) {
        let now = self.now
        var ready: [Job] = []
        var nextRetry: Instant?
        let context = deliveryContext
        for entry in engine.state.outbox {
            guard let c = entry.channels.first(where: { $0.channel == channel }),
                  c.isPending, !inFlight.contains(DeliverySlot(key: entry.key, channel: channel)) else { continue }
            if let at = c.retryAt, at > now {
                nextRetry = min(nextRetry ?? at, at)
                continue
            }
            ready.append(Job(entry: entry, recovering: recovering.contains(DeliverySlot(key: entry.key, channel: channel)), context: context))
        }
        return (ready, nextRetry)
    }

    /// Records that `channel` is about to try `key`; false if that could not be made durable.
    func beginAttempt(_ key: ReminderKey, _ channel: ChannelName) -> Bool {
        guard record([.attempt(key: key, channel: channel)]) else { return false }
        inFlight.insert(DeliverySlot(key: key, channel: channel))
        return true
    }

    func finishAttempt(_ key: ReminderKey, _ channel: ChannelName, error: DeliveryError?) {
        let slot = DeliverySlot(key: key, channel: channel)
        inFlight.remove(slot)
        recovering.remove(slot)
        let now = self.now
        if let error {
            let attempts = engine.state.outbox.first { $0.key == key }?.channels.first { $0.channel == channel }?.attempts ?? 1
            let delay = config.retry.delay(afterAttempts: attempts)
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
        commit(records)
        return true
    }
}
