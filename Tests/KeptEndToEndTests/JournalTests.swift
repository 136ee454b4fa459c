import Foundation
import KeptCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// keptd's log in the real journal (a journald the suite starts when none runs), read back
/// with `journalctl -o json`.
@Suite(.serialized) struct JournalTests {
    @Test func aDeliveredReminderAndARefusalAreEntriesWithTheirFields() async throws {
        try await Journald.using {
            let h = Harness()
            try h.start(["--log", "journal"])
            defer { h.stop() }
            let pid = h.daemon!.processIdentifier
            #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--no-playbook").code == 0)
            #expect(h.kept("promise", "1", "Send the corrected invoice", "--due", "+1s").code == 0)
            #expect(h.kept("done", "1.99").code == 1)
            #expect(try h.waitForMails(1).count == 1)

            let entries = Journald.wait(for: ["_PID=\(pid)"]) { found in
                found.contains { $0["KEPT_EVENT"] == "reminder-delivered" }
            }
            for entry in entries {
                #expect(entry["SYSLOG_IDENTIFIER"] == "keptd")
                #expect(entry["_TRANSPORT"] == "journal")
                #expect(entry["CODE_FILE"]?.hasSuffix(".swift") == true)
                #expect(Int(entry["CODE_LINE"] ?? "") != nil)
                #expect(entry["CODE_FUNC"]?.isEmpty == false)
            }
            let delivered = try #require(entries.first { $0["KEPT_EVENT"] == "reminder-delivered" })
            #expect(delivered["PRIORITY"] == "6")
            #expect(delivered["KEPT_CHANNEL"] == "maildir")
            #expect(delivered["KEPT_INCIDENT"] == "1")
            #expect(delivered["KEPT_CLIENT"] == "Acme Corp")
            #expect(delivered["KEPT_ITEM"]?.hasPrefix("1.1#1/") == true)
            #expect(delivered["MESSAGE"]?.contains("delivered via maildir") == true)

            let added = try #require(entries.first { $0["KEPT_EVENT"] == "promise-added" })
            #expect(added["KEPT_ITEM"] == "1.1")
            #expect(added["KEPT_CLIENT"] == "Acme Corp")

            let refused = try #require(entries.first { $0["KEPT_EVENT"] == "refused" })
            #expect(refused["PRIORITY"] == "5")
            #expect(refused["KEPT_ITEM"] == "1.99")
            #expect(refused["KEPT_METHOD"] == "item.done")
            #expect(refused["MESSAGE"]?.contains("refused item.done") == true)
            #expect(!h.daemonOutput.contains("refused"), "with the journal reachable nothing goes to stderr")
        }
    }

    /// A letter the user sent, seen through its Bcc copy: an entry of its own, with the incident
    /// and the occurrence it did, and a message that says to whom and what.
    @Test func aLetterSeenGoingIsLogged() async throws {
        try await Journald.using {
            let h = Harness()
            try h.writeConfig("reply:\n  address: dana+kept@example.org\n  from: [dana@example.org]\n")
            try h.start(["--log", "journal"])
            defer { h.stop() }
            let pid = h.daemon!.processIdentifier
            #expect(h.kept("open", "Acme Corp", "Wrong invoice", "--contact", "Dana Scully <dana@acme.example>").code == 0)
            let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
            let address = try #require((show["letters"] as? [[String: Any]])?.first { $0["item"] as? String == "1.6" }?["address"] as? String)
            let letter = """
                Return-Path: <dana@example.org>
                Delivered-To: \(address)
                From: Dana <dana@example.org>
                To: Dana Scully <dana@acme.example>
                Subject: Weekly update: invoices
                Date: \(Harness.rfc5322(Date().addingTimeInterval(-60)))
                Message-ID: <journal-\(UUID().uuidString)@example.org>

                Dear Dana, the corrected invoices went out.

                """
            #expect(h.run(Harness.binaries + "/kept", ["mail", "ingest"], stdin: Data(letter.utf8)).code == 0)
            let entries = Journald.wait(for: ["_PID=\(pid)"]) { found in found.contains { $0["KEPT_EVENT"] == "letter-logged" } }
            let logged = try #require(entries.first { $0["KEPT_EVENT"] == "letter-logged" })
            #expect(logged["KEPT_INCIDENT"] == "1")
            #expect(logged["KEPT_ITEM"] == "1.6#1")
            #expect(logged["KEPT_CLIENT"] == "Acme Corp")
            #expect(logged["MESSAGE"]?.contains("sent to Dana Scully <dana@acme.example>: Weekly update: invoices") == true, "\(logged)")
        }
    }

    /// With the journal's socket hidden (a private mount namespace with an empty folder over
    /// /run/systemd/journal), the same entries come out on stderr as readable lines.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func withoutAJournalTheLogGoesToStderr() throws {
        let h = Harness()
        let hide = ["/usr/bin/unshare", "--mount", "--", "/bin/sh", "-c",
                    "mkdir -p /run/systemd/journal && mount -t tmpfs kept-test /run/systemd/journal && exec \"$0\" \"$@\""]
        try h.start(["--log", "journal"], launcher: hide)
        defer { h.stop() }
        #expect(h.kept("done", "7.1").code == 1)
        h.stop()
        let lines = h.daemonOutput.split(separator: "\n")
        let refused = try #require(lines.first { $0.contains("refused item.done") })
        #expect(refused.contains("keptd: notice: refused item.done: no incident 7"))
        #expect(refused.contains("KEPT_EVENT=refused"))
        #expect(refused.contains("KEPT_ITEM=7.1"))
        #expect(lines.contains { $0.contains("keptd: info: keptd \(KeptVersion.current) ready") })
    }
}
