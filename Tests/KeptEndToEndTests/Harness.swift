import Foundation
import KeptCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `keptd` on private folders, driven through the real `kept` binary.
final class Harness {
    let root: String
    var env: [String: String]
    var daemon: Process?
    /// Whether the daemon closed the last raw connection (rather than the read timing out).
    var lastRawClosed = false
    var daemonLog: String { root + "/keptd.log" }

    static let binaries: String = {
        if let dir = ProcessInfo.processInfo.environment["KEPT_BIN_DIR"] { return dir }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Under `swift test` the runner sits in (or inside a bundle in) the build folder.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("keptd").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }()

    /// The zone keptd and kept run in: a tz database name, or a POSIX rule.
    let zone: String
    /// The same zone for Foundation's formatters.
    let timeZone: TimeZone

    /// Starts in `zone`, or by default in a zone where it is now `Harness.localTime` — so a test
    /// meets the same hour of the user's day whenever the suite runs.
    init(zone: String? = nil) {
        if let zone {
            self.zone = zone
            timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0)!
        } else {
            let chosen = Self.chosenZone()
            self.zone = chosen.tz
            timeZone = TimeZone(secondsFromGMT: chosen.offset)!
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kept-e2e-\(UUID().uuidString.prefix(8))").path
        for dir in ["run", "state", "data", "config"] {
            try! FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        var env = ProcessInfo.processInfo.environment
        env["XDG_RUNTIME_DIR"] = root + "/run"
        env["XDG_STATE_HOME"] = root + "/state"
        env["XDG_DATA_HOME"] = root + "/data"
        env["XDG_CONFIG_HOME"] = root + "/config"
        env["TZ"] = self.zone
        // No weekly digest unless a test asks: a run that crosses Monday 09:00 would get one.
        env["KEPT_DIGEST_ENABLED"] = "false"
        for key in ["KEPT_SOCKET", "KEPT_STATE_DIR", "KEPT_CONFIG", "STATE_DIRECTORY", "CONFIGURATION_DIRECTORY",
                    "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC"] {
            env.removeValue(forKey: key)
        }
        self.env = env
    }

    // MARK: The user's clock

    /// The local time it is when a test starts, by default: `KEPT_TEST_LOCAL_TIME` (`HH:MM`), else
    /// noon. `scripts/test` runs the suites that depend on the date again at 00:20, 08:55 and 23:50.
    static let localTime: (hour: Int, minute: Int) = {
        let text = ProcessInfo.processInfo.environment["KEPT_TEST_LOCAL_TIME"] ?? "12:00"
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
            fatalError("KEPT_TEST_LOCAL_TIME is HH:MM, not \(text)")
        }
        return (parts[0], parts[1])
    }()

    /// A `TZ` rule in which it is now `localTime`: the zone the suite runs kept in by default.
    static func chosenZone() -> (tz: String, offset: Int) { zone(whereItIsNow: localTime.hour, localTime.minute) }

    /// A `TZ` rule in which the local time is now `hour`:`minute`, and its offset east of UTC in seconds.
    static func zone(whereItIsNow hour: Int, _ minute: Int) -> (tz: String, offset: Int) {
        let now = Int(Date().timeIntervalSince1970)
        let utcMinute = now / 60 % 1440
        var offset = (hour * 60 + minute - utcMinute) % 1440
        if offset > 720 { offset -= 1440 }
        if offset <= -720 { offset += 1440 }
        // POSIX counts west as positive: UTC+2 is written KPT-2.
        let sign = offset > 0 ? "-" : "+"
        let tz = String(format: "KPT%@%02d:%02d", sign, abs(offset) / 60, abs(offset) % 60)
        return (tz, offset * 60)
    }

