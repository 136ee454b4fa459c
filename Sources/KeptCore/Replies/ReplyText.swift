/// The reply's own words: what is left of its text above the quoted reminder, the attribution line
/// ("On … wrote:" in the forms and languages clients write it), Outlook's header block and
/// separators, and the signature. Commands inside the quote are never read.
public enum ReplyText {
    /// The first non-blank line of the reply's own text, if there is one: not `>`-quoted, not an
    /// attribution, and before an unquoted original (Outlook's separator or header block) or the
    /// signature. A reply written below the quote (bottom-posted) is read there. Only the lines up
    /// to it are looked at closely: a quote is passed over by its first byte.
    public static func verbLine(_ text: String) -> String? {
        var lines = Lines(text)
        var n = 0
        while let raw = lines.line(n) {
            n += 1
            if raw.utf8.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: ">") { continue }
            let line = normalized(String(raw)), t = line.trimmingWhitespace()
            if t.isEmpty || t.hasPrefix(">") { continue }
            if isSeparator(t) || isSignature(line) || isHeaderBlock(&lines, at: n - 1) { return nil }
            if isAttribution(t) { continue }
            // An attribution may be wrapped over two lines (Gmail wraps at 76 or so).
            if let following = lines.line(n) {
                let next = normalized(String(following)).trimmingWhitespace()
                if !next.isEmpty, !isAttribution(next), isAttribution(t + " " + next) { n += 1; continue }
            }
            return t
        }
        return nil
    }

    /// The lines of a text, each without its LF or CRLF (as splitting at those Characters gives),
    /// found in its bytes as far as they are asked for: a reply's own words come first, and the
    /// long quote below them is passed over byte by byte or not at all — never walked Character by
    /// Character (grapheme breaking was nearly all of a long reply's cost).
    struct Lines {
        private var text: String
        private var found: [Substring] = []
        /// Where the next line starts, in bytes; past the end once the last line is found.
        private var offset = 0

        init(_ text: String) { self.text = text }

        /// Line `n` (from 0), or nil when the text has no more lines.
        mutating func line(_ n: Int) -> Substring? {
            while found.count <= n, let next = nextLine() { found.append(next) }
            return n < found.count ? found[n] : nil
        }

        private mutating func nextLine() -> Substring? {
            let start = offset
            guard start <= text.utf8.count else { return nil }
            let (end, next) = text.withUTF8 { bytes in
                var i = start
                while i < bytes.count, bytes[i] != 0x0A { i += 1 }
                return (i < bytes.count && i > start && bytes[i - 1] == 0x0D ? i - 1 : i, i + 1)
            }
            offset = next
            let utf8 = text.utf8
            return text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
        }
    }

    /// Every line of `text`, as `Lines` finds them.
    static func lines(_ text: String) -> [Substring] {
        var lines = Lines(text)
        var all: [Substring] = []
        while let line = lines.line(all.count) { all.append(line) }
        return all
    }

    /// Invisible and odd spaces as clients write them (U+00A0, U+202F, U+2007, a BOM, zero-width
    /// spaces) made plain, and CRLF made LF.
    static func normalized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            case 0x0D: continue
            case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060: continue
            case 0xA0, 0x202F, 0x2007, 0x2009, 0x3000: out.append(" ")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// "On Tue, 1 Dec 2026 at 09:00, kept <kept@host> wrote:" and its kin in other languages.
    static func isAttribution(_ line: String) -> Bool {
        let l = line.lowercased()
        guard l.hasSuffix(":"), l.count < 400 else { return false }
        let body = l.dropLast().trimmingWhitespace()
        let forms: [(String, [String])] = [
            ("on ", ["wrote"]), ("am ", ["schrieb"]), ("le ", ["a écrit", "a ecrit"]), ("el ", ["escribió", "escribio"]),
            ("op ", ["schreef", "het volgende geschreven"]), ("il ", ["ha scritto"]), ("em ", ["escreveu"]),
            ("den ", ["skrev"]), ("w dniu ", ["pisze", "napisał"]), ("dne ", ["napsal"]),
        ]
        for (start, ends) in forms where body.hasPrefix(start) {
            if ends.contains(where: { body.hasSuffix($0) || body.contains(" " + $0 + " ") }) { return true }
        }
        // Some clients write the name and date without "On": "kept <kept@host> wrote:", "… skrev:".
        for end in ["wrote", "schrieb", "a écrit", "escribió", "schreef", "ha scritto", "escreveu", "skrev", "kirjoitti", "napisał"]
            where body.hasSuffix(" " + end) && (body.contains("@") || body.contains(",")) {
            return true
        }
        return false
    }

    /// Lines that start a quoted message in Outlook, Samsung and others.
    static func isSeparator(_ line: String) -> Bool {
        let l = line.lowercased()
        if l.count >= 20, l.allSatisfy({ $0 == "_" }) { return true }
        if l.hasPrefix("-----"), l.contains("original message") || l.contains("ursprüngliche nachricht")
            || l.contains("message d'origine") || l.contains("mensaje original") || l.contains("oorspronkelijk bericht")
            || l.contains("messaggio originale") { return true }
        if l.hasPrefix("--------") && l.hasSuffix("--------") && l.contains("original") { return true }
        if l.hasPrefix("begin forwarded message") || l.hasPrefix("---------- forwarded message") { return true }
        return false
    }

    /// `-- ` (and a bare `--`), and what phones and apps add under a reply.
    static func isSignature(_ line: String) -> Bool {
        if line == "-- " || line == "--" { return true }
        let l = line.trimmingWhitespace().lowercased()
        let tags = ["sent from my ", "sent from outlook", "get outlook for", "sent from mail for", "sent from yahoo mail",
                    "von meinem iphone gesendet", "von meinem ipad gesendet", "gesendet von meinem", "envoyé de mon", "enviado desde mi",
                    "enviado do meu", "verstuurd vanaf mijn", "inviato da ", "sent via ", "sent with proton mail"]
        return tags.contains { l.hasPrefix($0) }
    }

    /// Outlook's block `From: …` then `Sent:`/`Date:` (in any of its languages) a line or two later.
    static func isHeaderBlock(_ lines: inout Lines, at n: Int) -> Bool {
        let from = ["from:", "von:", "de :", "de:", "da:", "van:", "fra:", "från:", "od:"]
        let sent = ["sent:", "date:", "gesendet:", "datum:", "envoyé :", "envoyé:", "enviado:", "inviato:", "verzonden:",
                    "sendt:", "skickat:", "data:", "sent :", "sendt :", "sendet:"]
        func starts(_ line: Substring, _ list: [String]) -> Bool {
            let l = line.trimmingWhitespace().lowercased().replacing("*", with: "")
            return list.contains { l.hasPrefix($0) }
        }
        guard let line = lines.line(n), starts(line, from) else { return false }
        for k in (n + 1)..<(n + 4) {
            guard let next = lines.line(k) else { return false }
            if starts(next, sent) { return true }
        }
        return false
    }
}
