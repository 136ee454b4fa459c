import Configuration
import Foundation
import KeptCore
import Yams

/// Reads every key of `ConfigSchema` through the reader, checks its range or form, and names
/// the key, its place and the reason when a value will not do.
struct ConfigValueReader {
    let reader: ConfigReader
    let sink: ProblemSink
    let file: String
    let marks: [String: Yams.Mark]
    let environment: [String: String]

    mutating func read() throws(ConfigProblem) -> Config {
        var c = Config()
        c.windowDays = try int("window_days", c.windowDays, 1...3650)
        c.remindAt = try timeOfDay("remind_at", c.remindAt)
        c.leadDays = try int("lead_days", c.leadDays, 0...30)
        c.overdueNudges = try int("overdue_nudges", c.overdueNudges, 0...30)
        c.missedAfterDays = try int("missed_after_days", c.missedAfterDays, 1...365)

        c.playbook.acknowledge = try interval("playbook.acknowledge", c.playbook.acknowledge)
        c.playbook.understandImpact = try interval("playbook.understand_impact", c.playbook.understandImpact)
        c.playbook.rootCause = try interval("playbook.root_cause", c.playbook.rootCause)
        c.playbook.sharePlan = try interval("playbook.share_plan", c.playbook.sharePlan)

        c.checkins.firstEvery = try interval("checkins.first_every", c.checkins.firstEvery)
        c.checkins.firstWeeks = try int("checkins.first_weeks", c.checkins.firstWeeks, 0...520)
        c.checkins.thenEvery = try interval("checkins.then_every", c.checkins.thenEvery)

        c.warnings.maxDuePerWeek = try int("warnings.max_due_per_week", c.warnings.maxDuePerWeek, 1...1000)
        c.warnings.minRate = try double("warnings.min_rate", c.warnings.minRate, 0...1)

        c.digest.enabled = try bool("digest.enabled", c.digest.enabled)
        c.digest.weekday = try weekday("digest.weekday", c.digest.weekday)

        c.maildir.enabled = try bool("channels.maildir.enabled", c.maildir.enabled)
        c.maildir.path = try string("channels.maildir.path").map { path throws(ConfigProblem) in
            guard path.hasPrefix("/") else { throw problem("channels.maildir.path", "\(path.debugDescription) must be an absolute path") }
            return path
        }

        c.email.enabled = try bool("channels.email.enabled", c.email.enabled)
        c.email.to = try list("channels.email.to") ?? c.email.to
        for address in c.email.to where !Self.isAddress(address) {
            throw problem("channels.email.to", "\(address.debugDescription) is not an email address")
        }
        c.email.from = try string("channels.email.from")
        if let from = c.email.from, from.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw problem("channels.email.from", "must be one line")
        }
        c.email.sendmail = try list("channels.email.sendmail") ?? c.email.sendmail
        if c.email.sendmail.isEmpty { throw problem("channels.email.sendmail", "needs at least the program") }
        c.email.timeoutSeconds = try int("channels.email.timeout_seconds", c.email.timeoutSeconds, 1...3600)

        c.command.enabled = try bool("channels.command.enabled", c.command.enabled)
        c.command.argv = try list("channels.command.argv") ?? c.command.argv
        if c.command.enabled && c.command.argv.isEmpty {
            throw problem("channels.command.argv", "the command channel is enabled but has no command")
        }
        c.command.timeoutSeconds = try int("channels.command.timeout_seconds", c.command.timeoutSeconds, 1...3600)

