import ArgumentParser
import FoundationEssentials
import KeptClient
import KeptCore

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open an incident: a mistake with a client, with its playbook and check-ins.")
    @OptionGroup var global: Global
    @Argument(help: "The client.") var client: String
    @Argument(help: "What went wrong, in a few words.") var title: String
    @Option(parsing: .unconditional, help: "When you noticed it (default: now).") var noticed: String?
    @Option(parsing: .unconditional, help: "minor, major (default) or critical.") var severity: Severity?
    @Option(parsing: .unconditional, help: "Follow-through window in days (default 90).") var window: Int?
    @Flag(name: .customLong("no-playbook"), help: "Do not create the playbook steps and check-ins.") var noPlaybook = false
    @Option(parsing: .unconditional, help: "A longer description.") var note: String?
    @Option(parsing: .unconditional, help: "The person at the client you write to — a name, or \"Dana Scully <dana@acme.example>\": drafts say \"Dear Dana,\" and letters go there.") var contact: String?

    func params(noticed: When?) -> Params.Open {
        Params.Open(client: client, title: title, noticed: noticed, severity: severity, window: window,
                    playbook: noPlaybook ? false : nil, note: note, contact: contact, zone: Printer.zoneName)
    }

    func validate() throws { try check(params(noticed: noticed.map(When.text))) }

    func run() throws {
        let r = global.call(Methods.IncidentOpen.self, params(noticed: try resolve(noticed, "--noticed", toward: .past)))
        global.output(r) {
            let i = r.incident
            say("Opened incident \(i.id) for \(i.client): \(i.title) (\(i.severity.rawValue), \(i.windowDays)-day window until \(Printer.zone.format(i.windowEnd))).")
            if !r.items.isEmpty { say(Printer.items(r.items)) }
        }
        warn(r.warnings)
    }
}

extension Severity: ExpressibleByArgument {}
extension Outcome: ExpressibleByArgument {}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List open incidents (all with --all).")
    @OptionGroup var global: Global
    @Flag(help: "Closed incidents too.") var all = false
    @Option(parsing: .unconditional, help: "Only this client's.") var client: String?

    func run() throws {
        let r = global.call(Methods.IncidentList.self, Params.List(all: all, client: client))
        global.output(r) {
            if r.isEmpty { say(all ? "No incidents." : "No open incidents."); return }
            say(Printer.incidents(r))
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an incident (items, ledger, timeline), or one item and every occurrence of it.")
    @OptionGroup var global: Global
    @Argument(help: "An incident (1), or an item (1.4).") var what: String

    func validate() throws {
        if Int(what) == nil { _ = try itemRef(what) }
    }

    func run() throws {
        if let incident = Int(what) {
            let r = global.call(Methods.IncidentShow.self, Params.Incident(incident: incident))
            global.output(r) { say(Printer.detail(r)) }
        } else {
            let r = global.call(Methods.ItemShow.self, Params.OneItem(item: try itemRef(what)))
            global.output(r) { say(Printer.item(r)) }
        }
    }
}

struct Promise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promise",
        abstract: "Add a promise to an incident: once (--due) or recurring (--every).",
        discussion: "Small, specific promises, every one kept. A recurring promise runs until the window ends or --until.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Argument(help: "What you promised.") var text: String
    @Option(parsing: .unconditional, help: "When it is due.") var due: String?
    @Option(parsing: .unconditional, help: "Repeat every INTERVAL (90s, 4h, 3d, 1w).") var every: String?
    @Option(parsing: .unconditional, help: "First occurrence of a recurring promise.") var from: String?
    @Option(parsing: .unconditional, help: "Last day a recurring promise may fall on (default: the window's end).") var until: String?
    @Flag(name: .customLong("allow-past"), help: "Record a promise whose due time has already passed.") var allowPast = false

    var call: PromiseCall {
        PromiseCall(connection: global.connection, incident: incident, text: text, due: due, every: every, from: from, until: until,
                    allowPast: allowPast)
    }
    func validate() throws { try call.validate() }
    func run() throws { try call.run() }
}

