import Foundation
import KeptCore

/// Replies by mail: the address and its detail part, the owners, the key, the watched folder,
/// the `.forward` that hands mail to `kept mail ingest`, and a reply made here and judged by
/// keptd in a dry run.
extension Doctor {
    func checkReplies() async {
        guard let config, let address = config.reply.address else { return }
        let local = address.split(separator: "@").first.map(String.init) ?? ""
        if local.contains("+") {
            ok(.replies, "address", "\(address): replies go to \(local)-TOKEN@…, which reaches kept when the mail system routes the +detail part (Postfix: recipient_delimiter = +)")
        } else {
            note(.replies, "address", .warn, "reply.address \(address) has no +detail part: replies go to \(local)-TOKEN@…, which only a mail system with recipient_delimiter = - (or a catch-all) delivers",
                 fix: "reply.address: \(local)+kept@\(address.split(separator: "@").dropFirst().joined()) in \(short(configFile))")
        }
        if config.reply.from.isEmpty {
            note(.replies, "owners", .fail, "reply.from names no owner address: no reply can act", fix: "reply.from: [you@example.org] in \(short(configFile))")
        }
        let keyPath = stateDirectory + "/reply.key"
        var st = stat()
        if stat(keyPath, &st) != 0 {
            note(.replies, "key", .warn, "no reply key yet (\(short(keyPath))): keptd makes it when it starts with replies on",
                 fix: "systemctl --user restart keptd")
        } else if st.st_size != 32 {
            note(.replies, "key", .fail, "\(short(keyPath)) is not a reply key (\(st.st_size) bytes, not 32): keptd will not start with it",
                 fix: "mv \(Self.quoted(keyPath)) \(Self.quoted(keyPath)).bad && systemctl --user restart keptd (replies to older reminders stop working)")
        } else if st.st_mode & 0o077 == 0 {
            ok(.replies, "key", "the reply key is yours alone (0600)")
        }
        if let watch = config.reply.watch {
            await checkWatch(watch)
        }
        let ingest = await checkForward(watched: config.reply.watch != nil)
        await roundTrip(config, ingest: ingest)
    }

    private func checkWatch(_ watch: String) async {
        let parts = ["cur", "new", "tmp"].filter { !FileManager.default.fileExists(atPath: watch + "/" + $0) }
        if FileManager.default.fileExists(atPath: watch), !parts.isEmpty {
            note(.replies, "watch", .fail, "reply.watch \(short(watch)) is not a Maildir (no \(parts.joined(separator: ", ")))",
                 fix: "mkdir -p \(Self.quoted(watch))/{cur,new,tmp}, or point reply.watch at the Maildir your mail sync fills")
            return
        }
        await checkFolder(.replies, "watch", watch, what: "the watched Maildir", makesIt: false)
    }

