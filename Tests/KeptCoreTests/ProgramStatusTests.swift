import KeptCore
import Testing

@Suite struct ProgramStatusTests {
    @Test func temporaryFailuresAreRetried() {
        for code: Int32 in [69, 71, 74, 75] { #expect(!ProgramStatus.isPermanent(exitCode: code)) }
    }

    @Test func theRestOfSysexitsIsPermanent() {
        for code: Int32 in [64, 65, 66, 67, 68, 70, 72, 73, 76, 77, 78] { #expect(ProgramStatus.isPermanent(exitCode: code)) }
    }

    @Test func codesOutsideSysexitsAreRetried() {
        for code: Int32 in [1, 2, 63, 79, 127, 255] { #expect(!ProgramStatus.isPermanent(exitCode: code)) }
    }

    @Test func namesForMessages() {
        #expect(ProgramStatus.name(75) == "EX_TEMPFAIL")
        #expect(ProgramStatus.name(67) == "EX_NOUSER")
        #expect(ProgramStatus.name(1) == nil)
    }

    @Test func theEnvelopeSenderIsTheBareAddress() {
        #expect(ProgramStatus.addressSpec("kept <kept@example.org>") == "kept@example.org")
        #expect(ProgramStatus.addressSpec("\"Dana, PM\" <dana@example.org>") == "dana@example.org")
        #expect(ProgramStatus.addressSpec("  kept@example.org ") == "kept@example.org")
    }
}
