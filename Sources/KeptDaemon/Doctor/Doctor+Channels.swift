import Foundation
import KeptCore

/// The channels: the Maildir writable by the unit, the sendmail program and its config, the
/// command; with `--send-test`, one real message through each.
extension Doctor {
    func checkChannels() async {
        guard let config else { return }
        if config.maildir.enabled {
            let maildir = config.maildir.path ?? paths.maildir
            await checkFolder(.channels, "maildir", maildir, what: "the Maildir", makesIt: true)
        }
        if let drafts = config.letters.drafts {
            await checkFolder(.channels, "drafts", drafts, what: "the Drafts folder (letters.drafts)", makesIt: true)
        }
        if config.email.enabled { await checkEmail(config.email) }
        if config.command.enabled {
            let program = config.command.argv.first ?? ""
            if let path = Self.resolve(program, environment: environment) {
                ok(.channels, "command", "the command channel's program is there (\(short(path)))")
            } else {
                note(.channels, "command", .fail, "the command channel's program \(program.debugDescription) is not there",
                     fix: "channels.command.argv in \(short(configFile)): a program that exists, with its full path")
            }
        }
        if options.sendTest { await sendTest(config) }
    }

    /// A folder keptd writes in: there (or makeable), writable by the user, and by the unit's
    /// sandbox; `--fix` writes the drop-in that lets the unit write there.
    func checkFolder(_ section: Finding.Section, _ check: String, _ folder: String, what: String, makesIt: Bool) async {
        var st = stat()
        if stat(folder, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                note(section, check, .fail, "\(what) \(short(folder)) is not a folder", fix: "move it away, or name another folder in \(short(configFile))")
                return
            }
            guard access(folder, W_OK) == 0 else {
                note(section, check, .fail, "\(what) \(short(folder)) cannot be written by you", fix: "chown -R \(user) \(Self.quoted(folder))")
                return
            }
        } else if !makesIt {
            note(section, check, .fail, "\(what) \(short(folder)) does not exist", fix: "mkdir -p \(Self.quoted(folder))/{cur,new,tmp}")
            return
        }
        if let unit, unit.service["LoadState"] == "loaded" {
            if (unit.service["PrivateTmp"] ?? "yes") != "no", ["/tmp", "/var/tmp"].contains(where: { UnitFacts.path(folder, isWithin: $0) }) {
                note(section, check, .fail, "\(what) \(short(folder)) is in /tmp, which keptd's unit has a private copy of: you would never see what it writes there",
                     fix: "name a folder in your home in \(short(configFile))")
                return
            }
            guard unit.mayWrite(folder, home: home, stateDirectory: stateDirectory, configFile: configFile) else {
                let needed = writableFoldersNeeded()
                let dropIn = dropInPath
                var fixed: Bool?
                if options.fix { fixed = await writeDropIn(needed) }
                note(section, check, fixed == true ? .ok : .fail,
                     "\(what) \(short(folder)) is outside the folders keptd's unit may write (ReadWritePaths=): \(["maildir": "reminders cannot land there", "drafts": "letters cannot be put there"][check] ?? "handled messages cannot be marked")",
                     fix: "a drop-in \(short(dropIn)) with ReadWritePaths=-\(folder), then: systemctl --user daemon-reload && systemctl --user restart keptd",
                     mendable: true, fixed: fixed)
                return
            }
        }
        let there = FileManager.default.fileExists(atPath: folder)
        ok(section, check, "\(what) \(short(folder)) \(there ? "is writable" : "is made by keptd at its first reminder")\(unit == nil ? "" : there ? ", by keptd's unit too" : ", where its unit may write")")
    }

    var dropInPath: String { (environment["XDG_CONFIG_HOME"] ?? home + "/.config") + "/systemd/user/keptd.service.d/kept-doctor.conf" }

    /// Every folder of the config that keptd writes in and its unit does not let it but through
    /// this drop-in (which names them all, so writing it again is the same).
    func writableFoldersNeeded() -> [String] {
        guard let config, let unit else { return [] }
        var folders: [String] = []
        if config.maildir.enabled { folders.append(config.maildir.path ?? paths.maildir) }
        if let watch = config.reply.watch { folders.append(watch) }
        if let drafts = config.letters.drafts { folders.append(drafts) }
        let kept = currentDropIn
        let needed = folders.filter { folder in
            kept.contains(folder) || !unit.mayWrite(folder, home: home, stateDirectory: stateDirectory, configFile: configFile)
        }
        return Array(Set(needed)).sorted()
    }

    /// The folders the doctor's drop-in names now.
    var currentDropIn: [String] {
        guard let text = try? String(contentsOfFile: dropInPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("ReadWritePaths=-") ? String(line.dropFirst("ReadWritePaths=-".count)) : nil
        }
    }