    /// The user's date `days` from now (negative: ago), as `format` writes it.
    func localDay(_ days: Int, format: String = "yyyy-MM-dd") -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = format
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return f.string(from: calendar.date(byAdding: .day, value: days, to: Date())!)
    }

    /// The user's local time `seconds` from now, as `format` writes it.
    func localTime(in seconds: TimeInterval, format: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = format
        return f.string(from: Date().addingTimeInterval(seconds))
    }

    deinit {
        if let d = daemon, d.isRunning { Self.signal(d.processIdentifier, SIGKILL); d.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: root)
    }

    var socket: String { root + "/run/kept/control.sock" }
    var storeDir: String { root + "/state/kept" }
    var maildir: String { root + "/data/kept/Maildir" }

    // MARK: The daemon

    /// Starts keptd (through `launcher`, a command that execs its arguments, when given)
    /// without waiting for it.
    func launch(_ arguments: [String] = [], launcher: [String] = []) throws {
        let p = Process()
        let command = launcher + [Self.binaries + "/keptd"] + arguments
        p.executableURL = URL(fileURLWithPath: command[0])
        p.arguments = Array(command.dropFirst())
        p.environment = env
        if !FileManager.default.fileExists(atPath: daemonLog) { _ = FileManager.default.createFile(atPath: daemonLog, contents: nil) }
        let log = try #require(FileHandle(forWritingAtPath: daemonLog))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        daemon = p
    }

    /// What keptd wrote to stdout and stderr so far.
    var daemonOutput: String { (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? "" }

    /// Writes `config.yaml` where keptd looks for it.
    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/config/kept", withIntermediateDirectories: true)
        try text.write(toFile: root + "/config/kept/config.yaml", atomically: true, encoding: .utf8)
    }

    /// Starts keptd and waits until it answers on its socket.
    func start(_ arguments: [String] = [], launcher: [String] = []) throws {
        try launch(arguments, launcher: launcher)
        let p = daemon!
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !p.isRunning { throw HarnessError("keptd exited (\(p.terminationStatus)): \(try String(contentsOfFile: daemonLog, encoding: .utf8))") }
            if kept("status").code == 0 { return }
            usleep(20_000)
        }
        // Not left running behind a test that fails here.
        killHard()
        throw HarnessError("keptd did not answer within 20 s")
    }

    /// Runs keptd expecting it to fail at once; returns its exit code and stderr.
    func startFails() throws -> (code: Int32, stderr: String) {
        let r = run(Self.binaries + "/keptd", [])
        return (r.code, r.stderr)
    }

    func stop() {
        guard let d = daemon else { return }
        // One that has ended (and been reaped) no longer owns its pid: nothing is signalled.
        if d.isRunning { Self.signal(d.processIdentifier, SIGTERM) }
        d.waitUntilExit()
        daemon = nil
    }

    func killHard() {
        guard let d = daemon else { return }
        if d.isRunning { Self.signal(d.processIdentifier, SIGKILL) }
        d.waitUntilExit()
        daemon = nil
    }

    // MARK: The CLI

    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    func kept(_ args: String...) -> Result { run(Self.binaries + "/kept", args) }

    func keptJSON(_ args: String...) throws -> Any {
        let r = run(Self.binaries + "/kept", args + ["--json"])
        guard r.code == 0 else { throw HarnessError("kept \(args) failed (\(r.code)): \(r.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    func run(_ path: String, _ args: [String], stdin: Data? = nil) -> Result {
        Self.execute(path, args, environment: env, stdin: stdin)
    }

    /// Runs a program to its end and collects what it printed.
    static func execute(_ path: String, _ args: [String], environment: [String: String]? = nil, stdin: Data? = nil) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let environment { p.environment = environment }
        // stderr goes through a file, so a chatty program can never stall on a full pipe.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("kept-stderr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { unlink(errPath) }
        let out = Pipe()
        let errHandle = FileHandle(forWritingAtPath: errPath)
        defer { try? errHandle?.close() }
        p.standardOutput = out
        p.standardError = errHandle
        let input = stdin.map { _ in Pipe() }
        p.standardInput = input ?? FileHandle.nullDevice
        do { try p.run() } catch { return Result(code: -1, stdout: "", stderr: "\(error)") }
        if let stdin, let input {
            input.fileHandleForWriting.write(stdin)
            input.fileHandleForWriting.closeFile()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(code: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Starts a long-running program detached from this process and returns its pid.
    /// Foundation's `Process` takes a child that closes its inherited descriptors — as systemd and
    /// journald do at start — for exited, and then blocks waiting for it; so the program is started
    /// by bash (dash cannot close descriptors above 9) with every descriptor above 2 closed.
    static func spawnDetached(_ command: [String], environment: [String: String]? = nil) throws -> pid_t {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // The program must not keep any descriptor of ours (Foundation would then wait on the shell forever).
        let script = """
            ( for fd in $(ls /proc/self/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null
              exec \(quoted) ) </dev/null >/dev/null 2>&1 &
            echo $!
            """
        let r = execute("/bin/bash", ["-c", script], environment: environment)
        guard r.code == 0, let pid = pid_t(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw HarnessError("could not start \(command[0]): \(r.stderr)")
        }
        detached.withLock { $0[pid] = startTime(of: pid) ?? 0 }
        return pid
    }

    /// When each detached program not yet stopped started: `stopDetached` signals its pid only
    /// while it still names that program, never another that took the number after it ended.
    private static let detached = Mutex<[pid_t: UInt64]>([:])

    /// When `pid` started, in clock ticks after boot (the 22nd field of /proc/PID/stat).
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Stops a detached program: SIGTERM, then SIGKILL if it lingers — while its pid still names
    /// the program `spawnDetached` started (one that ended long ago may have lent its number to
    /// another: a keptd of another test, say). Stopped once: a second call signals nothing.
    static func stopDetached(_ pid: pid_t) {
        guard let started = detached.withLock({ $0.removeValue(forKey: pid) }) else { return }
        let ours = { isRunning(pid) && startTime(of: pid) == started }
        guard ours() else { return }
        signal(pid, SIGTERM)
        if !eventually(seconds: 10, { !ours() }), ours() { signal(pid, SIGKILL) }
    }

    /// Sends `sig` to one process the test started. A pid that is not one (0 or less would signal
    /// the test runner's own process group, or every process) is refused and recorded as a failure.
    static func signal(_ pid: pid_t, _ sig: Int32) {
        guard pid > 0 else {
            Issue.record("refused to signal pid \(pid)")
            return
        }
        kill(pid, sig)
    }

    /// Whether `pid` runs (a zombie nobody has reaped yet does not).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    /// `date` as mail writes it (RFC 5322), in UTC.
    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// Polls `condition` until it holds or `seconds` pass; whether it held.
    static func eventually(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    // MARK: Settled state

    /// Waits until keptd has nothing left to do now — nothing in its outbox, no delivery pending,
    /// no reminder whose time has come — and returns `kept status --json`. Every change is durable
    /// before its answer, so what has not been queued by then is not coming: a check that "nothing
    /// more arrives" reads this, never the silence after a sleep.
    @discardableResult
    func settled(seconds: Double = 30) throws -> [String: Any] {
        var last: [String: Any] = [:]
        let quiet = Self.eventually(seconds: seconds) {
            guard let status = (try? self.keptJSON("status")) as? [String: Any] else { return false }
            last = status
            let next = (status["nextReminder"] as? String).flatMap { Instant(rfc3339: $0) }
            return status["outbox"] as? Int == 0 && (status["pending"] as? [Any])?.isEmpty == true
                && (next.map { $0.seconds > Int64(Date().timeIntervalSince1970) } ?? true)
        }
        guard quiet else { throw HarnessError("keptd did not settle within \(seconds) s: \(last)") }
        return last
    }

    /// The incident's timeline events of one kind (`reminded`, `replied`, …), from `kept show --json`.
    func timeline(_ incident: Int, _ what: String) throws -> [[String: Any]] {
        let show = try #require(try keptJSON("show", String(incident)) as? [String: Any])
        let events = try #require(show["timeline"] as? [[String: Any]], "no timeline in \(show)")
        return events.filter { $0["what"] as? String == what }
    }

    // MARK: The Maildir, read by Python's mailbox module

    struct Mail: Decodable {
        var folder: String
        var name: String
        var headers: [String: [String]]
        /// The plain text (of a `multipart/alternative` message, its text/plain part).
        var body: String
        /// The text/html part, when the message has one.
        var html: String?
        func header(_ name: String) -> String? { headers[name.lowercased()]?.first }
    }

    /// The checkout, found from this file.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Where scripts/setup puts the PyPI packages the tests use (Tests/python/requirements.txt).
    static let pythonPackages = packageRoot + "/.build/python"

    static let python: String = FileManager.default.fileExists(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    static let readMaildir = """
        import json, mailbox, sys, email.header
        box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
        out = []
        for key, msg in box.iteritems():
            headers = {}
            for k, v in msg.items():
                text = str(email.header.make_header(email.header.decode_header(v)))
                headers.setdefault(k.lower(), []).append(text)
            parts = [p for p in msg.walk() if not p.is_multipart()]
            def text(kind):
                found = [p for p in parts if p.get_content_type() == kind]
                return found[0].get_payload(decode=True).decode('utf-8') if found else None
            out.append({"folder": msg.get_subdir(), "name": key, "headers": headers, "body": text('text/plain'),
                        "html": text('text/html')})
        print(json.dumps(out))
        """

    func mails() throws -> [Mail] {
        guard FileManager.default.fileExists(atPath: maildir + "/new") else { return [] }
        let r = run("/usr/bin/env", [Self.python, "-c", Self.readMaildir, maildir])
        guard r.code == 0 else { throw HarnessError("python mailbox failed: \(r.stderr)") }
        return try JSONDecoder().decode([Mail].self, from: Data(r.stdout.utf8))
    }

    /// Waits (up to `seconds`) until the Maildir holds at least `count` messages.
    func waitForMails(_ count: Int, seconds: Double = 15) throws -> [Mail] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? [])
                + ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/cur")) ?? [])
            if names.count >= count { return try mails() }
            usleep(50_000)
        }
        return try mails()
    }

    // MARK: Raw socket

    /// Sends raw bytes and returns the reply lines until the daemon closes or `lines` arrive.
    /// Sends raw bytes on a connection of their own and reads up to `lines` reply lines.
    func raw(_ bytes: Data, lines: Int = 1) throws -> [String] {
        let client = try LineClient(socket: socket)
        client.send(Array(bytes))  // the daemon may close an oversized request early
        var replies: [String] = []
        while replies.count < lines, let line = client.readLine() { replies.append(line) }
        lastRawClosed = client.closed
        return replies
    }

    func errorCode(_ line: String) -> Int? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let e = o["error"] as? [String: Any] else { return nil }
        return e["code"] as? Int
    }

    func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
