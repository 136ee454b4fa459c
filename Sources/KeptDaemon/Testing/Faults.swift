import Foundation
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// Faults on demand, for the reliability tests; compiled into debug builds only — in a release
/// build both hooks are empty and nothing of this is in the program.
///
/// `KEPT_TEST_FAULTS` names a file. While it holds `write ERRNO` or `fsync ERRNO` (e.g.
/// `fsync EIO`), every store write fails that way at that step. `crash before|between|after CHANNEL`
/// kills the daemon (SIGKILL, no clean-up) at that point of the next delivery on that channel —
/// before the channel runs, after it succeeded but before the outbox records it, or after — and
/// removes the file first, so the next start runs clean.
enum Faults {
    enum Point: String { case before, between, after }

    #if DEBUG
    static let file: String? = ProcessInfo.processInfo.environment["KEPT_TEST_FAULTS"]

    private static func words() -> [Substring] {
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isWhitespace)
    }

    /// Arms (or disarms) the store's injected failure from the switch file.
    static func prime(_ store: StoreFile) {
        guard file != nil else { return }
        store.injectFailure = 0
        store.injectSyncFailure = 0
        let w = words()
        guard w.count == 2, let code = errnoNamed(String(w[1])) else { return }
        switch w[0] {
        case "write": store.injectFailure = code
        case "fsync": store.injectSyncFailure = code
        default: break
        }
    }

    /// Dies here when the switch file asks for a crash at `point` on `channel`.
    static func crashPoint(_ point: Point, channel: ChannelName) {
        guard file != nil else { return }
        let w = words()
        guard w.count == 3, w[0] == "crash", w[1] == point.rawValue, w[2] == channel.rawValue else { return }
        unlink(file!)
        kill(getpid(), SIGKILL)
    }

    static func errnoNamed(_ name: String) -> Int32? {
        ["ENOSPC": ENOSPC, "EIO": EIO, "EDQUOT": EDQUOT, "EROFS": EROFS][name] ?? Int32(name)
    }
    #else
    @inline(__always) static func prime(_ store: StoreFile) {}
    @inline(__always) static func crashPoint(_ point: Point, channel: ChannelName) {}
    #endif
}
