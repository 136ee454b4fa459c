import Foundation
@testable import KeptCore
@testable import KeptDaemon
import Testing

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The user's own drafts as Mustache templates: the shipped examples write exactly what kept's
/// built-in drafts write, the user's words pass through untouched, and a broken template is
/// refused by file, line and column.
@Suite struct DraftTemplatesTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/templates").path
    let berlin = Zone.named("Europe/Berlin") ?? .utc
    let t0: Instant

    init() { t0 = berlin.instant(LocalDate(iso: "2026-11-22")!, TimeOfDay(hour: 10, minute: 30)) }

    func engine(contact: String? = nil, title: String = "Invoice sent with the wrong amounts") throws -> Engine {
        var e = Engine(state: StoreState(storeID: "s"), rules: Rules(config: Config(), zone: berlin), channels: [.maildir])
        try e.apply(Methods.IncidentOpen.self, Params.Open(client: "Acme Corp", title: title, contact: contact), now: t0)
        return e
    }

    /// Every draft of incident 1 (apology, plan, a check-in's report, review), built in and templated.
    func bothWays(_ e: Engine, now: Instant) throws -> [(built: View.Draft, templated: View.Draft)] {
        var templated = e
        // Required as the templates themselves: assigned to the optional field directly, a folder
        // that loads nothing would pass as "no templates" and compare the built-in drafts to themselves.
        let templates = try #require(try DraftTemplates.load(folder: Self.shipped))
        templated.drafts = templates
        return try [1, 4, 6, 9, 5].map { n in
            let occ = OccurrenceID(item: ItemID(incident: 1, number: n), index: 1)
            return (try #require(e.draft(for: occ, now: now)), try #require(templated.draft(for: occ, now: now)))
        }
    }

    @Test func theShippedTemplatesWriteWhatTheBuiltInDraftsWrite() throws {
        // Fresh: no promises, no cause, nothing judged.
        var e = try engine()
        for (built, templated) in try bothWays(e, now: t0 + 60) {
            #expect(templated == built, "\(built.kind):\n\(templated.text)\n--- built in ---\n\(built.text)")
        }
        // Later: a contact, promises open and kept, a systemic cause, one late and one kept.
        e = try engine(contact: "Dana Scully")
        try e.apply(Methods.ItemDone.self, Params.Done(item: try ItemRef(parsing: "1.3"), cause: .systemic), now: t0 + 3600)
        try e.apply(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "2026-11-24T12:00"), now: t0)
        try e.apply(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Call Dana", due: "2026-11-23"), now: t0)
        try e.apply(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Weekly figures", every: Interval(1, .week), until: "+5w"), now: t0)
        try e.apply(Methods.ItemDone.self, Params.Done(item: try ItemRef(parsing: "1.14")), now: t0 + 86_400)
        try e.apply(Methods.ItemDone.self, Params.Done(item: try ItemRef(parsing: "1.15")), now: t0 + 3 * 86_400)
        let later = t0 + 9 * 86_400
        for (built, templated) in try bothWays(e, now: later) {
            #expect(templated == built, "\(built.kind):\n\(templated.text)\n--- built in ---\n\(built.text)")
        }
        let review = try bothWays(e, now: later)[4].templated
        // The promises alone (not kept's own steps): 1.14 kept, 1.15 late; the weekly one not yet judged.
        #expect(review.text.contains("In that time I made you 2 commitments and kept 1 of them on time, 1 more late."), "\(review.text)")
        // A judgement call.
        var judged = try engine()
        try judged.apply(Methods.ItemDone.self, Params.Done(item: try ItemRef(parsing: "1.3"), cause: .judgement), now: t0 + 3600)
        let plan = try bothWays(judged, now: t0 + 7200)[1]
        #expect(plan.templated == plan.built)
        #expect(plan.templated.text.contains("judgement call"))
    }

    @Test func theUsersWordsAreNotEscapedOrChanged() throws {
        let title = "<script>alert(\"x\")</script> & 'quotes' — Zoë's \u{202B}RTL\u{202C}"
        let e = try engine(contact: "Renée O'Brien", title: title)
        let (built, templated) = try bothWays(e, now: t0 + 60)[0]
        #expect(templated.text.contains("I made a mistake: \(title). That is on me"))
        #expect(templated.text.hasPrefix("Dear Renée,\n"))
        #expect(templated.subject == "About \(title)")
        #expect(templated == built)
    }

    @Test func aTemplateMaySetTheSubjectAndUseAnyVariable() throws {
        let source = """
        Subject: Re: {{title}} ({{client}})
        Hello {{#contact}}{{contact}}{{/contact}}{{^contact}}team{{/contact}},
        day {{day}} of {{window_days}}, until {{window_end}}; {{ledger.due}} due, rate {{ledger.rate}}.
        {{! a comment }}
        {{#open_promises}}* {{text}} ({{due}})
        {{/open_promises}}
        """
        var e = try engine()
        e.drafts = try DraftTemplates(sources: [.apology: source], folder: "/t")
        try e.apply(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Fix it", due: "2026-11-24T12:00"), now: t0)
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1), now: t0 + 60))
        #expect(draft.subject == "Re: Invoice sent with the wrong amounts (Acme Corp)")
        #expect(draft.text == "Hello team,\nday 1 of 90, until Saturday 20 February; 0 due, rate n/a.\n* Fix it (Tuesday 24 November at 12:00)\n")
        // The others stay built in.
        let plan = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 4), index: 1), now: t0 + 60))
        #expect(plan.text.hasPrefix("Dear Acme Corp,\n\nWe have looked at how the mistake came about."))
    }

    @Test func aTemplateWrittenWithCRLFReadsTheSame() throws {
        var e = try engine()
        e.drafts = try DraftTemplates(sources: [.apology: "Subject: Sorry\r\n\r\nHi {{dear}},\r\n{{title}}\r\n"], folder: "/t")
        let draft = try #require(e.draft(for: OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1), now: t0 + 60))
        #expect(draft.subject == "Sorry")
        #expect(draft.text == "Hi Acme Corp,\nInvoice sent with the wrong amounts\n")
    }

    func problem(_ source: String, kind: DraftFacts.Kind = .apology) -> String {
        do {
            _ = try DraftTemplates(sources: [kind: source], folder: "/home/dana/.config/kept/templates")
            Issue.record("accepted: \(source)")
            return ""
        } catch {
            return error.message
        }
    }

    @Test func aBrokenTemplateIsRefusedByLineAndColumn() throws {
        let path = "/home/dana/.config/kept/templates/apology.mustache"
        #expect(problem("Dear {{dear}},\n{{#open_promises}}\n  - {{text}}\n") == "\(path):4:1: a section is opened and never closed (its {{/name}} is missing)")
        #expect(problem("Dear {{dear}},\n\n{{#coming}}x{{/open_promises}}\n").hasPrefix("\(path):3:"))
        #expect(problem("Dear {{dear}},\n\n{{#coming}}x{{/open_promises}}\n").hasSuffix("a section is closed with another name than it was opened with"))
        #expect(problem("Dear {{dear}},\nI made a mistake: {{title}.\n").hasPrefix("\(path):2:"))
        #expect(problem("Dear {{clinet}},\n") == "\(path):1:6: kept has no variable \"clinet\" (the README lists the variables)")
        #expect(problem("Hi\n  {{#open_promises}}{{text}} by {{deadline}}{{/open_promises}}", kind: .apology)
                == "\(path):2:33: kept has no variable \"deadline\" (the README lists the variables)")
        #expect(problem("{{> footer}}").hasSuffix("1:1: partials and blocks are not used in kept's drafts"))
    }

    @Test func onlyTheFourDraftsAreTemplatesAndTheFolderIsOptional() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kept-templates-\(UUID().uuidString)").path
        #expect(try DraftTemplates.load(folder: folder) == nil)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "notes".write(toFile: folder + "/README", atomically: true, encoding: .utf8)
        #expect(try DraftTemplates.load(folder: folder) == nil)
        try "Dear {{dear}}".write(toFile: folder + "/apologie.mustache", atomically: true, encoding: .utf8)
        #expect(throws: ConfigProblem.self) { try DraftTemplates.load(folder: folder) }
        try FileManager.default.removeItem(atPath: folder + "/apologie.mustache")
        try Data([0x44, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: folder + "/review.mustache"))
        do { _ = try DraftTemplates.load(folder: folder); Issue.record("accepted bytes that are not UTF-8") } catch {
            #expect(error.message == folder + "/review.mustache: not UTF-8 text")
        }
        try "{{title}}".write(toFile: folder + "/review.mustache", atomically: true, encoding: .utf8)
        #expect(try DraftTemplates.load(folder: folder)?.kinds == [.review])
        #expect(DraftTemplates.folder(beside: "/home/dana/.config/kept/config.yaml") == "/home/dana/.config/kept/templates")
    }
}

extension Engine {
    /// Decides and commits, as the daemon would.
    mutating func apply<M: EngineMethod>(_ method: M.Type, _ params: M.Params, now: Instant) throws(KeptError) {
        let decision = try M.decide(self, params, now: now)
        commit(records(for: decision.changes, at: now))
    }
}
