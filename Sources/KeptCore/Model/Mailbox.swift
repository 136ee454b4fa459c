/// A person's mail address as the user gives it: `Dana Scully <dana@acme.example>` or
/// `dana@acme.example` (RFC 5322's name-addr and addr-spec, without comments or groups).
public struct Mailbox: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    /// Reads one mailbox; the error says what is wrong with it.
    public init(parsing raw: String) throws(MailboxProblem) {
        let text = raw.trimmingWhitespace()
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw MailboxProblem("\(raw.debugDescription) holds a control character")
        }
        var name: String?, spec = text
        if let open = text.lastIndex(of: "<") {
            guard text.hasSuffix(">") else { throw MailboxProblem("\(text.debugDescription): an address in <…> must end the text") }
            spec = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingWhitespace()
            var display = String(text[..<open]).trimmingWhitespace()
            if display.hasPrefix("\""), display.hasSuffix("\""), display.count >= 2 { display = String(display.dropFirst().dropLast()) }
            name = display.isEmpty ? nil : display
        }
        try Self.check(spec)
        self.name = name
        self.address = spec
    }

    /// `local@domain`: dot-atoms of letters, digits and the few marks addresses use.
    static func check(_ spec: String) throws(MailboxProblem) {
        let parts = spec.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw MailboxProblem("\(spec.debugDescription) is not an address (local@domain)")
        }
        let local = parts[0], domain = parts[1]
        let atext = Set("!#$%&'*+-/=?^_`{|}~")
        guard local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || atext.contains($0) } }) else {
            throw MailboxProblem("\(spec.debugDescription): \(String(local).debugDescription) is not a mailbox name an address can have")
        }
        guard domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-") && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }) else {
            throw MailboxProblem("\(spec.debugDescription): \(String(domain).debugDescription) is not a domain")
        }
    }

    /// As a header carries it: the name quoted when it holds anything but words.
    public var description: String {
        guard let name else { return address }
        let plain = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "'" || $0 == "." }
        return "\(plain ? name : "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"") <\(address)>"
    }

    /// Whether `text` is meant as an address rather than a name alone.
    public static func isAddress(_ text: String) -> Bool { text.contains("@") || text.contains("<") }
}

public struct MailboxProblem: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
