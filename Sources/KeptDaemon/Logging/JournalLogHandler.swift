import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Writes log entries to the systemd journal through `sd_journal_sendv`, one entry per message,
/// with `SYSLOG_IDENTIFIER`, `PRIORITY`, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC` and every metadata
/// key as a field of its own (`KEPT_INCIDENT`, `KEPT_ITEM`, `KEPT_CLIENT`, `KEPT_CHANNEL`,
/// `KEPT_EVENT`, …). When the journal cannot take an entry, the entry goes to stderr instead.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let identifier: String
    let fallback: StderrLogHandler

    public init(identifier: String) {
        self.identifier = identifier
        self.fallback = StderrLogHandler(identifier: identifier)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in merged(event.metadata) {
            guard let name = Self.fieldName(key) else { continue }
            fields.append("\(name)=\(value)")
        }
        if let error = event.error { fields.append("ERROR=\(error)") }
        if !Self.journalPresent || Self.send(fields) < 0 {
            var handler = fallback
            handler.metadata = metadata
            handler.metadataProvider = metadataProvider
            handler.log(event: event)
        }
    }

    /// syslog(3) priorities, as journald files them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A journal field name for a metadata key: A–Z, 0–9 and `_`, not starting with `_` or a
    /// digit, at most 64 bytes (journald drops any other name silently). nil if nothing is left.
    static func fieldName(_ key: String) -> String? {
        var name = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        })
        while name.first == "_" { name.removeFirst() }
        if let first = name.first, first.isNumber { name = "F" + name }
        if name.isEmpty { return nil }
        return String(name.prefix(64))
    }

    /// libsystemd reports success when the journal's socket does not exist ("fail silently"),
    /// so look for it before each entry: a stat, and the entry is never lost.
    static var journalPresent: Bool { access("/run/systemd/journal/socket", F_OK) == 0 }

    /// One entry; a negative errno when the journal refuses it.
    static func send(_ fields: [String]) -> Int32 {
        var bytes: [UInt8] = []
        var spans: [(Int, Int)] = []
        for field in fields {
            spans.append((bytes.count, field.utf8.count))
            bytes.append(contentsOf: field.utf8)
        }
        return bytes.withUnsafeMutableBytes { raw in
            let vectors = spans.map { iovec(iov_base: raw.baseAddress! + $0.0, iov_len: $0.1) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }

    /// Whether systemd connected stderr to the journal (`JOURNAL_STREAM` names stderr's device
    /// and inode): then native entries are the better form of the same log.
    public static var stderrIsJournal: Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        var st = stat()
        guard parts.count == 2, fstat(2, &st) == 0 else { return false }
        return UInt64(parts[0]) == UInt64(st.st_dev) && UInt64(parts[1]) == UInt64(st.st_ino)
    }
}
