/// Reads an RFC 5322 message as mail systems hand it over: an mbox `From ` line first or not,
/// CRLF or LF, headers folded, MIME parts nested, quoted-printable or base64, charsets other than
/// UTF-8, HTML-only. Pure and bounded — any bytes give an answer, never a crash: nesting, parts
/// and sizes are capped, and what cannot be decoded is read as Latin-1.
public struct MailParser: Sendable {
    /// One header, unfolded; `name` as written.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var headers: [Header]
    /// The text a person wrote, from the part they would read: text/plain, else HTML made text.
    public var text: String
    /// A delivery-status report (RFC 3464), and the Message-ID of the message it reports on.
    public var isDeliveryReport: Bool
    public var reportedMessageID: String?

    /// Parts read at most, and how deep multiparts may nest.
    static let maxParts = 64, maxDepth = 8
    /// Text kept from the readable part: a reply's own words come first.
    static let maxText = 256 * 1024

    public init(_ bytes: [UInt8]) {
        var start = 0
        // An mbox `From ` line (Postfix's pipe, procmail) is not a header.
        if bytes.starts(with: Array("From ".utf8)) { start = (bytes[...].firstIndex(of: 0x0A) ?? bytes.count - 1) + 1 }
        let (headers, bodyStart) = Self.headers(bytes, from: start)
        self.headers = headers
        var walk = FoundParts()
        walk.part(headers, bytes[min(bodyStart, bytes.count)...], depth: 0)
        text = walk.plain ?? walk.html.map(HTMLText.text) ?? ""
        if text.utf8.count > Self.maxText { text = String(text.prefix(Self.maxText)) }
        isDeliveryReport = walk.deliveryReport
        reportedMessageID = walk.reportedID
    }

