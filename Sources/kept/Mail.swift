import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import KeptClient
import KeptCore

struct Mail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Replies by mail: the door a mail system delivers them through.",
        subcommands: [Ingest.self])
}

/// One reply on standard input, for `~/.forward`, procmail, maildrop, Sieve's pipe, or
/// fetchmail's and getmail's MDA. Exits 0 when kept acted on it or meant to ignore it, 75
/// (EX_TEMPFAIL) when it cannot be handled now — the mail system keeps it and tries again — and
/// never anything else: another code would bounce the reply to its sender.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Act on one reply to a reminder, read from standard input.",
        discussion: """
            In ~/.forward: "|/usr/local/bin/kept mail ingest". The message is read whole, its facts sent to \
            keptd, and nothing is printed unless it must be retried. Exit 0: handled (acted on, answered, or \
            ignored on purpose); 75: keptd unreachable or the change not saved — the mail system retries.
            """)
    @OptionGroup var global: Global
    @Flag(name: .customLong("dry-run"), help: "Judge the message and say what kept would do with it (to stdout), changing nothing and sending no answer.")
    var dryRun = false

    func run() throws { try IngestCall(connection: global.connection, dryRun: dryRun).run() }
}

/// `kept mail ingest`, as read.
struct IngestCall: CommandCall {
    var connection: Connection
    var dryRun = false

    /// A message larger than this is no reply: reading stops there and it is ignored.
    static let maxBytes = 32 << 20

    func validate() throws {}

    func run() throws {
        guard let bytes = Self.readStandardInput(limit: Self.maxBytes) else {
            // Handled (exit 0), as mail kept can make nothing of is: nothing acts, nothing answers.
            standardError("kept: the message is larger than \(Self.maxBytes >> 20) MiB, so it is no reply: ignored\n")
            return
        }
        var reply = Reply(parsing: bytes)
        if dryRun { reply.dryRun = true }
        do {
            let answer = try connection.client.call(Methods.MailIngest.self, reply)
            if connection.json || dryRun {
                connection.output(answer) { say("\(answer.outcome.rawValue): \(answer.message)") }
            }
        } catch {
            switch error {
            case .unreachable(let message): Self.later("\(message); the mail system will try again")
            // Not saved now: the mail system keeps it and tries again. Refused for good (a
            // message kept can make nothing of): handled, or it would come back for days.
            case .refused(let e) where e.code == RPC.Code.storage.rawValue: Self.later("keptd could not save the reply now: \(e.message)")
            // An older keptd, still running after an upgrade, does not know what this kept sends:
            // kept the mail until keptd is restarted, rather than lose it.
            case .refused(let e) where e.code == RPC.Code.invalidParams.rawValue && e.message.hasPrefix("unknown parameter"):
                Self.later("keptd is older than this kept (\(e.message)); restart it: systemctl --user restart keptd")
            case .refused(let e): standardError("kept: the reply was not taken: \(e.message)\n")
            case .protocolError(let message): Self.later(message)
            }
        }
    }

    /// Exit 75: the mail system keeps the message and tries again.
    static func later(_ message: String) -> Never {
        standardError("kept: \(message)\n")
        Glibc.exit(75)
    }

    /// Standard input to its end, or nil as soon as it passes `limit` — an endless stream
    /// (`< /dev/zero`) is never read further than that.
    static func readStandardInput(limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            if bytes.count + n > limit { return nil }
            bytes += chunk[0..<n]
        }
        return bytes
    }
}
