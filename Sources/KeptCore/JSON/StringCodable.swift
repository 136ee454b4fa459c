/// A value written in JSON as its own text — a date, an instant, a due, an id, an interval, a
/// reminder's key — and read back from it. A conforming type says how its text is read; the
/// coding is written once, here, and a text that does not read is refused with the type's words.
public protocol StringCodable: Codable, CustomStringConvertible {
    /// The value `text` names; the error says what the text should look like.
    init(codingText text: String) throws(TextNotUnderstood)
}

/// Why a text is not the value it should be: `not a date (YYYY-MM-DD): 2026-13-01`.
public struct TextNotUnderstood: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension StringCodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(codingText: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One of a few words (`json`, `ics`), read by its raw value; any other word is refused with
/// `refusal`, which names the choices.
public protocol NamedChoice: RawRepresentable<String>, CaseIterable, Codable {
    static func refusal(_ raw: String) -> String
}

extension NamedChoice {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let value = Self(rawValue: raw) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: Self.refusal(raw)) }
        self = value
    }
}
