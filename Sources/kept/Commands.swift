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
    @Option(help: "When you noticed it (default: now).") var noticed: String?
    @Option(help: "minor, major (default) or critical.") var severity: Severity?
    @Option(help: "Follow-through window in days (default 90).") var window: Int?
    @Flag(name: .customLong("no-playbook"), help: "Do not create the playbook steps and check-ins.") var noPlaybook = false
    @Option(help: "A longer description.") var note: String?

    func validate() throws {
        if let window, !(1...3650).contains(window) { throw ValidationError("--window must be between 1 and 3650 days") }
    }

    func run() throws {
        let p = Params.Open(client: client, title: title, noticed: try resolve(noticed, "--noticed"), severity: severity,
                            window: window, playbook: noPlaybook ? false : nil, note: note)
        let r = global.call(.incidentOpen, p, as: View.Opened.self)
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
    @Option(help: "Only this client's.") var client: String?

    func run() throws {
        let r = global.call(.incidentList, Params.List(all: all, client: client), as: [View.IncidentSummary].self)
        global.output(r) {
            if r.isEmpty { say(all ? "No incidents." : "No open incidents."); return }
            say(Printer.incidents(r))
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an incident: items, ledger and timeline.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int

    func run() throws {
        let r = global.call(.incidentShow, Params.Incident(incident: incident), as: View.IncidentDetail.self)
        global.output(r) { say(Printer.detail(r)) }
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
    @Option(help: "When it is due.") var due: String?
    @Option(help: "Repeat every INTERVAL (90s, 4h, 3d, 1w).") var every: String?
    @Option(help: "First occurrence of a recurring promise.") var from: String?
    @Option(help: "Last day a recurring promise may fall on (default: the window's end).") var until: String?

    func validate() throws {
        switch (due, every) {
        case (nil, nil): throw ValidationError("give --due WHEN or --every INTERVAL")
        case (.some, .some): throw ValidationError("give --due or --every, not both")
        case (.some, nil) where from != nil || until != nil: throw ValidationError("--from and --until go with --every")
        default: break
        }
        if let every { do { _ = try Interval(parsing: every) } catch { throw ValidationError("--every: \(error.message)") } }
    }

    func run() throws {
        let p = Params.Promise(incident: incident, text: text, due: try resolve(due, "--due"), every: every,
                               from: try resolve(from, "--from"), until: try resolve(until, "--until"))
        let r = global.call(.promiseAdd, p, as: View.Promised.self)
        global.output(r) {
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
    @Option(help: "What you did.") var note: String?
    @Option(help: "When it was done (default: now).") var at: String?
    @Option(help: "For root-cause: systemic (fix the process) or judgement (training).") var cause: Cause?

    enum Cause: String, ExpressibleByArgument, CaseIterable { case systemic, judgement }

    func validate() throws { try checkItem(item) }

    func run() throws {
        let r = global.call(.itemDone, Params.Done(item: item, note: note, at: try resolve(at, "--at"), cause: cause?.rawValue),
                                as: View.Changed.self)
        global.output(r) { say(r.message) }
    }
}

struct Draft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Print a draft for the client: the apology (acknowledge), the plan (share-plan), a progress report (check-ins), the review.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.1 or 3.6.") var item: String

    func validate() throws { try checkItem(item) }

    func run() throws {
        let d = global.call(.itemDraft, Params.Draft(item: item), as: View.Draft.self)
        global.output(d) { say("To: \(d.to)\nSubject: \(d.subject)\n\n\(d.text)", terminator: "") }
    }
}

struct Snooze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze",
        abstract: "Move an item's reminder (never its due time): by DURATION or --until WHEN.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.2 or 3.2#4.") var item: String
    @Argument(help: "How long: 90s, 4h, 3d, 1w.") var duration: String?
    @Option(help: "Remind again at WHEN instead.") var until: String?

    func validate() throws {
        try checkItem(item)
        switch (duration, until) {
        case (nil, nil): throw ValidationError("give a DURATION (4h, 3d) or --until WHEN")
        case (.some, .some): throw ValidationError("give a DURATION or --until, not both")
        case (let d?, nil): do { _ = try Interval(parsing: d) } catch { throw ValidationError(error.message) }
        default: break
        }
    }

    func run() throws {
        let r = global.call(.itemSnooze, Params.Snooze(item: item, duration: duration, until: try resolve(until, "--until")),
                                as: View.Changed.self)
        global.output(r) { say(r.message) }
    }
}

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release an item you renegotiated with the client, with the reason.")
    @OptionGroup var global: Global
    @Argument(help: "Item, like 3.2 (all open occurrences) or 3.2#4.") var item: String
    @Option(help: "Why, as agreed with the client.") var reason: String

    func validate() throws { try checkItem(item) }

    func run() throws {
        let r = global.call(.itemRelease, Params.Release(item: item, reason: reason), as: View.Changed.self)
        global.output(r) { say(r.message) }
    }
}

struct Checkin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkin", abstract: "Log an unscheduled touchpoint with the client.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Option(help: "What you talked about.") var note: String?

    func run() throws {
        let r = global.call(.checkinLog, Params.Checkin(incident: incident, note: note), as: View.Message.self)
        global.output(r) { say(r.message) }
    }
}

