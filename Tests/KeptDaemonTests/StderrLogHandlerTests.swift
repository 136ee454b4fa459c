@testable import KeptDaemon
import Logging
import Testing

@Suite struct StderrLogHandlerTests {
    func event(_ message: Logger.Message, _ metadata: Logger.Metadata? = nil) -> LogEvent {
        LogEvent(level: .notice, message: message, metadata: metadata, source: nil, file: #fileID, function: #function, line: #line)
    }

    @Test func anEntryIsOneLineWithItsFieldsSortedByName() {
        var handler = StderrLogHandler(identifier: "keptd")
        handler.metadata = ["KEPT_EVENT": "refused"]
        let line = handler.line(event("refused item.done: unknown item 3.9", ["KEPT_ITEM": "3.9"]), at: "2026-11-22 09:00:00.003")
        #expect(String(decoding: line, as: UTF8.self)
            == "2026-11-22 09:00:00.003 keptd: notice: refused item.done: unknown item 3.9 [KEPT_EVENT=refused KEPT_ITEM=3.9]\n")
    }

    @Test func textFromOutsideNeitherBreaksTheLineNorReachesATerminalAsACommand() {
        let handler = StderrLogHandler(identifier: "keptd")
        // A client named with a line break, a terminal's escape, a tab, CR LF, a C1 control, and
        // the line and paragraph separators; the letters around them, é and — included, stay.
        let client = "Acme\nfake: entry\u{1B}[2J\tCorp\r\n\u{85}é\u{2028}—\u{2029}end\u{7F}"
        let line = handler.line(event("opened for \(client)", ["KEPT_CLIENT": .string(client)]), at: "T")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.filter(\.isNewline) == "\n" && text.last == "\n")
        #expect(!text.utf8.contains(0x1B) && !text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
        #expect(text == "T keptd: notice: opened for Acme fake: entry [2J Corp   é — end  [KEPT_CLIENT=Acme fake: entry [2J Corp   é — end ]\n")
    }
}
