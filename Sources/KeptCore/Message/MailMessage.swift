/// Renders a reminder as an RFC 5322 message that no text a user typed can break.
///
/// Header values lose CR, LF and NUL, their words that are not ASCII are RFC 2047-encoded, and
/// their lines fold within 78 characters; display names are quoted or encoded, never the
/// address; the body is UTF-8 in
/// quoted-printable, so every line stays under 998 characters (76, in fact), a lone `.` cannot end
/// the message early, and any bytes survive intact.
public enum MailMessage {
    /// `replyTo`: where a reply acts on it (with replies on, the message also says it is
    /// automatic, so that auto-responders leave it alone); `thread`: the Message-IDs it answers.
    ///
    /// With `html`, the message is `multipart/alternative`: the plain text first, whole, then the
    /// HTML, both quoted-printable — whose lines can never hold the boundary, since it has `=_`.
    public static func render(_ r: Reminder, from: String, to: [String], date: String, replyTo: String? = nil,
                              thread: [String] = [], html: String? = nil) -> String {
        let plain = html == nil && isPlain(r.body)
        let boundary = "=_kept_" + r.messageID.filter { $0.isLetter || $0.isNumber }.prefix(40)
        var headers: [(String, String)] = [
            ("From", mailboxes([from], nameLength: 4)),
            ("To", mailboxes(to, nameLength: 2)),
            ("Date", date),
            ("Message-ID", r.messageID),
        ]
        if let replyTo {
            headers += [("Reply-To", mailboxes([replyTo], nameLength: 8)), ("Auto-Submitted", "auto-generated"),
                        ("X-Auto-Response-Suppress", "All")]
        }
        if let last = thread.last {
            headers += [("In-Reply-To", clean(last)), ("References", fold(thread.map(clean), separator: " ", nameLength: 10))]
        }
        headers += [
            ("Subject", headerValue(r.subject, nameLength: 7)),
            ("MIME-Version", "1.0"),
        ]
        if html == nil {
            headers += [("Content-Type", "text/plain; charset=utf-8"),
                        ("Content-Transfer-Encoding", plain ? "7bit" : "quoted-printable")]
        } else {
            headers += [("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")]
        }
        headers += [
            ("X-Kept-Key", r.key.description),
            ("X-Kept-Kind", r.kind),
        ]
        if let i = r.incident { headers.append(("X-Kept-Incident", String(i))) }
        if let item = r.item { headers.append(("X-Kept-Item", headerValue(item, nameLength: 11))) }
        if r.late { headers.append(("X-Kept-Late", "yes")) }
        var out = ""
        for (name, value) in headers { out += name + ": " + value + "\n" }
        if let html {
            out += "\nThis message has a plain text part and an HTML part.\n"
            for (type, text) in [("text/plain", r.body), ("text/html", html)] {
                out += "\n--\(boundary)\nContent-Type: \(type); charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                out += quotedPrintable(text)
            }
            return out + "\n--\(boundary)--\n"
        }
        out += "\n" + (plain ? r.body : quotedPrintable(r.body))
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    /// A letter to the client as a draft for the user's own mail program: the user's From, the
    /// client's To and Cc, the Bcc that lets kept see it go, and nothing of kept's own in it.
    public static func letter(from: String, to: [String], cc: [String], bcc: String?, subject: String, date: String,
                              messageID: String, body: String) -> String {
        let plain = isPlain(body)
        var headers: [(String, String)] = [
            ("From", mailboxes([from], nameLength: 4)),
            ("To", mailboxes(to, nameLength: 2)),
        ]
        if !cc.isEmpty { headers.append(("Cc", mailboxes(cc, nameLength: 2))) }
        if let bcc { headers.append(("Bcc", mailboxes([bcc], nameLength: 3))) }
        headers += [
            ("Subject", headerValue(subject, nameLength: 7)),
            ("Date", date),
            ("Message-ID", messageID),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", plain ? "7bit" : "quoted-printable"),
        ]
        var out = ""
        for (name, value) in headers { out += name + ": " + value + "\n" }
        out += "\n" + (plain ? body : quotedPrintable(body))
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

    /// Lines of a header stay within this many characters (RFC 5322 §2.1.1).
    static let lineLimit = 78

    /// An unstructured header's value (a Subject), to follow `Name: `: control characters become
    /// spaces, the words that are not ASCII become RFC 2047 encoded-words (the ASCII ones stay
    /// readable), and the line folds at its spaces within 78 characters.
    public static func headerValue(_ raw: String, nameLength: Int = 0) -> String {
        let words = clean(raw).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var atoms: [String] = []
        var run: [String] = []  // words waiting to be encoded together, spaces and all
        func flush() {
            if !run.isEmpty { atoms += encodedWords(run.joined(separator: " ")); run = [] }
        }
        for word in words {
            if needsEncoding(word) { run.append(word) } else { flush(); atoms.append(word) }
        }
        flush()
        return fold(atoms, separator: " ", nameLength: nameLength)
    }

    /// An address header's value: each mailbox's display name quoted when it holds specials (a
    /// comma, a dot …) or encoded when it is not ASCII (RFC 5322 §3.4, RFC 2047 §5), the address
    /// itself as it is; folded after the commas.
    public static func mailboxes(_ list: [String], nameLength: Int = 0) -> String {
        var atoms: [String] = []
        for (n, raw) in list.enumerated() {
            var pieces = mailbox(raw)
            if n < list.count - 1 { pieces[pieces.count - 1] += "," }
            atoms += pieces
        }
        return fold(atoms, separator: " ", nameLength: nameLength)
    }

    /// `Name <address>` or `address`, as the words of a phrase and the angle address.
    static func mailbox(_ raw: String) -> [String] {
        let text = clean(raw).trimmingWhitespace()
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else { return [text] }
        let address = String(text[open...])
        var name = text[..<open].trimmingWhitespace()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingBackslashEscapes()
        }
        if name.isEmpty { return [address] }
        if name.unicodeScalars.contains(where: { !$0.isASCII }) { return encodedWords(name) + [address] }
        if name.unicodeScalars.allSatisfy({ Self.atext($0) || $0 == " " }) { return [name, address] }
        let quoted = name.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\" + String($0) : String($0) }.joined()
        return ["\"" + quoted + "\"", address]
    }

    /// RFC 5322's atext: what a display name may hold unquoted.
    static func atext(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic && c.isASCII || ("0"..."9").contains(c) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(c)
    }

    /// Joins `atoms` with `separator`, starting a new line (a fold) before an atom that would
    /// pass the line limit. An atom is never split: an encoded-word is at most 64 characters.
    static func fold(_ atoms: [String], separator: String, nameLength: Int) -> String {
        var out = ""
        var column = nameLength + 2
        for (n, atom) in atoms.enumerated() {
            if n == 0 { out = atom; column += atom.count; continue }
            if column + separator.count + atom.count > lineLimit {
                out += "\n" + separator + atom
                column = separator.count + atom.count
            } else {
                out += separator + atom
                column += separator.count + atom.count
            }
        }
        return out
    }

    /// Control characters, which could end the header or start another, become spaces.
    static func clean(_ raw: String) -> String {
        String(String.UnicodeScalarView(raw.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Not ASCII, too long to fold, or looking like an encoded-word itself.
    static func needsEncoding(_ word: String) -> Bool {
        word.unicodeScalars.contains { !$0.isASCII } || word.utf8.count > 900 || (word.hasPrefix("=?") && word.hasSuffix("?="))
    }

    /// RFC 2047 B-encoding, split on character boundaries into encoded-words of at most 64
    /// characters, so each fits on a folded line with room for the header's name.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 39 { words.append(word(chunk)); chunk = [] }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
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

extension String {
    /// A quoted-string's content with its `\x` escapes undone.
    func replacingBackslashEscapes() -> String {
        var out = "", escaped = false
        for c in self {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}
