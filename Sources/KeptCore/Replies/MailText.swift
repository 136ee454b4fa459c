/// The encodings a reply's text travels in: transfer encodings, charsets, format=flowed, RFC 2047
/// words in headers. Each decoder takes any bytes and gives text; nothing here can fail.
enum TransferEncoding {
    static func decode(_ body: ArraySlice<UInt8>, _ encoding: String) -> [UInt8] {
        switch encoding {
        case "quoted-printable": quotedPrintable(body)
        case "base64": base64(body)
        default: Array(body)
        }
    }

    static func quotedPrintable(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            guard b == UInt8(ascii: "=") else { out.append(b); i += 1; continue }
            let next = body.index(after: i)
            // A soft line break: `=` at the end of a line (trailing blanks allowed).
            var j = next
            while j < body.endIndex, body[j] == 0x20 || body[j] == 0x09 { j += 1 }
            if j < body.endIndex, body[j] == 0x0D || body[j] == 0x0A {
                i = body[j] == 0x0D && j + 1 < body.endIndex && body[j + 1] == 0x0A ? j + 2 : j + 1
                continue
            }
            if j == body.endIndex { break }
            if next + 1 < body.endIndex, let h = hex(body[next]), let l = hex(body[next + 1]) {
                out.append(h << 4 | l)
                i = next + 2
            } else {
                out.append(b)
                i = next
            }
        }
        return out
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    static func base64(_ body: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for b in body {
            let v: UInt32
            switch b {
            case 0x41...0x5A: v = UInt32(b - 0x41)
            case 0x61...0x7A: v = UInt32(b - 0x61 + 26)
            case 0x30...0x39: v = UInt32(b - 0x30 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): return out
            default: continue
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}

/// Bytes to text by a MIME charset name: UTF-8, ASCII, ISO-8859-1 and -15, Windows-1252 (what
/// mail clients send); anything else is read as UTF-8 when it is valid, else as Latin-1.
enum Charset {
    static func decode(_ bytes: [UInt8], _ name: String) -> String {
        switch name.lowercased().trimmingWhitespace() {
        case "iso-8859-1", "latin1", "iso_8859-1", "l1", "iso8859-1":
            return latin(bytes, table: nil)
        case "windows-1252", "cp1252", "x-cp1252":
            return latin(bytes, table: windows1252)
        case "iso-8859-15", "latin-9", "iso8859-15":
            return latin(bytes, table: nil, latin9: true)
        case "utf-16", "utf16":
            // RFC 2781: a byte-order mark says which; without one, big-endian.
            if bytes.starts(with: [0xFF, 0xFE]) { return utf16(bytes.dropFirst(2), bigEndian: false) }
            if bytes.starts(with: [0xFE, 0xFF]) { return utf16(bytes.dropFirst(2), bigEndian: true) }
            return utf16(bytes[...], bigEndian: true)
        case "utf-16le": return utf16(bytes.starts(with: [0xFF, 0xFE]) ? bytes.dropFirst(2) : bytes[...], bigEndian: false)
        case "utf-16be": return utf16(bytes.starts(with: [0xFE, 0xFF]) ? bytes.dropFirst(2) : bytes[...], bigEndian: true)
        default:
            if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
            return latin(bytes, table: windows1252)
        }
    }

    /// UTF-16 code units in the order given; a lone surrogate or an odd last byte reads as U+FFFD.
    static func utf16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        if i < bytes.endIndex { units.append(0xFFFD) }
        return String(decoding: units, as: UTF16.self)
    }

    static func latin(_ bytes: [UInt8], table: [UInt32]?, latin9: Bool = false) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes {
            var v = UInt32(b)
            if let table, (0x80...0x9F).contains(b) { v = table[Int(b) - 0x80] }
            if latin9 {
                switch b {
                case 0xA4: v = 0x20AC
                case 0xA6: v = 0x160
                case 0xA8: v = 0x161
                case 0xB4: v = 0x17D
                case 0xB8: v = 0x17E
                case 0xBC: v = 0x152
                case 0xBD: v = 0x153
                case 0xBE: v = 0x178
                default: break
                }
            }
            s.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return String(s)
    }

    /// 0x80–0x9F in Windows-1252.
    static let windows1252: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]
}

/// RFC 3676: a line ending in a space continues on the next (except the signature line `-- `).
enum Flowed {
    /// `format=flowed` text (RFC 3676) as the lines its writer meant: a line ending in a space
    /// goes on in the next line of the same quote depth (with `DelSp=yes`, that space was added
    /// for the break and goes); the signature separator `-- ` never flows.
    static func unwrap(_ text: String, delsp: Bool) -> String {
        var lines: [String] = []
        var pending = "", pendingDepth = -1
        // CRLF is one Character to Swift: split at either.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let depth = line.prefix { $0 == ">" }.count
            line.removeFirst(depth)
            if line.hasPrefix(" ") { line.removeFirst() }  // space-stuffing
            if pendingDepth >= 0, depth != pendingDepth {
                lines.append(quote(pendingDepth) + pending)
                pending = ""
                pendingDepth = -1
            }
            if line.hasSuffix(" "), line != "-- " {
                pending += delsp ? String(line.dropLast()) : String(line)
                pendingDepth = depth
            } else {
                lines.append(quote(depth) + pending + line)
                pending = ""
                pendingDepth = -1
            }
        }
        if pendingDepth >= 0 { lines.append(quote(pendingDepth) + pending) }
        return lines.joined(separator: "\n")
    }

