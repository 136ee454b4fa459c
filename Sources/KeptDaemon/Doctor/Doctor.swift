import Foundation
import KeptClient
import KeptCore

/// `kept doctor`: every part of the user's set-up that kept reaches through — the systemd user
/// manager, the files, the journal, the channels, replies, the calendar — checked in that order,
/// one line each, and for every problem the command or config line that mends it.
///
/// It changes nothing, unless asked to mend (`--fix`), and then only what is safe to do again:
/// a drop-in for the unit, a folder's or file's mode, lingering for the user. Checks that need
/// the daemon ask it over the control socket; nothing here takes the store's lock.
public final class Doctor {
    public struct Options: Sendable {
        public var json = false
        public var fix = false
        public var sendTest = false
        /// The version of the `kept` that asked, to compare with keptd's.
        public var clientVersion: String?
        /// How long one probe (a program, a request to the calendar) may take.
        public var probeSeconds = 10

        public init() {}
    }

    let paths: Paths
    let options: Options
    let environment: [String: String]
    let home: String
    let user: String

    /// What the checks found, in order.
    private(set) var findings: [Finding] = []
    /// Where keptd keeps its store and reads its config: what the running keptd says, else
    /// where it would look (systemd before 254 gives a user unit's `StateDirectory=` in
    /// `~/.config`, not `~/.local/state`).
    var stateDirectory: String
    var configFile: String
    /// Learnt on the way, for the checks after.
    var config: Config?
    var unit: UnitFacts?
    var status: View.Status?
    var store: StoreState?

    public init(paths: Paths, options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.paths = paths
        self.options = options
        self.environment = environment
        stateDirectory = paths.stateDirectory
        configFile = paths.configFile
        home = environment["HOME"] ?? NSHomeDirectory()
        user = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? environment["USER"] ?? "you"
    }

    /// Runs every check that applies and says what it found; the exit status: 0 when nothing is
    /// wrong (✗), 1 otherwise.
    public func run() async -> Int32 {
        if !options.json {
            say("kept doctor: keptd \(KeptVersion.current), for \(user)")
        }
        await checkService()
        placeFiles()
        await checkFiles()
        await checkJournal()
        await checkChannels()
        await checkReplies()
        await checkCalendar()
        return finish()
    }

    /// Records one finding, and prints it at once (the slow checks show progress).
    /// `mendable`: `--fix` would apply `fix` (`fixed` says whether it did).
    func note(_ section: Finding.Section, _ check: String, _ status: Finding.Status, _ message: String,
              fix: String? = nil, mendable: Bool = false, fixed: Bool? = nil) {
        let finding = Finding(section: section, check: check, status: status, message: message, fix: fix,
                              mendable: mendable ? true : nil, fixed: fixed)
        if !options.json {
            if findings.last?.section != section { say("\n" + section.title) }
            say(finding.lines)
        }
        findings.append(finding)
    }

    func ok(_ section: Finding.Section, _ check: String, _ message: String) {
        note(section, check, .ok, message)
    }

    private func finish() -> Int32 {
        let failed = findings.count { $0.status == .fail }
        let warned = findings.count { $0.status == .warn }
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let report = Report(ok: failed == 0, problems: failed, warnings: warned, checks: findings)
            if let data = try? encoder.encode(report) { say(String(decoding: data, as: UTF8.self)) }
        } else {
            func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
            switch (failed, warned) {
            case (0, 0): say("\nEverything checks out.")
            case (0, _): say("\nNo problems; \(count(warned, "warning")).")
            default:
                let mendable = options.fix ? 0 : findings.count { $0.status == .fail && $0.mendable == true }
                say("\n\(count(failed, "problem")), \(count(warned, "warning")): each says what mends it\(mendable > 0 ? "; kept doctor --fix mends \(mendable == failed ? "them" : "those marked so")" : "").")
            }
        }
        return failed == 0 ? 0 : 1
    }

    struct Report: Codable {
        var ok: Bool
        var problems: Int
        var warnings: Int
        var checks: [Finding]
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    func say(_ text: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escaped(text) + "\n").utf8))
    }

    /// `path` with the home folder written `~`, as a user would type it.
    func short(_ path: String) -> String {
        path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : path
    }

    /// A path as a command line takes it: quoted when it holds anything a shell would read.
    static func quoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+~@%:=,".unicodeScalars.contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// One line of the doctor's report.
public struct Finding: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// ✓ works.
        case ok
        /// ! works, but …
        case warn
        /// ✗ does not work.
        case fail
    }

    public enum Section: String, Codable, Sendable {
        case service, files, journal, channels, replies, calendar

        var title: String {
            switch self {
            case .service: "Service"
            case .files: "Files"
            case .journal: "Journal"
            case .channels: "Channels"
            case .replies: "Replies"
            case .calendar: "Calendar"
            }
        }
    }

    public var section: Section
    /// A short stable name of the check: `linger`, `store`, `maildir` …
    public var check: String
    public var status: Status
    public var message: String
    /// The command or config line that mends it.
    public var fix: String?
    /// Whether `kept doctor --fix` applies `fix` itself.
    public var mendable: Bool?
    /// With `--fix`: whether it was mended now.
    public var fixed: Bool?

    var symbol: String {
        switch status {
        case .ok: "✓"
        case .warn: "!"
        case .fail: "✗"
        }
    }

    /// As printed: the line, and the fix below it.
    var lines: String {
        var text = "  \(symbol) \(message)"
        if let fix {
            switch fixed {
            case true?: text += "\n      fixed: \(fix)"
            case false?: text += "\n      fix (not applied): \(fix)"
            case nil: text += "\n      fix\(mendable == true ? " (kept doctor --fix does it)" : ""): \(fix)"
            }
        }
        return text
    }
}
