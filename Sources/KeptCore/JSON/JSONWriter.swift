/// JSON written and read straight from bytes, for the answer that can be large (an agenda of
/// thousands of rows) and the request a user makes most (a promise, where the coders' first use is
/// a fifth of the command; keptd reads it, and writes its journal line, the same way). The generic
/// coders build a tree or a dictionary per object on the way; these walk the bytes once.
/// Everything else goes through Codable, and the types written here are Codable too — tests and
/// the fuzzer hold the two ways to the same values.

/// A value that writes its own JSON, the same document its `Encodable` conformance produces.
public protocol JSONWritable: Encodable {
    func write(to json: inout JSONWriter)
}

/// A value that reads itself from JSON its `Decodable` conformance also accepts.
public protocol JSONReadable: Decodable {
    init(reading json: inout JSONReader) throws(JSONReader.Failure)
}

/// Appends compact JSON to a byte buffer. Objects and arrays are opened and closed by the caller;
/// `key` and `element` put the commas in.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// True just after `{` or `[`: the next member needs no comma.
    private var opened = true

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { bytes.append(UInt8(ascii: "{")); opened = true }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); opened = false }
    public mutating func beginArray() { bytes.append(UInt8(ascii: "[")); opened = true }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); opened = false }

    /// `"name":`, after a comma unless it is the object's first member. Names are plain ASCII.
    public mutating func key(_ name: StaticString) {
        if !opened { bytes.append(UInt8(ascii: ",")) }
        opened = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts an array element.
    public mutating func element() {
        if !opened { bytes.append(UInt8(ascii: ",")) }
        opened = false
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var run = 0  // start of the bytes not yet copied
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                run = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:  // the other control characters, as \u00XX
                    ascii("u00")
                    let hex: StaticString = "0123456789abcdef"
                    hex.withUTF8Buffer { bytes.append($0[Int(b >> 4)]); bytes.append($0[Int(b & 15)]) }
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    public mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var at = d.count
            repeat {
                at -= 1
                d[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: d[at...])
        }
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func bool(_ value: Bool) { ascii(value ? "true" : "false") }

    public mutating func null() { ascii("null") }

    private mutating func ascii(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    public mutating func instant(_ value: Instant) { string(value.description) }

    /// Bytes already JSON, as they are.
    public mutating func raw(_ json: some Sequence<UInt8>) { bytes.append(contentsOf: json) }
}
