import Foundation
import Testing

/// A letter from draft to done, through the real binaries: `kept draft --save` puts it in the
/// Drafts folder addressed to the client and Bcc'd to its logging address (Python's `email` reads
/// it strictly); sent, its Bcc copy comes back through `kept mail ingest` and the check-in is done.
@Suite(.serialized) struct LetterEndToEndTests {
    @Test func aDraftSavedSentAndSeenGoingDoesItsCheckin() throws {
        let h = Harness()
        let drafts = h.root + "/Mail/Drafts"
        try h.writeConfig("""
            reply:
              address: dana+kept@example.org
              from: ["Dana Example <dana@example.org>"]
            letters:
              drafts: \(drafts)
            """)
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--contact", "Dana Scully <dana@acme.example>").code == 0)
        let contact = h.kept("contact", "1", "Dana Scully <dana@acme.example>", "--cc", "ops@acme.example", "--cc", "Bob Ops <bob@acme.example>")
        #expect(contact.code == 0, "\(contact.stderr)")
        #expect(h.kept("contact", "1", "not an address").code == 1)

        let saved = h.kept("draft", "1.6", "--save")
        #expect(saved.code == 0, "\(saved.stderr)")
        #expect(saved.stdout.hasPrefix("The letter is in your Drafts folder ("))
        let files = try FileManager.default.contentsOfDirectory(atPath: drafts + "/cur")
        try #require(files.count == 1)
        #expect(files[0].hasSuffix(":2,D"))
        // Saved again: the same draft, not a second one.
        #expect(h.kept("draft", "1.6", "--save").code == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: drafts + "/cur").count == 1)

        // As the client's mail program will read it: no defect under the strict policy.
        let read = h.run(Harness.python, ["-c", """
            import email, email.policy, json, sys
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.strict)
            assert not m.defects, m.defects
            print(json.dumps({k: str(m[k]) for k in ['From', 'To', 'Cc', 'Bcc', 'Subject']} | {'body': m.get_content(), 'kept': [k for k in m.keys() if k.lower().startswith('x-kept')]}))
            """, drafts + "/cur/" + files[0]])
        #expect(read.code == 0, "\(read.stderr)")
        let draft = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(draft["From"] as? String == "Dana Example <dana@example.org>")
        #expect(draft["To"] as? String == "Dana Scully <dana@acme.example>")
        #expect(draft["Cc"] as? String == "ops@acme.example, Bob Ops <bob@acme.example>")
        let bcc = try #require(draft["Bcc"] as? String)
        #expect(bcc.hasPrefix("dana+kept-log-") && bcc.hasSuffix("@example.org"))
        #expect((draft["Subject"] as? String)?.hasPrefix("Invoice sent with the wrong amounts: progress update") == true)
        let body = draft["body"] as? String ?? ""
        #expect(body.hasPrefix("Dear Dana,\n") && body.hasSuffix("\nDana Example\n"), "\(body)")
        #expect((draft["kept"] as? [String])?.isEmpty == true)
        #expect(!body.contains("[your name]"))

        // Sent: the Bcc copy arrives with the logging address as its envelope recipient.
        var letter = try String(contentsOfFile: drafts + "/cur/" + files[0], encoding: .utf8)
        letter = letter.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Bcc:") }.joined(separator: "\n")
        let copy = "Return-Path: <dana@example.org>\nDelivered-To: \(bcc)\n" + letter
        let ingested = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(copy.utf8))
        #expect(ingested.code == 0, "\(ingested.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(ingested.stdout.utf8)) as? [String: Any])
        #expect(answer["outcome"] as? String == "acted", "\(answer)")
        let show = try #require(try h.keptJSON("show", "1") as? [String: Any])
        let checkin = ((show["items"] as? [[String: Any]])?.first { $0["id"] as? String == "1.6" }?["occurrences"] as? [[String: Any]])?.first
        #expect(checkin?["done"] != nil)
        let timeline = show["timeline"] as? [[String: Any]] ?? []
        let sent = timeline.first { $0["what"] as? String == "letter" }?["text"] as? String ?? ""
        #expect(sent.hasPrefix("sent to Dana Scully <dana@acme.example>, ops@acme.example, Bob Ops <bob@acme.example>: Invoice sent"), "\(sent)")
        #expect(!sent.contains("kept-log"), "the logging address is never named as a recipient")
        // The same letter again (the mail system delivering twice): nothing more.
        let again = h.run(Harness.binaries + "/kept", ["mail", "ingest", "--json"], stdin: Data(copy.utf8))
        #expect(again.code == 0 && again.stdout.contains("\"replayed\""), "\(again.stdout)")
    }
}
