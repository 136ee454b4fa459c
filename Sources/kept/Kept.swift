import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import KeptClient
import KeptCore

@main
struct Kept: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kept",
        abstract: "Keep every promise to a client you are winning back — on time, for the whole window.",
        discussion: """
            kept talks to keptd over its control socket. Items are INCIDENT.N (3.2); one occurrence of a
            recurring promise is 3.2#4. WHEN is 2026-12-05, 2026-12-05T14:00, +90s, +4h, +3d, +2w, today,
            tomorrow, a weekday (friday), or a day and a time (friday 17:00).
            """,
        version: KeptVersion.current,
        subcommands: [
            Open.self, List.self, Show.self, Contact.self, Promise.self, Done.self, Snooze.self, Release.self, Note.self, Checkin.self, Draft.self,
            Agenda.self, Ledger.self, Report.self, Close.self, Status.self, Export.self, Reload.self, Mail.self, Sync.self, Doctor.self,
        ])

    /// Parses the command line as `Arguments` prepares it; a usage error is one line and the hint
    /// where to read more, exit 64.
    static func main() {
        let args: [String]
        do { args = try Arguments.prepare(Array(CommandLine.arguments.dropFirst())) } catch {
            switch error {
            case .dashText(let text, let command):
                usage("\(text.debugDescription) begins with '-' and would be read as options; put it after -- to give it as text: kept \(command ?? "COMMAND") … -- \(text.debugDescription)",
                      command: command)
            }
        }
        // The common lines of the commands run most, read without ArgumentParser's reflection;
        // a line the door cannot read, or that its command refuses, goes the long way (which says why).
        if let call = FrontDoor.call(args), (try? call.validate()) != nil {
            do { try call.run() } catch { exit(withError: error) }
            return
        }
        var command: any ParsableCommand
        do { command = try parse(args) } catch {
            let code = exitCode(for: error)
            // A mail system reads any other code than 0 and 75 as "bounce it to the sender".
            if let m = args.firstIndex(of: "mail"), args.dropFirst(m + 1).first == "ingest", code != .success {
                IngestCall.later(message(for: error))
            }
            if code == .success {  // --help, --version
                say(fullMessage(for: error))
                Glibc.exit(0)
            }
            usage(message(for: error), command: args.first { !$0.hasPrefix("-") }, code: code)
        }
        do { try command.run() } catch {
            exit(withError: error)
        }
    }

    /// The command the arguments name. A subcommand of kept's own without subcommands, asked
    /// for no help, version or completions, is parsed by itself: asking the root would first build
    /// every command's arguments by reflection to look for a completion request — about a sixth of
    /// the instructions a kept command spends before it reaches the socket. Anything else goes to
    /// the root.
    static func parse(_ args: [String]) throws -> any ParsableCommand {
        let builtIn: Set<String> = ["help", "--help", "-h", "--version", "--generate-completion-script"]
        if let name = args.first, let sub = configuration.subcommands.first(where: { $0.configuration.commandName == name }),
           sub.configuration.subcommands.isEmpty,
           !args.contains(where: { builtIn.contains($0) || $0.hasPrefix("--generate-completion-script=") || $0.hasPrefix("--experimental") }) {
            return try sub.parseAsRoot(Array(args.dropFirst()))
        }
        return try parseAsRoot(args)
    }

    /// One line saying what is wrong, one saying where the help is; exit 64 unless said otherwise.
    static func usage(_ message: String, command: String?, code: ExitCode = .validationFailure) -> Never {
        let sub = command.flatMap { name in configuration.subcommands.contains { $0.configuration.commandName == name } ? name : nil }
        let line = message.split(separator: "\n").first.map(String.init) ?? message
        standardError("kept: \(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line)\n")
        standardError("See 'kept \(sub.map { $0 + " " } ?? "")--help'.\n")
        Glibc.exit(code.rawValue)
    }
}

/// Options every command takes.
struct Global: ParsableArguments {
    @Option(parsing: .unconditional, help: "Control socket (default: $KEPT_SOCKET, else $XDG_RUNTIME_DIR/kept/control.sock).")
    var socket: String?

