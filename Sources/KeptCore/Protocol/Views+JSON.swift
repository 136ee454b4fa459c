/// The agenda and the promise on the wire without the generic coders: the answer that grows with
/// the store (8,000 rows at 100,000 items), and the request a user makes most, whose every
/// millisecond is the CLI's. Field names and omitted nils are exactly the Codable ones.

extension View.Occurrence: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("item"); json.string(item)
        json.key("incident"); json.int(incident)
        json.key("client"); json.string(client)
        json.key("kind"); json.string(kind.rawValue)
        if let step { json.key("step"); json.string(step.rawValue) }
        json.key("text"); json.string(text)
        json.key("due"); json.string(due)
        json.key("status"); json.string(status.rawValue)
        if let done { json.key("done"); json.instant(done) }
        if let note { json.key("note"); json.string(note) }
        if let released { json.key("released"); json.string(released) }
        if let snoozedUntil { json.key("snoozedUntil"); json.instant(snoozedUntil) }
        json.key("recurring"); json.bool(recurring)
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var id, item, client, text, due, note, released: String?
        var kind: Item.Kind?, step: PlaybookStep?, status: OccurrenceStatus?
        var incident: Int?
        var done, snoozedUntil: Instant?
        var recurring: Bool?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "id": id = try r.string()
            case "item": item = try r.string()
            case "incident": incident = Int(try r.int())
            case "client": client = try r.string()
            case "kind": kind = try r.value(Item.Kind.self)
            case "step": step = try r.null() ? nil : try r.value(PlaybookStep.self)
            case "text": text = try r.string()
            case "due": due = try r.string()
            case "status": status = try r.value(OccurrenceStatus.self)
            case "done": done = try r.null() ? nil : try r.instant()
            case "note": note = try r.null() ? nil : try r.string()
            case "released": released = try r.null() ? nil : try r.string()
            case "snoozedUntil": snoozedUntil = try r.null() ? nil : try r.instant()
            case "recurring": recurring = try r.bool()
            default: try r.skip()
            }
        }
        try self.init(
            id: json.required(id, "id"), item: json.required(item, "item"), incident: json.required(incident, "incident"),
            client: json.required(client, "client"), kind: json.required(kind, "kind"), step: step,
            text: json.required(text, "text"), due: json.required(due, "due"), status: json.required(status, "status"),
            done: done, note: note, released: released, snoozedUntil: snoozedUntil, recurring: json.required(recurring, "recurring"))
    }
}

extension View.Agenda: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("now"); json.instant(now)
        json.key("days"); json.int(days)
        json.key("overdue"); json.beginArray()
        for o in overdue { json.element(); o.write(to: &json) }
        json.endArray()
        json.key("upcoming"); json.beginArray()
        for o in upcoming { json.element(); o.write(to: &json) }
        json.endArray()
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var now: Instant?, days: Int?
        var overdue: [View.Occurrence]?, upcoming: [View.Occurrence]?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "now": now = try r.instant()
            case "days": days = Int(try r.int())
            case "overdue": overdue = try r.occurrences()
            case "upcoming": upcoming = try r.occurrences()
            default: try r.skip()
            }
        }
        try self.init(now: json.required(now, "now"), days: json.required(days, "days"),
                      overdue: json.required(overdue, "overdue"), upcoming: json.required(upcoming, "upcoming"))
    }
}

extension View.Warning: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("code"); json.string(code)
        json.key("message"); json.string(message)
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var code, message: String?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "code": code = try r.string()
            case "message": message = try r.string()
            default: try r.skip()
            }
        }
        try self.init(code: json.required(code, "code"), message: json.required(message, "message"))
    }
}

