import Foundation
import KeptCore
@testable import KeptDaemon
import Testing

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// The email and command channels' program runs, with real programs (sh, cat) — no shell in
/// between: the argv goes to the program as it is.
///
/// Runs that should finish get a long limit: in the shared test process, end-to-end tests that
/// block on processes can hold every thread of the (2-core) cooperative pool for a while, and a
/// finished run must not be mistaken for a time-out then.
@Suite struct ProgramRunnerTests {
    static let generous = 180

    @Test func stdinReachesTheProgramAndItsExitCodeComesBack() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kept-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = await ProgramRunner.run(["/bin/sh", "-c", "cat > \"$1\"; echo 'temporary trouble' >&2; exit 75", "sh", folder + "/in"],
                                              input: Array("héllo\n.\n".utf8), timeoutSeconds: Self.generous)
        #expect(outcome == .exited(75, stderr: "temporary trouble"))
        #expect(FileManager.default.contents(atPath: folder + "/in") == Data("héllo\n.\n".utf8))
    }

    @Test func argumentsAreNeverInterpretedByAShell() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kept-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hostile = "$(touch \(folder)/pwned); `id`; -oQ"
        let outcome = await ProgramRunner.run(["/usr/bin/printf", "%s", hostile], input: [], timeoutSeconds: Self.generous)
        #expect(outcome == .exited(0, stderr: ""))
        #expect(!FileManager.default.fileExists(atPath: folder + "/pwned"))
    }

    @Test func aMissingProgramIsNotStarted() async {
        let outcome = await ProgramRunner.run(["/nonexistent/sendmail", "-i"], input: [], timeoutSeconds: Self.generous)
        guard case .notStarted(let reason) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(reason.contains("/nonexistent/sendmail"))
    }

    @Test func aHangingProgramIsStoppedAtTheLimit() async {
        let outcome = await ProgramRunner.run(["/bin/sleep", "30"], input: [], timeoutSeconds: 1)
        #expect(outcome == .timedOut(seconds: 1))
    }

    @Test func aProgramThatIgnoresItsInputStillFinishes() async {
        let outcome = await ProgramRunner.run(["/bin/true"], input: Array(repeating: UInt8(ascii: "x"), count: 1 << 20), timeoutSeconds: Self.generous)
        #expect(outcome == .exited(0, stderr: ""))
    }

    @Test func stderrIsCutToItsLastLine() {
        #expect(ProgramRunner.oneLine("msmtp: cannot connect\nmsmtp: could not send mail\n") == "msmtp: could not send mail")
        #expect(ProgramRunner.oneLine("") == "")
    }

    @Test func theEmailArgvIsTheProgramThenTheEnvelope() {
        var config = Config()
        config.email.sendmail = ["/usr/bin/msmtp", "-C", "/home/dana/.msmtprc"]
        let context = DeliveryContext(config: config, from: "kept <kept@example.org>", to: ["dana@example.org", "-oQ@x.org"], maildir: "/m")
        #expect(EmailChannel.argv(context) == ["/usr/bin/msmtp", "-C", "/home/dana/.msmtprc", "-i", "-f", "kept@example.org", "--",
                                               "dana@example.org", "-oQ@x.org"])
    }

    @Test func exitCodesAreJudgedBySysexits() {
        #expect(throws: Never.self) { try EmailChannel.judge(.exited(0, stderr: ""), program: "msmtp") }
        do { try EmailChannel.judge(.exited(75, stderr: "try later"), program: "msmtp") } catch {
            #expect(!error.permanent)
            #expect(error.message == "msmtp exited 75 (EX_TEMPFAIL): try later")
        }
        do { try EmailChannel.judge(.exited(67, stderr: ""), program: "msmtp") } catch {
            #expect(error.permanent)
            #expect(error.message == "msmtp exited 67 (EX_NOUSER)")
        }
        do { try EmailChannel.judge(.timedOut(seconds: 60), program: "msmtp") } catch { #expect(!error.permanent) }
        do { try EmailChannel.judge(.notStarted("msmtp: not found"), program: "msmtp") } catch { #expect(!error.permanent) }
    }

    @Test func theCommandGetsTheReminderAsOneJSONObject() throws {
        let reminder = Reminder(key: ReminderKey(parsing: "1.1#1/due")!, incident: 1, client: "Acme", item: "1.1", text: "Send \"it\"\n.",
                                due: "2026-12-01", scheduled: Instant(seconds: 1_796_000_000), late: false, subject: "Due now",
                                body: "b", messageID: "<x@kept>")
        let entry = OutboxEntry(key: reminder.key, reminder: reminder, message: "Subject: Due now\n\nb\n", channels: [.command])
        let bytes = CommandChannel.payload(entry)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false, "one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["key"] as? String == "1.1#1/due")
        #expect(object["text"] as? String == "Send \"it\"\n.")
        #expect(object["kind"] as? String == "due")
        #expect(object["client"] as? String == "Acme")
        #expect(object["message"] as? String == "Subject: Due now\n\nb\n")
    }
}
