import KeptCore

/// How each change reads in the journal: its event name, what it names, and one line saying it.
extension Change {
    var eventName: String {
        switch self {
        case .open: "incident-opened"
        case .addItem: "promise-added"
        case .done: "item-done"
        case .snooze: "item-snoozed"
        case .release: "item-released"
        case .checkin: "checkin"
        case .note: "item-noted"
        case .replied: "reply-handled"
        case .letterSent: "letter-logged"
        case .contact: "incident-contact"
        case .drafted: "letter-drafted"
        case .close: "incident-closed"
        case .enqueue: "reminder-due"
        case .attempt: "delivery-attempt"
        case .delivered: "reminder-delivered"
        case .failed: "delivery-failed"
        case .calendarTasks: "calendar-published"
        case .calendarSynced: "calendar-synced"
        }
    }

    var incidentID: Int? {
        switch self {
        case .open(let i): i.id
        case .addItem(let id, _), .checkin(let id, _), .close(let id, _, _, _), .letterSent(let id, _, _), .contact(let id, _, _, _): id
        case .done(let o, _, _, _), .snooze(let o, _), .note(let o, _), .drafted(let o, _): o.item.incident
        case .replied, .calendarTasks, .calendarSynced: nil
        case .release(let os, _): os.first?.item.incident
        case .enqueue(let e, _): e.reminder.incident
        case .attempt(let key, _), .delivered(let key, _), .failed(let key, _, _, _, _): key.occurrence?.item.incident
        }
    }

    var itemName: String? {
        switch self {
        case .open, .checkin, .close, .replied, .calendarTasks, .calendarSynced, .contact: nil
        case .letterSent(_, let o, _): o?.description
        case .addItem(let id, let item): "\(id).\(item.number)"
        case .done(let o, _, _, _), .snooze(let o, _), .note(let o, _), .drafted(let o, _): o.description
        case .release(let os, _): os.first?.description
        case .enqueue(let e, _): e.key.description
        case .attempt(let key, _), .delivered(let key, _), .failed(let key, _, _, _, _): key.description
        }
    }

    var summary: String {
        switch self {
        case .open(let i): "incident \(i.id) opened for \(i.client): \(i.title) (\(i.items.count) items)"
        case .addItem(let id, let item): "promise \(id).\(item.number) added: \(item.text)"
        case .done(let o, _, _, _): "\(o) done"
        case .snooze(let o, let until): "\(o) snoozed until \(until)"
        case .release(let os, let reason): "\(os.map(\.description).joined(separator: ", ")) released: \(reason)"
        case .checkin(let id, _): "check-in logged for incident \(id)"
        case .note(let o, _): "note on \(o)"
        case .replied(let id): "reply \(id) handled"
        case .drafted(let o, let folder): "the letter for \(o) is in \(folder)"
        case .contact(let id, _, let to, let cc): "incident \(id): letters go to \((to + cc).joined(separator: ", "))"
        case .letterSent(let id, let o, let text): "letter for \(o.map(\.description) ?? "incident \(id)") logged: \(text)"
        case .close(let id, let outcome, _, let released): "incident \(id) closed: \(outcome.rawValue) (\(released.count) released)"
        case .enqueue(let e, let covered): "reminder \(e.key) due\(e.reminder.late ? " (late)" : "")\(covered.isEmpty ? "" : ", covering \(covered.map(\.description).joined(separator: ", "))")"
        case .attempt(let key, let channel): "delivering \(key) via \(channel)"
        case .delivered(let key, let channel): "reminder \(key) delivered via \(channel)"
        case .failed(let key, let channel, let error, let permanent, _): "reminder \(key) \(permanent ? "failed for good" : "failed, will retry") via \(channel): \(error)"
        case .calendarTasks(let collection, let tasks): "calendar \(collection): \(tasks.count) task\(tasks.count == 1 ? "" : "s") recorded"
        case .calendarSynced(let collection, _): "calendar \(collection) synced"
        }
    }
}
