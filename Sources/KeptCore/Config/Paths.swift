import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Where kept keeps things: systemd's variables first, then XDG, then XDG's defaults.
public struct Paths: Sendable, Equatable {
    public var stateDirectory: String
    public var configFile: String
    public var socket: String
    public var maildir: String

    public init(stateDirectory: String, configFile: String, socket: String, maildir: String) {
        self.stateDirectory = stateDirectory
        self.configFile = configFile
        self.socket = socket
        self.maildir = maildir
    }

    /// Resolves every path from an environment (the process's by default).
    public static func resolve(environment env: [String: String] = ProcessInfo.processInfo.environment) -> Paths {
        func nonEmpty(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        let home = nonEmpty("HOME") ?? "/"
        // systemd may pass several colon-separated directories; the first is ours.
        let state = nonEmpty("KEPT_STATE_DIR")
            ?? nonEmpty("STATE_DIRECTORY").map { String($0.split(separator: ":").first ?? "") }
            ?? ((nonEmpty("XDG_STATE_HOME") ?? home + "/.local/state") + "/kept")
        let config = nonEmpty("KEPT_CONFIG")
            ?? nonEmpty("CONFIGURATION_DIRECTORY").map { String($0.split(separator: ":").first ?? "") + "/config.yaml" }
            ?? ((nonEmpty("XDG_CONFIG_HOME") ?? home + "/.config") + "/kept/config.yaml")
        let runtime = nonEmpty("XDG_RUNTIME_DIR") ?? "/run/user/\(getuid())"
        let socket = nonEmpty("KEPT_SOCKET") ?? runtime + "/kept/control.sock"
        let maildir = (nonEmpty("XDG_DATA_HOME") ?? home + "/.local/share") + "/kept/Maildir"
        return Paths(stateDirectory: state, configFile: config, socket: socket, maildir: maildir)
    }
}
