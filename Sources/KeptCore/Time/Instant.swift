import FoundationEssentials

/// A point in time, to the second, as Unix seconds.
///
/// kept's deadlines are whole seconds; a small integer keeps the store compact, comparisons exact
/// and encoding fast. It is written as an RFC 3339 UTC string (`2026-12-05T13:00:00Z`).
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int64

    @inlinable public init(seconds: Int64) { self.seconds = seconds }
    public init(_ date: Date) { self.seconds = Int64(date.timeIntervalSince1970.rounded(.down)) }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    @inlinable public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }
    @inlinable public static func + (a: Instant, s: Int64) -> Instant { Instant(seconds: a.seconds + s) }
    @inlinable public static func - (a: Instant, s: Int64) -> Instant { Instant(seconds: a.seconds - s) }
    @inlinable public static func - (a: Instant, b: Instant) -> Int64 { a.seconds - b.seconds }

    public static var now: Instant { Instant(Date()) }

    /// `2026-12-05T13:00:00Z`
    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let d = LocalDate(daysSinceEpoch: days)
        guard d.hasFourDigitYear else {
            return d.description + "T" + pad2(rest / 3600) + ":" + pad2(rest / 60 % 60) + ":" + pad2(rest % 60) + "Z"
        }
        // Written byte by byte: the store and the calendar write thousands at a time.
        return String(unsafeUninitializedCapacity: 20) { b in
            d.writeISO(into: b)
            b[10] = UInt8(ascii: "T")
            writeDigits(rest / 3600, width: 2, into: b, at: 11)
            b[13] = UInt8(ascii: ":")
            writeDigits(rest / 60 % 60, width: 2, into: b, at: 14)
            b[16] = UInt8(ascii: ":")
            writeDigits(rest % 60, width: 2, into: b, at: 17)
            b[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// Parses exactly the form `description` writes, and the same with a `±HH:MM` offset.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let date = LocalDate(iso: String(decoding: b[0..<10], as: UTF8.self)),
              let h = digits(b, 11, 2), let m = digits(b, 14, 2), let s = digits(b, 17, 2),
              h < 24, m < 60, s < 61
        else { return nil }
        var offset: Int64 = 0
        let tail = b[19...]
        if tail.elementsEqual("Z".utf8) || tail.elementsEqual("z".utf8) {
            offset = 0
        } else if tail.count == 6, tail.first == UInt8(ascii: "+") || tail.first == UInt8(ascii: "-"),
                  b[22] == UInt8(ascii: ":"), let oh = digits(b, 20, 2), let om = digits(b, 23, 2) {
            offset = (oh * 3600 + om * 60) * (tail.first == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        self.seconds = date.daysSinceEpoch * 86_400 + h * 3600 + m * 60 + s - offset
    }
}

extension Instant: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let v = Instant(rfc3339: text) else { throw TextNotUnderstood("not an RFC 3339 time: \(text)") }
        self = v
    }
}

@inline(__always) func pad2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

/// Writes `v` (not negative) as `width` decimal digits, zeros first, at `at`.
@inline(__always) func writeDigits(_ v: Int64, width: Int, into b: UnsafeMutableBufferPointer<UInt8>, at: Int) {
    var v = v
    for i in stride(from: at + width - 1, through: at, by: -1) {
        b[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
        v /= 10
    }
}

@inline(__always) func digits(_ b: [UInt8], _ at: Int, _ count: Int) -> Int64? {
    guard at + count <= b.count else { return nil }
    var v: Int64 = 0
    for i in at..<(at + count) {
        let c = b[i]
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
    }
    return v
}
