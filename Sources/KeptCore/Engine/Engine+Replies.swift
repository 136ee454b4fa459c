/// Replies by mail: who may act, on what, and how — judged here whichever door the reply came in
/// by, and carried out through the same typed path as `kept done`, `snooze`, `release` and `note`.
/// Mail never opens, closes or deletes anything.
extension Engine {
    /// Why a reply does not act, or which reminder it answers.
    enum Verdict: Equatable {
        case ignore(reason: String, words: String)
        case bounce(ReminderKey)
        case answers(ReminderKey)
    }

    func ingest(_ r: Reply, now: Instant) -> Decision<View.Ingested> {
        guard let replies else {
            return Self.ignored("replies-off", "replies are not turned on (reply.address is not set)")
        }
        if let letter = letterTarget(r, replies) {
            switch screen(r, replies) ?? owner(r, replies) {
            case .ignore(let reason, let words)?: return Self.ignored(reason, words)
            case .bounce?: return Self.ignored("delivery-status-notification", "a delivery-status report")
            case .answers?, nil: break
            }
            switch letter {
            case .success(let target): return logLetter(r, to: target, now: now)
            case .failure: return Self.ignored("bad-token", "its logging address names nothing of kept's")
            }
        }
        let key: ReminderKey
        switch judge(r, replies) {
        case .ignore(let reason, let words): return Self.ignored(reason, words)
        case .bounce(let bounced):
            return Decision { _ in View.Ingested(outcome: .bounce, reason: "delivery-status-notification", message: "a bounce of \(bounced)",
                                                 occurrence: bounced.occurrence?.description) }
        case .answers(let k): key = k
        }
        let line = r.line ?? ""
        var changes: [Change] = [.replied(messageID: r.messageID)]
        let said: String, outcome: View.Ingested.Outcome
        let target = key.occurrence.map { ItemRef(item: $0.item, occurrence: $0.index) }
        switch (target, ReplyCommand(line: line)) {
        case (nil, _):
            (said, outcome) = ("Nothing changed: a reply to the weekly digest cannot say which item it means; reply to that item's own reminder.", .answered)
        case (_, nil):
            (said, outcome) = ("Nothing changed: kept could not read \"\(ReminderComposer.clip(line, 80))\". Reply with done, snooze 2d, release REASON or note …", .answered)
        case (let ref?, let command?):
            do throws(KeptError) {
                let acted = try act(command, on: ref, now: now)
                changes = acted.changes + changes
                var after = self
                after.commit(records(for: acted.changes, at: now))
                let ledger = after.state.incident(ref.item.incident).map { ReminderComposer.describe(after.ledger(of: $0, now: now)) } ?? ""
                (said, outcome) = ("\(acted.answer(after).message) Ledger: \(ledger).", .acted)
            } catch {
                (said, outcome) = ("Nothing changed: \(error.message).", .answered)
            }
        }
        if r.dryRun == true {
            // What it would do, worded as it would be, and nothing written: no change, no answer sent.
            let answer = View.Ingested(outcome: outcome, reason: outcome == .acted ? "dry-run" : "not-acted",
                                       message: "dry run, nothing changed: \(said)", occurrence: key.occurrence?.description)
            return Decision { _ in answer }
        }
        changes.append(confirmation(said, to: r, about: key, now: now))
        let answer = View.Ingested(outcome: outcome, reason: outcome == .acted ? nil : "not-acted", message: said,
                                   occurrence: key.occurrence?.description)
        return Decision(changes: changes) { _ in answer }
    }

    /// The command, as the typed request the CLI would send for it.
    func act(_ command: ReplyCommand, on ref: ItemRef, now: Instant) throws(KeptError) -> Decision<View.Changed> {
        switch command {
        case .done(let note):
            return try Methods.ItemDone.decide(self, Params.Done(item: ref, note: note), now: now)
        case .release(let reason):
            return try Methods.ItemRelease.decide(self, Params.Release(item: ref, reason: reason), now: now)
        case .note(let text):
            return try Methods.ItemNote.decide(self, Params.Note(item: ref, text: text), now: now)
        case .snooze(let when):
            let duration = try? Interval(parsing: when)
            let decision = try Methods.ItemSnooze.decide(self, Params.Snooze(item: ref, duration: duration, until: duration == nil ? .text(when) : nil), now: now)
            // By mail, a snooze past the window is not taken: the reply cannot be asked to confirm.
            if let incident = state.incident(ref.item.incident), case .snooze(_, let until)? = decision.changes.first, until > incident.windowEnd {
                throw .refused("snooze \(when) ends after the incident's window (\(rules.for(incident).zone.format(incident.windowEnd)))")
            }
            return decision
        }
    }

