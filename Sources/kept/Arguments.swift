import ArgumentParser

/// The command line as the user typed it, made safe for the parser: global options given before
/// the subcommand move after it, and a text that begins with `-` (`"-10% off the next invoice"`)
/// is never read as a cluster of short options — which could have been `-h`, help, and nothing
/// saved.
enum Arguments {
    /// Options that take no value. Every other `--name` takes the next argument as its value,
    /// whatever it begins with.
    static let flags: Set<String> = ["--json", "--all", "--no-playbook", "--allow-past", "--help", "-h", "--version", "--generate-completion-script"]
    /// Options every subcommand takes, which may also come before the subcommand.
    static let global: Set<String> = ["--json", "--socket"]

    enum Problem: Error {
        /// A positional argument that begins with `-`.
        case dashText(String, command: String?)
    }

    /// The arguments the parser gets (without the program's name).
    static func prepare(_ args: [String]) throws(Problem) -> [String] {
        var leading: [String] = [], rest = args[...]
        // Global options before the subcommand go after it.
        while let first = rest.first, let name = first.split(separator: "=").first.map(String.init), global.contains(name) {
            leading.append(first)
            rest = rest.dropFirst()
            if !first.contains("="), !flags.contains(first), let value = rest.first {
                leading.append(value)
                rest = rest.dropFirst()
            }
        }
        guard let command = rest.first, !command.hasPrefix("-") else { return leading + rest }
        var out = [command]
        var expectsValue = false
        var positionalOnly = false
        for arg in rest.dropFirst() {
            defer { out.append(arg) }
            if positionalOnly { continue }
            if expectsValue { expectsValue = false; continue }
            if arg == "--" { positionalOnly = true; continue }
            if isOption(arg) {
                expectsValue = !arg.contains("=") && !flags.contains(arg)
                continue
            }
            if arg.hasPrefix("-"), arg.count > 1 { throw .dashText(arg, command: command) }
        }
        return out + leading
    }

    /// `--name`, `--name=value`, or `-h`: what the parser reads as an option.
    static func isOption(_ arg: String) -> Bool {
        if arg == "-h" { return true }
        guard arg.hasPrefix("--"), let first = arg.dropFirst(2).first, first.isLetter else { return false }
        let name = arg.dropFirst(2).prefix { $0 != "=" }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
    }
}
