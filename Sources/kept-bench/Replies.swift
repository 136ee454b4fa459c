import ArgumentParser
import Foundation
import KeptClient
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// Replies by mail, timed: `kept mail ingest` as a whole process for a reply of about 50 KB (the
/// quote of a long reminder thread), and a reply landing in the watched Maildir's `new/` until
/// keptd has made it durable and moved it to `cur/`. Each reply is a `note`, with its own
/// Message-ID, so every one acts and is written.
struct Replies: ParsableCommand {
    @Option var socket: String
    @Option(help: "keptd's Maildir, where the reminder the replies answer arrives.") var maildir: String
    @Option(help: "The Maildir keptd watches (reply.watch).") var watch: String
    @Option(help: "The kept binary.") var kept: String
    @Option(help: "reply.address in keptd's configuration.") var address: String
    @Option var count = 50

    func run() throws {
        guard case .success(let fd) = UnixSocket.connect(to: socket) else { throw ValidationError("cannot connect to \(socket)") }
        let open = try JSONEncoder().encode(RPC.Request(id: .number(0), method: "incident.open",
            params: Params.Open(client: "Acme Corp", title: "Replies", playbook: false))) + Data([0x0A])
        let id = try Lateness.exchange(fd, open, as: View.Opened.self).incident.id
        let promise = try JSONEncoder().encode(RPC.Request(id: .number(1), method: "promise.add",
            params: Params.Promise(incident: id, text: "Send the corrected invoice", due: "+1s"))) + Data([0x0A])
        _ = try Lateness.exchange(fd, promise, as: View.Promised.self)
        close(fd)
        let (messageID, replyTo) = try reminder()

        var ingest: [Double] = []
        for n in 0..<count {
            let path = NSTemporaryDirectory() + "kept-bench-reply-\(getpid())-\(n).eml"
            try Data(Self.reply(n, kind: "ingest", messageID: messageID, to: replyTo)).write(to: URL(fileURLWithPath: path))
            defer { unlink(path) }
            let start = DispatchTime.now().uptimeNanoseconds
            let status = (try spawnAndWait([kept, "--socket", socket, "mail", "ingest"], stdin: path) >> 8) & 0xFF
            ingest.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            guard status == 0 else { throw ValidationError("kept mail ingest exited \(status)") }
        }

        var watched: [Double] = []
        for n in 0..<count {
            let name = "bench\(getpid()).\(n):2,"
            try Data(Self.reply(n, kind: "watch", messageID: messageID, to: replyTo)).write(to: URL(fileURLWithPath: watch + "/tmp/" + name))
            let seen = watch + "/cur/bench\(getpid()).\(n):2,S"
            let start = DispatchTime.now().uptimeNanoseconds
            guard rename(watch + "/tmp/" + name, watch + "/new/" + name) == 0 else { throw ValidationError("cannot deliver into \(watch)/new") }
            let limit = start + 10_000_000_000
            while access(seen, F_OK) != 0 {
                guard DispatchTime.now().uptimeNanoseconds < limit else { throw ValidationError("\(name) was not handled") }
                usleep(50)
            }
            watched.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let i = Stats(ingest), w = Stats(watched)
        print(String(format: "ingest_p50=%.2f ingest_p99=%.2f watch_p50=%.2f watch_p99=%.2f bytes=%d",
                     i.percentile(0.5), i.percentile(0.99), w.percentile(0.5), w.percentile(0.99),
                     Self.reply(0, kind: "ingest", messageID: messageID, to: replyTo).count))
    }

    /// The Message-ID and Reply-To of the reminder in keptd's Maildir.
    func reminder() throws -> (String, String) {
        let limit = Date().addingTimeInterval(15)
        while Date() < limit {
            for folder in ["/new/", "/cur/"] {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: maildir + folder)) ?? [] {
                    guard let text = try? String(contentsOfFile: maildir + folder + name, encoding: .utf8) else { continue }
                    let headers = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
                    let id = headers.first { $0.hasPrefix("Message-ID: ") }?.dropFirst(12)
                    let to = headers.first { $0.hasPrefix("Reply-To: ") }?.dropFirst(10)
                    if let id, let to { return (String(id), String(to)) }
                }
            }
            usleep(20_000)
        }
        throw ValidationError("no reminder with a Reply-To arrived in \(maildir)")
    }

    /// A reply as a phone writes it: the note on top, then the quoted thread (about 50 KB).
    static func reply(_ n: Int, kind: String, messageID: String, to: String) -> [UInt8] {
        let quote = String(repeating: "> The reminder, and the thread before it, quoted back in full as mail clients do.\n", count: 600)
        return Array("""
            From: Dana <dana@example.org>
            To: \(to)
            Subject: Re: Due now: 1.1 Send the corrected invoice (Acme Corp)
            Date: Tue, 01 Dec 2026 10:00:00 +0100
            Message-ID: <bench-\(kind)-\(getpid())-\(n)@example.org>
            In-Reply-To: \(messageID)
            References: \(messageID)
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            note sent it, reply \(n)

            On Tue, 1 Dec 2026 at 09:00, kept <kept@example.org> wrote:
            \(quote)
            """.utf8)
    }
}