/// `kept promise`, as read: what it checks and does (the front door builds it without the parser).
struct PromiseCall: CommandCall {
    var connection: Connection
    var incident: Int
    var text: String
    var due, every, from, until: String?
    var allowPast = false

    func params(due: When?, from: When?, until: When?) throws -> Params.Promise {
        Params.Promise(incident: incident, text: text, due: due, every: try interval(every, "--every"), from: from, until: until,
                       allowPast: allowPast ? true : nil, zone: Printer.zoneName)
    }

    func validate() throws { try check(params(due: due.map(When.text), from: from.map(When.text), until: until.map(When.text))) }

    func run() throws {
        let p = try params(due: try resolve(due, "--due"), from: try resolve(from, "--from"), until: try resolve(until, "--until"))
        let r = connection.call(Methods.PromiseAdd.self, p)
        connection.output(r) {
            let item = r.item
            let when = item.every.map { "every \($0), \(item.occurrences.count) times from \(Printer.due(item.due))" } ?? "due \(Printer.due(item.due))"
            say("Promised \(item.id): \(item.text) — \(when).")
        }
        warn(r.warnings)
    }
}

struct Done: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "done", abstract: "Mark an item (or one occurrence, 3.2#4) done.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.2 or 3.2#4.") var item: String
    @Option(parsing: .unconditional, help: "What you did.") var note: String?
    @Option(parsing: .unconditional, help: "When it was done (default: now).") var at: String?
    @Option(parsing: .unconditional, help: "For root-cause: systemic (fix the process) or judgement (training).") var cause: Cause?

    var call: DoneCall { DoneCall(connection: global.connection, item: item, note: note, at: at, cause: cause) }
    func validate() throws { try call.validate() }
    func run() throws { try call.run() }
}

/// `kept done`, as read.
struct DoneCall: CommandCall {
    var connection: Connection
    var item: String
    var note, at: String?
    var cause: Cause?

    func params(at: When?) throws -> Params.Done { Params.Done(item: try itemRef(item), note: note, at: at, cause: cause, zone: Printer.zoneName) }

    func validate() throws { try check(params(at: at.map(When.text))) }

    func run() throws {
        let r = connection.call(Methods.ItemDone.self, try params(at: try resolve(at, "--at", toward: .past)))
        connection.output(r) { say(r.message) }
    }
}

struct Draft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Print a draft for the client: the apology (acknowledge), the plan (share-plan), a progress report (check-ins), the review.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.1 or 3.6.") var item: String
    @Flag(help: "Also put the letter in your Drafts folder (letters.drafts), addressed and ready to make yours and send.") var save = false

    func validate() throws { _ = try itemRef(item) }

    func run() throws {
        let d = global.call(Methods.ItemDraft.self, Params.Draft(item: try itemRef(item), save: save ? true : nil))
        global.output(d) {
            if let path = d.savedTo {
                say("The letter is in your Drafts folder (\(path)): make it yours and send it\(d.bcc == nil ? "." : "; kept will see it go.")")
                return
            }
            say("To: \(d.to)\n\(d.cc.map { "Cc: \($0)\n" } ?? "")\(d.bcc.map { "Bcc: \($0)\n" } ?? "")Subject: \(d.subject)\n\n\(d.text)", terminator: "")
        }
    }
}

