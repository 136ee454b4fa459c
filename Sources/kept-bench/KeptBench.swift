import ArgumentParser
import Foundation
import KeptClient
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// The measuring half of `make bench` (scripts/bench runs it beside hyperfine and the peers).
/// Nothing here is part of kept itself.
@main
struct KeptBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kept-bench",
        abstract: "Seeds stores and measures keptd for the benchmark.",
        subcommands: [Seed.self, Latency.self, Lateness.self, Ready.self, Floor.self, FloorServe.self, Alternate.self, Replies.self])
}

/// Writes a store with `incidents` incidents and `items` promises in all, through the same engine
/// and store code the daemon uses.
struct Seed: ParsableCommand {
    @Option(name: .customLong("state-dir")) var stateDir: String
    @Option var incidents = 20
    @Option var items = 200
    @Flag(help: "Give each incident its playbook and check-ins (counted in --items).") var playbook = false

    func run() throws {
        let (store, state) = try StoreFile.open(directory: stateDir)
        var engine = Engine(state: state, rules: Rules(config: Config(), zone: .current), channels: [.maildir])
        let now = Instant.now
        func perform<M: EngineMethod>(_ method: M.Type, _ params: M.Params) throws {
            let decision = try M.decide(engine, params, now: now)
            engine.commit(engine.records(for: decision.changes, at: now))
        }
        for i in 1...incidents {
            try perform(Methods.IncidentOpen.self, Params.Open(client: "Client \(i % 7 + 1)", title: "Incident \(i)", playbook: playbook))
        }
        let existing = engine.state.incidents.reduce(0) { $0 + $1.items.count }
        let perIncident = max(0, items - existing) / incidents
        for i in 1...incidents {
            for n in 0..<perIncident {
                // Spread over the window, a few a week: no over-promising scan blows up.
                let days = 1 + (n * 89) / max(perIncident, 1)
                try perform(Methods.PromiseAdd.self, Params.Promise(incident: i, text: "Promise \(n + 1) to client \(i % 7 + 1)", due: .text("+\(days)d")))
            }
        }
        try store.compact(engine.state)
        let total = engine.state.incidents.reduce(0) { $0 + $1.items.count }
        print("seeded \(stateDir): \(engine.state.incidents.count) incidents, \(total) items")
    }
}

/// Request + durable write inside the daemon: `promise.add` round trips on one connection.
struct Latency: ParsableCommand {
    @Option var socket: String
    @Option var requests = 10_000
    @Option(help: "Spread the promises over this many new incidents (1: all in one).") var incidents = 1

    func run() throws {
        guard case .success(let fd) = UnixSocket.connect(to: socket) else { throw ValidationError("cannot connect to \(socket)") }
        defer { close(fd) }
        var ids: [Int] = []
        for i in 0..<incidents {
            let open = try JSONEncoder().encode(RPC.Request(id: .number(Int64(i)), method: "incident.open",
                params: Params.Open(client: "Client \(i % 7)", title: "Latency \(i)", playbook: false))) + Data([0x0A])
            ids.append(try Lateness.exchange(fd, open, as: View.Opened.self).incident.id)
        }
        var samples: [Double] = []
        samples.reserveCapacity(requests)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for n in 0..<requests {
            let body = try JSONEncoder().encode(RPC.Request(id: .number(Int64(n)), method: "promise.add",
                params: Params.Promise(incident: ids[n % ids.count], text: "Latency probe \(n)", due: .text("+\(1 + n % 80)d")))) + Data([0x0A])
            let start = DispatchTime.now().uptimeNanoseconds
            body.withUnsafeBytes { _ = writeAll(fd, $0) }
            var got = 0
            while true {
                let r = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
                guard r > 0 else { throw ValidationError("the daemon closed the connection") }
                got += r
                if buffer[got - 1] == 0x0A { break }
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            if n == 0, String(decoding: buffer[0..<got], as: UTF8.self).contains("\"error\"") {
                throw ValidationError("refused: \(String(decoding: buffer[0..<got], as: UTF8.self))")
            }
        }
        print(Stats(samples).line(unit: "ms"))
    }
}

/// From each reminder's deadline to its file appearing in the Maildir's new/ (inotify).
struct Lateness: ParsableCommand {
    @Option var socket: String
    @Option var maildir: String
    @Option var count = 200
    @Option(help: "Seconds between deadlines (the store's resolution is one second).") var spacing = 1

