import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Who may talk to the daemon, and for how long a silent client may hold a connection.
@Suite(.serialized) struct AccessTests {
    @Test(.enabled(if: getuid() == 0, "needs root to run a client as another user"))
    func aClientOfAnotherUserIsRefusedEvenThroughALooseSocket() throws {
        let h = Harness()
        try h.start()
        // Loosen every permission on the way, so only the peer-uid check stands in the way.
        chmod(h.root, 0o755)
        chmod(h.root + "/run", 0o755)
        chmod(h.root + "/run/kept", 0o777)
        chmod(h.socket, 0o666)
        let r = h.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                          Harness.binaries + "/kept", "status", "--socket", h.socket])
        #expect(r.code == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("this socket is for uid 0 only"))
        #expect(h.kept("status").code == 0)
        h.stop()
    }

    @Test func aSilentConnectionIsClosed() throws {
        let h = Harness()
        try h.start()
        // Send half a request and nothing more: the daemon closes the connection by itself.
        let lines = try h.raw(Data(#"{"jsonrpc":"2.0","#.utf8))
        #expect(lines.isEmpty)
        #expect(h.lastRawClosed)  // closed by the daemon, not the client's 15 s read timeout
        #expect(h.kept("status").code == 0)
        h.stop()
    }
}