    static func quote(_ depth: Int) -> String { depth == 0 ? "" : String(repeating: ">", count: depth) + " " }
}

/// RFC 2047 encoded words in a header value: `=?utf-8?Q?Dana_M=C3=BCller?=`.
enum EncodedWords {
    static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = "", rest = Substring(value), lastWasWord = false
        while let start = rest.firstRange(of: "=?") {
            let before = rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let parts = after.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[3].hasPrefix("="), ["q", "b"].contains(parts[1].lowercased()) else {
                out += before + "=?"
                rest = after
                lastWasWord = false
                continue
            }
            // Whitespace between two encoded words is not part of the text.
            if !(lastWasWord && before.allSatisfy { $0.isWhitespace }) { out += before }
            let charset = parts[0].split(separator: "*").first.map(String.init) ?? "utf-8"
            let bytes: [UInt8] = parts[1].lowercased() == "b" ? TransferEncoding.base64(parts[2].utf8)
                : TransferEncoding.quotedPrintable(ArraySlice(parts[2].utf8.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }))
            out += Charset.decode(bytes, charset)
            rest = parts[3].dropFirst()
            lastWasWord = true
        }
        return out + rest
    }
}

/// HTML to the text a person sees, with each blockquote's lines marked `> ` as a quote so the
/// reply's own text is read the same way as in a plain-text part.
enum HTMLText {
    /// Quotes nest at most this deep in the text made (a reply's own words are above them all).
    static let maxQuoteDepth = 16

    /// Bounded by its input: each byte is looked at a fixed number of times, whatever the tags.
    static func text(_ html: String) -> String {
        let u = html.unicodeScalars
        var out = "", quoteDepth = 0, skipping: String?
        var i = u.startIndex
        var closes = true  // a `>` may still come; once none is left, `<` is text
        func newline() {
            while out.utf8.last == 0x20 { out.removeLast() }
            out += "\n"
            for _ in 0..<quoteDepth { out += "> " }
        }
        while i < u.endIndex {
            let c = u[i]
            if c == "<", closes {
                guard let close = u[i...].firstIndex(of: ">") else { closes = false; continue }
                let tag = String(u[u.index(after: i)..<close]).lowercased()
                i = u.index(after: close)
                let name = tag.prefix { $0.isLetter || $0.isNumber || $0 == "/" || $0 == "!" }
                if let s = skipping { if name == "/" + s { skipping = nil }; continue }
                switch name {
                case "style", "script", "head", "title": skipping = String(name)
                case "blockquote": quoteDepth = min(quoteDepth + 1, maxQuoteDepth); newline()
                case "/blockquote": quoteDepth = max(0, quoteDepth - 1); newline()
                case "br", "p", "/p", "div", "/div", "tr", "/tr", "li", "h1", "h2", "h3", "h4", "/h1", "/h2", "/h3", "/h4",
                     "hr", "table", "/table", "ul", "/ul", "ol", "/ol", "pre", "/pre":
                    // Outlook and Gmail mark where the quoted message starts.
                    if tag.contains("gmail_quote") || tag.contains("divrplyfwdmsg") || tag.contains("appendonsend")
                        || tag.contains("moz-cite-prefix") || tag.contains("yahoo_quoted") {
                        out += "\n>\n"
                    }
                    newline()
                default: break
                }
                continue
            }
            i = u.index(after: i)
            if skipping != nil { continue }
            if c == "&", let semi = u[i...].prefix(10).firstIndex(of: ";"), let decoded = entity(String(u[i..<semi])) {
                out.unicodeScalars.append(decoded)
                i = u.index(after: semi)
                continue
            }
            if c == "\n" || c == "\r" || c == "\t" { if out.utf8.last != 0x20 { out += " " }; continue }
            out.unicodeScalars.append(c)
        }
        return out
    }

    static func entity(_ name: String) -> Unicode.Scalar? {
        switch name {
        case "nbsp": return "\u{A0}"
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X") { return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
            if name.hasPrefix("#") { return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
            return nil
        }
    }
}
