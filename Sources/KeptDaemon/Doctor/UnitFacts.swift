import Foundation

/// keptd's two user units as the user manager sees them (`systemctl --user show`), and what the
/// service's sandbox lets keptd write.
struct UnitFacts: Sendable, Equatable {
    /// The properties asked for, of each unit.
    static let properties = [
        "Id", "LoadState", "UnitFileState", "ActiveState", "SubState", "Result", "FragmentPath", "MainPID", "ExecStart",
        "ReadWritePaths", "ProtectHome", "PrivateTmp", "ProtectSystem", "StateDirectory", "ConfigurationDirectory", "LoadCredential", "Environment",
    ]

    var service: [String: String]
    var socket: [String: String]

    /// Reads `systemctl show`'s answer for the service and the socket: `Key=Value` lines, a
    /// blank line between units.
    init(show: String) {
        var units: [[String: String]] = [[:]]
        for line in show.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !(units.last ?? [:]).isEmpty { units.append([:]) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            units[units.count - 1][String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        service = units.first { $0["Id"] == "keptd.service" } ?? [:]
        socket = units.first { $0["Id"] == "keptd.socket" } ?? [:]
    }

    /// The program the service runs (`ExecStart`'s `path=`).
    var program: String? {
        guard let exec = service["ExecStart"], let range = exec.range(of: "path=") else { return nil }
        let rest = exec[range.upperBound...]
        return rest.split(separator: " ").first.map(String.init)
    }

    /// The folders keptd may write in: `ReadWritePaths=` (a leading `-` only says "if it
    /// exists"), and the state and configuration folders systemd makes for it.
    func writableFolders(home: String, stateDirectory: String, configFile: String) -> [String] {
        var folders = (service["ReadWritePaths"] ?? "").split(separator: " ").map { word in
            String(word.hasPrefix("-") ? word.dropFirst() : word)
        }
        if !(service["StateDirectory"] ?? "").isEmpty { folders.append(stateDirectory) }
        if !(service["ConfigurationDirectory"] ?? "").isEmpty {
            folders.append(String(configFile[..<(configFile.lastIndex(of: "/") ?? configFile.endIndex)]))
        }
        return folders
    }

    /// Whether the service may write at `path` (a folder of the user's), as its sandbox stands:
    /// `ProtectSystem=strict` leaves only the writable folders; `ProtectHome=` makes the homes
    /// read-only (or hides them) but for those folders.
    func mayWrite(_ path: String, home: String, stateDirectory: String, configFile: String) -> Bool {
        let folders = writableFolders(home: home, stateDirectory: stateDirectory, configFile: configFile)
        if folders.contains(where: { Self.path(path, isWithin: $0) }) { return true }
        if service["ProtectSystem"] == "strict" { return false }
        let homes = ["/home", "/root", "/run/user", home]
        if ["yes", "read-only", "tmpfs"].contains(service["ProtectHome"] ?? "no"), homes.contains(where: { Self.path(path, isWithin: $0) }) {
            return false
        }
        let system = ["/usr", "/boot", "/efi"] + (["full", "strict"].contains(service["ProtectSystem"] ?? "no") ? ["/etc"] : [])
        if ["yes", "full"].contains(service["ProtectSystem"] ?? "no"), system.contains(where: { Self.path(path, isWithin: $0) }) {
            return false
        }
        return true
    }

    static func path(_ path: String, isWithin folder: String) -> Bool {
        let folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        return path == folder || path.hasPrefix(folder + "/")
    }

    /// The drop-in that lets the service write in `folders` besides its own, as `--fix` writes it.
    static func dropIn(writing folders: [String]) -> String {
        """
        # Written by kept doctor --fix: folders keptd writes in outside its own (a watched Maildir,
        # a Maildir elsewhere). Run kept doctor again after changing kept's config.
        [Service]
        \(folders.map { "ReadWritePaths=-" + $0 }.joined(separator: "\n"))

        """
    }
}
