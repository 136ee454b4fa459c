import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// The command lines run most — `kept promise`, `kept done`, `kept agenda`, `kept mail ingest` —
/// read without asking ArgumentParser, whose first parse reflects the command's declaration at
/// run time (Mirror, dynamic casts, each generic type's requirements looked up in every
/// conformance record of the binary): about nine of the eleven million instructions a whole
/// `kept promise` took, several times the cost of starting the process at all.
///
/// The door takes only a line that can be read one way: every option one the command declares,
/// each given once with its value (`--due friday`, `--due=friday`), every flag once, the
/// positionals all there and of their type, `--` read as ArgumentParser reads it. Anything else —
/// help, a version or completion request, a mistake, a repeated option, a form not listed here —
/// goes on to ArgumentParser, which reads it as always and says what is wrong. What the door
/// builds is the call ArgumentParser's command would have made (`PromiseCall` …), every value
/// set, validated and run the same way; a test runs every line both roads and compares what
/// reaches the daemon (`KEPT_FRONT_DOOR=off` closes the door).
enum FrontDoor {
    /// What a command line said, read without guessing.
    /// (Arrays, not sets or dictionaries: a hashed collection's first use costs a look through
    /// every conformance the binary has — as much as the rest of the door.)
    struct Line {
        var positionals: [String] = []
        var options: [(name: String, value: String)] = []
        var flags: [String] = []

        func option(_ name: String) -> String? { options.first { $0.name == name }?.value }
        func flag(_ name: String) -> Bool { flags.contains(name) }
    }

    /// The call `args` (as `Arguments.prepare` left them) make, read; nil when ArgumentParser
    /// should read them. (The call, not the command: building an ArgumentParser command names
    /// its options through hashed sets, and a set's first use costs as much as the rest.)
    static func call(_ args: [String]) -> (any CommandCall)? {
        if let off = getenv("KEPT_FRONT_DOOR"), String(cString: off) == "off" { return nil }
        guard let name = args.first else { return nil }
        switch name {
        case "promise":
            guard let line = read(args.dropFirst(), positionals: 2, options: ["due", "every", "from", "until"], flags: ["allow-past"]),
                  let incident = Int(line.positionals[0]) else { return nil }
            return PromiseCall(connection: connection(line), incident: incident, text: line.positionals[1], due: line.option("due"),
                               every: line.option("every"), from: line.option("from"), until: line.option("until"),
                               allowPast: line.flag("allow-past"))
        case "done":
            guard let line = read(args.dropFirst(), positionals: 1, options: ["note", "at", "cause"], flags: []) else { return nil }
            var cause: Cause?
            if let raw = line.option("cause") {
                guard let value = Cause(rawValue: raw) else { return nil }
                cause = value
            }
            return DoneCall(connection: connection(line), item: line.positionals[0], note: line.option("note"), at: line.option("at"),
                            cause: cause)
        case "agenda":
            guard let line = read(args.dropFirst(), positionals: 0, options: ["days"], flags: []) else { return nil }
            var days = 7
            if let raw = line.option("days") {
                guard let value = Int(raw) else { return nil }
                days = value
            }
            return AgendaCall(connection: connection(line), days: days)
        case "mail":
            guard args.dropFirst().first == "ingest",
                  let line = read(args.dropFirst(2), positionals: 0, options: [], flags: ["dry-run"]) else { return nil }
            return IngestCall(connection: connection(line), dryRun: line.flag("dry-run"))
        default:
            return nil
        }
    }

    /// The options every command takes.
    static func connection(_ line: Line) -> Connection { Connection(socket: line.option("socket"), json: line.flag("json")) }

    /// Reads `args` for a command with these options (each taking the next argument, whatever it
    /// begins with, as `.unconditional` parsing does) and flags, besides the global ones; nil for
    /// anything it cannot read one way.
    static func read(_ args: ArraySlice<String>, positionals count: Int, options: [String], flags: [String]) -> Line? {
        let options = options + ["socket"], flags = flags + ["json"]
        var line = Line()
        var rest = args
        var positionalOnly = false
        while let arg = rest.popFirst() {
            if positionalOnly || !arg.hasPrefix("-") {
                line.positionals.append(arg)
                continue
            }
            if arg == "--" {
                positionalOnly = true
                continue
            }
            // `-h`, `-x`, `-`: ArgumentParser's to read.
            guard arg.hasPrefix("--") else { return nil }
            let body = arg.dropFirst(2)
            let equals = body.firstIndex(of: "=")
            let name = String(body[..<(equals ?? body.endIndex)])
            if options.contains(name) {
                guard line.option(name) == nil else { return nil }
                if let equals {
                    line.options.append((name, String(body[body.index(after: equals)...])))
                } else {
                    // (`--note --`: whether `--` is a value or the end of options is ArgumentParser's call.)
                    guard let value = rest.popFirst(), value != "--" else { return nil }
                    line.options.append((name, value))
                }
            } else if flags.contains(name), equals == nil, !line.flags.contains(name) {
                line.flags.append(name)
            } else {
                return nil
            }
        }
        return line.positionals.count == count ? line : nil
    }
}
