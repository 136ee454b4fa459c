import ArgumentParser
import Foundation
import KeptCore
import KeptDaemon
import Logging

@main
struct Keptd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keptd",
        abstract: "The kept daemon: keeps every promise on time and reminds you at the exact moment.",
        version: KeptVersion.current)

    @Option(help: "Control socket path (default: $KEPT_SOCKET, else $XDG_RUNTIME_DIR/kept/control.sock).")
    var socket: String?
    @Option(name: .customLong("state-dir"), help: "Store folder (default: $KEPT_STATE_DIR, $STATE_DIRECTORY, else $XDG_STATE_HOME/kept).")
    var stateDir: String?
    @Option(help: "Config file (default: $KEPT_CONFIG, $CONFIGURATION_DIRECTORY/config.yaml, else $XDG_CONFIG_HOME/kept/config.yaml).")
    var config: String?
    @Flag(name: .customLong("check-config"), help: "Validate the configuration and exit.")
    var checkConfig = false

    func run() async throws {
        var paths = Paths.resolve()
        if let socket { paths.socket = socket }
        if let stateDir { paths.stateDirectory = stateDir }
        if let config { paths.configFile = config }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "keptd")
        logger.logLevel = .info
        let settings = Config()
        if checkConfig {
            print("\(paths.configFile): ok")
            return
        }
        do {
            try await Daemon.run(.init(paths: paths, config: settings), logger: logger)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("keptd: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as DaemonError {
            FileHandle.standardError.write(Data("keptd: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
