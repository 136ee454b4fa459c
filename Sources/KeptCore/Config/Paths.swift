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

    /// Resolves every path from the process's environment, each variable looked up by name.
    /// (Not `ProcessInfo`'s dictionary: building it — every variable copied, hashed, and the
    /// dictionary's type looked up through every conformance in the binary — was about half the
    /// instructions of a `kept promise`.)
    public static func resolve() -> Paths {
        resolve { name in getenv(name).map { String(cString: $0) } }
    }

    /// Resolves every path from an environment given whole.
    public static func resolve(environment: [String: String]) -> Paths {
        resolve { environment[$0] }
    }

    /// Resolves every path from `variable`, which gives an environment variable's value by name.
    public static func resolve(_ variable: (String) -> String?) -> Paths {
        func nonEmpty(_ key: String) -> String? { variable(key).flatMap { $0.isEmpty ? nil : $0 } }
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