    /// The first value of the header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of the header `name`, in order.
    public func all(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    // MARK: Headers

    /// Headers up to the first empty line, unfolded; and where the body starts.
    static func headers(_ bytes: [UInt8], from start: Int) -> ([Header], Int) {
        var headers: [Header] = []
        var i = start
        while i < bytes.count, headers.count < 1000 {
            let end = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[i..<end]
            if line.last == 0x0D { line = line.dropLast() }
            i = end + 1
            if line.isEmpty { return (headers, i) }
            if line.first == 0x20 || line.first == 0x09 {
                if !headers.isEmpty { headers[headers.count - 1].value += " " + Charset.decode(Array(line), "utf-8").trimmingWhitespace() }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = Charset.decode(Array(line[..<colon]), "us-ascii").trimmingWhitespace()
            headers.append(Header(name: name, value: Charset.decode(Array(line[(colon + 1)...]), "utf-8").trimmingWhitespace()))
        }
        return (headers, min(i, bytes.count))
    }

    /// A Content-Type read: the type, lower-cased, and its parameters.
    struct ContentType {
        var type: String
        /// Names lower-cased, in order. (A list, not a dictionary: a message has a few, and the
        /// first dictionary a process makes costs it a look through every conformance it has.)
        var parameters: [(name: String, value: String)] = []

        /// The parameter `name` (lower-case); the last one where it is given twice.
        subscript(name: String) -> String? { parameters.last { $0.name == name }?.value }
    }

    /// `text/plain; charset="iso-8859-1"; format=flowed` → the type and its parameters.
    static func contentType(_ value: String?) -> ContentType {
        guard let value else { return ContentType(type: "text/plain") }
        var pieces = splitParameters(value)
        let type = pieces.isEmpty ? "" : pieces.removeFirst().lowercased()
        var read = ContentType(type: type.isEmpty ? "text/plain" : type)
        for p in pieces {
            guard let eq = p.firstIndex(of: "=") else { continue }
            var v = p[p.index(after: eq)...].trimmingWhitespace()
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            read.parameters.append((p[..<eq].trimmingWhitespace().lowercased(), v))
        }
        return read
    }

    /// Splits at `;` outside quotes.
    static func splitParameters(_ value: String) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for c in value {
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted { out.append(current.trimmingWhitespace()); current = ""; continue }
            current.append(c)
        }
        out.append(current.trimmingWhitespace())
        return out
    }

    // MARK: Parts

    struct FoundParts {
        var plain: String?
        var html: String?
        var deliveryReport = false
        var reportedID: String?
        var parts = 0

        mutating func part(_ headers: [Header], _ body: ArraySlice<UInt8>, depth: Int) {
            parts += 1
            guard parts <= MailParser.maxParts else { return }
            let field = { (name: String) in headers.first { $0.name.caseInsensitiveEquals(name) }?.value }
            let contentType = MailParser.contentType(field("Content-Type"))
            let type = contentType.type
            let encoding = field("Content-Transfer-Encoding")?.lowercased().trimmingWhitespace() ?? "7bit"
            if type.hasPrefix("multipart/") {
                if type == "multipart/report", contentType["report-type"]?.lowercased() == "delivery-status" { deliveryReport = true }
                guard depth < MailParser.maxDepth, let boundary = contentType["boundary"], !boundary.isEmpty else { return }
                for piece in MailParser.split(body, boundary: boundary) {
                    let whole = Array(piece)
                    let (h, start) = MailParser.headers(whole, from: 0)
                    part(h, whole[min(start, whole.count)...], depth: depth + 1)
                }
                return
            }
            if type == "message/delivery-status" { deliveryReport = true; return }
            if deliveryReport, type == "message/rfc822" || type == "text/rfc822-headers" {
                let (h, _) = MailParser.headers(Array(body), from: 0)
                reportedID = h.first { $0.name.caseInsensitiveEquals("Message-ID") }?.value ?? reportedID
                return
            }
            // An attachment is not the reply's text.
            if field("Content-Disposition")?.lowercased().hasPrefix("attachment") == true { return }
            // A reply's own words come first: what is beyond the cap is never read.
            var decoded = TransferEncoding.decode(body, encoding)
            if decoded.count > 2 * MailParser.maxText { decoded.removeSubrange((2 * MailParser.maxText)...) }
            switch type {
            case "text/plain" where plain == nil:
                var text = Charset.decode(decoded, contentType["charset"] ?? "us-ascii")
                if contentType["format"]?.lowercased() == "flowed" { text = Flowed.unwrap(text, delsp: contentType["delsp"]?.lowercased() == "yes") }
                plain = text
            case "text/html" where html == nil:
                html = Charset.decode(decoded, contentType["charset"] ?? MailParser.metaCharset(decoded) ?? "us-ascii")
            default: break
            }
        }
    }

    /// The parts between `--boundary` lines, up to `--boundary--`.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let marker = Array(("--" + boundary).utf8)
        var pieces: [ArraySlice<UInt8>] = []
        var current: Int?
        var i = body.startIndex
        while i < body.endIndex {
            let end = body[i...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[i..<end]
            if line.starts(with: marker) {
                let rest = line.dropFirst(marker.count)
                if let c = current {
                    // The line break before the boundary belongs to the boundary.
                    var stop = i
                    if stop > c, body[stop - 1] == 0x0A { stop -= 1 }
                    if stop > c, body[stop - 1] == 0x0D { stop -= 1 }
                    pieces.append(body[c..<stop])
                }
                if rest.starts(with: Array("--".utf8)) || pieces.count >= maxParts { return pieces }
                current = min(end + 1, body.endIndex)
            }
            i = end + 1
        }
        if let c = current, c < body.endIndex { pieces.append(body[c...]) }
        return pieces
    }

    /// `<meta charset="windows-1252">` or `content="text/html; charset=…"` in an HTML part.
    static func metaCharset(_ bytes: [UInt8]) -> String? {
        let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
        guard let r = head.firstRange(of: "charset=") else { return nil }
        let value = head[r.upperBound...].drop { $0 == "\"" || $0 == "'" }.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return value.isEmpty ? nil : String(value)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
