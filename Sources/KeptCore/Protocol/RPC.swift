import FoundationEssentials

/// JSON-RPC 2.0 over the control socket: one JSON value per line, a request or a batch of them.
public enum RPC {
    public static let maxRequestBytes = 64 * 1024
    public static let maxDepth = 32

    /// Standard codes, and kept's own in the server-error range.
    public enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        /// No such incident or item.
        case notFound = -32001
        /// The request is understood but kept will not do it (already done, apologize once, closed, …).
        case refused = -32002
        /// The peer is not the daemon's user.
        case forbidden = -32003
        /// The change could not be made durable; nothing was changed.
        case storage = -32004

        public init(_ kind: KeptError.Kind) {
            switch kind {
            case .invalid: self = .invalidParams
            case .notFound: self = .notFound
            case .refused: self = .refused
            case .storage: self = .storage
            case .internal: self = .internalError
            }
        }
    }

    public struct ErrorObject: Codable, Sendable, Error, Equatable {
        public var code: Int
        public var message: String
        /// Which parameter the error is about, when one is.
        public var data: Detail?

        public struct Detail: Codable, Sendable, Equatable {
            public var field: String?
            public var remedy: String?
            public init(field: String?, remedy: String? = nil) { self.field = field; self.remedy = remedy }
        }

        public init(_ code: Code, _ message: String) { self.code = code.rawValue; self.message = message }
        public init(code: Int, message: String, field: String? = nil, remedy: String? = nil) {
            self.code = code; self.message = message
            self.data = field == nil && remedy == nil ? nil : Detail(field: field, remedy: remedy)
        }
        public init(_ error: KeptError) {
            self.init(code: Code(error.kind).rawValue, message: error.message, field: error.field, remedy: error.remedy)
        }

        public var field: String? { data?.field }
        public var remedy: String? { data?.remedy }
    }

    /// A request id: a number, a string, or null.
    public enum ID: Codable, Sendable, Hashable {
        case number(Int64), string(String), null
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let n = try? c.decode(Int64.self) { self = .number(n) } else {
                self = .string(try c.decode(String.self))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): try c.encode(n)
            case .string(let s): try c.encode(s)
            case .null: try c.encodeNil()
            }
        }
    }

    public struct Request<Params: Encodable>: Encodable {
        public var jsonrpc = "2.0"
        public var id: ID
        public var method: String
        public var params: Params
        public init(id: ID, method: String, params: Params) { self.id = id; self.method = method; self.params = params }
    }

    /// What a client reads back: either a result or an error.
    public struct Reply<Result: Decodable>: Decodable {
        public var id: ID?
        public var result: Result?
        public var error: ErrorObject?
    }

    // MARK: Reading a line

    /// One call read from a line: its method, its params' bytes, and its id as sent (echoed byte for
    /// byte), or no id at all for a notification, which is carried out and never answered.
    public struct Call: Sendable {
        public var id: [UInt8]?
        public var method: String
        /// The `params` value, an object; nil when the request has none.
        public var params: ArraySlice<UInt8>?
        public var isNotification: Bool { id == nil }
    }

    /// A request refused before its method runs, with the id to answer under (`null` when it could
    /// not be read).
    public struct Refusal: Error, Sendable {
        public var id: [UInt8]
        public var error: ErrorObject
        /// A notification refused (its params, say): logged, and like every notification never answered.
        public var isNotification = false
        public init(id: [UInt8] = Array("null".utf8), _ error: ErrorObject, isNotification: Bool = false) {
            self.id = id
            self.error = error
            self.isNotification = isNotification
        }
    }

    /// What one line holds.
    public enum Incoming: Sendable {
        /// One request; answered unless it is a notification.
        case single(Result<Call, Refusal>)
        /// A batch: an answer for each element that is not a notification, in one array.
        case batch([Result<Call, Refusal>])
        /// Not JSON, or an empty batch: one error answers the line.
        case refused(Refusal)
    }

    /// Reads a line: first the whole of it, so that bytes that are not JSON (or nest too deep) are
    /// one parse error whatever they hold; then each request's members, once.
    public static func read(_ line: [UInt8]) -> Incoming {
        var check = JSONReader(line, maxDepth: maxDepth)
        do {
            try check.skip()
            try check.end()
        } catch {
            let code: Code = error.tooDeep ? .invalidRequest : .parseError
            return .refused(Refusal(ErrorObject(code, code == .parseError ? "not valid JSON: \(error)" : "request nested more than \(maxDepth) levels deep")))
        }
        var r = JSONReader(line, maxDepth: maxDepth)
        guard (try? r.peekByte()) == UInt8(ascii: "[") else { return .single(call(&r)) }
        var calls: [Result<Call, Refusal>] = []
        try? r.array { e throws(JSONReader.Failure) in calls.append(call(&e)) }
        if calls.isEmpty { return .refused(Refusal(ErrorObject(.invalidRequest, "an empty batch"))) }
        return .batch(calls)
    }

    /// One request object, from a document already known to be JSON.
    static func call(_ r: inout JSONReader) -> Result<Call, Refusal> {
        guard (try? r.peekByte()) == UInt8(ascii: "{") else {
            try? r.skip()
            return .failure(Refusal(ErrorObject(.invalidRequest, "a request is an object with \"jsonrpc\": \"2.0\" and a \"method\"")))
        }
        var version: String?, method: String?, id: [UInt8]?, params: ArraySlice<UInt8>?
        var problem: String?
        var badID = false
        do {
            try r.object { m, name throws(JSONReader.Failure) in
                switch name {
                case "jsonrpc":
                    if try m.peekByte() == UInt8(ascii: "\"") { version = try m.string() } else { try m.skip() }
                case "method":
                    if try m.peekByte() == UInt8(ascii: "\"") { method = try m.string() } else {
                        try m.skip(); problem = problem ?? "the method must be a string"
                    }
                case "id":
                    let b = try m.peekByte()
                    let value = try m.span { v throws(JSONReader.Failure) in try v.skip() }
                    if b == UInt8(ascii: "\"") || b == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "n") {
                        id = Array(value)
                    } else {
                        badID = true
                    }
                case "params":
                    let b = try m.peekByte()
                    let value = try m.span { v throws(JSONReader.Failure) in try v.skip() }
                    if b == UInt8(ascii: "{") { params = value } else if b == UInt8(ascii: "[") {
                        problem = problem ?? "params must be an object: kept's methods take named parameters"
                    } else {
                        problem = problem ?? "params must be an object, not \(String(decoding: value, as: UTF8.self))"
                    }
                default:
                    try m.skip()
                    problem = problem ?? "unknown member \(name.debugDescription) in the request"
                }
            }
        } catch {
            return .failure(Refusal(ErrorObject(.invalidRequest, "not a JSON-RPC 2.0 request: \(error)")))
        }
        let answerID = badID ? Array("null".utf8) : (id ?? Array("null".utf8))
        if badID { return .failure(Refusal(id: answerID, ErrorObject(.invalidRequest, "the id must be a string, a number or null"))) }
        guard version == "2.0" else {
            return .failure(Refusal(id: answerID, ErrorObject(.invalidRequest, "a request needs \"jsonrpc\": \"2.0\"")))
        }
        guard let method else {
            return .failure(Refusal(id: answerID, ErrorObject(.invalidRequest, problem ?? "a request needs a \"method\"")))
        }
        if let problem {
            let code: Code = problem.hasPrefix("params must be an object:") ? .invalidParams : .invalidRequest
            return .failure(Refusal(id: answerID, ErrorObject(code, problem), isNotification: id == nil))
        }
        return .success(Call(id: id, method: method, params: params))
    }

    // MARK: Writing answers

    /// `{"jsonrpc":"2.0","id":…,"result":…}` around a result already written.
    public static func response(id: [UInt8], result: [UInt8]) -> [UInt8] {
        var json = JSONWriter(capacity: result.count + 40)
        json.beginObject()
        json.key("jsonrpc"); json.string("2.0")
        json.key("id"); json.raw(id)
        json.key("result"); json.raw(result)
        json.endObject()
        return json.bytes
    }

    /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}`.
    public static func response(id: [UInt8], error: ErrorObject) -> [UInt8] {
        var json = JSONWriter(capacity: error.message.utf8.count + 80)
        json.beginObject()
        json.key("jsonrpc"); json.string("2.0")
        json.key("id"); json.raw(id)
        json.key("error"); json.beginObject()
        json.key("code"); json.int(error.code)
        json.key("message"); json.string(error.message)
        if error.field != nil || error.remedy != nil {
            json.key("data"); json.beginObject()
            if let field = error.field { json.key("field"); json.string(field) }
            if let remedy = error.remedy { json.key("remedy"); json.string(remedy) }
            json.endObject()
        }
        json.endObject()
        json.endObject()
        return json.bytes
    }

    /// A result's own JSON: written by itself when it can, otherwise by its Codable conformance.
    public static func encode<R: Encodable>(_ result: R) -> Result<[UInt8], ErrorObject> {
        if let own = result as? any JSONWritable {
            var json = JSONWriter(capacity: 4096)
            own.write(to: &json)
            return .success(json.bytes)
        }
        do { return .success(Array(try encoder.encode(result))) } catch {
            return .failure(ErrorObject(.internalError, "cannot encode the answer: \(error)"))
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()
}

/// Any key at all, for probing a container's shape.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}
