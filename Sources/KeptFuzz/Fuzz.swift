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
        var e = Engine(state: StoreState(storeID: "fuzz"), rules: Rules(config: Config(), zone: zones[0]), channels: [.maildir])
        func perform<M: EngineMethod>(_: M.Type, _ params: M.Params) {
            let decision = try! M.decide(e, params, now: now)
            e.commit(e.records(for: decision.changes, at: now))
        }
        perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Wrong invoice", noticed: "2026-11-15"))
        perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Send the corrected invoice", due: "+2d"))
        perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "Weekly numbers", every: Interval(1, .week), until: "+6w"))
        perform(Methods.IncidentOpen.self, Params.Open(client: "Initech", title: "Leaked the roadmap", playbook: false))
        perform(Methods.IncidentClose.self, Params.Close(incident: 2, outcome: .lost))
        return e
    }()

    public static func one(_ bytes: UnsafeRawBufferPointer) {
        line(Array(bytes))
        reply(Array(bytes))
        date(String(decoding: bytes, as: UTF8.self))
        var reader = JSONReader(Array(bytes))
        _ = try? reader.reply(View.Agenda.self)
    }

    /// A line as the socket reads it: each call it holds decided, committed and answered.
    static func line(_ bytes: [UInt8]) {
        let calls: [Result<RPC.Call, RPC.Refusal>]
        switch RPC.read(bytes) {
        case .refused: return
        case .single(let call): calls = [call]
        case .batch(let batch): calls = batch
        }
        for case .success(let call) in calls {
            guard let method = methods[call.method] else { continue }
            var engine = base
            request(method, call.params, &engine)
        }
    }

    static let methods = Dictionary(uniqueKeysWithValues: Methods.decided.map { ($0.name, $0) })

    static func request<M: EngineMethod>(_: M.Type, _ params: ArraySlice<UInt8>?, _ engine: inout Engine) {
        if let params, let direct = M.Params.readDirectly(params), let writable = direct.writable {
            // Params read straight from the bytes are the params Codable reads from them.
            func written(_ value: any JSONWritable) -> [UInt8] {
                var json = JSONWriter()
                value.write(to: &json)
                return json.bytes
            }
            let decoded = (try? M.decodedParams(from: params))?.writable
            precondition(decoded.map { written($0) == written(writable) } == true, "params read directly, not as Codable reads them")
        }
        guard let decision = try? M.decide(engine, params: params, now: now) else { return }
        let records = engine.records(for: decision.changes, at: now)
        for record in records {
            // Every journal line reads back as the record it was written from, whoever wrote it.
            let line = record.writtenDirectly() ?? (try? Array(JSONEncoder().encode(record))) ?? []
            precondition((try? JSONDecoder().decode(JournalRecord.self, from: Data(line))) == record, "a journal line did not read back")
        }
        engine.commit(records)
        let answer = decision.answer(engine)
        _ = RPC.encode(answer)
        if let agenda = answer as? View.Agenda {
            // The agenda's own writer and reader must give back exactly what was written.
            var json = JSONWriter()
            json.response(id: .number(1), result: agenda)
            var reader = JSONReader(json.bytes)
            precondition((try? reader.reply(View.Agenda.self).get()) == agenda, "the agenda did not survive its own JSON")
        }
        _ = engine.dueReminders(at: now + 120 * 86_400)
    }

    /// Any bytes as a mail reply: read (MIME, charsets, HTML, the quote), judged, and acted on
    /// through the typed path, with a signer that knows every reminder's token.
    static func reply(_ bytes: [UInt8]) {
        var engine = base
        engine.replies = ReplySettings(owners: ["dana@example.org"], signer: AnyToken())
        let r = Reply(parsing: bytes)
        _ = ReplyCommand(line: r.line ?? "")
        guard let decision = try? Methods.MailIngest.decide(engine, r, now: now) else { return }
        engine.commit(engine.records(for: decision.changes, at: now))
        _ = RPC.encode(decision.answer(engine))
    }

    struct AnyToken: ReplySigner {
        func address(for key: ReminderKey) -> String { "dana+kept-aaaaaaaaaaaaaaaa@example.org" }
        func token(in address: String) -> String? {
            address.hasPrefix("dana+kept-") && !address.hasPrefix("dana+kept-log-") ? "aaaaaaaaaaaaaaaa" : nil
        }
        func verify(_ token: String, for key: ReminderKey) -> Bool { true }
        func logAddress(for target: LetterTarget) -> String { "dana+kept-log-\(target.incident)@example.org" }
        func logToken(in address: String) -> String? {
            address.hasPrefix("dana+kept-log-") ? String(address.dropFirst(14).prefix { $0 != "@" }) : nil
        }
        func verify(logToken token: String, for target: LetterTarget) -> Bool { token == String(target.incident) }
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
