#if canImport(Glibc)
import Glibc
#endif
import KeptCore
import Logging

/// One readable line per entry on stderr, for a daemon run by hand or without a journal:
/// `2026-11-22 09:00:00.003 keptd: notice: refused item.done: unknown item 3.9 [KEPT_EVENT=refused KEPT_ITEM=3.9]`.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let identifier: String

    public init(identifier: String) { self.identifier = identifier }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let bytes = line(event, at: Self.timestamp())
        _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    }

    /// The entry as the one line written, its newline last.
    func line(_ event: LogEvent, at timestamp: String) -> [UInt8] {
        let all = merged(event.metadata)
        var text = "\(timestamp) \(identifier): \(event.level): \(event.message)"
        if let error = event.error { text += " (\(error))" }
        if !all.isEmpty {
            text += " [" + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
        }
        return Self.oneLine(text)
    }

    /// `text`'s bytes, what a terminal would act on (`TerminalText.isHidden`) and the line and
    /// paragraph separators each a space — text from outside (a client's name, a mail's subject)
    /// never breaks the line or reaches a terminal as a command — and a newline at the end.
    static func oneLine(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 1)
        for scalar in text.unicodeScalars {
            if TerminalText.isHidden(scalar) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out.append(0x20)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
        }
        out.append(0x0A)
        return out
    }

    /// Local wall-clock time with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        let text = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text + "." + String(repeating: "0", count: millis < 10 ? 2 : millis < 100 ? 1 : 0) + String(millis)
    }
}