    func run() throws {
        try FileManager.default.createDirectory(atPath: maildir + "/new", withIntermediateDirectories: true)
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        guard watch >= 0, inotify_add_watch(watch, maildir + "/new", UInt32(IN_MOVED_TO | IN_CREATE)) >= 0 else {
            throw ValidationError("inotify on \(maildir)/new failed")
        }
        guard case .success(let fd) = UnixSocket.connect(to: socket) else { throw ValidationError("cannot connect to \(socket)") }
        let open = try JSONEncoder().encode(RPC.Request(id: .number(0), method: "incident.open",
            params: Params.Open(client: "Timer", title: "Lateness", playbook: false))) + Data([0x0A])
        let id = try Self.exchange(fd, open, as: View.Opened.self).incident.id
        let first = Instant.now.seconds + 5
        var deadlines: Set<Int64> = []
        for k in 0..<count {
            let at = first + Int64(k * spacing)
            deadlines.insert(at)
            let body = try JSONEncoder().encode(RPC.Request(id: .number(Int64(k + 1)), method: "promise.add",
                params: Params.Promise(incident: id, text: "tick \(k)", due: .text(Zone.utc.rfc3339(Instant(seconds: at)))))) + Data([0x0A])
            _ = try Self.exchange(fd, body, as: View.Promised.self)
        }
        close(fd)
        var late: [Double] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let give_up = Date().addingTimeInterval(Double(count * spacing + 30))
        while late.count < count && Date() < give_up {
            let n = buffer.withUnsafeMutableBytes { read(watch, $0.baseAddress!, $0.count) }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let arrived = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
            guard n > 0 else { break }
            var offset = 0
            while offset < n {
                let length = buffer.withUnsafeBytes { Int($0.load(fromByteOffset: offset + 12, as: UInt32.self)) }
                let nameBytes = buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if let seconds = Int64(name.prefix { $0 != "." }), deadlines.remove(seconds) != nil {
                    late.append((arrived - Double(seconds)) * 1000)
                }
                offset += 16 + length
            }
        }
        print(Stats(late).line(unit: "ms") + " received=\(late.count)/\(count)")
    }

    /// Sends one request line and returns its result; a JSON-RPC error stops the run.
    static func exchange<R: Decodable>(_ fd: Int32, _ body: Data, as: R.Type) throws -> R {
        body.withUnsafeBytes { _ = writeAll(fd, $0) }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == 0x0A { break }
            reply.append(byte)
        }
        let answer = try JSONDecoder().decode(RPC.Reply<R>.self, from: Data(reply))
        if let error = answer.error { throw ValidationError("refused: \(error.message)") }
        guard let result = answer.result else { throw ValidationError("unreadable answer") }
        return result
    }
}

/// Start to READY=1 (a NOTIFY_SOCKET held here, as systemd would) and the RSS right after.
struct Ready: ParsableCommand {
    @Option var keptd: String
    @Option(name: .customLong("state-dir")) var stateDir: String
    @Option var socket: String

    func run() throws {
        let path = stateDir + "/.notify"
        unlink(path)
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: keptd)
        p.arguments = ["--state-dir", stateDir, "--socket", socket, "--log", "stderr"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = path
        p.environment = env
        // Nothing of ours stays open in it: the caller reads this tool's output to its end.
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ready = false
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while !ready {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            ready = String(decoding: buffer[0..<n], as: UTF8.self).contains("READY=1")
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let status = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map { $0.filter(\.isNumber) } ?? "?"
        print(String(format: "ready_ms=%.1f rss_kib=%@ pid=%d", elapsed, String(rss), p.processIdentifier))
        if !ready { print("never READY") }
        // Left running for the caller (scripts/bench stops it).
        close(fd)
        unlink(path)
    }
}

/// The physical floor under a durable add, in two of its three parts (the third, an empty static
/// binary's start, hyperfine measures): a request and its answer over a Unix stream socket to
/// another thread, and a 300-byte append made durable with fdatasync.
struct Floor: ParsableCommand {
    @Option var dir: String
    @Option var runs = 2000

    func run() throws {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { throw ValidationError("no socket pair") }
        let request = [UInt8](repeating: UInt8(ascii: "r"), count: 180) + [0x0A]
        let answer = [UInt8](repeating: UInt8(ascii: "a"), count: 400) + [0x0A]
        let server = pair[1]
        let echo = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(server, $0.baseAddress!, $0.count) }
                if n <= 0 { return }
                _ = answer.withUnsafeBytes { writeAll(server, $0) }
            }
        }
        echo.start()
        var socket: [Double] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = request.withUnsafeBytes { writeAll(pair[0], $0) }
            var got = 0
            while got < answer.count {
                let n = buffer.withUnsafeMutableBytes { read(pair[0], $0.baseAddress!, $0.count) }
                guard n > 0 else { throw ValidationError("the echo thread stopped") }
                got += n
            }
            socket.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        close(pair[0])

        let path = dir + "/floor.journal"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot open \(path)") }
        defer { close(fd); unlink(path) }
        let record = [UInt8](repeating: UInt8(ascii: "j"), count: 299) + [0x0A]
        var append: [Double] = []
        // Every run (2,000 by default, not a few hundred), so that the tail the in-daemon p99 row
        // is set beside — the disk's occasional long flush — is seen here too.
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = record.withUnsafeBytes { writeAll(fd, $0) }
            fdatasync(fd)
            append.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let appends = Stats(append)
        print(String(format: "socket_ms=%.4f append_ms=%.4f append_p99_ms=%.4f",
                     Stats(socket).percentile(0.5), appends.percentile(0.5), appends.percentile(0.99)))
    }
}

struct Stats {
    let sorted: [Double]
    init(_ samples: [Double]) { sorted = samples.sorted() }
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
    func line(unit: String) -> String {
        String(format: "n=%d p50=%.3f p99=%.3f max=%.3f", sorted.count, percentile(0.5), percentile(0.99), sorted.last ?? .nan) + " " + unit
    }
}
