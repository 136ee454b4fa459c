import Foundation

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
}
