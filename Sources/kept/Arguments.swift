import ArgumentParser

/// The command line as the user typed it, made safe for the parser: global options given before
/// the subcommand move after it, and a text that begins with `-` (`"-10% off the next invoice"`)
/// is never read as a cluster of short options — which could have been `-h`, help, and nothing
/// saved.
enum Arguments {
    /// Options every subcommand takes, which may also come before the subcommand, and whether
    /// each takes a value — as `Global` declares them: a table, unlike `flags(of:)`, so a debug
    /// build (the one the tests run) checks it against the declaration on every use.
    /// (An array: a set's first use costs a look through every conformance the binary has.)
    static let global: [(name: String, takesValue: Bool)] = [("--json", false), ("--socket", true)]

    /// Options that take no value, for `command`: read from its own declaration and `Global`'s
    /// (every `@Flag`, named as the parser names it: `allowPast` is `--allow-past`), and the
    /// parser's own. Every other `--name` takes the next argument as its value, whatever it
    /// begins with — so a flag can never be left out of a table and swallow the next argument.
    static func flags(of command: String?) -> Set<String> {
        var flags: Set<String> = ["--help", "-h", "--version", "--generate-completion-script"]
        var types: [any ParsableArguments.Type] = [Global.self]
        if let sub = Kept.configuration.subcommands.first(where: { $0.configuration.commandName == command }) { types.append(sub) }
        for type in types {
            for option in declared(type) where option.isFlag { flags.insert(option.name) }
        }
        return flags
    }

    /// The options `type` declares, named as the parser names them, and whether each is a flag.
    static func declared(_ type: any ParsableArguments.Type) -> [(name: String, isFlag: Bool)] {
        Mirror(reflecting: type.init()).children.compactMap { child in
            guard let label = child.label else { return nil }
            return ("--" + kebab(label.drop { $0 == "_" }), String(describing: Swift.type(of: child.value)).hasPrefix("Flag<"))
        }
    }

    /// `allowPast` → `allow-past`.
    static func kebab(_ name: Substring) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                out += "-" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    enum Problem: Error {
        /// A positional argument that begins with `-`.
        case dashText(String, command: String?)
    }

    /// The arguments the parser gets (without the program's name).
    static func prepare(_ args: [String]) throws(Problem) -> [String] {
        assert(declared(Global.self).map { "\($0.name) \(!$0.isFlag)" }.sorted() == global.map { "\($0.name) \($0.takesValue)" }.sorted(),
               "Arguments.global is not what Global declares")
        var leading: [String] = [], rest = args[...]
        // Global options before the subcommand go after it.
        while let first = rest.first, let option = global.first(where: { first == $0.name || first.hasPrefix($0.name + "=") }) {
            leading.append(first)
            rest = rest.dropFirst()
            if option.takesValue, first == option.name, let value = rest.first {
                leading.append(value)
                rest = rest.dropFirst()
            }
        }
        guard let command = rest.first, !command.hasPrefix("-") else { return leading + rest }
        var flags: Set<String>?
        var out = [command]
        var expectsValue = false
        var positionalOnly = false
        /// Where `--` stands in `out`: the global options moved from the front go before it.
        var separator: Int?
        let arguments = Array(rest.dropFirst())
        for (i, arg) in arguments.enumerated() {
            defer { out.append(arg) }
            if positionalOnly { continue }
            if expectsValue {
                expectsValue = false
                continue
            }
            if arg == "--" {
                positionalOnly = true
                separator = out.count
                continue
            }
            if isOption(arg) {
                // Whether it takes the next argument matters only when that one begins with '-'
                // (a value taken as it is, or a text to refuse): only then are the flags read.
                if !arg.contains("="), i + 1 < arguments.count, arguments[i + 1].hasPrefix("-") {
                    flags = flags ?? Self.flags(of: command)
                    expectsValue = flags?.contains(arg) == false
                } else {
                    expectsValue = !arg.contains("=")
                }
                continue
            }
            if arg.hasPrefix("-"), arg.count > 1 { throw .dashText(arg, command: command) }
        }
        out.insert(contentsOf: leading, at: separator ?? out.count)
        return out
    }

    /// `--name`, `--name=value`, or `-h`: what the parser reads as an option.
    static func isOption(_ arg: String) -> Bool {
        if arg == "-h" { return true }
        guard arg.hasPrefix("--"), let first = arg.dropFirst(2).first, first.isLetter else { return false }
        let name = arg.dropFirst(2).prefix { $0 != "=" }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
    }
}
