import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

let berlin = zone("Europe/Berlin")
let newYork = zone("America/New_York")
let utc = Zone.utc

/// A zone of the tz database; a missing one is a recorded failure (and UTC), not a crash.
func zone(_ name: String) -> Zone {
    if let zone = Zone.named(name) { return zone }
    Issue.record("the tz database has no \(name) (is tzdata installed?)")
    return .utc
}

/// An instant from a local wall-clock time in `zone`: `at("2026-12-05 14:00", berlin)`.
func at(_ text: String, _ zone: Zone) -> Instant {
    let parts = text.split(separator: " ")
    return zone.instant(LocalDate(iso: String(parts[0]))!, TimeOfDay(parsing: String(parts[1]))!)
}

func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }

extension Engine {
    /// Decides and commits a request as the daemon would, returning the answer.
    mutating func perform<M: EngineMethod>(_ method: M.Type, _ params: M.Params, now: Instant) throws(KeptError) -> M.Result {
        let decision = try M.decide(self, params, now: now)
        commit(records(for: decision.changes, at: now))
        return decision.answer(self)
    }

    /// The same from a request's params as bytes, as the socket reads them.
    mutating func perform<M: EngineMethod>(_ method: M.Type, json params: String, now: Instant) throws(KeptError) -> M.Result {
        let decision = try M.decide(self, params: ArraySlice(params.utf8), now: now)
        commit(records(for: decision.changes, at: now))
        return decision.answer(self)
    }

    /// Fires everything due at `now`, as the daemon's timer would; returns the reminder keys.
    mutating func fire(at now: Instant) -> [String] {
        let changes = dueReminders(at: now)
        commit(records(for: changes, at: now))
        return changes.compactMap { if case .enqueue(let e, _) = $0 { e.key.description } else { nil } }
    }
}

func engine(_ zone: Zone = berlin, config: Config = Config()) -> Engine {
    Engine(state: StoreState(storeID: "teststore"), rules: Rules(config: config, zone: zone), channels: [.maildir])
}

// Items and intervals written as the user types them, in tests only.
extension ItemRef: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { try! self.init(parsing: value) }
}

extension Interval: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { try! self.init(parsing: value) }
}

extension ReminderKey: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = ReminderKey(parsing: value)! }
}

extension Rules.ReminderKind: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = Rules.ReminderKind(name: value)! }
}
