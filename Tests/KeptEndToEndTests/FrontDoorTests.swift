import Foundation
import Testing

/// `kept`'s front door reads the common lines of its busiest commands without ArgumentParser; it
/// must read them exactly as ArgumentParser does. Each line here runs twice — through the door,
/// and with the door closed (`KEPT_FRONT_DOOR=off`) — against a socket that records the request
/// and refuses it: the request that reached it, what was printed and the exit code are the same.
@Suite struct FrontDoorTests {
    static let message = """
        From: Dana <dana@example.org>
        To: dana+kept-k7q3m2x9a4b5c6d7@example.org
        Subject: Re: due: Send the corrected invoice
        Message-ID: <front-door@example.org>
        In-Reply-To: <1.14.1.due.s@kept>

        done

        """

    /// Lines the door takes (their dates are named relative to today, or are past or impossible
    /// for good, so the two runs of a line resolve them alike), lines it leaves to ArgumentParser,
    /// and mistakes of each command.
    static let lines: [[String]] = [
        ["promise", "1", "Send the corrected invoice", "--due", "tomorrow"],
        ["promise", "--due", "friday 17:00", "1", "Call Dana back"],
        ["promise", "1", "A status note", "--every", "1w", "--from", "monday 10:00", "--until", "feb 22"],
        ["promise", "1", "Late one", "--due=2026-01-05", "--allow-past"],
        ["--json", "promise", "1", "Send it", "--due", "tomorrow"],
        ["promise", "1", "Send it", "--due", "tomorrow", "--socket", "SOCKET"],
        ["--socket", "SOCKET", "promise", "1", "Send it", "--due", "tomorrow", "--json"],
        ["promise", "--due", "tomorrow", "1", "--", "-10% off the next invoice"],
        ["promise", "1", "Twice", "--due", "tomorrow", "--due", "friday"],
        ["promise", "1", "Value like an option", "--due", "--allow-past"],
        ["promise", "x", "Not an incident", "--due", "tomorrow"],
        ["promise", "1", "Neither due nor every"],
        ["promise", "1", "Impossible", "--due", "2027-02-30"],
        ["promise", "1", "Unknown", "--due", "tomorrow", "--bogus", "y"],
        ["promise", "1", "Three", "positionals", "--due", "tomorrow"],
        ["promise", "1", "Flag with a value", "--due", "tomorrow", "--allow-past=yes"],
        ["promise", "1", "Dangling", "--due"],
        ["promise", "1", "-h"],
        ["promise", "--help"],
        ["done", "1.2"],
        ["done", "1.2#3", "--note", "sent it", "--at", "2026-01-02T10:00"],
        ["done", "--note=a=b", "1.4", "--cause", "systemic"],
        ["done", "1.4", "--cause", "bogus"],
        ["done", "1.x"],
        ["done"],
        ["done", "1.2", "--json", "--json"],
        ["agenda"],
        ["agenda", "--days", "14"],
        ["agenda", "--days=3", "--json"],
        ["agenda", "--days", "x"],
        ["agenda", "--days", "0"],
        ["agenda", "extra"],
        ["mail", "ingest"],
        ["mail", "ingest", "--dry-run"],
        ["mail", "ingest", "--json"],
        ["mail", "ingest", "extra"],
    ]

    /// The same requests: each line's JSON alike (its members in any order).
    static func same(_ a: String, _ b: String) -> Bool {
        func values(_ text: String) -> [NSObject?] {
            text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? NSObject }
        }
        let (x, y) = (values(a), values(b))
        return x.count == y.count && zip(x, y).allSatisfy { $0 != nil && $0 == $1 }
    }

    @Test func theDoorReadsEveryLineAsArgumentParserDoes() throws {
        let h = Harness()
        let socket = h.root + "/recorder.sock", log = h.root + "/requests"
        let recorder = try Harness.spawnDetached([Harness.python, "-c", """
            import json, signal, socket, sys, threading
            server = socket.socket(socket.AF_UNIX)
            server.bind(sys.argv[1])
            server.listen(16)
            def serve():
                while True:
                    connection, _ = server.accept()
                    line = connection.makefile('rb').readline()
                    with open(sys.argv[2], 'ab') as out:
                        out.write(line if line.endswith(b'\\n') else line + b'\\n')
                    try:
                        id = json.loads(line).get('id')
                    except ValueError:
                        id = None
                    answer = {'jsonrpc': '2.0', 'id': id, 'error': {'code': -32001, 'message': 'recorded'}}
                    connection.sendall(json.dumps(answer).encode() + b'\\n')
                    connection.close()
            threading.Thread(target=serve, daemon=True).start()
            # SIGTERM may come blocked from the test runner: waited for, not handled.
            signal.sigwait([signal.SIGTERM, signal.SIGINT])
            """, socket, log])
        defer { Harness.stopDetached(recorder) }
        try #require(Harness.eventually(seconds: 10) { FileManager.default.fileExists(atPath: socket) })

        func run(_ line: [String], door: Bool) -> (code: Int32, stdout: String, stderr: String, request: String) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            var env = h.env
            env["KEPT_SOCKET"] = socket
            env["KEPT_FRONT_DOOR"] = door ? nil : "off"
            let args = line.map { $0 == "SOCKET" ? socket : $0 }
            let stdin = line.first == "mail" ? Data(Self.message.utf8) : nil
            let r = Harness.execute(Harness.binaries + "/kept", args, environment: env, stdin: stdin)
            return (r.code, r.stdout, r.stderr, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        var asked = 0
        for line in Self.lines {
            let through = run(line, door: true), around = run(line, door: false)
            #expect(through.code == around.code, "\(line): exit \(through.code) through the door, \(around.code) without")
            #expect(Self.same(through.request, around.request), "\(line):\n\(through.request)\nagainst\n\(around.request)")
            #expect(through.stdout == around.stdout, "\(line)")
            #expect(through.stderr == around.stderr, "\(line)")
            if !through.request.isEmpty { asked += 1 }
        }
        // Not a comparison of nothing: the lines a user types every day did reach the socket.
        #expect(asked >= 17, "\(asked) lines reached the socket")
        #expect(run(["promise", "1", "Send the corrected invoice", "--due", "tomorrow"], door: true).request
            .contains("\"method\":\"promise.add\""))
    }
}