struct Agenda: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agenda", abstract: "What is overdue, then what is due soon.")
    @OptionGroup var global: Global
    @Option(help: "How many days ahead (default 7).") var days: Int = 7

    func validate() throws { if !(0...3650).contains(days) { throw ValidationError("--days must be between 0 and 3650") } }

    func run() throws {
        let r = global.call(.agenda, Params.Agenda(days: days), as: View.Agenda.self)
        global.output(r) { say(Printer.agenda(r)) }
    }
}

struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Promises due so far and how they went, per incident and client.")
    @OptionGroup var global: Global
    @Option(help: "Only this client.") var client: String?

    func run() throws {
        let r = global.call(.ledger, Params.Ledger(client: client), as: View.LedgerReport.self)
        global.output(r) { say(Printer.ledger(r)) }
    }
}

struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close an incident with its outcome; what is still open is released.")
    @OptionGroup var global: Global
    @Argument(help: "Incident id.") var incident: Int
    @Option(help: "recovered, strengthened or lost.") var outcome: Outcome
    @Option(help: "What you learned.") var note: String?

    func run() throws {
        let r = global.call(.incidentClose, Params.Close(incident: incident, outcome: outcome, note: note), as: View.Closed.self)
        global.output(r) {
            say("Closed incident \(r.incident.id) (\(r.incident.client)): \(outcome.rawValue). \(r.released) open item\(r.released == 1 ? "" : "s") released.")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The daemon: version, uptime, store, next reminder, channels.")
    @OptionGroup var global: Global

    func run() throws {
        let r = global.call(.status, Params.None(), as: View.Status.self)
        global.output(r) { say(Printer.status(r)) }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the store as JSON, or every future due as an iCalendar file (--format ics > kept.ics).")
    @OptionGroup var global: Global
    @Option(help: "json (the whole store) or ics (future dues, for a calendar).") var format: String = "json"

    func validate() throws {
        if !["json", "ics"].contains(format) { throw ValidationError("--format must be json or ics") }
    }

    func run() throws {
        if format == "ics" {
            let c = global.call(.export, Params.Export(format: format), as: View.Calendar.self)
            global.output(c) { say(c.ics, terminator: "") }
            return
        }
        // The whole store as the daemon wrote it, printed with sorted keys.
        let store = global.call(.export, Params.Export(format: format), as: JSONValue.self)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let out = try? encoder.encode(store) else { fail("cannot print the store", code: 1) }
        say(String(decoding: out, as: UTF8.self))
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Make the daemon re-read its configuration.")
    @OptionGroup var global: Global

    func run() throws {
        let r = global.call(.reload, Params.None(), as: View.Message.self)
        global.output(r) { say(r.message) }
    }
}

func checkItem(_ raw: String) throws {
    do { _ = try ItemRef(parsing: raw) } catch { throw ValidationError(error.message) }
}
