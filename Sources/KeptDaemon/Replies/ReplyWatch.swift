import Foundation
import KeptCore
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// `reply.watch`: keptd watches a Maildir that another program fills (mbsync, getmail,
/// fetchmail …) and acts on each reply that lands in its `new/`, once. It looks at `new/` at start
/// — so nothing that came while keptd was down is missed — and then whenever inotify says a file
/// arrived. A handled reply moves to `cur/` with the Seen flag, its name kept (so a sync program
/// knows it as the same message); mail that is not a reply kept reads (no token, a list, an
/// auto-reply) is left unread where it is; nothing is deleted. A reply that cannot be saved now
/// stays in `new/` and is tried again.
struct ReplyWatchService: Service {
    let keeper: Keeper
    let maildir: String
    let logger: Logger

    /// Read at most this much of one message; a reply's facts are in its first lines.
    static let maxBytes = 32 << 20
    /// After a message could not be saved, look again this much later.
    static let retrySeconds: UInt64 = 5

    func run() async throws {
        if let failed = makeFolders(maildir + "/new") ?? makeFolders(maildir + "/cur") ?? makeFolders(maildir + "/tmp") {
            logger.error("cannot watch \(maildir) for replies: \(failed.folder): \(failed.reason)", metadata: ["KEPT_EVENT": "reply-watch-failed"])
            try await gracefulShutdown()
            return
        }
        let arrivals: Arrivals
        do { arrivals = try Arrivals(folder: maildir + "/new") } catch {
            logger.error("cannot watch \(maildir)/new for replies: \(error.message)", metadata: ["KEPT_EVENT": "reply-watch-failed"])
            try await gracefulShutdown()
            return
        }
        logger.info("watching \(maildir) for replies", metadata: ["KEPT_EVENT": "reply-watch"])
        var passed: Set<String> = []
        await drain(&passed)
        for await _ in arrivals.events.cancelOnGracefulShutdown() { await drain(&passed) }
    }

    /// Handles what is in `new/` until nothing is left to try again; `passed` are the messages
    /// judged not to be replies, left alone from then on.
    func drain(_ passed: inout Set<String>) async {
        while await handleNew(&passed), !Task.isCancelled {
            try? await Task.sleep(nanoseconds: Self.retrySeconds * 1_000_000_000)
        }
    }

    /// Handles every message in `new/`, oldest name first; true when one must be tried again.
    func handleNew(_ passed: inout Set<String>) async -> Bool {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? [])
            .filter { !$0.hasPrefix(".") && !passed.contains($0) }.sorted()
        var again = false
        for name in names {
            let path = maildir + "/new/" + name
            let bytes: [UInt8]
            switch Self.readFile(path) {
            case .message(let read): bytes = read
            case .gone: continue
            case .notAFile(let kind):
                // A pipe, a device, a folder or a link: never opened for reading, said once, left there.
                logger.warning("\(maildir)/new/\(name) is \(kind), not a message: skipped",
                               metadata: ["KEPT_EVENT": "reply-skipped"])
                passed.insert(name)
                continue
            }
            do {
                let answer = try await keeper.ingest(Reply(parsing: bytes))
                // Not a reply (or not one kept may act on): the user's mail, left unread.
                if answer.outcome == .ignored, answer.reason != "replayed" {
                    passed.insert(name)
                    continue
                }
            } catch {
                logger.error("reply \(name) not handled yet, trying again: \(error.message)", metadata: ["KEPT_EVENT": "reply-retry"])
                again = true
                continue
            }
            let target = maildir + "/cur/" + Self.seen(name)
            if rename(path, target) != 0 {
                logger.error("reply \(name) handled but not moved to cur/: \(errnoText())", metadata: ["KEPT_EVENT": "reply-watch-failed"])
            }
        }
        return again
    }

    /// `1796126509.24075_1.vm,U=1:2,` → `…:2,S`: the info part's flags with Seen added, sorted.
    static func seen(_ name: String) -> String {
        guard let colon = name.range(of: ":2,", options: .backwards) else { return name + ":2,S" }
        var flags = Set(name[colon.upperBound...].filter { $0.isLetter })
        flags.insert("S")
        return String(name[..<colon.lowerBound]) + ":2," + String(flags.sorted())
    }

    /// What a name in `new/` holds.
    enum Entry: Equatable {
        case message([UInt8])
        /// Renamed or deleted meanwhile.
        case gone
        /// Something else, in words: "a named pipe".
        case notAFile(String)
    }

    /// Reads a message without ever waiting on what is not one: the name is looked at first
    /// (`lstat`), and opened non-blocking and without following a link, so a FIFO put there in
    /// between cannot hold the loop in `open(2)` or `read(2)`.
    static func readFile(_ path: String) -> Entry {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .gone }
        guard st.st_mode & S_IFMT == S_IFREG else { return .notAFile(kind(st.st_mode)) }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return errno == ENOENT ? .gone : .notAFile("unreadable (\(errnoText()))") }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { return .gone }
        guard st.st_mode & S_IFMT == S_IFREG else { return .notAFile(kind(st.st_mode)) }
        var bytes = [UInt8](repeating: 0, count: min(Int(st.st_size), maxBytes))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return .message(Array(bytes[0..<got]))
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}

/// Files arriving in a folder, from inotify: one thread of its own sleeps in `read(2)`, so an
/// idle keptd does not wake for it.
final class Arrivals: @unchecked Sendable {
    let events: AsyncStream<Void>
    private let fd: Int32

    init(folder: String) throws(DaemonError) {
        let (events, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.events = events
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw DaemonError("inotify: \(errnoText())") }
        guard inotify_add_watch(fd, folder, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE)) >= 0 else {
            let reason = errnoText()
            close(fd)
            throw DaemonError(reason)
        }
        let fd = self.fd
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 { continuation.yield(); continue }
                if n < 0, errno == EINTR || errno == EAGAIN { continue }
                continuation.finish()
                return
            }
        }
        thread.start()
    }

    deinit { close(fd) }
}
