/// Renders a reminder as an RFC 5322 message that no text a user typed can break.
///
/// Header values lose CR, LF and NUL and are RFC 2047-encoded when not ASCII; the body is UTF-8 in
/// quoted-printable, so every line stays under 998 characters (76, in fact), a lone `.` cannot end
/// the message early, and any bytes survive intact.
public enum MailMessage {
    public static func render(_ r: Reminder, from: String, to: [String], date: String) -> String {
        let plain = isPlain(r.body)
        var headers: [(String, String)] = [
            ("From", from),
            ("To", to.joined(separator: ", ")),
            ("Date", date),
            ("Message-ID", r.messageID),
            ("Subject", r.subject),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", plain ? "7bit" : "quoted-printable"),
            ("X-Kept-Key", r.key.description),
            ("X-Kept-Kind", r.kind),
        ]
        if let i = r.incident { headers.append(("X-Kept-Incident", String(i))) }
        if let item = r.item { headers.append(("X-Kept-Item", item)) }
        if r.late { headers.append(("X-Kept-Late", "yes")) }
        var out = ""
        for (name, value) in headers { out += name + ": " + headerValue(value, nameLength: name.utf8.count) + "\n" }
        out += "\n" + (plain ? r.body : quotedPrintable(r.body))
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    /// Short ASCII lines with no line of a lone dot can go as they are (7bit), readable in the file.
    static func isPlain(_ body: String) -> Bool {
        var column = 0
        var lineStart = true
        for b in body.utf8 {
            if b >= 0x80 || (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F { return false }
            if b == 0x0A { column = 0; lineStart = true; continue }
            if lineStart && b == UInt8(ascii: ".") { return false }
            lineStart = false
            column += 1
            if column > 76 { return false }
        }
        return true
    }

    /// One header line's value: control characters become spaces; non-ASCII is encoded-word'ed.
    public static func headerValue(_ raw: String, nameLength: Int = 0) -> String {
        let clean = String(String.UnicodeScalarView(raw.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if clean.utf8.allSatisfy({ $0 < 0x80 }), clean.utf8.count + nameLength < 900 { return clean }
        return encodedWords(clean)
    }

    /// RFC 2047 B-encoding, split on character boundaries into folded words of at most 75 bytes.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 { words.append(word(chunk)); chunk = [] }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\n ")
    }

    static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?" + base64(bytes) + "?=" }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Quoted-printable (RFC 2045) with LF line ends and soft breaks before 76 columns.
    public static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        var column = 0
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (n, line) in lines.enumerated() {
            if n > 0 { out.append(UInt8(ascii: "\n")); column = 0 }
            let bytes = Array(line)
            for (i, b) in bytes.enumerated() {
                let last = i == bytes.count - 1
                let literal = (b >= 33 && b <= 126 && b != UInt8(ascii: "="))
                    || (b == 32 && !last)
                let startsWithDot = column == 0 && b == UInt8(ascii: ".")
                let piece: [UInt8] = literal && !startsWithDot ? [b] : [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 15)]]
                if column + piece.count > 75 {
                    out += [UInt8(ascii: "="), UInt8(ascii: "\n")]
                    column = 0
                    if piece == [UInt8(ascii: ".")] {
                        out += [UInt8(ascii: "="), UInt8(ascii: "2"), UInt8(ascii: "E")]; column = 3; continue
                    }
                }
                out += piece
                column += piece.count
            }
        }
        if out.last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
        return String(decoding: out, as: UTF8.self)
    }
}
