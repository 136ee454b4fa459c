@testable import KeptDaemon
import Logging
import Testing

@Suite struct JournalLogHandlerTests {
    @Test func metadataKeysBecomeValidJournalFieldNames() {
        #expect(JournalLogHandler.fieldName("KEPT_ITEM") == "KEPT_ITEM")
        #expect(JournalLogHandler.fieldName("sl-service") == "SL_SERVICE")
        #expect(JournalLogHandler.fieldName("_private") == "PRIVATE")
        #expect(JournalLogHandler.fieldName("9lives") == "F9LIVES")
        #expect(JournalLogHandler.fieldName("") == nil)
        #expect(JournalLogHandler.fieldName("___") == nil)
        #expect(JournalLogHandler.fieldName(String(repeating: "a", count: 100))?.count == 64)
        #expect(JournalLogHandler.fieldName("é=x") == "X")
    }

    @Test func levelsMapToSyslogPriorities() {
        #expect(JournalLogHandler.priority(.trace) == 7)
        #expect(JournalLogHandler.priority(.debug) == 7)
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.notice) == 5)
        #expect(JournalLogHandler.priority(.warning) == 4)
        #expect(JournalLogHandler.priority(.error) == 3)
        #expect(JournalLogHandler.priority(.critical) == 2)
    }
}
