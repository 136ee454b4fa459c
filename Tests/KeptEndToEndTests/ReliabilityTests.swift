import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// kept holds promises made to clients: these tests attack the real daemon — kills, restarts, full
/// disks, broken files, hostile clients — and print the figures the README quotes
/// (`make reliability` reruns them).
@Suite(.serialized) struct ReliabilityTests {
    static func storeBytes(_ h: Harness) -> Data {
        (h.fileBytes(h.storeDir + "/store.json") ?? Data()) + (h.fileBytes(h.storeDir + "/store.journal") ?? Data())
    }

    static func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// An error answer: one error object, or a batch's array of them.
    static func isError(_ line: String) -> Bool {
        func error(_ o: Any) -> Bool { (o as? [String: Any]).map { $0["error"] != nil && $0["result"] == nil } ?? false }
        guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return false }
        if let batch = value as? [Any] { return !batch.isEmpty && batch.allSatisfy(error) }
        return error(value)
    }

    static func promiseRequest(id: Int, incident: Int = 1, text: String, due: String) -> String {
        let params: [String: Any] = ["incident": incident, "text": text, "due": due]
        let request: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": "promise.add", "params": params]
        return String(decoding: try! JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    }

    /// The items of incident 1 as (id, text), read back through the CLI.
    static func items(_ h: Harness) throws -> [(id: String, text: String)] {
        let shown = try h.keptJSON("show", "1") as? [String: Any]
        let items = (shown?["incident"] as? [String: Any])?["items"] as? [[String: Any]] ?? shown?["items"] as? [[String: Any]] ?? []
        return items.compactMap { item in
            guard let id = item["id"] as? String, let text = item["text"] as? String else { return nil }
            return (id, text)
        }
    }

    // MARK: 1. Crash safety

    /// 1,000 `promise.add` requests on one connection while keptd is killed with SIGKILL at random
    /// moments — before, during and after the durable write — and started again.
    @Test func everyAcknowledgedPromiseSurvivesSIGKILL() throws {
        let seed = SeededRandom.seed()
        var rng = SeededRandom(seed: seed)
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Crash safety", "--no-playbook").code == 0)

        var acknowledged: [String: String] = [:]  // item id → text
        var reused: [String] = []
        var kills = 0, starts = 1
        var client = try LineClient(socket: h.socket)
        for n in 1...1000 {
            let text = "Promise \(n) of seed \(seed)"
            guard client.send(Self.promiseRequest(id: n, text: text, due: "+\(1 + n % 80)d") + "\n") else {
                Issue.record("the daemon stopped taking requests"); return
            }
            let pid = h.daemon!.processIdentifier
            if rng.next(upperBound: 30 as UInt64) == 0 {
                // Somewhere in the request's life: parsing, the journal write, the fsync, the reply.
                usleep(UInt32(rng.next(upperBound: 1500 as UInt64)))
                Harness.signal(pid, SIGKILL)
                kills += 1
            }
            if let line = client.readLine(), let reply = Self.json(line), let result = reply["result"] as? [String: Any] {
                let item = (result["item"] as? [String: Any]) ?? result
                guard let id = item["id"] as? String else { Issue.record("no id in \(line)"); continue }
                if acknowledged[id] != nil { reused.append(id) }
                acknowledged[id] = text
            }
            if client.closed || !Harness.isRunning(pid) {
                h.daemon!.waitUntilExit()
                h.daemon = nil
                // The start itself proves the store parses: keptd refuses one that does not.
                try h.start()
                starts += 1
                client = try LineClient(socket: h.socket)
            }
        }
        let stored = try Self.items(h)
        let present = acknowledged.filter { id, text in stored.contains { $0.id == id && $0.text == text } }.count
        let storedIDs = stored.map(\.id)
        #expect(present == acknowledged.count)
        #expect(Set(storedIDs).count == storedIDs.count)
        #expect(reused.isEmpty)
        #expect(kills > 10)
        figure("crash safety: 1000 promise requests, \(kills) SIGKILLs, \(starts) starts (store parsed every time); "
            + "acknowledged \(acknowledged.count), present \(present), ids reused \(reused.count); "
            + "kept though the reply was lost \(stored.count - present) (seed \(seed))")
    }

    // MARK: 3. Clocks (the rules over an injected clock are in ClockTests)

    /// Sets the system clock to the time it already says: a jump of a microsecond or so, which the
    /// kernel reports to every `TFD_TIMER_CANCEL_ON_SET` timer all the same. Nil when not allowed.
    static func setTheClockToItself() -> Int32? {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return clock_settime(CLOCK_REALTIME, &now) == 0 ? nil : errno
    }

    static var maySetTheClock: Bool { getuid() == 0 }

    @Test(.enabled(if: maySetTheClock, "needs CAP_SYS_TIME to set the system clock"))
    func theDaemonLooksAgainWhenTheClockIsSet() throws {
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Clock set", "--no-playbook").code == 0)
        #expect(h.kept("promise", "1", "Call Dana", "--due", "+4s").code == 0)
        let failure = Self.setTheClockToItself()
        try #require(failure == nil, "clock_settime: \(String(cString: strerror(failure ?? 0)))")
        #expect(Harness.eventually(seconds: 10) { h.daemonOutput.contains("the system clock was set") })
        let mails = try h.waitForMails(1)
        #expect(mails.count == 1)
        #expect(mails.first?.header("X-Kept-Key") == "1.1#1/due")
        figure("clock set: keptd's timerfd (TFD_TIMER_CANCEL_ON_SET) reported the clock being set, the timer was re-armed and the reminder still went once")
    }

    // MARK: 4. Hostile input on the socket

    /// 100,000 hostile requests, 50 idle or byte-a-second clients, and a normal client alongside.
    @Test func hostileClientsGetErrorsAndChangeNothing() throws {
        let seed = SeededRandom.seed()
        var rng = SeededRandom(seed: seed)
        let h = Harness()
        try h.start()
        defer { h.stop() }
        #expect(h.kept("open", "Acme", "Hostile clients").code == 0)
        #expect(h.kept("promise", "1", "Stay up", "--due", "+30d").code == 0)
        h.kept("done", "1.1")  // the daemon's own changes are in before the storm
        let before = Self.storeBytes(h)
        let pid = h.daemon!.processIdentifier

        // A normal client: `status` round trips, before and during the storm.
        let normal = NormalClient(socket: h.socket)
        let baseline = normal.measure(calls: 200)

        // 50 clients that connect and then say nothing, or one byte a second.
        let silent = try (0..<25).map { _ in try LineClient(socket: h.socket, timeoutSeconds: 30) }
        let drip = Dripper(clients: try (0..<25).map { _ in try LineClient(socket: h.socket, timeoutSeconds: 30) })
        drip.start()
        normal.start()

        var sent = 0, answered = 0, errors = 0, unanswered = 0
        // Complete lines, in batches on connections of 2,000 requests.
        let total = 100_000, oversized = 12, cutOff = 20
        var client = try LineClient(socket: h.socket)
        var batch: [[UInt8]] = []
        func flush() {
            var bytes: [UInt8] = []
            for line in batch { bytes += line; bytes.append(UInt8(ascii: "\n")) }
            if !client.send(bytes) { Issue.record("the daemon stopped reading") }
            for _ in batch {
                guard let reply = client.readLine() else { unanswered += 1; continue }
                answered += 1
                if Self.isError(reply) { errors += 1 } else {
                    Issue.record("not an error: \(reply.prefix(200))")
                }
            }
            batch.removeAll()
        }
        for n in 0..<(total - oversized - cutOff) {
            batch.append(HostileInput.line(&rng))
            sent += 1
            if batch.count == 50 { flush() }
            if n % 2000 == 1999 { client = try LineClient(socket: h.socket) }
        }
        flush()

        // Oversized, up to 10 MiB: an error, then the connection is closed.
        var oversizedClosed = 0
        for n in 0..<oversized {
            let size = n == oversized - 1 ? 10 << 20 : (64 << 10) + 1 + Int(rng.next(upperBound: UInt64(4 << 20)))
            let c = try LineClient(socket: h.socket)
            c.send(HostileInput.oversized(size, &rng))
            sent += 1
            if let reply = c.readLine() {
                answered += 1
                if Self.json(reply)?["error"] != nil { errors += 1 }
            } else { unanswered += 1 }
            if c.waitForClose(seconds: 15) { oversizedClosed += 1 }
        }
        // Cut off mid-request: half a request, then the client shuts its side.
        for _ in 0..<cutOff {
            let c = try LineClient(socket: h.socket)
            let request = Array(Self.promiseRequest(id: 1, text: "never", due: "+1d").utf8)
            c.send(Array(request.prefix(1 + Int(rng.next(upperBound: UInt64(request.count - 1))))))
            shutdown(c.fd, Int32(SHUT_WR))
            sent += 1
            if let reply = c.readLine() {
                answered += 1
                if Self.json(reply)?["error"] != nil { errors += 1 } else { Issue.record("not an error: \(reply)") }
            }
            #expect(c.waitForClose(seconds: 15))
        }

        let during = normal.stop()
        // Every idle client is closed by the daemon (10 s after it connected), the drippers included.
        let silentClosed = silent.count { $0.waitForClose(seconds: 20) }
        let dripClosed = drip.waitForAllClosed(seconds: 30)

        #expect(Harness.isRunning(pid))
        #expect(unanswered == 0)
        #expect(errors == answered)
        #expect(oversizedClosed == oversized)
        #expect(silentClosed == 25 && dripClosed == 25)
        #expect(normal.failures == 0)
        #expect(h.kept("status").code == 0)
        #expect(Self.storeBytes(h) == before)
        figure("hostile input: \(sent) requests (malformed, truncated, deeply nested, wrong-typed, random bytes, "
            + "\(oversized) oversized up to 10 MiB, \(cutOff) cut off), \(errors) errors answered, \(unanswered) complete requests unanswered, "
            + "crashes \(Harness.isRunning(pid) ? 0 : 1); idle clients closed \(silentClosed + dripClosed)/50; store byte-identical: \(Self.storeBytes(h) == before); "
            + "a normal client's status p50 \(baseline.p50) ms alone, \(during.p50) ms during the storm (p99 \(during.p99) ms, \(during.count) calls) (seed \(seed))")
    }
}

