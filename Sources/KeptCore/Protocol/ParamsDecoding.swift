import FoundationEssentials

extension KeptMethod {
    /// The method's params from a request's `params` bytes (an object; none reads as `{}`),
    /// decoded once into their type. A member the type does not have is refused by name, so a
    /// misspelt option is never silently dropped.
    public static func params(from bytes: ArraySlice<UInt8>?) throws(KeptError) -> Params {
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
