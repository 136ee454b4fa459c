import KeptCore
import Logging

/// SIGHUP and `kept reload`: the configuration read again, whole or not at all.
extension Keeper {
    /// Re-reads the configuration file, the environment and the draft templates, rebuilds the
    /// schedule and re-arms the timer. A configuration or a template with a problem is refused
    /// whole: the ones in force stay.
    func reload() async -> Result<String, ConfigProblem> {
        Notifier.reloading()
        let result: Result<(Config, DraftTemplates?), ConfigProblem>
        var replies: ReplySettings?
        do throws(ConfigProblem) {
            let config = try await ConfigLoader.load(file: paths.configFile, environment: environment)
            let drafts = try DraftTemplates.load(folder: DraftTemplates.folder(beside: paths.configFile))
            do throws(DaemonError) { replies = try Self.replySettings(config, folder: paths.stateDirectory) } catch {
                throw ConfigProblem(error.message)
            }
            result = .success((config, drafts))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let (fresh, drafts)):
            if fresh.reply.watch != config.reply.watch || (fresh.reply.address == nil) != (config.reply.address == nil) {
                logger.notice("reply.watch and turning replies on or off take effect when keptd restarts", metadata: ["KEPT_EVENT": "reload-partial"])
            }
            engine.drafts = drafts
            engine.replies = replies
            apply(fresh)
            putDrafts()  // a Drafts folder set or mended
            logger.info("reloaded \(paths.configFile)", metadata: ["KEPT_EVENT": "reloaded"])
        case .failure(let problem):
            logger.error("configuration not reloaded, the one in force stays: \(problem.message)", metadata: ["KEPT_EVENT": "reload-refused"])
        }
        let status = readyStatus()
        Notifier.ready(status: status)
        return result.map { _ in status }
    }

    /// `reload` as a method: the daemon's answer, or why the configuration stayed.
    func reloadAnswer() async throws(KeptError) -> View.Message {
        switch await reload() {
        case .success(let status): return View.Message(message: "reloaded: \(status)")
        case .failure(let problem): throw .refused("configuration not reloaded, the one in force stays: \(problem.message)")
        }
    }

    func apply(_ fresh: Config) {
        config = fresh
        engine.rules = Rules(config: fresh, zone: fixedZone ?? .current)
        engine.channels = Self.channels(fresh)
        (engine.mailFrom, engine.mailTo) = Self.addresses(fresh)
        engine.rebuildQueue()
        armTimer()
        // New settings may let a waiting delivery through now.
        for wakeup in wakeups.values { wakeup.signal() }
    }
}
