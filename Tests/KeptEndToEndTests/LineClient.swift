import Foundation
import KeptClient
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// A bare client of the control socket: bytes out, reply lines in, no help from `kept`.
final class LineClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Set once the daemon has closed the connection (or reset it).
    private(set) var closed = false

    init(socket: String, timeoutSeconds: Int = 15) throws {
        guard case .success(let fd) = UnixSocket.connect(to: socket) else { throw HarnessError("cannot connect to \(socket)") }
        self.fd = fd
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends every byte; false when the daemon stopped taking them.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// The next reply line, or nil when the connection ended (or stayed silent past the timeout).
    func readLine() -> String? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n == 0 || (n < 0 && errno == ECONNRESET) { closed = true }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Waits up to `seconds` for the daemon to close the connection, discarding what it says.
    func waitForClose(seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while readLine() != nil {}
        return closed
    }

    /// One request, one reply (nil if the connection ended first).
    func call(_ line: String) -> String? {
        guard send(line + "\n") else { return nil }
        return readLine()
    }
}

/// A small seeded generator (SplitMix64), so a failing run can be repeated from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of this run: `KEPT_TEST_SEED` when set, else a fresh one.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["KEPT_TEST_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64.max)
    }
}

/// Prints one figure of the reliability suite, in a form the README quotes.
func figure(_ text: String) {
    print("kept reliability: \(text)")
}
