/// A reply as the core judges it: the facts read from a message by either door (`kept mail
/// ingest`, or keptd watching a Maildir), small enough for one request whatever the message's size.
public struct Reply: MethodParams, Equatable {
    /// The Message-ID, or `hash:…` of the bytes for a message without one: each acts once.
    public var messageID: String
    /// The addresses in `From`, lower-cased.
    public var from: [String]
    /// The envelope sender (`Return-Path`): empty for a bounce.
    public var sender: String?
    /// Where it was delivered: `Delivered-To`, `X-Original-To`, `To`, `Cc`.
    public var recipients: [String]
    /// The Message-IDs it answers: `In-Reply-To`, then `References`.
    public var thread: [String]
    public var subject: String?
    public var autoSubmitted: String?
    public var precedence: String?
    /// `List-Id` or another list header: mail from a list, never a person's reply.
    public var list: Bool
    /// An auto-responder's own mark (`X-Autoreply`, `X-Autorespond`).
    public var autoReply: Bool
    /// A delivery-status report, and the Message-ID of the message it reports on.
    public var report: Bool
    public var reported: String?
    /// `Authentication-Results` headers, topmost first.
    public var authentication: [String]
    /// kept's own `X-Kept-Key`: one of kept's messages come back.
    public var keptKey: String?
    /// The first line of the reply's own text (the verb line), if it has one.
    public var line: String?
    /// When it says it was written (`Date`): a letter is done then.
    public var date: Instant?
    /// Its `To` and `Cc` as written (`Dana Scully <dana@acme.example>`), for the timeline of a letter.
    public var sentTo: [String]?
    /// Judge it and say what it would do, changing nothing (`kept mail ingest --dry-run`, and
    /// `kept doctor`'s round trip).
    public var dryRun: Bool?

    public init(messageID: String, from: [String], sender: String? = nil, recipients: [String], thread: [String], subject: String? = nil,
                autoSubmitted: String? = nil, precedence: String? = nil, list: Bool = false, autoReply: Bool = false,
                report: Bool = false, reported: String? = nil, authentication: [String] = [], keptKey: String? = nil, line: String?,
                date: Instant? = nil, sentTo: [String]? = nil) {
        self.messageID = messageID; self.from = from; self.sender = sender; self.recipients = recipients; self.thread = thread
        self.subject = subject; self.autoSubmitted = autoSubmitted; self.precedence = precedence; self.list = list
        self.autoReply = autoReply; self.report = report; self.reported = reported; self.authentication = authentication
        self.keptKey = keptKey; self.line = line; self.date = date; self.sentTo = sentTo
    }

    /// Header values, Message-IDs and lists are cut to these sizes: a reply's facts are a few
    /// lines, and together they stay well inside one request (64 KiB) however the message is made.
    static let maxValue = 998, maxID = 250, maxList = 16

    /// Reads the facts from a whole message.
    public init(parsing bytes: [UInt8]) {
        let mail = MailParser(bytes)
        func clip(_ s: String?) -> String? { s.map { $0.utf8.count > Self.maxValue ? String($0.prefix(Self.maxValue)) : $0 } }
        func list(_ values: [String], _ limit: Int = Self.maxValue) -> [String] {
            Array(values.prefix(Self.maxList).map { $0.utf8.count > limit ? String($0.prefix(limit)) : $0 })
        }
        let id = mail.header("Message-ID").flatMap { Self.messageIDs($0).first }.map { String($0.prefix(Self.maxID)) }
        self.init(
            messageID: clip(id) ?? "hash:" + Self.hash(bytes),
            from: list(Self.addresses(mail.header("From") ?? ""), Self.maxID),
            sender: mail.header("Return-Path").map { Self.addresses($0).first ?? "" },
            recipients: list(["Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"].flatMap { mail.all($0) }.flatMap(Self.addresses), Self.maxID),
            thread: list(["In-Reply-To", "References"].flatMap { mail.all($0) }.flatMap(Self.messageIDs).filter { $0.utf8.count <= Self.maxID }),
            subject: clip(mail.header("Subject").map(EncodedWords.decode)),
            autoSubmitted: clip(mail.header("Auto-Submitted")?.lowercased()),
            precedence: clip(mail.header("Precedence")?.lowercased()),
            list: ["List-Id", "List-Unsubscribe", "List-Post"].contains { mail.header($0) != nil },
            autoReply: ["X-Autoreply", "X-Autorespond", "X-Autoresponder"].contains { mail.header($0) != nil },
            report: mail.isDeliveryReport,
            reported: clip(mail.reportedMessageID.flatMap { Self.messageIDs($0).first }),
            authentication: Array(list(mail.all("Authentication-Results")).prefix(4)),
            keptKey: clip(mail.header("X-Kept-Key")),
            line: clip(ReplyText.verbLine(mail.text)),
            date: mail.header("Date").flatMap(MailDate.parse),
            sentTo: list(["To", "Cc"].flatMap { mail.all($0) }.flatMap(Self.mailboxes), 200))
    }

    /// The mailboxes of an address header as written, one by one: `"Scully, Dana" <dana@acme.example>`.
    public static func mailboxes(_ value: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, angle = false
        for c in EncodedWords.decode(value) {
            switch c {
            case "\"": quoted.toggle()
            case "<" where !quoted: angle = true
            case ">" where !quoted: angle = false
            case "," where !quoted && !angle:
                out.append(current.trimmingWhitespace())
                current = ""
                continue
            default: break
            }
            current.append(c)
        }
        out.append(current.trimmingWhitespace())
        return out.filter { !$0.isEmpty }.map { String($0.map { $0.isNewline ? " " : $0 }) }
    }

    /// The addresses in an address header, lower-cased: `"Dana, M." <Dana@Example.org>, x@y` → two.
    public static func addresses(_ value: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, angle = false
        func finish() {
            let piece = current.trimmingWhitespace()
            current = ""
            if let open = piece.lastIndex(of: "<"), let close = piece[open...].firstIndex(of: ">") {
                let inner = piece[piece.index(after: open)..<close].trimmingWhitespace()
                if !inner.isEmpty || piece.hasSuffix("<>") { out.append(inner.lowercased()) }
            } else if let word = piece.split(separator: " ").first(where: { $0.contains("@") }) {
                out.append(word.trimmingWhitespace().lowercased())
            } else if piece == "<>" {
                out.append("")
            }
        }
        for c in EncodedWords.decode(value) {
            switch c {
            case "\"": quoted.toggle()
            case "<" where !quoted: angle = true
            case ">" where !quoted: angle = false
            case "," where !quoted && !angle: finish(); continue
            default: break
            }
            current.append(c)
        }
        finish()
        return out
    }

    /// `<a@b> <c@d>` → the ids with their brackets.
    public static func messageIDs(_ value: String) -> [String] {
        var out: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            out.append(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        if out.isEmpty, !value.trimmingWhitespace().isEmpty, !value.contains(" ") { out.append(value.trimmingWhitespace()) }
        return out
    }

    /// FNV-1a over the bytes: tells one message without a Message-ID from another.
    static func hash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16) + "." + String(bytes.count)
    }
}
