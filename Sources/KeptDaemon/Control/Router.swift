import KeptCore

/// The one table from a method's name to what answers it. A line is read once (`RPC.read`), each
/// call's params decoded once into its method's type, the Engine or the daemon asked, and the
/// result written by its own type's encoding. Batches get one array of answers; notifications are
/// carried out and never answered.
struct Router: Sendable {
    typealias Answer = Result<[UInt8], RPC.ErrorObject>
    typealias Handler = @Sendable (Keeper, ArraySlice<UInt8>?) async -> Answer

    let table: [String: Handler]

    init() {
        var table: [String: Handler] = [:]
        // mail.ingest is decided by the Engine too, but through the keeper's own path (which logs
        // what the reply did), registered with the daemon's methods below: once.
        // item.draft too: with save, the keeper writes into the Drafts folder.
        for method in Methods.decided where ![Methods.MailIngest.name, Methods.ItemDraft.name].contains(method.name) {
            table[method.name] = Self.decided(method)
        }
        table[Methods.ItemDraft.name] = Self.daemon(Methods.ItemDraft.self) { keeper, p throws(KeptError) in try await keeper.draft(p) }
        table[Methods.Status.name] = Self.daemon(Methods.Status.self) { keeper, _ in await keeper.fullStatus() }
        table[Methods.CalendarSync.name] = Self.daemon(Methods.CalendarSync.self) { keeper, _ throws(KeptError) in try await keeper.syncCalendarNow() }
        table[Methods.Reload.name] = Self.daemon(Methods.Reload.self) { keeper, _ throws(KeptError) in try await keeper.reloadAnswer() }
        table[Methods.MailIngest.name] = Self.daemon(Methods.MailIngest.self) { keeper, reply throws(KeptError) in try await keeper.ingest(reply) }
        self.table = table
    }

    /// A method the Engine decides, performed as one transaction of the keeper.
    static func decided<M: EngineMethod>(_: M.Type) -> Handler {
        { keeper, bytes in
            let params: M.Params
            do throws(KeptError) { params = try M.params(from: bytes) } catch {
                await keeper.logRefusal(M.name, RequestTarget(), error.message)
                return .failure(RPC.ErrorObject(error))
            }
            do throws(KeptError) {
                return try await keeper.perform { engine, now throws(KeptError) in
                    try M.decide(engine, params, now: now).map { RPC.encode($0) }
                }
            } catch {
                await keeper.logRefusal(M.name, params.target, error.message)
                return .failure(RPC.ErrorObject(error))
            }
        }
    }

    /// A method the daemon answers itself.
    static func daemon<M: KeptMethod>(_: M.Type, _ answer: @escaping @Sendable (Keeper, M.Params) async throws(KeptError) -> M.Result) -> Handler {
        { keeper, bytes in
            do throws(KeptError) {
                let params = try M.params(from: bytes)
                return RPC.encode(try await answer(keeper, params))
            } catch {
                await keeper.logRefusal(M.name, RequestTarget(), error.message)
                return .failure(RPC.ErrorObject(error))
            }
        }
    }

    /// The answer to one line, without its newline; nil when nothing is to be answered (a
    /// notification, or a batch of them).
    func answer(_ line: [UInt8], keeper: Keeper) async -> [UInt8]? {
        guard line.count <= RPC.maxRequestBytes else {
            return RPC.response(id: Array("null".utf8), error: RPC.ErrorObject(.invalidRequest, "request larger than 64 KiB"))
        }
        switch RPC.read(line) {
        case .refused(let refusal):
            await keeper.logMalformed(refusal.error.message)
            return RPC.response(id: refusal.id, error: refusal.error)
        case .single(let call):
            return await answer(call, keeper: keeper)
        case .batch(let calls):
            var answers: [[UInt8]] = []
            for call in calls { if let a = await answer(call, keeper: keeper) { answers.append(a) } }
            guard !answers.isEmpty else { return nil }
            var json = JSONWriter(capacity: answers.reduce(2) { $0 + $1.count + 1 })
            json.beginArray()
            for a in answers { json.element(); json.raw(a) }
            json.endArray()
            return json.bytes
        }
    }

    func answer(_ call: Result<RPC.Call, RPC.Refusal>, keeper: Keeper) async -> [UInt8]? {
        let c: RPC.Call
        switch call {
        case .failure(let refusal):
            await keeper.logMalformed(refusal.error.message)
            return refusal.isNotification ? nil : RPC.response(id: refusal.id, error: refusal.error)
        case .success(let success): c = success
        }
        let result: Answer
        if let handler = table[c.method] {
            result = await handler(keeper, c.params)
        } else {
            let error = RPC.ErrorObject(.methodNotFound, "unknown method \(c.method.debugDescription)")
            await keeper.logRefusal(c.method, RequestTarget(), error.message)
            result = .failure(error)
        }
        guard let id = c.id else { return nil }
        switch result {
        case .success(let bytes): return RPC.response(id: id, result: bytes)
        case .failure(let error): return RPC.response(id: id, error: error)
        }
    }
}
