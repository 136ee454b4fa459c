import Foundation
import KeptCore

/// What a fuzzer throws at kept: every input goes through the request path — the envelope check the
/// socket runs, then the method's own params decoding, the change and its answer — and through the
/// date parser, in two zones; and through the reader the CLI uses for large answers. Nothing here may crash, hang or grow without bound; wrong input is
/// only ever an error value.
///
/// `scripts/fuzz` builds this with libFuzzer; the test suite replays `Fuzz/corpus` and
/// `Fuzz/regressions` through the same function.
public enum Fuzz {
    static let now = Instant(seconds: 1_795_000_000)  // 2026-11-18T09:46:40Z
    static let zones = [Zone(identifier: "Europe/Berlin")!, Zone(identifier: "America/New_York")!]

    /// An engine with an open incident (playbook and check-ins), a promise, a recurring promise and
    /// a closed incident: something for every method to find.
    static let base: Engine = {
        var e = Engine(state: StoreState(storeID: "fuzz"), rules: Rules(config: Config(), zone: zones[0]), channels: ["maildir"])
        let setup: [(KeptCore.Method, any Encodable)] = [
            (.incidentOpen, Params.Open(client: "Acme", title: "Wrong invoice", noticed: "2026-11-15")),
            (.promiseAdd, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "+2d")),
            (.promiseAdd, Params.Promise(incident: 1, text: "Weekly numbers", every: "1w", until: "+6w")),
            (.incidentOpen, Params.Open(client: "Initech", title: "Leaked the roadmap", playbook: false)),
            (.incidentClose, Params.Close(incident: 2, outcome: .lost)),
        ]
        func body<P: Encodable>(_ method: KeptCore.Method, _ params: P) -> Data {
            try! JSONEncoder().encode(RPC.Request(id: .number(1), method: method.rawValue, params: params))
        }
        for (method, params) in setup {
            let body = body(method, params)
            let decision = try! e.decide(method, request: body, now: now)
            e.commit(e.records(for: decision.changes, at: now))
        }
        return e
    }()

    public static func one(_ bytes: UnsafeRawBufferPointer) {
        request(Data(bytes))
        date(String(decoding: bytes, as: UTF8.self))
        var reader = JSONReader(Array(bytes))
        _ = try? reader.reply(View.Agenda.self)
    }

    static func request(_ data: Data) {
        guard case .success(let envelope) = RPC.envelope(data), let method = KeptCore.Method(rawValue: envelope.method) else { return }
        var engine = base
        guard let decision = try? engine.decide(method, request: data, now: now) else { return }
        engine.commit(engine.records(for: decision.changes, at: now))
        if let answer = try? decision.answer(engine) {
            _ = try? JSONEncoder().encode(answer)
            if let agenda = answer as? View.Agenda {
                // The agenda's own writer and reader must give back exactly what was written.
                var json = JSONWriter()
                json.response(id: .number(1), result: agenda)
                var reader = JSONReader(json.bytes)
                precondition((try? reader.reply(View.Agenda.self).get()) == agenda, "the agenda did not survive its own JSON")
            }
        }
        _ = engine.dueReminders(at: now + 120 * 86_400)
    }

    static func date(_ text: String) {
        for zone in zones {
            let parser = WhenParser(now: now, zone: zone)
            if let due = try? parser.parse(text) { _ = due.format(in: zone) }
            _ = try? parser.after(text)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func keptFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.one(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
