import ArgumentParser
import Foundation
import KeptCore
import KeptDaemon
import Logging

struct Keptd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keptd",
        abstract: "The kept daemon: keeps every promise on time and reminds you at the exact moment.",
        discussion: "Exit status: 0 after a clean stop, 1 when the store or socket cannot be used, 78 when the configuration has a problem.",
        version: KeptVersion.current)

    enum LogTarget: String, ExpressibleByArgument, CaseIterable {
        case auto, journal, stderr
    }

    @Option(help: "Control socket path (default: $KEPT_SOCKET, else $XDG_RUNTIME_DIR/kept/control.sock).")
    var socket: String?
    @Option(name: .customLong("state-dir"), help: "Store folder (default: $KEPT_STATE_DIR, $STATE_DIRECTORY, else $XDG_STATE_HOME/kept).")
    var stateDir: String?
    @Option(help: "Config file (default: $KEPT_CONFIG, $CONFIGURATION_DIRECTORY/config.yaml, else $XDG_CONFIG_HOME/kept/config.yaml).")
    var config: String?
    @Option(help: "Where the log goes: journal, stderr, or auto (the journal when systemd connected stderr to it).")
    var log: LogTarget = .auto
    @Flag(help: "Log every delivery attempt too.")
    var verbose = false
    @Flag(name: .customLong("check-config"), help: "Validate the configuration (file and KEPT_… environment) and exit: 0 if good, 78 naming the bad key.")
    var checkConfig = false
    @Flag(help: "Check the whole set-up, as kept doctor does, and exit: 0 when nothing is wrong, 1 otherwise.")
    var doctor = false
    @Flag(help: "With --doctor: the report as JSON.")
    var json = false
    @Flag(help: "With --doctor: mend what is safe to mend (a drop-in for the unit, a mode, lingering).")
    var fix = false
    @Flag(name: .customLong("send-test"), help: "With --doctor: send one test message through every enabled channel.")
    var sendTest = false
    @Option(name: .customLong("client-version"), help: .hidden)
    var clientVersion: String?

    func run() async throws {
        var paths = Paths.resolve()
        if let socket { paths.socket = socket }
        if let stateDir { paths.stateDirectory = stateDir }
        if let config { paths.configFile = config }
        if doctor {
            var options = Doctor.Options()
            options.json = json
            options.fix = fix
            options.sendTest = sendTest
            options.clientVersion = clientVersion
            let code = await Doctor(paths: paths, options: options).run()
            if code != 0 { throw ExitCode(code) }
            return
        }
        let journal = log == .journal || (log == .auto && JournalLogHandler.stderrIsJournal)
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { _ in
            var handler: any LogHandler = journal ? JournalLogHandler(identifier: "keptd") : StderrLogHandler(identifier: "keptd")
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "keptd")

        let settings: Config, drafts: DraftTemplates?
        let templates = DraftTemplates.folder(beside: paths.configFile)
        do {
            settings = try await ConfigLoader.load(file: paths.configFile)
            drafts = try DraftTemplates.load(folder: templates)
        } catch {
            Self.fail("keptd: \(error.message)")
            throw ExitCode(78)
        }
        if checkConfig {
            print(FileManager.default.fileExists(atPath: paths.configFile)
                  ? "\(paths.configFile): ok" : "\(paths.configFile): not found, the defaults are good")
            if let drafts { print("\(templates): ok (\(drafts.kinds.map(\.rawValue).joined(separator: ", ")))") }
            return
        }
        if !concurrencyOnNIO {
            logger.warning("Swift concurrency runs on libdispatch's pool (NIO could not take it over): an idle keptd wakes once a second")
        }
        do {
            try await Daemon.run(.init(paths: paths, config: settings, drafts: drafts), logger: logger)
        } catch let error as StoreError {
            Self.fail("keptd: \(error.message)")
            throw ExitCode(1)
        } catch let error as DaemonError {
            Self.fail("keptd: \(error.message)")
            throw ExitCode(1)
        }
    }

    static func fail(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
