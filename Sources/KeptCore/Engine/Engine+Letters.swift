/// Letters: the user's own mail to the client, Bcc'd to a logging address of kept's, seen
/// through the same two doors as replies and judged by the same rules of who may act. A letter to
/// an item's address does that item's open occurrence at the letter's `Date`; to the incident's
/// address it is a touchpoint (`kept checkin`). Every letter goes on the timeline with its
/// recipients, subject and Message-ID; kept never writes to the client and never answers it.
extension Engine {
    /// The letter's target, when a recipient is one of kept's logging addresses; nil when none is.
    /// `.failure` when a logging token is there but names nothing of this store.
    func letterTarget(_ r: Reply, _ s: ReplySettings) -> Result<LetterTarget, LetterRefusal>? {
        let tokens = r.recipients.compactMap { s.signer.logToken(in: $0) }
        guard !tokens.isEmpty else { return nil }
        for incident in state.incidents {
            let targets = [LetterTarget.incident(incident.id)]
                + incident.items.filter(LetterTarget.isLetter).map { LetterTarget.item(ItemID(incident: incident.id, number: $0.number)) }
            for target in targets where tokens.contains(where: { s.signer.verify(logToken: $0, for: target) }) {
                return .success(target)
            }
        }
        return .failure(LetterRefusal())
    }

    struct LetterRefusal: Error {}

    /// Logs a letter that passed the rules: what it does to the ledger, and its line on the timeline.
    func logLetter(_ r: Reply, to target: LetterTarget, now: Instant) -> Decision<View.Ingested> {
        let incident = state.incident(target.incident)!
        let to = (r.sentTo ?? []).filter { mailbox in !Reply.addresses(mailbox).contains { replies?.signer.logToken(in: $0) != nil } }
        let subject = TypedText.trimmed(r.subject) ?? "(no subject)"
        let line = "sent to \(to.isEmpty ? "no one named" : to.joined(separator: ", ")): \(subject) \(r.messageID)"
        var changes: [Change] = [.replied(messageID: r.messageID)]
        var said: String
        var counted = false
        var about: OccurrenceID?
        // Done when it was written: not in the future, not before the thing existed.
        func sent(after earliest: Instant) -> Instant {
            guard let date = r.date, date <= now + 60, date >= earliest else { return now }
            return min(date, now)
        }

        switch target {
        case .incident(let id):
            changes.append(.letterSent(incident: id, occurrence: nil, text: line))
            if !incident.isOpen {
                said = "a letter for incident \(id), closed: on its timeline, not counted"
            } else if let checkin = try? Methods.CheckinLog.decide(self, Params.Checkin(incident: id, note: "letter: \(subject)"), now: sent(after: incident.noticed)) {
                changes += checkin.changes
                counted = true
                said = "a letter to \(incident.client): a touchpoint of incident \(id)"
            } else {
                said = "a letter for incident \(id): on its timeline"
            }
        case .item(let itemID):
            let item = incident.item(itemID.number)!
            // The one due soonest, or overdue; of a recurring promise, not one due more than half its
            // period after the letter: the one it was for may be done already (on the phone, by a
            // reply), and its Bcc copy must not do the next.
            let written = sent(after: Self.madeAt(item, in: incident))
            let latest = item.every.map { written + min(7 * 86_400, $0.seconds / 2) }
            let open = occurrences(of: item, in: incident)
                .filter { o in o.status(at: now).isOpen && latest.map { o.times.due <= $0 } ?? true }
                .min { $0.times.due < $1.times.due }
            changes.append(.letterSent(incident: incident.id, occurrence: open?.id, text: line))
            about = open?.id
            if !incident.isOpen {
                said = "a letter for \(itemID), whose incident is closed: on its timeline, not counted"
            } else if let open {
                let params = Params.Done(item: ItemRef(item: itemID, occurrence: open.id.index), at: .exact(.at(written)))
                do throws(KeptError) {
                    let done = try Methods.ItemDone.decide(self, params, now: now)
                    changes += done.changes
                    counted = true
                    said = "a letter to \(incident.client): \(name(of: open.id, item)) done"
                } catch {
                    said = "a letter for \(itemID): on its timeline, not counted (\(error.message))"
                }
            } else if item.step == .acknowledge {
                said = "a second apology to \(incident.client): noted on the timeline, not counted — apologize once"
            } else {
                said = "a letter for \(itemID), already done: on its timeline"
            }
        }
        if r.dryRun == true {
            let answer = View.Ingested(outcome: counted ? .acted : .answered, reason: "letter", message: "dry run, nothing changed: \(said)",
                                       occurrence: nil)
            return Decision { _ in answer }
        }
        let answer = View.Ingested(outcome: counted ? .acted : .answered, reason: "letter", message: said,
                                   occurrence: about?.description)
        return Decision(changes: changes) { _ in answer }
    }
}

// MARK: Drafts in the Drafts folder

extension Engine {
    /// The occurrence a reference names (its next open one when none is given).
    public func occurrence(_ ref: ItemRef, now: Instant) throws(KeptError) -> OccurrenceID {
        let (incident, item, index) = try target(ref, now: now)
        return OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: index)
    }

    /// The letter of `occ` as a draft for the user's mail program: From the owner (signed with
    /// their name), To and Cc the client's people, Bcc its logging address, the subject and text
    /// of its draft. Nil for an item without a letter.
    public func letterDraft(for occ: OccurrenceID, now: Instant) -> String? {
        guard let incident = state.incident(occ.item.incident), let item = incident.item(occ.item.number),
              LetterTarget.isLetter(item), let draft = draft(for: occ, now: now) else { return nil }
        let config = rules.config
        let owner = config.reply.from.first ?? config.email.to.first
        let from = owner.map { address in config.letters.signature.map { "\($0) <\(address)>" } ?? address } ?? ""
        // As the user's own mail program would name it: nothing of kept's, the owner's domain;
        // stable per occurrence and store, so the draft written again is the same letter.
        let mark = Reply.hash(Array("letter/\(state.storeID)/\(occ)".utf8)).prefix { $0 != "." }
        let domain = owner.flatMap { $0.split(separator: "@").last }.map(String.init) ?? "localhost"
        let messageID = "<\(mark).\(occ.index)@\(domain)>"
        return MailMessage.letter(from: from, to: incident.to ?? [], cc: incident.cc ?? [], bcc: draft.bcc, subject: draft.subject,
                                  date: rules.zone.rfc5322(now), messageID: messageID, body: draft.text)
    }

    /// The letters owed to the Drafts folder now: every open occurrence of a letter item (the
    /// apology, the plan, a check-in — a promise's letter is the user's to start) whose first
    /// reminder has gone out (the lead, or the due one where there was no lead, as for an apology
    /// due a day after the mistake) and that was never drafted. A write that failed leaves it owed,
    /// to be tried again at the next reminder, reload or start.
    public func draftsDue(now: Instant) -> [OccurrenceID] {
        guard rules.config.letters.drafts != nil else { return [] }
        var owed: [OccurrenceID] = []
        for incident in state.incidents where incident.isOpen {
            for item in incident.items where item.kind != .promise && LetterTarget.isLetter(item) {
                for mark in item.marks where mark.reminded?.isEmpty == false && mark.drafted == nil && !mark.isResolved {
                    let occ = OccurrenceID(item: ItemID(incident: incident.id, number: item.number), index: mark.occurrence)
                    guard occurrences(of: item, in: incident).first(where: { $0.id == occ })?.status(at: now).isOpen == true else { continue }
                    owed.append(occ)
                }
            }
        }
        return owed
    }
}
