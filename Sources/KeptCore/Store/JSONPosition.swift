import FoundationEssentials

/// Turns a JSON decoding failure into `FILE:LINE:COLUMN: what is wrong`.
///
/// Foundation's decoder says only "not valid JSON", or names a coding path without a position, so
/// this scanner re-reads the text (on the error path only): it finds the first syntax error, or the
/// place where the value at the failing coding path starts.
public enum JSONPosition {
    public static func describe(_ error: any Error, in data: Data, path: String, firstLine: Int = 1) -> String {
        let bytes = [UInt8](data)
        var scanner = Scanner(bytes: bytes)
        var target: [String]?
        var reason = "not valid JSON"
        if let e = error as? DecodingError {
            switch e {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
                target = c.codingPath.map(Self.key)
                reason = c.debugDescription
            case .keyNotFound(let key, let c):
                target = c.codingPath.map(Self.key)
                reason = "missing field \"\(key.stringValue)\""
            @unknown default: break
            }
        }
        scanner.target = target
        let syntaxError = scanner.validate()
        let offset: Int
        if let (at, message) = syntaxError {
            offset = at
            reason = message
        } else if let found = scanner.found, let target, !target.isEmpty {
            offset = found
            reason = "\(target.joined(separator: ".")): \(reason)"
        } else {
            offset = 0
        }
        let (line, column) = lineColumn(of: offset, in: bytes)
        return "\(path):\(line + firstLine - 1):\(column): \(reason)"
    }

    static func key(_ k: any CodingKey) -> String { k.intValue.map { "\($0)" } ?? k.stringValue }

    static func lineColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes.prefix(offset) {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    /// Where the value of a top-level member starts (1:1 when there is none).
    static func lineColumn(ofTopLevelValue key: String, in bytes: [UInt8]) -> (Int, Int) {
        var scanner = Scanner(bytes: bytes)
        scanner.target = [key]
        _ = scanner.validate()
        return lineColumn(of: scanner.found ?? 0, in: bytes)
    }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var path: [String] = []
        var target: [String]?
        var found: Int?

        init(bytes: [UInt8]) { self.bytes = bytes }

        struct Failure: Error { var at: Int; var message: String }

        mutating func validate() -> (Int, String)? {
            do {
                skipSpace()
                try value(depth: 0)
                skipSpace()
                if i < bytes.count { throw Failure(at: i, message: "unexpected text after the end of the document") }
                return nil
            } catch let f as Failure {
                return (f.at, f.message)
            } catch { return (i, "not valid JSON") }
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        func describe(_ at: Int) -> String {
            guard at < bytes.count else { return "the document ends too early" }
            let b = bytes[at]
            return b >= 0x20 && b < 0x7F ? "unexpected '\(Character(UnicodeScalar(b)))'" : "unexpected byte 0x\(String(b, radix: 16))"
        }

        mutating func value(depth: Int) throws {
            if found == nil, let target, path == target { found = i }
            guard depth < 512 else { throw Failure(at: i, message: "nested too deeply") }
            guard i < bytes.count else { throw Failure(at: i, message: "the document ends too early") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1; skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure(at: i, message: describe(i) + ", expected a field name") }
                    let name = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Failure(at: i, message: describe(i) + ", expected ':'") }
                    i += 1; skipSpace()
                    path.append(name)
                    try value(depth: depth + 1)
                    path.removeLast()
                    skipSpace()
                    guard i < bytes.count else { throw Failure(at: i, message: "the document ends too early") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return }
                    throw Failure(at: i, message: describe(i) + ", expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1; skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
                var index = 0
                while true {
                    skipSpace()
                    path.append("\(index)")
                    try value(depth: depth + 1)
                    path.removeLast()
                    index += 1
                    skipSpace()
                    guard i < bytes.count else { throw Failure(at: i, message: "the document ends too early") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return }
                    throw Failure(at: i, message: describe(i) + ", expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                while i < bytes.count, "+-.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
                if Double(String(decoding: bytes[start..<i], as: UTF8.self)) == nil {
                    throw Failure(at: start, message: "not a number")
                }
            default:
                throw Failure(at: i, message: describe(i))
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw Failure(at: i, message: describe(i)) }
            i += w.count
        }

        mutating func string() throws -> String {
            let start = i
            i += 1
            var escaped = false
            while i < bytes.count {
                let b = bytes[i]
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self)
                } else if b < 0x20 {
                    throw Failure(at: i, message: "a control character inside a string")
                }
                i += 1
            }
            throw Failure(at: start, message: "a string that never ends")
        }
    }
}
