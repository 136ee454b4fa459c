import KeptCore
import Logging

/// The calendar as the keeper carries it: what the sync needs from the store, and the changes it
/// brings back, each one transaction through the same typed path as the CLI's.
extension Keeper {
    /// What the calendar should hold now, and what kept knows the server holds.
    struct CalendarPlan: Sendable {
        var now: Instant
        var tasks: [CalendarTask]
        var state: CalendarState?
    }

    /// The store as it is now, to make a plan from away from the keeper, which goes on meanwhile
    /// (a copy that shares the store's storage until either changes).
    struct CalendarBasis: Sendable {
        let engine: Engine
        let now: Instant
        let state: CalendarState?

        func plan() -> CalendarPlan {
            CalendarPlan(now: now, tasks: engine.calendarTasks(now: now, published: state?.tasks ?? [:]), state: state)
        }
    }

    func calendarBasis(collection: String) -> CalendarBasis {
        if let old = engine.state.calendar?.collection, old != collection, !calendarMoveSaid {
            calendarMoveSaid = true
            logger.notice("calendar.url changed from \(old): kept publishes anew to \(collection); the tasks on the old calendar stay there until you delete it",
                          metadata: ["KEPT_EVENT": "calendar-moved"])
        }
        let state = engine.state.calendar.flatMap { $0.collection == collection ? $0 : nil }
        return CalendarBasis(engine: engine, now: now, state: state)
    }

    func calendarPlan(collection: String) -> CalendarPlan {
        calendarBasis(collection: collection).plan()
    }

    /// One occurrence's task as the calendar should hold it now (after a client's change to it was carried out).
    func calendarTask(_ occ: OccurrenceID, collection: String) -> CalendarTask? {
        let published = engine.state.calendar.flatMap { $0.collection == collection ? $0.tasks : nil } ?? [:]
        return engine.calendarTask(occ, now: now, published: published)
    }

    func calendarReadBack(_ server: VTodo, for task: CalendarTask, written: CalendarTask.Owned?) -> CalendarReadBack {
        engine.calendarReadBack(server, for: task, written: written, now: now)
    }

    /// Carries out what a phone did: `kept done` at the task's completion time, or a snooze to its new due.
    /// The sync that read it writes the task back itself: this change does not wake another.
    func calendarApply(_ readBack: CalendarReadBack) {
        do throws(KeptError) {
            switch readBack {
            case .nothing: return
            case .done(let occ, let at):
                let params = Params.Done(item: ItemRef(item: occ.item, occurrence: occ.index), at: .exact(.at(at)))
                _ = try perform(wakingTheCalendar: false) { engine, now throws(KeptError) in try Methods.ItemDone.decide(engine, params, now: now) }
                logger.info("calendar: \(occ) was ticked on a client: done", metadata: ["KEPT_EVENT": "calendar-done", "KEPT_ITEM": .string(occ.description)])
            case .snooze(let occ, let until):
                let params = Params.Snooze(item: ItemRef(item: occ.item, occurrence: occ.index), until: .exact(.at(until)))
                _ = try perform(wakingTheCalendar: false) { engine, now throws(KeptError) in try Methods.ItemSnooze.decide(engine, params, now: now) }
                logger.info("calendar: \(occ)'s due was moved on a client: snoozed until \(engine.rules.zone.format(until))",
                            metadata: ["KEPT_EVENT": "calendar-snoozed", "KEPT_ITEM": .string(occ.description)])
            }
        } catch {
            logger.notice("calendar: a client's change was not taken: \(error.message)", metadata: ["KEPT_EVENT": "calendar-refused"])
        }
    }

    /// Records what the server now holds; durable before the sync goes on.
    func calendarRecord(collection: String, tasks: [String: CalendarState.Published], token: String?? = nil) throws(KeptError) {
        var changes: [Change] = []
        if !tasks.isEmpty { changes.append(.calendarTasks(collection: collection, tasks: tasks)) }
        if let token { changes.append(.calendarSynced(collection: collection, token: token)) }
        guard !changes.isEmpty else { return }
        let decided = changes
        _ = try perform { _, _ in Decision(changes: decided) { _ in () } }
    }

    /// For `kept status`: the tasks still to be written.
    func calendarPending(collection: String) -> Int {
        let plan = calendarPlan(collection: collection)
        let published = plan.state?.tasks ?? [:]
        return plan.tasks.count { CalendarReconciler.needsWrite($0, last: published[$0.uid]) }
    }

    var calendarLastSync: Instant? { engine.state.calendar?.lastSync }

    func setCalendarSync(_ sync: CalendarSync?) { calendarSync = sync }
}

extension Change {
    /// Whether the calendar should follow this change (a sync's own records do not start another).
    var changesTheCalendar: Bool {
        switch self {
        case .calendarTasks, .calendarSynced, .attempt, .delivered, .failed, .replied, .letterSent, .contact, .drafted: false
        default: true
        }
    }
}
