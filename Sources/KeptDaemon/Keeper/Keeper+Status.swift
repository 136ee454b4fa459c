import Synchronization
import Foundation
import KeptCore

/// What `kept status` and systemd's STATUS= line say about the daemon.
extension Keeper {
    func status() -> View.Status {
        let now = self.now
        let next = engine.nextSending(now: now)
        let history = engine.state.deliveries ?? [:]
        var pending: [View.Pending] = []
        for entry in engine.state.outbox {
            for c in entry.channels where c.isPending {
                pending.append(View.Pending(key: entry.key, channel: c.channel, subject: entry.reminder.subject,
                                            attempts: c.attempts, retryAt: c.retryAt, lastError: c.lastError))
            }
        }
        let channels = ChannelName.allCases.map { name in
            let h = history[name]
            return View.Channel(name: name, enabled: engine.channels.contains(name), lastSuccess: h?.lastSuccess,
                                lastFailure: h?.lastFailure, lastError: h?.lastError,
                                pending: pending.count { $0.channel == name })
        }
        let givenUp = history.flatMap { name, h in h.givenUp.map { View.GivenUp(key: $0.key, channel: name, at: $0.at, error: $0.error) } }
            .sorted { $0.at < $1.at }
        return View.Status(
            version: KeptVersion.current, pid: getpid(), started: started, uptimeSeconds: now - started,
            store: store.documentPath, config: paths.configFile, socket: paths.socket, timeZone: engine.rules.zone.identifier,
            incidents: engine.state.incidents.count, openIncidents: engine.state.incidents.count { $0.isOpen },
            items: engine.state.incidents.reduce(0) { $0 + $1.items.count },
            nextReminder: next?.at, nextReminderKey: next?.key, outbox: engine.state.outbox.count,
            channels: channels, pending: pending, givenUp: givenUp)
    }

    /// `status`, with the calendar's own state (its sync runs beside the keeper).
    func fullStatus() async -> View.Status {
        var s = status()
        if let sync = calendarSync {
            let collection = sync.collection
            let error = await sync.lastError
            let lastSync = [calendarLastSync, await sync.lastSuccess].compactMap { $0 }.max()
            let pending = await sync.toWrite ?? calendarPending(collection: collection)
            s.calendar = View.CalendarStatus(url: collection, lastSync: lastSync, pending: pending,
                                             lastError: error?.message, lastErrorAt: error?.at)
        }
        return s
    }

    /// `calendar.sync`: one sync now; an error is the answer's, one line.
    func syncCalendarNow() async throws(KeptError) -> View.Synced {
        guard let sync = calendarSync else { throw .refused("no calendar: set calendar.url in the configuration") }
        // A control request is answered within seconds: a long first publish goes on by itself.
        let finished = await Self.within(.seconds(8)) { await sync.sync() }
        guard let outcome = finished else {
            let pending = await sync.toWrite ?? calendarPending(collection: sync.collection)
            return View.Synced(written: 0, read: 0, actedOn: 0, restored: 0, pending: pending, finished: false)
        }
        if let error = outcome.error { throw KeptError(.refused, "the calendar did not sync: \(error)") }
        return View.Synced(written: outcome.written, read: outcome.read, actedOn: outcome.actedOn, restored: outcome.restored,
                           pending: outcome.pending ?? calendarPending(collection: sync.collection))
    }

    func statusLine(next: Instant?) -> String {
        let open = engine.state.incidents.count { $0.isOpen }
        let when = next.map { "next reminder \(engine.rules.zone.format($0))" } ?? "no reminder scheduled"
        return "\(open) open incident\(open == 1 ? "" : "s"), \(when)"
    }

    public func readyStatus() -> String { statusLine(next: engine.nextWakeup(now: now)) }

    /// `work`'s result if it ends within `limit`, else nil — while it goes on by itself.
    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { continuation in
            let once = Once(continuation)
            Task { once.finish(await work()) }
            Task { try? await Task.sleep(for: limit); once.finish(nil) }
        }
    }
}

/// A continuation resumed by whichever comes first, once.
final class Once<T: Sendable>: Sendable {
    private let slot: Mutex<CheckedContinuation<T?, Never>?>
    init(_ continuation: CheckedContinuation<T?, Never>) { slot = Mutex(continuation) }
    func finish(_ value: T?) {
        slot.withLock { c -> CheckedContinuation<T?, Never>? in
            let waiting = c
            c = nil
            return waiting
        }?.resume(returning: value)
    }
}