/// Lines no daemon should act on: each is answered with a JSON-RPC error.
enum HostileInput {
    static let intFields = ["incident.show": ["incident"], "incident.close": ["incident"], "promise.add": ["incident"],
                            "checkin.log": ["incident"], "agenda": ["days"]]
    static let stringFields = ["incident.open": ["client", "title"], "incident.close": ["outcome"], "item.done": ["item"],
                               "item.snooze": ["item"], "item.release": ["item", "reason"], "item.draft": ["item"],
                               "promise.add": ["text"], "ledger": ["client"], "export": ["format"]]
    static var valid: [String: Any] { ["incident": 1, "client": "Acme", "title": "T", "outcome": "lost", "item": "1.1",
                                       "reason": "r", "text": "x", "due": "+1d", "days": 7, "format": "json"] }

    static func line(_ rng: inout SeededRandom) -> [UInt8] {
        switch rng.next(upperBound: 100 as UInt64) {
        case 0..<20: return garbage(&rng)
        case 20..<35: return truncated(&rng)
        case 35..<37: return nested(&rng)
        case 37..<65: return wrongTyped(&rng)
        case 65..<80: return bytes(1 + Int(rng.next(upperBound: 400 as UInt64)), &rng)
        case 80..<90: return notARequest(&rng)
        default:
            return Array(#"{"jsonrpc":"2.0","id":\#(rng.next(upperBound: 1000 as UInt64)),"method":"x.\#(rng.next() % 1000)"}"#.utf8)
        }
    }

    /// Random printable text.
    static func garbage(_ rng: inout SeededRandom) -> [UInt8] {
        (0..<(1 + Int(rng.next(upperBound: 200 as UInt64)))).map { _ in UInt8(0x20 + rng.next(upperBound: 0x5F as UInt64)) }
    }

    /// Random bytes, any but those that end a line (LF, VT, FF, CR: the socket splits lines on each).
    static func bytes(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in out.indices {
            let b = UInt8(truncatingIfNeeded: rng.next())
            out[i] = (0x0A...0x0D).contains(b) ? 0 : b
        }
        return out
    }

    /// `count` bytes without a newline: 64 KiB of random bytes, over and over.
    static func oversized(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        let block = bytes(64 << 10, &rng)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count { out += block.prefix(count - out.count) }
        return out
    }

    /// A real change request cut short: never valid JSON.
    static func truncated(_ rng: inout SeededRandom) -> [UInt8] {
        let full = Array(#"{"jsonrpc":"2.0","id":7,"method":"promise.add","params":{"incident":1,"text":"cut","due":"+2d"}}"#.utf8)
        return Array(full.prefix(1 + Int(rng.next(upperBound: UInt64(full.count - 1)))))
    }

    /// Arrays and objects nested hundreds to thousands deep, bare or inside a real envelope.
    static func nested(_ rng: inout SeededRandom) -> [UInt8] {
        let depth = 100 + Int(rng.next(upperBound: 9000 as UInt64))
        let open = rng.next(upperBound: 2 as UInt64) == 0 ? "[" : #"{"a":"#
        let close = open == "[" ? "]" : "}"
        let closing = rng.next(upperBound: 2 as UInt64) == 0 ? String(repeating: close, count: depth) : ""
        let deep = String(repeating: open, count: depth) + "1" + closing
        if rng.next(upperBound: 2 as UInt64) == 0 { return Array(deep.utf8) }
        return Array(#"{"jsonrpc":"2.0","id":1,"method":"promise.add","params":{"incident":1,"text":\#(deep),"due":"+1d"}}"#.utf8)
    }

    /// A well-formed request whose params hold one value of the wrong type.
    static func wrongTyped(_ rng: inout SeededRandom) -> [UInt8] {
        let methods = Array(Set(intFields.keys).union(stringFields.keys)).sorted()
        let method = methods[Int(rng.next(upperBound: UInt64(methods.count)))]
        let ints = intFields[method] ?? [], strings = stringFields[method] ?? []
        var params: [String: Any] = [:]
        for f in ints + strings where !(f == "days" || f == "format" || (f == "client" && method == "ledger")) { params[f] = valid[f] }
        if method == "promise.add" { params["due"] = "+1d" }
        let fields = ints + strings
        let field = fields[Int(rng.next(upperBound: UInt64(fields.count)))]
        let isOptional = field == "days" || field == "format" || (field == "client" && method == "ledger")
        var wrong: [Any] = ints.contains(field) ? ["1", [1], ["n": 1], true] : [5, ["x"], [String: Any](), false]
        if !isOptional { wrong.append(NSNull()) }
        params[field] = wrong[Int(rng.next(upperBound: UInt64(wrong.count)))]
        let request: [String: Any] = ["jsonrpc": "2.0", "id": Int(rng.next(upperBound: 1 << 20 as UInt64)), "method": method, "params": params]
        return Array(try! JSONSerialization.data(withJSONObject: request))
    }

    /// Valid JSON that is no JSON-RPC 2.0 request.
    static func notARequest(_ rng: inout SeededRandom) -> [UInt8] {
        let cases = [#"42"#, #""status""#, #"[]"#, #"[{"jsonrpc":"2.0","id":1,"method":"incident.explode"},7]"#, #"{}"#, #"null"#,
                     #"{"jsonrpc":"1.0","id":1,"method":"status"}"#, #"{"jsonrpc":"2.0","id":1,"method":5}"#,
                     #"{"jsonrpc":"2.0","id":1,"method":"status","params":"x"}"#, #"{"jsonrpc":2.0,"id":1,"method":"status"}"#,
                     #"{"id":1,"method":"incident.close","params":{"incident":1,"outcome":"lost"}}"#]
        return Array(cases[Int(rng.next(upperBound: UInt64(cases.count)))].utf8)
    }
}

/// A well-behaved client, timing `status` round trips on its own thread.
final class NormalClient: @unchecked Sendable {
    let socket: String
    private let lock = NSLock()
    private var running = false
    private var samples: [Double] = []
    private(set) var failures = 0
    private let done = DispatchSemaphore(value: 0)

    init(socket: String) { self.socket = socket }

    struct Figures { var p50: String; var p99: String; var count: Int }

    static func figures(_ samples: [Double]) -> Figures {
        let sorted = samples.sorted()
        func at(_ q: Double) -> String {
            sorted.isEmpty ? "-" : String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
        }
        return Figures(p50: at(0.5), p99: at(0.99), count: sorted.count)
    }

    /// One status round trip in ms, or nil when it failed.
    func once(_ client: LineClient) -> Double? {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let reply = client.call(#"{"jsonrpc":"2.0","id":1,"method":"status"}"#), reply.contains("\"result\"") else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    func measure(calls: Int) -> Figures {
        guard let client = try? LineClient(socket: socket) else { failures += 1; return Self.figures([]) }
        return Self.figures((0..<calls).compactMap { _ in once(client) })
    }

    func start() {
        running = true
        Thread.detachNewThread { [self] in
            // A fresh connection now and then: the daemon closes one that idles 10 s, as it should.
            var client = try? LineClient(socket: socket)
            var calls = 0
            while lock.withLock({ running }) {
                if calls % 100 == 0 { client = try? LineClient(socket: socket) }
                calls += 1
                if let client, let ms = once(client) { lock.withLock { samples.append(ms) } } else { lock.withLock { failures += 1 } }
                usleep(20_000)
            }
            done.signal()
        }
    }

    func stop() -> Figures {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { Self.figures(samples) }
    }
}

/// Clients that send one byte a second and never finish a request.
final class Dripper: @unchecked Sendable {
    let clients: [LineClient]
    private let lock = NSLock()
    private var closed: Set<Int> = []

    init(clients: [LineClient]) { self.clients = clients }

    func start() {
        Thread.detachNewThread { [self] in
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, lock.withLock({ closed.count }) < clients.count {
                for (i, c) in clients.enumerated() where !lock.withLock({ closed.contains(i) }) {
                    if !c.send([UInt8(ascii: "{")]) { _ = lock.withLock { closed.insert(i) } }
                }
                sleep(1)
            }
        }
    }

    func waitForAllClosed(seconds: Double) -> Int {
        _ = Harness.eventually(seconds: seconds) { self.lock.withLock { self.closed.count } == self.clients.count }
        return lock.withLock { closed.count }
    }
}
