import Foundation
import KeptCore
import Mustache

/// The user's own drafts: Mustache templates in `templates/` beside the configuration file
/// (`apology.mustache`, `plan.mustache`, `progress.mustache`, `review.mustache`). Each one found
/// replaces kept's built-in draft of that kind; the others stay built in.
///
/// They are plain text: nothing the user typed is escaped or changed. A first line
/// `Subject: …` sets the draft's subject. A template that does not parse, names a variable kept
/// does not have, or is not one of the four is refused with its file, line and column — at start
/// (keptd does not start, as with a bad configuration) and on reload (the drafts in force stay).
public struct DraftTemplates: DraftWriter {
    let templates: [DraftFacts.Kind: MustacheTemplate]

    /// The kinds the user has replaced.
    public var kinds: [DraftFacts.Kind] { DraftFacts.Kind.allCases.filter { templates[$0] != nil } }

    /// Every variable a template may use, and inside the lists, each entry's fields.
    public static let variables: Set<String> = [
        "subject", "client", "contact", "dear", "title", "note", "incident", "noticed", "window_end", "day", "window_days",
        "open_promises", "since", "first_update", "done_since", "coming", "week", "cause", "systemic", "judgement",
        "days", "record", "letters", "ledger", "promises", "signature",
        // open_promises and coming: also when (`by Monday 7 December`, `every Monday, from … until …`)
        "when",
        // fields of the entries of open_promises, coming and done_since; of ledger
        "text", "due", "done", "kept", "late", "missed", "released", "rate",
    ]

    /// `…/kept/templates` for `…/kept/config.yaml`.
    public static func folder(beside configFile: String) -> String {
        URL(fileURLWithPath: configFile).deletingLastPathComponent().appendingPathComponent("templates").path
    }

    /// The templates in `folder`; nil when there are none.
    public static func load(folder: String) throws(ConfigProblem) -> DraftTemplates? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        var sources: [DraftFacts.Kind: String] = [:]
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = folder + "/" + name
            guard let kind = DraftFacts.Kind(rawValue: String(name.dropLast(".mustache".count))) else {
                throw ConfigProblem("\(path): not a draft kept writes (the templates are apology, plan, progress and review .mustache)")
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw ConfigProblem("\(path): cannot be read") }
            guard data.count <= 65_536 else { throw ConfigProblem("\(path): \(data.count) bytes; a draft template is at most 64 KiB") }
            guard let text = String(data: data, encoding: .utf8) else { throw ConfigProblem("\(path): not UTF-8 text") }
            sources[kind] = text
        }
        return sources.isEmpty ? nil : try DraftTemplates(sources: sources, folder: folder)
    }

    /// Parses and checks each template's text; `folder` names them in problems.
    public init(sources: [DraftFacts.Kind: String], folder: String) throws(ConfigProblem) {
        var templates: [DraftFacts.Kind: MustacheTemplate] = [:]
        for (kind, source) in sources {
            let path = folder + "/" + kind.rawValue + ".mustache"
            let text = source.replacing("\r\n", with: "\n")  // written on Windows, read the same
            try Self.checkNames(text, path: path)
            do {
                templates[kind] = try MustacheTemplate(string: Self.plainText + text)
            } catch let error as MustacheTemplate.ParserError {
                let line = error.context.lineNumber
                let column = error.context.columnNumber - (line == 1 ? Self.plainText.count : 0)
                throw ConfigProblem("\(path):\(line):\(max(1, column)): \(Self.describe(error.error))")
            } catch {
                throw ConfigProblem("\(path): \(error)")
            }
        }
        self.templates = templates
    }

    public func write(_ facts: DraftFacts) -> (subject: String, text: String)? {
        guard let template = templates[facts.kind] else { return nil }
        var text = template.render(Self.context(facts))
        var subject = facts.subject
        if text.hasPrefix("Subject:") {
            let end = text.firstIndex(of: "\n") ?? text.endIndex
            subject = text[text.index(text.startIndex, offsetBy: 8)..<end].trimmingCharacters(in: .whitespaces)
            text = String(text[end...].drop { $0 == "\n" })
        }
        return (subject, text)
    }

    /// The facts by the names the README lists. Absent facts are left out, so that `{{#note}}`
    /// and `{{^contact}}` read as people expect.
    static func context(_ f: DraftFacts) -> [String: Any] {
        var c: [String: Any] = [
            "subject": f.subject, "client": f.client, "dear": f.dear, "title": f.title, "incident": f.incident,
            "noticed": f.noticed, "window_end": f.windowEnd, "day": f.day, "window_days": f.windowDays,
            "open_promises": f.openPromises.map { ["text": $0.text, "due": $0.due, "when": $0.when] },
            "done_since": f.doneSince.map { ["text": $0.text, "done": $0.done] },
            "coming": f.coming.map { ["text": $0.text, "due": $0.due, "when": $0.when] },
            "week": f.week, "first_update": f.firstUpdate, "days": Engine.plural(f.days, "day"),
            "systemic": f.cause == .systemic, "judgement": f.cause == .judgement,
            "ledger": ledger(f.ledger), "promises": ledger(f.promises), "signature": f.signature,
        ]
        if let record = f.record { c["record"] = record }
        if let letters = f.lettersSentence { c["letters"] = letters }
        if let contact = f.contact { c["contact"] = contact }
        if let note = f.note { c["note"] = note }
        if let since = f.since { c["since"] = since }
        if let cause = f.cause { c["cause"] = cause.rawValue }
        return c
    }

    static func ledger(_ l: View.Ledger) -> [String: Any] {
        ["due": l.due, "kept": l.kept, "late": l.late, "missed": l.missed, "released": l.released,
         "rate": l.rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "n/a"]
    }

    /// Turns off HTML escaping for the whole template: a draft is plain text in the user's words.
    static let plainText = "{{%CONTENT_TYPE:TEXT}}"

    /// Each tag's name must be one kept fills: a misspelt `{{clinet}}` would otherwise print
    /// nothing, silently, in a letter to the client.
    static func checkNames(_ text: String, path: String) throws(ConfigProblem) {
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "{{") {
                let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
                var tag = rest[open.upperBound...]
                guard let close = tag.range(of: "}}") else { break }  // the parser names what is unfinished
                rest = tag[close.upperBound...]
                tag = tag[..<close.lowerBound]
                switch tag.first {
                case "!", "%": continue
                case "=": return  // other delimiters from here: the parser alone checks the rest
                case ">", "<", "$":
                    throw ConfigProblem("\(path):\(n + 1):\(column): partials and blocks are not used in kept's drafts")
                case "#", "^", "/", "&", "{": tag = tag.dropFirst()
                default: break
                }
                var name = tag.trimmingCharacters(in: CharacterSet(charactersIn: " \t}"))
                // A transform, `first(open_promises)`: the name is inside the brackets.
                if let paren = name.firstIndex(of: "("), name.hasSuffix(")") {
                    name = String(name[name.index(after: paren)..<name.index(before: name.endIndex)])
                }
                let head = name.split(separator: ".").first.map(String.init) ?? name
                if name != ".", !variables.contains(head) {
                    throw ConfigProblem("\(path):\(n + 1):\(column): kept has no variable \"\(name)\" (the README lists the variables)")
                }
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed with another name than it was opened with"
        case .unfinishedName?: "a tag is not finished (each {{ needs its }})"
        case .expectedSectionEnd?: "a section is opened and never closed (its {{/name}} is missing)"
        case .invalidSetDelimiter?: "the delimiter change is not written {{=<% %>=}}"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: "not a pragma kept knows"
        default: "\(error)"
        }
    }
}