struct Snooze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze",
        abstract: "Move an item's reminder (never its due time): by DURATION or --until WHEN.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.2 or 3.2#4.") var item: String
    @Argument(help: "How long: 90s, 4h, 3d, 1w.") var duration: String?
    @Option(parsing: .unconditional, help: "Remind again at WHEN instead.") var until: String?

    func params(until: When?) throws -> Params.Snooze {
        Params.Snooze(item: try itemRef(item), duration: try interval(duration, nil), until: until, zone: Printer.zoneName)
    }

    func validate() throws { try check(params(until: until.map(When.text))) }

    func run() throws {
        let r = global.call(Methods.ItemSnooze.self, try params(until: try resolve(until, "--until")))
        global.output(r) { say(r.message) }
        warn(r.warnings)
    }
}

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release an item you renegotiated with the client, with the reason.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.2 (all open occurrences) or 3.2#4.") var item: String
    @Option(parsing: .unconditional, help: "Why, as agreed with the client.") var reason: String

    func params() throws -> Params.Release { Params.Release(item: try itemRef(item), reason: reason) }

    func validate() throws { try check(params()) }

    func run() throws {
        let r = global.call(Methods.ItemRelease.self, try params())
        global.output(r) { say(r.message) }
    }
}

struct Contact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact", abstract: "Set who at the client letters go to: \"Dana Scully <dana@acme.example>\" …, and --cc.",
        discussion: "Drafts are addressed to them and greet the first by name; kept show lists them.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Argument(help: "Each address letters go to: \"Name <address>\" or address.") var to: [String]
    @Option(parsing: .unconditionalSingleValue, help: "An address letters are copied to (repeat for more).") var cc: [String] = []

    func run() throws {
        let r = global.call(Methods.IncidentContact.self, Params.Contact(incident: incident, to: to, cc: cc.isEmpty ? nil : cc))
        global.output(r) { say(r.message) }
    }
}

struct Checkin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkin", abstract: "Log an unscheduled touchpoint with the client.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Option(parsing: .unconditional, help: "What you talked about.") var note: String?

    func run() throws {
        let r = global.call(Methods.CheckinLog.self, Params.Checkin(incident: incident, note: note))
        global.output(r) { say(r.message) }
    }
}

struct Agenda: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agenda", abstract: "What is overdue, then what is due soon.")
    @OptionGroup var global: Global
    @Option(parsing: .unconditional, help: "How many days ahead (default 7).") var days: Int = 7

    var call: AgendaCall { AgendaCall(connection: global.connection, days: days) }
    func validate() throws { try call.validate() }
    func run() throws { try call.run() }
}

/// `kept agenda`, as read.
struct AgendaCall: CommandCall {
    var connection: Connection
    var days = 7

    func validate() throws { try check(Params.Agenda(days: days)) }

    func run() throws {
        let r = connection.call(Methods.Agenda.self, Params.Agenda(days: days))
        connection.output(r) { say(Printer.agenda(r)) }
    }
}

struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Promises due so far and how they went, per incident and client.")
    @OptionGroup var global: Global
    @Option(parsing: .unconditional, help: "Only this client.") var client: String?

    func run() throws {
        let r = global.call(Methods.Ledger.self, Params.Ledger(client: client))
        global.output(r) { say(Printer.ledger(r)) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The record at a glance: every due week by week, the rate, how many more may slip.",
        discussion: """
            Without INCIDENT, every open incident. --format html prints one self-contained page (no scripts,
            nothing fetched) to keep, print or show: kept report 3 --format html > record.html
            The text uses Unicode symbols when the locale is UTF-8, ASCII otherwise or with --ascii;
            colour on a terminal unless NO_COLOR is set. Every symbol is in the legend.
            """)
    @OptionGroup var global: Global
    @Argument(help: "Incident id (open or closed).") var incident: Int?
    @Option(parsing: .unconditional, help: "text or html.") var format: ReportFormat = .text
    @Flag(help: "Draw with ASCII characters only.") var ascii = false

    func run() throws {
        let r = global.call(Methods.Report.self, Params.Report(incident: incident, format: format))
        if format == .html, !global.json {
            sayData(r.page ?? "", terminator: "")
            return
        }
        let text = RecordText(ascii: ascii || !Terminal.utf8, colour: Terminal.colour)
        // Drawn with kept's own colours; every text in it is made safe by the drawing.
        global.output(r) { sayData(text.draw(r), terminator: "") }
    }
}

struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close an incident with its outcome; what is still open is released.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Option(parsing: .unconditional, help: "recovered, strengthened or lost.") var outcome: Outcome
    @Option(parsing: .unconditional, help: "What you learned.") var note: String?

    func run() throws {
        let r = global.call(Methods.IncidentClose.self, Params.Close(incident: incident, outcome: outcome, note: note))
        global.output(r) {
            say("Closed incident \(r.incident.id) (\(r.incident.client)): \(outcome.rawValue). \(r.released) open item\(r.released == 1 ? "" : "s") released.")
        }
    }
}

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync with the CalDAV calendar now: publish what changed, take what a phone did.")
    @OptionGroup var global: Global

    func run() throws {
        let r = global.call(Methods.CalendarSync.self, Params.None())
        global.output(r) {
            guard r.finished else {
                say("Syncing: it goes on in the background (\(r.pending) task\(r.pending == 1 ? "" : "s") still to write); kept status shows how it went.")
                return
            }
            var line = "Synced: \(r.written) task\(r.written == 1 ? "" : "s") written, \(r.read) read"
            if r.actedOn > 0 { line += ", \(r.actedOn) change\(r.actedOn == 1 ? "" : "s") from a client carried out" }
            if r.restored > 0 { line += ", \(r.restored) deleted on a client put back" }
            if r.pending > 0 { line += "; \(r.pending) still waiting" }
            say(line + ".")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The daemon: version, uptime, store, next reminder, channels.")
    @OptionGroup var global: Global

    func run() throws {
        let r = global.call(Methods.Status.self, Params.None())
        global.output(r) { say(Printer.status(r)) }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the store as JSON, or every future due as an iCalendar file (--format ics > kept.ics).")
    @OptionGroup var global: Global
    @Option(parsing: .unconditional, help: "json (the whole store) or ics (future dues, for a calendar).") var format: ExportFormat = .json

    func run() throws {
        let export = global.call(Methods.Export.self, Params.Export(format: format))
        if case .calendar(let c) = export {
            global.output(c) { sayData(c.ics, terminator: "") }
            return
        }
        // The whole store as the daemon wrote it, printed with sorted keys.
        let store = export
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let out = try? encoder.encode(store) else { fail("cannot print the store", code: 1) }
        sayData(String(decoding: out, as: UTF8.self))
    }
}

struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Add a note to an item's timeline (what happened, what was said).")
    @OptionGroup var global: Global
    @Argument(help: "The item: 3.2, or 3.2#4 for one occurrence.") var item: String
    @Argument(parsing: .remaining, help: "The note.") var text: [String]

    func params() throws -> Params.Note { Params.Note(item: try itemRef(item), text: text.joined(separator: " ")) }

    func validate() throws { try check(try params()) }

    func run() throws {
        let r = global.call(Methods.ItemNote.self, try params())
        global.output(r) { say(r.message) }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Make the daemon re-read its configuration.")
    @OptionGroup var global: Global

    func run() throws {
        let r = global.call(Methods.Reload.self, Params.None())
        global.output(r) { say(r.message) }
    }
}

extension Cause: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// An item as the user typed it, or a usage error saying how items are written.
func itemRef(_ raw: String) throws -> ItemRef {
    do { return try ItemRef(parsing: raw) } catch { throw ValidationError(error.message) }
}

/// An INTERVAL or DURATION as the user typed it.
func interval(_ raw: String?, _ option: String?) throws -> Interval? {
    guard let raw else { return nil }
    do { return try Interval(parsing: raw) } catch { throw ValidationError(option.map { "\($0): \(error.message)" } ?? error.message) }
}

/// The checks the Engine makes of params on their own, made here before the daemon is asked, so
/// a mistake is a usage error (exit 64) naming the option.
func check(_ params: some MethodParams) throws {
    do { try params.validate() } catch { throw ValidationError(Connection.describe(error.message, field: error.field)) }
}
