import KeptCore
import ServiceLifecycle

/// Runs each channel's delivery loop, side by side, so a failing channel never delays another.
///
/// On a graceful stop a loop takes no new work but lets a delivery in progress finish (a sendmail
/// that is killed mid-hand-off may have sent the mail already); the service group's time limit
/// ends any that take longer.
struct DeliveryService: Service {
    let keeper: Keeper
    let channels: [any DeliveryChannel]

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for channel in channels { group.addTask { await self.loop(channel) } }
        }
    }

    func loop(_ channel: any DeliveryChannel) async {
        guard let wakeup = keeper.wakeups[channel.name] else { return }
        var retryTimer: Task<Void, Never>?
        defer { retryTimer?.cancel() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let (jobs, nextRetry) = await keeper.jobs(for: channel.name)
            for job in jobs {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                await deliver(job, via: channel)
            }
            if !jobs.isEmpty { continue }
            retryTimer?.cancel()
            if let nextRetry {
                let delay = max(0, nextRetry - Instant.now)
                retryTimer = Task {
                    try? await Task.sleep(for: .seconds(delay))
                    if !Task.isCancelled { wakeup.signal() }
                }
            }
            await withGracefulShutdownHandler {
                await wakeup.wait()
            } onGracefulShutdown: {
                wakeup.signal()
            }
        }
    }

    func deliver(_ job: Keeper.Job, via channel: any DeliveryChannel) async {
        let key = job.entry.key
        if job.recovering, await channel.alreadyDelivered(job.entry, job.context) {
            await keeper.finishAttempt(key, channel.name, error: nil)
            return
        }
        guard await keeper.beginAttempt(key, channel.name) else {
            try? await Task.sleep(for: .seconds(5))
            return
        }
        do {
            Faults.crashPoint(.before, channel: channel.name)
            try await channel.deliver(job.entry, job.context)
            Faults.crashPoint(.between, channel: channel.name)
            await keeper.finishAttempt(key, channel.name, error: nil)
            Faults.crashPoint(.after, channel: channel.name)
        } catch {
            await keeper.finishAttempt(key, channel.name, error: error)
        }
    }
}