    @Flag(help: "Print the daemon's answer as JSON.")
    var json = false

    var connection: Connection { Connection(socket: socket, json: json) }
    var client: ControlClient { connection.client }

    func call<M: KeptMethod>(_ method: M.Type, _ params: M.Params) -> M.Result { connection.call(method, params) }
    func output<R: Encodable>(_ value: R, human: () -> Void) { connection.output(value, human: human) }
}

/// A command as read — by ArgumentParser, or by the front door — checked and run the same way.
protocol CommandCall {
    func validate() throws
    func run() throws
}

/// Where a command's request goes and how its answer is printed: the global options, read.
struct Connection {
    var socket: String?
    var json = false

    var client: ControlClient { ControlClient(socketPath: socket ?? Paths.resolve().socket) }

    /// Calls the daemon; on failure prints one line and exits 1 (refused) or 69 (unreachable).
    func call<M: KeptMethod>(_ method: M.Type, _ params: M.Params) -> M.Result {
        answer { () throws(ControlClient.Failure) in try client.call(M.self, params) }
    }

    /// The options a parameter is given by, for messages about it.
    static let options: [String: String] = [
        "noticed": "--noticed", "severity": "--severity", "window": "--window", "note": "--note", "due": "--due",
        "every": "--every", "from": "--from", "until": "--until", "at": "--at", "cause": "--cause", "reason": "--reason",
        "days": "--days", "outcome": "--outcome", "format": "--format", "allowPast": "--allow-past", "contact": "--contact", "cc": "--cc",
    ]

    /// A message about a parameter, in the CLI's words: `--window: the window must be …`.
    static func describe(_ message: String, field: String?) -> String {
        guard let field, let option = options[field] else { return message }
        return "\(option): \(message)"
    }

    private func answer<R>(_ call: () throws(ControlClient.Failure) -> R) -> R {
        do {
            return try call()
        } catch {
            switch error {
            case .unreachable(let message):
                fail("\(message); start it with: systemctl --user start keptd.socket", code: 69)
            case .refused(let e):
                let remedy = e.remedy.flatMap { Self.options[$0] }.map { "; to do it anyway: \($0)" } ?? ""
                fail(Self.describe(e.message, field: e.field) + remedy, code: 1)
            case .protocolError(let message):
                fail(message, code: 1)
            }
        }
    }

    /// Prints `value` as JSON when `--json` was given; otherwise runs `human`.
    func output<R: Encodable>(_ value: R, human: () -> Void) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(value) { sayData(String(decoding: data, as: UTF8.self)) }
        } else {
            human()
        }
    }
}

func fail(_ message: String, code: Int32) -> Never {
    standardError("kept: \(message)\n")
    exit(code)
}

/// Writes `text` to standard error, unbuffered, controls shown rather than acted on.
func standardError(_ text: String) { writeAll(2, TerminalText.escaped(text)) }

/// Writes `text` and `terminator` to standard output at once, for people: what a terminal would
/// act on (an escape sequence in a client's name, a direction override in a note) is shown as
/// what it is. `print` would take its generic path (a few hundred microseconds of protocol
/// lookups in a command that lasts a few milliseconds).
func say(_ text: String, terminator: String = "\n") { writeAll(1, TerminalText.escaped(text) + terminator) }

/// The same for data — JSON, iCalendar, a page, kept's own drawing — written exactly as it is.
func sayData(_ text: String, terminator: String = "\n") { writeAll(1, text + terminator) }

private func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { _ = KeptCore.writeAll(fd, UnsafeRawBufferPointer($0)) }
}

func warn(_ warnings: [View.Warning]) {
    for w in warnings { standardError("warning: \(w.message)\n") }
}

/// Resolves a WHEN here, in the user's own zone and clock, so the daemon gets an exact value.
func resolve(_ raw: String?, _ option: String, toward: WhenParser.Toward = .future) throws -> When? {
    guard let raw else { return nil }
    do { return .exact(try WhenParser(now: .now, zone: Printer.zone).parse(raw, toward: toward)) } catch {
        throw ValidationError("\(option): \(error.message)")
    }
}
