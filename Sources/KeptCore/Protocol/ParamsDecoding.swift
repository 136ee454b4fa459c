import FoundationEssentials

extension KeptMethod {
    /// The method's params from a request's `params` bytes (an object; none reads as `{}`),
    /// decoded once into their type. A member the type does not have is refused by name, so a
    /// misspelt option is never silently dropped.
    public static func params(from bytes: ArraySlice<UInt8>?) throws(KeptError) -> Params {
        if let bytes, let params = Params.readDirectly(bytes) { return params }
        return try decodedParams(from: bytes)
    }

    /// The params as Codable reads them: the road every type has, and the judge of the direct one.
    public static func decodedParams(from bytes: ArraySlice<UInt8>?) throws(KeptError) -> Params {
        do {
            return try JSONDecoder().decode(Strict<Params>.self, from: Data(bytes ?? ArraySlice("{}".utf8))).value
        } catch let error as UnknownMember {
            throw .invalid(error.name, "unknown parameter \(error.name.debugDescription) for \(name)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalid(key.stringValue, "missing parameter \(key.stringValue.debugDescription)")
        } catch let DecodingError.typeMismatch(type, context) {
            let field = Self.field(context.codingPath)
            throw .invalid(field, field.map { "wrong type for \($0.debugDescription): expected \(Self.describe(type))" } ?? "params must be an object")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = Self.field(context.codingPath)
            throw .invalid(field, "\((field ?? "params").debugDescription) may not be null")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalid(Self.field(context.codingPath), context.debugDescription)
        } catch {
            throw .invalid(nil, "params must be an object")
        }
    }

    static func field(_ path: [any CodingKey]) -> String? {
        path.isEmpty ? nil : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "a whole number"
        default: "\(type)".lowercased()
        }
    }
}

extension EngineMethod {
    /// Decodes the params and decides: the path of a request that arrives as bytes.
    public static func decide(_ engine: Engine, params bytes: ArraySlice<UInt8>?, now: Instant) throws(KeptError) -> Decision<Result> {
        try decide(engine, params(from: bytes), now: now)
    }
}

/// A member of a params object that its type does not read.
struct UnknownMember: Error { var name: String }

/// Decodes `T`, refusing any member of its top-level object that `T`'s keys do not name.
struct Strict<T: Decodable>: Decodable {
    var value: T
    init(from decoder: any Decoder) throws { value = try T(from: StrictDecoder(base: decoder)) }
}

/// A decoder that checks an object's members against the keys asked for, then decodes as usual.
private struct StrictDecoder: Decoder {
    let base: any Decoder
    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let members = try base.container(keyedBy: AnyCodingKey.self).allKeys
        if let stranger = members.first(where: { Key(stringValue: $0.stringValue) == nil }) {
            throw UnknownMember(name: stranger.stringValue)
        }
        return try base.container(keyedBy: type)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try base.unkeyedContainer() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { try base.singleValueContainer() }
}

extension Params.Promise {
    /// A promise as a request carries it, read straight from its bytes. A promise is the request
    /// made most, and Foundation's decoder was 7% of keptd's samples over a run of them: its
    /// generic containers, cold again by the time the next promise comes. Only a document Codable reads
    /// the same way is taken — an object of known members, each once and of its type, no `null`,
    /// whole numbers written plainly, nothing after it. Anything else is nil, and `params(from:)`
    /// hands it to Codable, which reads it or says what is wrong; a test holds the two to the
    /// same values.
    public static func readDirectly(_ bytes: ArraySlice<UInt8>) -> Self? {
        var json = JSONReader(Array(bytes), maxDepth: 1)
        var incident: Int?, text: String?, due: When?, every: Interval?, from: When?, until: When?, allowPast: Bool?, zone: String?
        let notTaken = JSONReader.Failure(message: "not read directly", offset: 0)
        func once<T>(_ value: T?, _ read: () throws(JSONReader.Failure) -> T) throws(JSONReader.Failure) -> T {
            guard value == nil else { throw notTaken }
            return try read()
        }
        do throws(JSONReader.Failure) {
            try json.object { r, name throws(JSONReader.Failure) in
                switch name {
                case "incident":
                    incident = try once(incident) { () throws(JSONReader.Failure) in
                        let digits = try r.span { n throws(JSONReader.Failure) in try n.number() }
                        guard let value = Int(String(decoding: digits, as: UTF8.self)) else { throw notTaken }
                        return value
                    }
                case "text": text = try once(text) { () throws(JSONReader.Failure) in try r.string() }
                case "due": due = try once(due) { () throws(JSONReader.Failure) in .text(try r.string()) }
                case "from": from = try once(from) { () throws(JSONReader.Failure) in .text(try r.string()) }
                case "until": until = try once(until) { () throws(JSONReader.Failure) in .text(try r.string()) }
                case "every":
                    every = try once(every) { () throws(JSONReader.Failure) in
                        guard let interval = try? Interval(parsing: try r.string()) else { throw notTaken }
                        return interval
                    }
                case "allowPast": allowPast = try once(allowPast) { () throws(JSONReader.Failure) in try r.bool() }
                case "zone": zone = try once(zone) { () throws(JSONReader.Failure) in try r.string() }
                default: throw notTaken
                }
            }
            try json.end()
        } catch {
            return nil
        }
        guard let incident, let text else { return nil }
        return Params.Promise(incident: incident, text: text, due: due, every: every, from: from, until: until,
                              allowPast: allowPast, zone: zone)
    }
}
