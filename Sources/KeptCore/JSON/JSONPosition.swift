import FoundationEssentials

/// Turns a JSON decoding failure into `FILE:LINE:COLUMN: what is wrong`.
///
/// Foundation's decoder says only "not valid JSON", or names a coding path without a position, so
/// on the error path the document is read again with `JSONReader`: it finds the first syntax
/// error, or the place where the value at the failing coding path starts.
public enum JSONPosition {
    public static func describe(_ error: any Error, in data: Data, path: String, firstLine: Int = 1) -> String {
        let bytes = [UInt8](data)
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
        let offset: Int
        let (found, syntax) = locate(target ?? [], in: bytes)
        if let syntax {
            offset = syntax.offset
            reason = syntax.message
        } else if let found, let target, !target.isEmpty {
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
        lineColumn(of: locate([key], in: bytes).found ?? 0, in: bytes)
    }

    /// Reads the whole document: where the value at `target` (a coding path: member names and
    /// array indices) starts, if it comes before the first syntax error, and that error.
    static func locate(_ target: [String], in bytes: [UInt8]) -> (found: Int?, syntax: JSONReader.Failure?) {
        var reader = JSONReader(bytes)
        var path: [String] = []
        var found: Int?
        func visit(_ r: inout JSONReader) throws(JSONReader.Failure) {
            let start = try r.valueStart()
            if found == nil, path == target { found = start }
            switch try r.peekByte() {
            case UInt8(ascii: "{"):
                try r.object { m, name throws(JSONReader.Failure) in
                    path.append(name)
                    defer { path.removeLast() }
                    try visit(&m)
                }
            case UInt8(ascii: "["):
                var index = 0
                try r.array { e throws(JSONReader.Failure) in
                    path.append(String(index))
                    defer { path.removeLast(); index += 1 }
                    try visit(&e)
                }
            default: try r.skip()
            }
        }
        do {
            try visit(&reader)
            try reader.end()
        } catch {
            return (found, error)
        }
        return (found, nil)
    }
}
