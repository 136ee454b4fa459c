/// The reader half of kept's hand-written JSON: see `JSONWriter.swift` for why it exists and
/// where it is used.

/// Reads JSON from bytes, front to back, without building anything the caller does not ask for.
public struct JSONReader {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        /// Byte offset into the document.
        public var offset: Int
        /// Objects and arrays nest deeper than the reader was allowed to go.
        public var tooDeep = false
        public init(message: String, offset: Int, tooDeep: Bool = false) {
            self.message = message; self.offset = offset; self.tooDeep = tooDeep
        }
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    public private(set) var offset = 0
    /// How many objects and arrays are open now, and how many may be.
    private var depth = 0
    private let maxDepth: Int

    /// A reader of `bytes`; objects and arrays nested deeper than `maxDepth` are refused before
    /// they are read, so no input can exhaust the stack.
    public init(_ bytes: [UInt8], maxDepth: Int = 512) { self.bytes = bytes; self.maxDepth = maxDepth }

    /// Reads `{…}`, handing each member's name to `member`, which must read or skip its value.
    public mutating func object(_ member: (inout JSONReader, String) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        try enter()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            let name = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, name)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw fail("expected , or } in an object", back: 1)
            }
        }
    }

    /// Reads `[…]`, calling `element` for each value, which it must read or skip.
    public mutating func array(_ element: (inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        try enter()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "]") { offset += 1; return }
        while true {
            try element(&self)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw fail("expected , or ] in an array", back: 1)
            }
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maxDepth {
            depth -= 1
            throw Failure(message: "nested more than \(maxDepth) levels deep", offset: offset - 1, tooDeep: true)
        }
    }

    /// The next byte that is not white space, without consuming it.
    public mutating func peekByte() throws(Failure) -> UInt8 { try peek() }

    /// The offset where the next value starts, past any white space.
    public mutating func valueStart() throws(Failure) -> Int {
        _ = try peek()
        return offset
    }

    /// The bytes of what `read` consumes (a value, usually), white space before it left out.
    public mutating func span(_ read: (inout JSONReader) throws(Failure) -> Void) throws(Failure) -> ArraySlice<UInt8> {
        skipSpace()
        let start = offset
        try read(&self)
        return bytes[start..<offset]
    }

    public mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        // The usual string has no escapes: one scan, one copy.
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                offset += 1
                return try text(bytes[start..<offset - 1], at: start)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("a control character in a string") }
            offset += 1
        }
        var out = Array(bytes[start..<offset])
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            switch b {
            case UInt8(ascii: "\""): return try text(out[...], at: start)
            case UInt8(ascii: "\\"): try unescape(into: &out)
            case 0..<0x20: throw fail("a control character in a string", back: 1)
            default: out.append(b)
            }
        }
        throw fail("a string that does not end")
    }

    public mutating func int() throws(Failure) -> Int64 {
        skipSpace()
        let start = offset
        var negative = false
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { negative = true; offset += 1 }
        var value: Int64 = 0
        var digits = 0
        while offset < bytes.count, case let d = bytes[offset] &- UInt8(ascii: "0"), d < 10 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.subtractingReportingOverflow(Int64(d))  // built negative: Int64.min fits
            if o1 || o2 { offset = start; throw fail("an integer out of range") }
            value = sum
            digits += 1
            offset += 1
        }
        if digits == 0 { offset = start; throw fail("expected an integer") }
        if offset < bytes.count, case let b = bytes[offset], b == UInt8(ascii: ".") || b | 0x20 == UInt8(ascii: "e") {
            offset = start
            throw fail("expected an integer")
        }
        if negative { return value }
        if value == .min { offset = start; throw fail("an integer out of range") }
        return -value
    }

    public mutating func bool() throws(Failure) -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw fail("expected true or false")
    }

    /// Consumes `null` if it comes next.
    public mutating func null() throws(Failure) -> Bool { try literal("null") }

    /// An RFC 3339 time as `Instant` writes it.
    public mutating func instant() throws(Failure) -> Instant {
        let at = offset
        let text = try string()
        guard let instant = Instant(rfc3339: text) else { offset = at; throw fail("expected an RFC 3339 time") }
        return instant
    }

    /// Skips one value of any kind.
    public mutating func skip() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "{"): try skipObject()
        case UInt8(ascii: "["): try array { r throws(Failure) in try r.skip() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): if try !null() { throw fail("expected null") }
        default: try number()
        }
    }

    /// Skips an object without building its member names.
    private mutating func skipObject() throws(Failure) {
        try expect(UInt8(ascii: "{"))
        try enter()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            try skipString()
            try expect(UInt8(ascii: ":"))
            try skip()
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw fail("expected , or } in an object", back: 1)
            }
        }
    }

    /// Skips a string, its escapes and control characters checked but nothing built: a large
    /// document (the store) is walked without an allocation per string. Its UTF-8 is checked
    /// where a string is read.
    mutating func skipString() throws(Failure) {
        try expect(UInt8(ascii: "\""))
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            switch b {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                var scratch: [UInt8] = []
                try unescape(into: &scratch)
            case 0..<0x20: throw fail("a control character in a string", back: 1)
            default: break
            }
        }
        throw fail("a string that does not end")
    }

    /// Skips a number, held to JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    public mutating func number() throws(Failure) {
        skipSpace()
        let start = offset
        func digits(_ r: inout JSONReader) -> Int {
            let from = r.offset
            while r.offset < r.bytes.count, r.bytes[r.offset] &- UInt8(ascii: "0") < 10 { r.offset += 1 }
            return r.offset - from
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let leadingZero = offset < bytes.count && bytes[offset] == UInt8(ascii: "0")
        let whole = digits(&self)
        guard whole > 0 else {
            let message = offset == start ? "expected a value" : "a number without digits"
            offset = start
            throw fail(message)
        }
        if leadingZero && whole > 1 { offset = start; throw fail("a number with a leading zero") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw fail("a number without digits after the point") }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw fail("a number without digits in its exponent") }
        }
    }

    /// Only white space may follow.
    public mutating func end() throws(Failure) {
        skipSpace()
        if offset != bytes.count { throw fail("more after the end of the document") }
    }

    /// An object without the member `name`: a value of the wrong shape.
    public func missing(_ name: String) -> Failure { Failure(message: "missing \"\(name)\"", offset: offset) }

    /// `value`, read from the member `name`, which must have been there.
    public func required<T>(_ value: T?, _ name: String) throws(Failure) -> T {
        guard let value else { throw missing(name) }
        return value
    }

    // MARK: Bytes

    private mutating func skipSpace() {
        while offset < bytes.count, case let b = bytes[offset], b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { offset += 1 }
    }

    private mutating func peek() throws(Failure) -> UInt8 {
        skipSpace()
        guard offset < bytes.count else { throw fail("unexpected end of the document") }
        return bytes[offset]
    }

    private mutating func next() throws(Failure) -> UInt8 {
        let b = try peek()
        offset += 1
        return b
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        if try peek() != byte { throw fail("expected \(Character(Unicode.Scalar(byte)))") }
        offset += 1
    }

    private mutating func literal(_ word: StaticString) throws(Failure) -> Bool {
        _ = try peek()
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[offset + $0] == w[$0] } }
        if matches { offset += n }
        return matches
    }

    private func text(_ utf8: ArraySlice<UInt8>, at start: Int) throws(Failure) -> String {
        let s = String(decoding: utf8, as: UTF8.self)
        // Decoding repairs bad UTF-8; the repaired string's bytes differ from what was sent.
        if !utf8.allSatisfy({ $0 < 0x80 }) && !s.utf8.elementsEqual(utf8) {
            throw Failure(message: "a string that is not UTF-8", offset: start)
        }
        return s
    }

    /// After a backslash: appends what the escape stands for.
    private mutating func unescape(into out: inout [UInt8]) throws(Failure) {
        guard offset < bytes.count else { throw fail("a string that does not end") }
        let e = bytes[offset]
        offset += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard offset + 2 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw fail("a lone surrogate in a string")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("a lone surrogate in a string")
            }
            out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default: throw fail("an unknown escape in a string", back: 1)
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("a short \\u escape") }
        var v: UInt32 = 0
        for b in bytes[offset..<offset + 4] {
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw fail("a bad \\u escape")
            }
            v = v << 4 | UInt32(d)
        }
        offset += 4
        return v
    }

    private func fail(_ message: String, back: Int = 0) -> Failure { Failure(message: message, offset: offset - back) }

    // MARK: Structure alone

    /// Where each top-level member's value lies, found by matching quotes and brackets alone:
    /// nothing is checked or built, so a large store is split for decoding in pieces on several
    /// threads in one quick pass (the decoder checks each piece; validating here too made a
    /// 22 MB store's start twice as slow). Nil unless the document is one object whose names are
    /// plain (no escapes) and distinct.
    public func memberRanges() -> [String: Range<Int>]? {
        var i = spaceEnd(0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        var out: [String: Range<Int>] = [:]
        i = spaceEnd(i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return spaceEnd(i + 1) == bytes.count ? out : nil }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let nameEnd = stringEnd(i) else { return nil }
            let name = bytes[(i + 1)..<(nameEnd - 1)]
            guard !name.contains(UInt8(ascii: "\\")) else { return nil }
            i = spaceEnd(nameEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            let start = spaceEnd(i + 1)
            guard let end = valueEnd(start) else { return nil }
            guard out.updateValue(start..<end, forKey: String(decoding: name, as: UTF8.self)) == nil else { return nil }
            i = spaceEnd(end)
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return spaceEnd(i + 1) == bytes.count ? out : nil }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i = spaceEnd(i + 1)
        }
    }

    /// The elements of the array spanning `range`, each an object, by structure alone; nil otherwise.
    public func objectRanges(in range: Range<Int>) -> [Range<Int>]? {
        var i = range.lowerBound
        guard i < range.upperBound, bytes[i] == UInt8(ascii: "[") else { return nil }
        var out: [Range<Int>] = []
        i = spaceEnd(i + 1)
        if i < range.upperBound, bytes[i] == UInt8(ascii: "]") { return i + 1 == range.upperBound ? out : nil }
        while true {
            guard i < range.upperBound, bytes[i] == UInt8(ascii: "{"), let end = valueEnd(i) else { return nil }
            out.append(i..<end)
            i = spaceEnd(end)
            guard i < range.upperBound else { return nil }
            if bytes[i] == UInt8(ascii: "]") { return i + 1 == range.upperBound ? out : nil }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i = spaceEnd(i + 1)
        }
    }

    private func spaceEnd(_ from: Int) -> Int {
        var i = from
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// Past the closing quote of the string opening at `from`.
    private func stringEnd(_ from: Int) -> Int? {
        var i = from + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Past the value starting at `from`: an object or array to its matching bracket, a string to
    /// its quote, anything else to the next delimiter.
    private func valueEnd(_ from: Int) -> Int? {
        guard from < bytes.count else { return nil }
        switch bytes[from] {
        case UInt8(ascii: "\""):
            return stringEnd(from)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0, i = from
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(i) else { return nil }
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
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"), bytes[i] != UInt8(ascii: "]"),
                  bytes[i] != 0x20, bytes[i] != 0x0A, bytes[i] != 0x0D, bytes[i] != 0x09 { i += 1 }
            return i > from ? i : nil
        }
    }
}
