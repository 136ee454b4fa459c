import Foundation
import Testing

/// The command line as people type it, through the real `kept`.
@Suite(.serialized) struct CommandLineTests {
    @Test func aTextThatBeginsWithADashIsNeverReadAsOptions() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Wrong invoice", "--no-playbook").code == 0)

        // Once this printed the help (the text holds an h) and exited 0 with nothing saved.
        let refused = h.kept("promise", "1", "-10% discount on the next invoice", "--due", "friday")
        #expect(refused.code == 64)
        #expect(refused.stdout.isEmpty)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(refused.stderr)")
        #expect(lines.first?.contains("put it after --") == true)
        #expect(lines.last == "See 'kept promise --help'.")
        let show = h.kept("show", "1")
        #expect(!show.stdout.contains("discount"))
        // Every command's flags are known from its own declaration: the argument after one (here
        // report's --ascii, once missing from a hand-kept table) is not taken for its value.
        let afterFlag = h.kept("report", "--ascii", "-1")
        #expect(afterFlag.code == 64)
        #expect(afterFlag.stderr.hasPrefix("kept: \"-1\" begins with '-'"), "\(afterFlag.stderr)")

        // After --, it is the text it is; as an option's value, too.
        let added = h.kept("promise", "1", "--due", "friday", "--", "-10% discount on the next invoice")
        #expect(added.code == 0, "\(added.stderr)")
        #expect(added.stdout.contains("Promised 1.1: -10% discount on the next invoice"))
        // A global option before the subcommand stays an option when the line has a `--`.
        let leading = h.kept("--socket", h.socket, "promise", "1", "--due", "friday", "--", "-2 days early, as asked")
        #expect(leading.code == 0, "\(leading.stderr)")
        #expect(leading.stdout.contains("Promised 1.2: -2 days early, as asked"), "\(leading.stdout)")
        let done = h.kept("done", "1.1", "--note", "-5 minutes late, told Dana")
        #expect(done.code == 0, "\(done.stderr)")
        #expect(h.kept("show", "1").stdout.contains("-5 minutes late, told Dana"))
    }

    @Test func showNamesAnIncidentOrOneItemWithEveryOccurrence() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Wrong invoice", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Weekly figures to Dana", "--every", "1w", "--until", "+22d").code == 0)
        #expect(h.kept("done", "1.1#1", "--note", "sent on time").code == 0)
        let item = h.kept("show", "1.1")
        #expect(item.code == 0, "\(item.stderr)")
        let lines = item.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "1.1 promise: Weekly figures to Dana (Acme)")
        #expect(lines.count { $0.hasPrefix("1.1#") } == 3, "\(item.stdout)")
        #expect(lines.contains { $0.hasPrefix("1.1#1 ") && $0.contains("kept") && $0.contains("sent on time") }, "\(item.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(h.kept("show", "1.1", "--json").stdout.utf8)) as? [String: Any])
        #expect((json["occurrences"] as? [[String: Any]])?.count == 3)
        #expect(h.kept("show", "1").stdout.contains("Weekly figures to Dana"), "the incident as before")
        let unknown = h.kept("show", "1.7")
        #expect(unknown.code == 1 && unknown.stderr == "kept: no item 1.7\n", "\(unknown.stderr)")
        #expect(h.kept("show", "one").code == 64)
    }

    @Test func globalOptionsGoBeforeOrAfterTheSubcommand() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        for args in [["--json", "status"], ["status", "--json"], ["--socket", h.socket, "--json", "status"], ["--socket=\(h.socket)", "status", "--json"]] {
            let r = h.run(Harness.binaries + "/kept", args)
            #expect(r.code == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.hasPrefix("{"), "\(args): \(r.stdout.prefix(80))")
        }
    }

    @Test func aUsageErrorIsOneLineAndTheHint() throws {
        let h = Harness()
        for args in [["promise", "1", "x", "--due"], ["frobnicate"], ["done", "1.x"], ["open", "Acme", "x", "--window", "0"],
                     ["snooze", "1.2", "3x"], ["promise", "1", "x", "--due", "+1d", "--from", "+2d"]] {
            let r = h.run(Harness.binaries + "/kept", args)
            #expect(r.code == 64, "\(args)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("kept: ") && lines[1].hasPrefix("See 'kept "), "\(args): \(r.stderr)")
        }
        let help = h.run(Harness.binaries + "/kept", ["promise", "--help"])
        #expect(help.code == 0 && help.stdout.contains("USAGE"))
    }
}