        c.retry.firstSeconds = try int("retry.first_seconds", c.retry.firstSeconds, 1...86400)
        c.retry.capSeconds = try int("retry.cap_seconds", c.retry.capSeconds, 1...604_800)
        if c.retry.capSeconds < c.retry.firstSeconds {
            throw problem("retry.cap_seconds", "\(c.retry.capSeconds) is below retry.first_seconds (\(c.retry.firstSeconds))")
        }
        c.letters.signature = try string("letters.signature")
        c.letters.drafts = try string("letters.drafts").map { path throws(ConfigProblem) in
            var path = path
            if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
            guard path.hasPrefix("/") else { throw problem("letters.drafts", "\(path.debugDescription) must be an absolute path (or start with ~/)") }
            return path
        }
        try readReply(&c)
        try readCalendar(&c)
        return c
    }

    func readCalendar(_ c: inout Config) throws(ConfigProblem) {
        c.calendar.url = try string("calendar.url")
        if let url = c.calendar.url {
            guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host,
                  scheme == "https" || scheme == "http" else {
                throw problem("calendar.url", "\(url.debugDescription) is not an http(s) URL of a calendar collection")
            }
            let octets = host.split(separator: ".", omittingEmptySubsequences: false)
            let loopback = ["localhost", "::1", "[::1]"].contains(host.lowercased())
                || (octets.count == 4 && octets[0] == "127" && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false })
            guard scheme == "https" || loopback else {
                throw problem("calendar.url", "\(url.debugDescription) is plain http: the password would cross the network unencrypted; use https (plain http only to this machine)")
            }
            if !url.hasSuffix("/") { c.calendar.url = url + "/" }
        }
        c.calendar.username = try string("calendar.username")
        c.calendar.passwordFile = try string("calendar.password_file").map { path throws(ConfigProblem) in
            var path = path
            if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
            guard path.hasPrefix("/") else { throw problem("calendar.password_file", "\(path.debugDescription) must be an absolute path (or start with ~/)") }
            var st = stat()
            guard stat(path, &st) == 0 else { throw problem("calendar.password_file", "\(path) cannot be read") }
            guard st.st_mode & 0o077 == 0 else {
                throw problem("calendar.password_file", "\(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
            }
            return path
        }
        c.calendar.intervalMinutes = try int("calendar.interval_minutes", c.calendar.intervalMinutes, 1...1440)
        switch try string("calendar.alarms")?.lowercased() {
        case nil, "none", "": c.calendar.alarmMinutes = nil
        case let text?:
            guard let minutes = Int(text), (0...10_080).contains(minutes) else {
                throw problem("calendar.alarms", "\(text.debugDescription) is not none or the minutes before a due (0 to 10080)")
            }
            c.calendar.alarmMinutes = minutes
        }
    }

    func readReply(_ c: inout Config) throws(ConfigProblem) {
        c.reply.address = try string("reply.address")
        if let address = c.reply.address {
            guard Self.isAddress(address), !address.contains("<"), !address.contains(" ") else {
                throw problem("reply.address", "\(address.debugDescription) is not an address like dana+kept@example.org")
            }
        }
        // An owner may be written with a name (`Dana Example <dana@example.org>`): the name signs the drafts.
        var owners: [String] = []
        for written in try list("reply.from") ?? [] {
            guard let mailbox = try? Mailbox(parsing: written) else {
                throw problem("reply.from", "\(written.debugDescription) is not an email address")
            }
            if owners.isEmpty, c.letters.signature == nil { c.letters.signature = mailbox.name }
            owners.append(mailbox.address.lowercased())
        }
        c.reply.from = owners
        for address in c.reply.from where !Self.isAddress(address) {
            throw problem("reply.from", "\(address.debugDescription) is not an email address")
        }
        if c.reply.address != nil, c.reply.from.isEmpty {
            // The owner is who reminders are sent to, unless said otherwise.
            c.reply.from = c.email.to.map { $0.lowercased() }  // already checked: plain addresses
            if c.reply.from.isEmpty { throw problem("reply.from", "needs the owner's addresses: a reply from any other changes nothing") }
        }
        c.reply.watch = try string("reply.watch").map { path throws(ConfigProblem) in
            var path = path
            if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
            guard path.hasPrefix("/") else { throw problem("reply.watch", "\(path.debugDescription) must be an absolute path (or start with ~/)") }
            return path
        }
        if c.reply.watch != nil, c.reply.address == nil {
            throw problem("reply.watch", "replies are read only with reply.address set: reminders need it for their Reply-To")
        }
        switch try string("reply.authentication") ?? "none" {
        case "none": c.reply.requireDKIM = false
        case "dkim": c.reply.requireDKIM = true
        case let other: throw problem("reply.authentication", "\(other.debugDescription) is not none or dkim")
        }
        c.reply.trustedServer = try string("reply.trusted_authserv_id") ?? ""
        if c.reply.requireDKIM, c.reply.trustedServer.isEmpty {
            throw problem("reply.trusted_authserv_id", "authentication: dkim needs the id your mail server writes in Authentication-Results")
        }
    }


    // MARK: One value each

    func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(ConfigProblem) -> Int {
        try number(key, fallback, range, reader.int(forKey: ConfigKey(key)), "must be a whole number")
    }

    func double(_ key: String, _ fallback: Double, _ range: ClosedRange<Double>) throws(ConfigProblem) -> Double {
        try number(key, fallback, range, reader.double(forKey: ConfigKey(key)), "must be a number")
    }

    /// A value read for `key` (nil: not set), checked against `range`.
    func number<T: Comparable>(_ key: String, _ fallback: T, _ range: ClosedRange<T>, _ value: T?, _ kind: String) throws(ConfigProblem) -> T {
        if sink.failed(key) { throw problem(key, kind) }
        guard let value else { return fallback }
        guard range.contains(value) else {
            throw problem(key, "\(value) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return value
    }

    func bool(_ key: String, _ fallback: Bool) throws(ConfigProblem) -> Bool {
        let value = reader.bool(forKey: ConfigKey(key))
        if sink.failed(key) { throw problem(key, "must be true or false") }
        return value ?? fallback
    }

    /// A string; empty means "not set".
    func string(_ key: String) throws(ConfigProblem) -> String? {
        let value = reader.string(forKey: ConfigKey(key))
        if sink.failed(key) { throw problem(key, "must be text") }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    func list(_ key: String) throws(ConfigProblem) -> [String]? {
        let value = reader.stringArray(forKey: ConfigKey(key))
        if sink.failed(key) { throw problem(key, "must be a list of text values") }
        return value
    }

    func interval(_ key: String, _ fallback: Interval) throws(ConfigProblem) -> Interval {
        guard let text = try string(key) else { return fallback }
        let value: Interval
        do { value = try Interval(parsing: text) } catch {
            throw problem(key, "\(text.debugDescription) is not a duration (like 24h, 2d, 1w)")
        }
        guard value.count > 0 else { throw problem(key, "must be longer than zero") }
        return value
    }

    func timeOfDay(_ key: String, _ fallback: TimeOfDay) throws(ConfigProblem) -> TimeOfDay {
        guard let text = try string(key) else { return fallback }
        guard let value = TimeOfDay(parsing: text) else {
            throw problem(key, "\(text.debugDescription) is not a time of day (HH:MM, 24-hour)")
        }
        return value
    }

    func weekday(_ key: String, _ fallback: Int) throws(ConfigProblem) -> Int {
        guard let text = try string(key)?.lowercased() else { return fallback }
        if let n = Int(text), (1...7).contains(n) { return n }
        if let n = WhenParser.weekday(named: text) { return n }
        throw problem(key, "\(text.debugDescription) is not a weekday (monday … sunday)")
    }

    // MARK: Where and why

    /// The environment variable that sets `key`, as swift-configuration names it.
    static func environmentName(_ key: String) -> String {
        "KEPT_" + String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    func problem(_ key: String, _ why: String) -> ConfigProblem {
        let variable = Self.environmentName(key)
        if environment[variable] != nil { return ConfigProblem("environment \(variable): \(key): \(why)") }
        if let mark = marks[key] { return ConfigProblem("\(file):\(mark.line):\(mark.column): \(key): \(why)") }
        return ConfigProblem("\(file): \(key): \(why)")
    }

    /// A plausible single address (`dana@example.com`), with nothing that could end a header.
    static func isAddress(_ text: String) -> Bool {
        guard let at = text.firstIndex(of: "@"), at != text.startIndex, at != text.index(before: text.endIndex) else { return false }
        return !text.contains { $0.isWhitespace || $0.isNewline || $0 == "\0" || $0 == "," || $0 == "<" || $0 == ">" } && !text.hasPrefix("-")
    }
}