    /// Writes the drop-in (the same text for the same folders: safe to do again) and has the
    /// manager read it.
    func writeDropIn(_ folders: [String]) async -> Bool {
        let path = dropInPath
        let folder = String(path[..<path.lastIndex(of: "/")!])
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try UnitFacts.dropIn(writing: folders).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            return false
        }
        return await Probe.run(["systemctl", "--user", "daemon-reload"], seconds: options.probeSeconds).succeeded
    }

    private func checkEmail(_ email: Config.EmailChannel) async {
        let program = email.sendmail.first ?? ""
        guard let path = Self.resolve(program, environment: environment) else {
            note(.channels, "sendmail", .fail, "the email channel's program \(program.debugDescription) is not there",
                 fix: "apt install msmtp-mta (or another sendmail), or set channels.email.sendmail in \(short(configFile))")
            return
        }
        let real = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent($0).path } ?? path
        guard real.hasSuffix("/msmtp") || path.hasSuffix("/msmtp") else {
            ok(.channels, "sendmail", "the email channel's program is there (\(path))")
            return
        }
        let version = await Probe.run([path, "--version"], seconds: options.probeSeconds)
        guard version.succeeded else {
            note(.channels, "sendmail", .fail, "\(path) does not run: \(version.said)", fix: "apt install --reinstall msmtp")
            return
        }
        ok(.channels, "sendmail", "\(path) runs (\(version.stdout.split(separator: "\n").first ?? "msmtp"))")
        checkMsmtpConfig(email.sendmail)
    }

    /// msmtp's config: the `-C`/`--file` one, else `~/.msmtprc`, else `$XDG_CONFIG_HOME/msmtp/config`.
    private func checkMsmtpConfig(_ argv: [String]) {
        var file: String?
        for (i, word) in argv.enumerated() {
            if word == "-C", i + 1 < argv.count { file = argv[i + 1] }
            if word.hasPrefix("--file=") { file = String(word.dropFirst(7)) }
            if word.hasPrefix("-C"), word.count > 2 { file = String(word.dropFirst(2)) }
        }
        let candidates = file.map { [$0] } ?? [home + "/.msmtprc", (environment["XDG_CONFIG_HOME"] ?? home + "/.config") + "/msmtp/config", "/etc/msmtprc"]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            note(.channels, "msmtp-config", .fail, "msmtp has no config (\(candidates.map(short).joined(separator: " or ")))",
                 fix: "write \(short(candidates[0])) with your mail account (man msmtp), then: chmod 600 \(short(candidates[0]))")
            return
        }
        var st = stat()
        // The system's own (/etc/msmtprc) is root's to keep, readable by all when it holds no password.
        guard stat(found, &st) == 0, st.st_mode & 0o077 != 0, found != "/etc/msmtprc" else {
            ok(.channels, "msmtp-config", "msmtp's config \(short(found)) is yours alone (0600)")
            return
        }
        let fixed = options.fix ? chmod(found, 0o600) == 0 : nil
        note(.channels, "msmtp-config", fixed == true ? .ok : .fail,
             "msmtp's config \(short(found)) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))): it holds your mail password, and msmtp refuses it",
             fix: "chmod 600 \(Self.quoted(found))", mendable: true, fixed: fixed)
    }

    /// One real message through every enabled channel, each channel's verdict in words.
    private func sendTest(_ config: Config) async {
        let (from, to) = Keeper.addresses(config)
        let context = DeliveryContext(config: config, from: from, to: to, maildir: config.maildir.path ?? paths.maildir)
        let now = Instant(Date())
        let zone = Zone.current
        let key = ReminderKey.reply("doctor-\(now.seconds)")
        let storeID = store?.storeID ?? "doctor"
        let body = """
            This is a test from kept doctor --send-test, sent \(zone.format(now)).

            If you read this where your reminders should reach you, this channel works. Nothing \
            needs doing; you may delete it.

            """
        let reminder = Reminder(key: key, incident: nil, client: nil, item: nil, text: "test", due: nil, scheduled: now, late: false,
                                subject: "kept doctor: a test message", body: body, messageID: "<doctor.\(now.seconds).\(storeID)@kept>")
        let message = MailMessage.render(reminder, from: from, to: to, date: zone.rfc5322(now))
        let entry = OutboxEntry(key: key, reminder: reminder, message: message, channels: Keeper.channels(config))
        let channels: [any DeliveryChannel] = [MaildirChannel(storeID: storeID), EmailChannel(), CommandChannel()]
        for channel in channels where entry.channels.contains(where: { $0.channel == channel.name }) {
            let check = "send-\(channel.name.rawValue)"
            do throws(DeliveryError) {
                if channel.name == .maildir { try MaildirChannel.prepare(context.maildir) }
                try await channel.deliver(entry, context)
                let whereTo = switch channel.name {
                case .maildir: "a test message is in \(short(context.maildir))/new"
                case .email: "a test message went to \(to.joined(separator: ", ")) (\(config.email.sendmail[0]) took it)"
                case .command: "the command took a test reminder"
                }
                ok(.channels, check, whereTo)
            } catch {
                note(.channels, check, .fail, "the \(channel.name.rawValue) channel failed the test: \(error.message)",
                     fix: channel.name == .email ? "msmtp --serverinfo --debug shows the server's answers; mend the account in msmtp's config" : "mend what it says, then: kept doctor --send-test")
            }
        }
    }

    /// The program `name` names: itself when it has a slash, else the first on PATH.
    static func resolve(_ name: String, environment: [String: String]) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