    /// `~/.forward`'s pipe to `kept mail ingest`: its program there. Returns that program, if any.
    private func checkForward(watched: Bool) async -> String? {
        let forward = home + "/.forward"
        let mine = Self.resolve("kept", environment: environment) ?? keptBeside
        guard let text = try? String(contentsOfFile: forward, encoding: .utf8) else {
            if watched { return nil }
            note(.replies, "forward", .warn, "nothing hands replies to kept: no reply.watch and no ~/.forward",
                 fix: "add the line \"|\(mine ?? "/usr/bin/kept") mail ingest\" to ~/.forward (Postfix, Exim; procmail: | kept mail ingest; Sieve: pipe \"kept\" [\"mail\", \"ingest\"])")
            return nil
        }
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "," }) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("\""), line.hasSuffix("\""), line.count >= 2 { line = String(line.dropFirst().dropLast()) }
            guard line.hasPrefix("|"), line.contains("mail"), line.contains("ingest") else { continue }
            // `|exec /usr/bin/kept …` and `|/usr/bin/env … kept …` run the same program.
            var words = line.dropFirst().split(separator: " ").map(String.init)
            while let first = words.first, first == "exec" || first.hasSuffix("/env") || first.contains("=") { words.removeFirst() }
            guard let program = words.first else { continue }
            if FileManager.default.isExecutableFile(atPath: program) {
                ok(.replies, "forward", "~/.forward pipes mail to \(program) mail ingest")
                return program
            }
            note(.replies, "forward", .fail, "~/.forward pipes mail to \(program), which is not there: every reply bounces",
                 fix: "in ~/.forward, make that line \"|\(mine ?? "/usr/bin/kept") mail ingest\"")
            return nil
        }
        if !watched {
            note(.replies, "forward", .warn, "~/.forward does not pipe mail to kept mail ingest",
                 fix: "add the line \"|\(mine ?? "/usr/bin/kept") mail ingest\" to ~/.forward")
        }
        return nil
    }

    /// The `kept` installed beside this keptd.
    var keptBeside: String? {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kept").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// A reply to a reminder of the first open item, from the first owner, as a mail client writes
    /// it, handed to `kept mail ingest --dry-run`: keptd judges it and says what it would do.
    private func roundTrip(_ config: Config, ingest: String?) async {
        guard let store, status != nil, let owner = config.reply.from.first, let address = config.reply.address,
              let program = ingest ?? keptBeside ?? Self.resolve("kept", environment: environment) else { return }
        let keyPath = stateDirectory + "/reply.key"
        guard let secret = FileManager.default.contents(atPath: keyPath), secret.count == 32 else { return }
        let signer = ReplyKeyring(secret: Array(secret), address: address)
        let now = Instant(Date())
        let target = store.incidents.lazy.filter(\.isOpen).flatMap { incident in
            incident.items.lazy.map { OccurrenceID(item: ItemID(incident: incident.id, number: $0.number), index: 1) }
        }.first ?? OccurrenceID(item: ItemID(incident: 1, number: 1), index: 1)
        let key = ReminderKey.occurrence(target, .due)
        let reminderID = ReminderComposer(rules: Rules(config: config, zone: .current), storeID: store.storeID).messageID(key)
        var authentication = ""
        if config.reply.requireDKIM, let domain = owner.split(separator: "@").last {
            authentication = "Authentication-Results: \(config.reply.trustedServer); dkim=pass header.d=\(domain)\r\n"
        }
        let message = """
            Return-Path: <\(owner)>\r
            \(authentication)From: <\(owner)>\r
            To: <\(signer.address(for: key))>\r
            Subject: Re: kept doctor's round trip\r
            Date: \(Zone.utc.rfc5322(now))\r
            Message-ID: <doctor.\(now.seconds).\(UInt32.random(in: 0...UInt32.max))@kept-doctor>\r
            In-Reply-To: \(reminderID)\r
            References: \(reminderID)\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            done\r
            \r
            > the reminder\r

            """
        let answer = await Probe.run([program, "mail", "ingest", "--dry-run", "--json", "--socket", paths.socket],
                                     input: Array(message.utf8), seconds: options.probeSeconds)
        struct Ingested: Decodable { var outcome: String; var reason: String?; var message: String }
        guard answer.succeeded, let judged = try? JSONDecoder().decode(Ingested.self, from: Data(answer.stdout.utf8)) else {
            note(.replies, "round-trip", .fail, "\(program) mail ingest did not answer a test reply: \(answer.said)",
                 fix: "kept status (is keptd running?), then kept doctor again")
            return
        }
        switch judged.outcome {
        case "acted", "answered":
            ok(.replies, "round-trip", "a reply to \(target)'s reminder, judged by keptd: \(judged.message.replacingOccurrences(of: "dry run, nothing changed: ", with: "would say \"") + (judged.message.hasPrefix("dry run") ? "\"" : ""))")
        default:
            note(.replies, "round-trip", .fail, "keptd ignored a test reply from \(owner): \(judged.message)",
                 fix: "keptd judged with another config than this one? systemctl --user reload keptd, then kept doctor again")
        }
    }
}