    /// Whether a reply may act, and on which reminder.
    func judge(_ r: Reply, _ s: ReplySettings) -> Verdict {
        if let refused = screen(r, s) { return refused }
        let tokens = r.recipients.compactMap { s.signer.token(in: $0) }
        guard !tokens.isEmpty else { return .ignore(reason: "no-token", words: "not sent to a reply address of kept's") }
        let keys = r.thread.compactMap { ReminderKey(messageID: $0, storeID: state.storeID) }.filter { key in
            if case .reply = key { false } else { true }
        }
        guard let key = keys.first(where: { key in tokens.contains { s.signer.verify($0, for: key) } }) else {
            return .ignore(reason: "bad-token", words: "its token is not the one of the reminder it answers")
        }
        if let refused = owner(r, s) { return refused }
        guard r.line != nil else { return .ignore(reason: "no-own-text", words: "nothing written above the quote") }
        return .answers(key)
    }

    /// The rules every message meets before its address is read: not kept's own, no report, no
    /// automatic reply, no list, no mail system's, not handled before.
    func screen(_ r: Reply, _ s: ReplySettings) -> Verdict? {
        // kept's own messages say so in a header of their own (their From may well be the owner's).
        if r.keptKey != nil { return .ignore(reason: "own-message", words: "one of kept's own messages") }
        if r.report {
            guard let key = r.reported.flatMap({ ReminderKey(messageID: $0, storeID: state.storeID) }) else {
                return .ignore(reason: "delivery-status-notification", words: "a delivery-status report")
            }
            return .bounce(key)
        }
        if let auto = r.autoSubmitted, !auto.hasPrefix("no") {
            return .ignore(reason: "auto-submitted", words: "an automatic reply (Auto-Submitted: \(auto))")
        }
        if r.autoReply { return .ignore(reason: "auto-submitted", words: "an automatic reply") }
        if r.list || ["bulk", "list", "junk"].contains(r.precedence ?? "") { return .ignore(reason: "list-mail", words: "mail from a list") }
        if r.sender == "" || r.from.contains(where: { $0.hasPrefix("mailer-daemon@") || $0.hasPrefix("postmaster@") }) {
            return .ignore(reason: "bounce", words: "a message from a mail system")
        }
        if state.replied?.contains(r.messageID) == true { return .ignore(reason: "replayed", words: "handled before (\(r.messageID))") }
        return nil
    }

    /// From one owner address, and authenticated where the config asks for it.
    func owner(_ r: Reply, _ s: ReplySettings) -> Verdict? {
        guard r.from.count == 1, s.owners.contains(r.from[0]) else {
            return .ignore(reason: "from-not-owner", words: "from \(r.from.joined(separator: ", ")), not an owner address")
        }
        if let server = s.trustedServer, !Self.authenticated(r.authentication, by: server, from: r.from[0]) {
            return .ignore(reason: "authentication-failed", words: "no dkim=pass or dmarc=pass from \(server)")
        }
        return nil
    }

    /// The topmost `Authentication-Results` of `server` says DMARC passed for the From address's
    /// own domain (`header.from`), or a DKIM signature of exactly that domain did. A signature of
    /// any other domain — a parent such as `org` included: telling a registrable domain from a
    /// public suffix needs a list kept does not carry — proves nothing about From.
    static func authenticated(_ results: [String], by server: String, from address: String) -> Bool {
        let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        guard !domain.isEmpty else { return false }
        for value in results {
            let parts = value.lowercased().split(separator: ";").map { $0.trimmingWhitespace() }
            guard parts.first?.split(separator: " ").first.map(String.init) == server.lowercased() else { continue }
            for result in parts.dropFirst() {
                let words = result.split(whereSeparator: { $0 == " " || $0 == "\t" })
                func property(_ name: String) -> String? {
                    words.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
                }
                if result.hasPrefix("dmarc=pass"), property("header.from") == domain { return true }
                if result.hasPrefix("dkim=pass"), property("header.d") == domain || property("header.i")?.hasSuffix("@" + domain) == true {
                    return true
                }
            }
            return false
        }
        return false
    }

    /// The answer to a reply, to the owner through the channels, in the reply's thread.
    func confirmation(_ said: String, to r: Reply, about key: ReminderKey, now: Instant) -> Change {
        let id = ReminderKey.reply(String(Reply.hash(Array(r.messageID.utf8)).prefix { $0 != "." }))
        var subject = r.subject ?? "your reply"
        while subject.lowercased().hasPrefix("re:") { subject = subject.dropFirst(3).trimmingWhitespace() }
        let occurrence = key.occurrence
        let incident = occurrence.flatMap { state.incident($0.item.incident) }
        var reminder = Reminder(key: id, incident: incident?.id, client: incident?.client, item: occurrence?.item.description,
                                text: "reply", due: nil, scheduled: now, late: false, subject: "Re: " + subject,
                                body: "\(said)\n\nYour reply: \(ReminderComposer.clip(r.line ?? "", 200))\n", messageID: composer.messageID(id))
        let message = render(&reminder, now: now, replyKey: key, thread: r.thread.filter { !$0.isEmpty } + [r.messageID])
        return .enqueue(entry: OutboxEntry(key: id, reminder: reminder, message: message, channels: channels), covered: [])
    }

    static func ignored(_ reason: String, _ words: String) -> Decision<View.Ingested> {
        Decision { _ in View.Ingested(outcome: .ignored, reason: reason, message: "ignored: \(words)") }
    }

}