extension View.Item: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("kind"); json.string(kind.rawValue)
        if let step { json.key("step"); json.string(step.rawValue) }
        json.key("text"); json.string(text)
        json.key("due"); json.string(due)
        if let every { json.key("every"); json.string(every) }
        if let until { json.key("until"); json.string(until) }
        if let zone { json.key("zone"); json.string(zone) }
        json.key("occurrences"); json.beginArray()
        for o in occurrences { json.element(); o.write(to: &json) }
        json.endArray()
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var id, text, due, every, until, zone: String?
        var kind: Item.Kind?, step: PlaybookStep?
        var occurrences: [View.Occurrence]?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "id": id = try r.string()
            case "kind": kind = try r.value(Item.Kind.self)
            case "step": step = try r.null() ? nil : try r.value(PlaybookStep.self)
            case "text": text = try r.string()
            case "due": due = try r.string()
            case "every": every = try r.null() ? nil : try r.string()
            case "until": until = try r.null() ? nil : try r.string()
            case "zone": zone = try r.null() ? nil : try r.string()
            case "occurrences": occurrences = try r.occurrences()
            default: try r.skip()
            }
        }
        try self.init(id: json.required(id, "id"), kind: json.required(kind, "kind"), step: step, text: json.required(text, "text"),
                      due: json.required(due, "due"), every: every, until: until, zone: zone, occurrences: json.required(occurrences, "occurrences"))
    }
}

extension View.Promised: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("item"); item.write(to: &json)
        json.key("warnings"); json.beginArray()
        for w in warnings { json.element(); w.write(to: &json) }
        json.endArray()
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var item: View.Item?, warnings: [View.Warning]?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "item": item = try View.Item(reading: &r)
            case "warnings":
                var list: [View.Warning] = []
                try r.array { e throws(JSONReader.Failure) in list.append(try View.Warning(reading: &e)) }
                warnings = list
            default: try r.skip()
            }
        }
        try self.init(item: json.required(item, "item"), warnings: json.required(warnings, "warnings"))
    }
}

extension View.Changed: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("occurrences"); json.beginArray()
        for o in occurrences { json.element(); o.write(to: &json) }
        json.endArray()
        json.key("message"); json.string(message)
        json.key("warnings"); json.beginArray()
        for w in warnings { json.element(); w.write(to: &json) }
        json.endArray()
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var occurrences: [View.Occurrence]?, message: String?, warnings: [View.Warning]?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "occurrences": occurrences = try r.occurrences()
            case "message": message = try r.string()
            case "warnings":
                var list: [View.Warning] = []
                try r.array { e throws(JSONReader.Failure) in list.append(try View.Warning(reading: &e)) }
                warnings = list
            default: try r.skip()
            }
        }
        try self.init(occurrences: json.required(occurrences, "occurrences"), message: json.required(message, "message"),
                      warnings: json.required(warnings, "warnings"))
    }
}

extension View.Ingested: JSONWritable, JSONReadable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("outcome"); json.string(outcome.rawValue)
        if let reason { json.key("reason"); json.string(reason) }
        json.key("message"); json.string(message)
        if let occurrence { json.key("occurrence"); json.string(occurrence) }
        json.endObject()
    }

    public init(reading json: inout JSONReader) throws(JSONReader.Failure) {
        var outcome: Outcome?, reason: String?, message: String?, occurrence: String?
        try json.object { r, name throws(JSONReader.Failure) in
            switch name {
            case "outcome": outcome = try r.value(Outcome.self)
            case "reason": reason = try r.null() ? nil : try r.string()
            case "message": message = try r.string()
            case "occurrence": occurrence = try r.null() ? nil : try r.string()
            default: try r.skip()
            }
        }
        try self.init(outcome: json.required(outcome, "outcome"), reason: reason, message: json.required(message, "message"),
                      occurrence: occurrence)
    }
}

extension Params.Done: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("item"); json.string(item.description)
        if let note { json.key("note"); json.string(note) }
        if let at { json.key("at"); json.string(at.description) }
        if let cause { json.key("cause"); json.string(cause.rawValue) }
        if let zone { json.key("zone"); json.string(zone) }
        json.endObject()
    }
}

extension Params.Agenda: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        if let days { json.key("days"); json.int(days) }
        json.endObject()
    }
}

