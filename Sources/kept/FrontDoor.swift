import ArgumentParser
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
/// builds is the very command ArgumentParser would have built, every property set, and it is
/// validated and run the same way; the command line tests run both roads and compare what reaches
/// the daemon (`KEPT_FRONT_DOOR=off` closes the door).
enum FrontDoor {
    /// What a command line said, read without guessing.
    struct Line {
        var positionals: [String] = []
        var options: [String: String] = [:]
        var flags: Set<String> = []

        func option(_ name: String) -> String? { options[name] }
        func flag(_ name: String) -> Bool { flags.contains(name) }
    }

    /// The command `args` (as `Arguments.prepare` left them) name, built; nil when ArgumentParser
    /// should read them.
    static func command(_ args: [String], environment: UnsafeMutablePointer<CChar>? = getenv("KEPT_FRONT_DOOR")) -> (any ParsableCommand)? {
        if let off = environment, String(cString: off) == "off" { return nil }
        guard let name = args.first else { return nil }
        switch name {
        case "promise":
            guard let line = read(args.dropFirst(), positionals: 2, options: ["due", "every", "from", "until"], flags: ["allow-past"]),
                  let incident = Int(line.positionals[0]) else { return nil }
            var c = Promise()
            c.global = global(line)
            c.incident = incident
            c.text = line.positionals[1]
            c.due = line.option("due")
            c.every = line.option("every")
            c.from = line.option("from")
            c.until = line.option("until")
            c.allowPast = line.flag("allow-past")
            return c
        case "done":
            guard let line = read(args.dropFirst(), positionals: 1, options: ["note", "at", "cause"], flags: []) else { return nil }
            var cause: Cause?
            if let raw = line.option("cause") {
                guard let value = Cause(rawValue: raw) else { return nil }
                cause = value
            }
            var c = Done()
            c.global = global(line)
            c.item = line.positionals[0]
            c.note = line.option("note")
            c.at = line.option("at")
            c.cause = cause
            return c
        case "agenda":
            guard let line = read(args.dropFirst(), positionals: 0, options: ["days"], flags: []) else { return nil }
            var days = 7
            if let raw = line.option("days") {
                guard let value = Int(raw) else { return nil }
                days = value
            }
            var c = Agenda()
            c.global = global(line)
            c.days = days
            return c
        case "mail":
            guard args.dropFirst().first == "ingest",
                  let line = read(args.dropFirst(2), positionals: 0, options: [], flags: ["dry-run"]) else { return nil }
            var c = Ingest()
            c.global = global(line)
            c.dryRun = line.flag("dry-run")
            return c
        default:
            return nil
        }
    }

    /// The options every command takes.
    static func global(_ line: Line) -> Global {
        var g = Global()
        g.socket = line.option("socket")
        g.json = line.flag("json")
        return g
    }

    /// Reads `args` for a command with these options (each taking the next argument, whatever it
    /// begins with, as `.unconditional` parsing does) and flags, besides the global ones; nil for
    /// anything it cannot read one way.
    static func read(_ args: ArraySlice<String>, positionals count: Int, options: Set<String>, flags: Set<String>) -> Line? {
        let options = options.union(["socket"]), flags = flags.union(["json"])
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
                guard line.options[name] == nil else { return nil }
                if let equals {
                    line.options[name] = String(body[body.index(after: equals)...])
                } else {
                    // (`--note --`: whether `--` is a value or the end of options is ArgumentParser's call.)
                    guard let value = rest.popFirst(), value != "--" else { return nil }
                    line.options[name] = value
                }
            } else if flags.contains(name), equals == nil, !line.flags.contains(name) {
                line.flags.insert(name)
            } else {
                return nil
            }
        }
        return line.positionals.count == count ? line : nil
    }
}
