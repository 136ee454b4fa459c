import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The system journal for tests: the running journald if there is one, else a
/// `systemd-journald` the tests start themselves and stop when the last user is done.
enum Journald {
    static let socket = "/run/systemd/journal/socket"
    private static let state = Mutex<(users: Int, started: pid_t?)>((0, nil))

    /// Whether a journald takes entries on its native socket.
    static var reachable: Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socket.utf8.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// Runs `body` with a journal reachable.
    static func using<T>(_ body: () async throws -> T) async throws -> T {
        try acquire()
        defer { release() }
        return try await body()
    }

    static func acquire() throws {
        try state.withLock { state in
            state.users += 1
            guard state.started == nil, !reachable else { return }
            state.started = try Harness.spawnDetached(["/lib/systemd/systemd-journald"])
            for _ in 0..<200 where !reachable { usleep(25_000) }
            guard reachable else { throw HarnessError("systemd-journald did not open \(socket)") }
        }
    }

    static func release() {
        state.withLock { state in
            state.users -= 1
            guard state.users == 0, let pid = state.started else { return }
            Harness.stopDetached(pid)
            state.started = nil
        }
    }

    /// Entries matching journalctl's `FIELD=value` matches, oldest first.
    static func entries(_ matches: [String]) -> [[String: String]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        p.arguments = ["-o", "json", "--no-pager", "--all"] + matches
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [] }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    /// Waits (up to `seconds`) until the entries matching `matches` satisfy `done`.
    static func wait(for matches: [String], seconds: Double = 15, until done: ([[String: String]]) -> Bool) -> [[String: String]] {
        let deadline = Date().addingTimeInterval(seconds)
        var found = entries(matches)
        while !done(found) && Date() < deadline {
            usleep(100_000)
            found = entries(matches)
        }
        return found
    }
}