extension Reply: JSONWritable {
    public func write(to json: inout JSONWriter) {
        func strings(_ list: [String]) {
            json.beginArray()
            for s in list { json.element(); json.string(s) }
            json.endArray()
        }
        json.beginObject()
        json.key("messageID"); json.string(messageID)
        json.key("from"); strings(from)
        if let sender { json.key("sender"); json.string(sender) }
        json.key("recipients"); strings(recipients)
        json.key("thread"); strings(thread)
        if let subject { json.key("subject"); json.string(subject) }
        if let autoSubmitted { json.key("autoSubmitted"); json.string(autoSubmitted) }
        if let precedence { json.key("precedence"); json.string(precedence) }
        json.key("list"); json.bool(list)
        json.key("autoReply"); json.bool(autoReply)
        json.key("report"); json.bool(report)
        if let reported { json.key("reported"); json.string(reported) }
        json.key("authentication"); strings(authentication)
        if let keptKey { json.key("keptKey"); json.string(keptKey) }
        if let line { json.key("line"); json.string(line) }
        if let date { json.key("date"); json.instant(date) }
        if let sentTo { json.key("sentTo"); strings(sentTo) }
        if let dryRun { json.key("dryRun"); json.bool(dryRun) }
        json.endObject()
    }
}

extension Params.Promise: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("incident"); json.int(incident)
        json.key("text"); json.string(text)
        if let due { json.key("due"); json.string(due.description) }
        if let every { json.key("every"); json.string(every.description) }
        if let from { json.key("from"); json.string(from.description) }
        if let until { json.key("until"); json.string(until.description) }
        if let allowPast { json.key("allowPast"); json.bool(allowPast) }
        if let zone { json.key("zone"); json.string(zone) }
        json.endObject()
    }
}

extension JSONReader {
    /// A string that must be one of `T`'s cases.
    public mutating func value<T: RawRepresentable>(_: T.Type) throws(Failure) -> T where T.RawValue == String {
        let at = offset
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw Failure(message: "not a \(T.self): \(text.debugDescription)", offset: at)
        }
        return value
    }

    fileprivate mutating func occurrences() throws(Failure) -> [View.Occurrence] {
        var list: [View.Occurrence] = []
        try array { r throws(Failure) in list.append(try View.Occurrence(reading: &r)) }
        return list
    }

    /// A JSON-RPC answer line: the result, or the daemon's error.
    public mutating func reply<R: JSONReadable>(_: R.Type) throws(Failure) -> Result<R, RPC.ErrorObject> {
        try reply { json throws(Failure) in try R(reading: &json) }
    }

    /// The same, the result read by `read`.
    public mutating func reply<R>(reading read: (inout JSONReader) throws(Failure) -> R) throws(Failure) -> Result<R, RPC.ErrorObject> {
        var result: R?, error: RPC.ErrorObject?
        try object { r, name throws(Failure) in
            switch name {
            case "result": result = try r.null() ? nil : try read(&r)
            case "error":
                var code: Int?, message: String?, field: String?, remedy: String?
                try r.object { e, member throws(Failure) in
                    switch member {
                    case "code": code = Int(try e.int())
                    case "message": message = try e.string()
                    case "data" where try e.peekByte() == UInt8(ascii: "{"):
                        try e.object { d, name throws(Failure) in
                            switch name {
                            case "field" where try d.peekByte() == UInt8(ascii: "\""): field = try d.string()
                            case "remedy" where try d.peekByte() == UInt8(ascii: "\""): remedy = try d.string()
                            default: try d.skip()
                            }
                        }
                    default: try e.skip()
                    }
                }
                guard let code, let message else { throw r.missing("code and message") }
                error = RPC.ErrorObject(code: code, message: message, field: field, remedy: remedy)
            default: try r.skip()
            }
        }
        try end()
        if let error { return .failure(error) }
        guard let result else { throw Failure(message: "neither a result nor an error", offset: 0) }
        return .success(result)
    }
}

extension JSONWriter {
    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`, as `RPC.Request` encodes.
    public mutating func request(id: RPC.ID, method: String, params: some JSONWritable) {
        beginObject()
        key("jsonrpc"); string("2.0")
        key("id"); self.id(id)
        key("method"); string(method)
        key("params"); params.write(to: &self)
        endObject()
    }

    /// `{"jsonrpc":"2.0","id":…,"result":…}`, as `RPC.Response` encodes.
    public mutating func response(id: RPC.ID, result: some JSONWritable) {
        beginObject()
        key("jsonrpc"); string("2.0")
        key("id"); self.id(id)
        key("result"); result.write(to: &self)
        endObject()
    }

    private mutating func id(_ id: RPC.ID) {
        switch id {
        case .number(let n): int(n)
        case .string(let s): string(s)
        case .null: null()
        }
    }
}
