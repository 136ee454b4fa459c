import Foundation
@testable import KeptCore

let berlin = Zone(identifier: "Europe/Berlin")!
let newYork = Zone(identifier: "America/New_York")!
let utc = Zone(identifier: "UTC")!

/// An instant from a local wall-clock time in `zone`: `at("2026-12-05 14:00", berlin)`.
func at(_ text: String, _ zone: Zone) -> Instant {
    let parts = text.split(separator: " ")
    return zone.instant(LocalDate(iso: String(parts[0]))!, TimeOfDay(parsing: String(parts[1]))!)
}

func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }

extension Engine {
    /// Decides and commits a request as the daemon would, returning the answer.
    mutating func perform(_ method: Method, _ params: some Encodable, now: Instant) throws(RPC.ErrorObject) -> any Encodable {
        let body = try! JSONEncoder().encode(RPC.Request(id: .number(1), method: method.rawValue, params: params))
        let decision = try decide(method, request: body, now: now)
        commit(records(for: decision.changes, at: now))
        return try decision.answer(self)
    }

    /// Fires everything due at `now`, as the daemon's timer would; returns the reminder keys.
    mutating func fire(at now: Instant) -> [String] {
        let changes = dueReminders(at: now)
        commit(records(for: changes, at: now))
        return changes.compactMap { if case .enqueue(let e, _) = $0 { e.key } else { nil } }
    }
}

func engine(_ zone: Zone = berlin, config: Config = Config()) -> Engine {
    Engine(state: StoreState(storeID: "teststore"), rules: Rules(config: config, zone: zone), channels: ["maildir"])
}

func requestBody<P: Encodable>(_ method: Method, _ params: P) -> Data {
    try! JSONEncoder().encode(RPC.Request(id: .number(1), method: method.rawValue, params: params))
}
