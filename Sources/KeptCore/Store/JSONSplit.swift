/// Byte ranges of a JSON object's top-level members and of an array's elements, found by one pass
/// over the bytes without decoding anything, so that a large store can be decoded in pieces, on
/// several threads. Nothing here judges the JSON: each piece is decoded (and checked) by the
/// decoder; what does not split cleanly gets nil, and the caller decodes the document whole.
///
/// It is the one scanner kept has beside `JSONReader`, and on purpose: this bracket-matching
/// pass over a 22 MB store is the difference between READY in 0.7 s and in 1.4 s (the reader
/// validates every value it skips, which the decoder does again for each piece).
enum JSONSplit {
    /// Each top-level member's value, by name; nil unless the document is one object whose names
    /// are plain (no escapes) and distinct.
    static func members(_ b: UnsafeBufferPointer<UInt8>) -> [String: Range<Int>]? {
        var i = skipSpace(b, 0)
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
        var out: [String: Range<Int>] = [:]
        i = skipSpace(b, i + 1)
        if i < b.count, b[i] == UInt8(ascii: "}") { return skipSpace(b, i + 1) == b.count ? out : nil }
        while true {
            guard i < b.count, b[i] == UInt8(ascii: "\""), let nameEnd = skipString(b, i) else { return nil }
            let name = b[(i + 1)..<(nameEnd - 1)]
            guard !name.contains(UInt8(ascii: "\\")) else { return nil }
            i = skipSpace(b, nameEnd)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            let start = skipSpace(b, i + 1)
            guard let end = skipValue(b, start) else { return nil }
            let key = String(decoding: name, as: UTF8.self)
            guard out.updateValue(start..<end, forKey: key) == nil else { return nil }
            i = skipSpace(b, end)
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: "}") { return skipSpace(b, i + 1) == b.count ? out : nil }
            guard b[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(b, i + 1)
        }
    }

    /// The elements of the array spanning `range`, each an object; nil otherwise.
    static func objects(_ b: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> [Range<Int>]? {
        var i = range.lowerBound
        guard i < range.upperBound, b[i] == UInt8(ascii: "[") else { return nil }
        var out: [Range<Int>] = []
        i = skipSpace(b, i + 1)
        if i < range.upperBound, b[i] == UInt8(ascii: "]") { return i + 1 == range.upperBound ? out : nil }
        while true {
            guard i < range.upperBound, b[i] == UInt8(ascii: "{"), let end = skipValue(b, i) else { return nil }
            out.append(i..<end)
            i = skipSpace(b, end)
            guard i < range.upperBound else { return nil }
            if b[i] == UInt8(ascii: "]") { return i + 1 == range.upperBound ? out : nil }
            guard b[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(b, i + 1)
        }
    }

    static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// Past the closing quote of the string opening at `from`.
    static func skipString(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
        var i = from + 1
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Past the value starting at `from`: an object or array to its matching bracket, a string
    /// to its quote, anything else to the next delimiter.
    static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int? {
        guard from < b.count else { return nil }
        switch b[from] {
        case UInt8(ascii: "\""):
            return skipString(b, from)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0, i = from
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = from
            while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"),
                  b[i] != 0x20, b[i] != 0x0A, b[i] != 0x0D, b[i] != 0x09 { i += 1 }
            return i > from ? i : nil
        }
    }
}
