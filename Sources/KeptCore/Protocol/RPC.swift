import FoundationEssentials

/// JSON-RPC 2.0 over the control socket: one object per line (DESIGN §4).
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
    }

    public struct ErrorObject: Codable, Sendable, Error, Equatable {
        public var code: Int
        public var message: String
        public init(_ code: Code, _ message: String) { self.code = code.rawValue; self.message = message }
        public init(code: Int, message: String) { self.code = code; self.message = message }
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

    public struct Response<Result: Encodable>: Encodable {
        public var jsonrpc = "2.0"
        public var id: ID
        public var result: Result
        public init(id: ID, result: Result) { self.id = id; self.result = result }
    }

    public struct ErrorResponse: Codable {
        public var jsonrpc = "2.0"
        public var id: ID
        public var error: ErrorObject
        public init(id: ID, error: ErrorObject) { self.id = id; self.error = error }
    }

    /// What a client reads back: either a result or an error.
    public struct Reply<Result: Decodable>: Decodable {
        public var id: ID?
        public var result: Result?
        public var error: ErrorObject?
    }

    /// The depth of `[`/`{` nesting, outside strings; used to refuse absurd nesting before decoding.
    public static func nestingDepth(_ bytes: some Collection<UInt8>) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1; deepest = max(deepest, depth)
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        return deepest
    }

    /// What the socket reads from one line: the request's id and method, or the error to answer with.
    public struct Envelope: Sendable {
        public var id: ID
        public var method: String
    }

    /// Checks that a line is a JSON-RPC 2.0 request (depth first, so absurd nesting never reaches a
    /// decoder). Each method decodes its own params from the same bytes later.
    public static func envelope(_ bytes: Data) -> Result<Envelope, ErrorPair> {
        guard nestingDepth(bytes) <= maxDepth else {
            return .failure(ErrorPair(.null, ErrorObject(.invalidRequest, "request nested more than \(maxDepth) levels deep")))
        }
        struct Shape: Decodable {
            var jsonrpc: String?
            var id: ID?
            var method: String?
            var params: Probe?
        }
        /// Only checks that params, when present, is an object or an array.
        struct Probe: Decodable {
            init(from decoder: any Decoder) throws {
                if (try? decoder.container(keyedBy: AnyCodingKey.self)) != nil { return }
                _ = try decoder.unkeyedContainer()
            }
        }
        let shape: Shape
        do { shape = try JSONDecoder().decode(Shape.self, from: bytes) } catch {
            if (try? JSONDecoder().decode(JSONValue.self, from: bytes)) != nil {
                return .failure(ErrorPair(.null, ErrorObject(.invalidRequest, "not a JSON-RPC 2.0 request object")))
            }
            return .failure(ErrorPair(.null, ErrorObject(.parseError, "not valid JSON")))
        }
        let id = shape.id ?? .null
        guard shape.jsonrpc == "2.0", let method = shape.method else {
            return .failure(ErrorPair(id, ErrorObject(.invalidRequest, "a request needs \"jsonrpc\": \"2.0\" and a \"method\"")))
        }
        return .success(Envelope(id: id, method: method))
    }

    /// An error and the id to answer it under.
    public struct ErrorPair: Error, Sendable {
        public var id: ID
        public var error: ErrorObject
        public init(_ id: ID, _ error: ErrorObject) { self.id = id; self.error = error }
    }
}

/// Any key at all, for probing a container's shape.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}
