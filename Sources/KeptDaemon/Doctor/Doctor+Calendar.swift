import Foundation
import KeptCore
import NIOCore

/// The calendar, a step at a time, so that what fails is named: the name, the connection, TLS,
/// the password, the login, the collection (a calendar that takes tasks), sync-collection, the
/// server's clock; then what keptd's own syncs last said.
extension Doctor {
    func checkCalendar() async {
        guard let config, let raw = config.calendar.url else { return }
        guard let url = URL(string: raw), let host = url.host, let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            note(.calendar, "url", .fail, "calendar.url \(raw.debugDescription) is not an http(s) URL", fix: "calendar.url: https://dav.example.org/you/kept/")
            return
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let addresses = Self.resolveHost(host, port: port)
        guard !addresses.isEmpty else {
            note(.calendar, "dns", .fail, "\(host) does not resolve: the calendar cannot be reached", fix: "check the host name in calendar.url, and your DNS (getent hosts \(host))")
            return
        }
        switch Self.connect(addresses, seconds: options.probeSeconds) {
        case .success: ok(.calendar, "connect", "\(host):\(port) answers (\(addresses.count) address\(addresses.count == 1 ? "" : "es"))")
        case .failure(let why):
            note(.calendar, "connect", .fail, "\(host):\(port) does not take connections: \(why)",
                 fix: "is the server up? curl -sI \(Self.quoted(raw)) (keptd keeps every change and sends it when the server is back)")
            return
        }
        let password = calendarPassword(config.calendar)
        if config.calendar.username != nil, password == nil { return }

        let client = CalDAVClient(collection: url.hasDirectoryPath ? url : url.appendingPathComponent(""), username: config.calendar.username, password: password)
        defer { Task { await client.close() } }
        let answer: CalDAVClient.Answer
        do {
            answer = try await client.send("PROPFIND", client.collection, headers: [CalDAVClient.xml, ("Depth", "0")], body: """
                <?xml version="1.0" encoding="utf-8"?>
                <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:resourcetype/><d:supported-report-set/>\
                <c:supported-calendar-component-set/></d:prop></d:propfind>
                """)
        } catch {
            let said = (error as? CalDAVProblem)?.message ?? "\(error)"
            if scheme == "https", said.localizedCaseInsensitiveContains("certificate") || said.localizedCaseInsensitiveContains("handshake") || said.contains("SSL") {
                note(.calendar, "tls", .fail, "TLS with \(host) fails: its certificate is not one this machine trusts (self-signed, expired, or for another name)",
                     fix: "give the server a certificate from a trusted authority, or add its CA: cp CA.crt /usr/local/share/ca-certificates/ && update-ca-certificates")
            } else {
                note(.calendar, "request", .fail, "the calendar does not answer: \(Self.clip(said, 160))", fix: "curl -sI \(Self.quoted(raw)) shows what the server says")
            }
            return
        }
        if scheme == "https" { ok(.calendar, "tls", "TLS with \(host): its certificate is trusted") }
        checkClock(answer.date)
        switch answer.status {
        case 401:
            note(.calendar, "login", .fail, "the server refused \(config.calendar.username.map { "calendar.username \($0)" } ?? "kept without a username") and its password (401 Unauthorized)",
                 fix: "put the right password in \(config.calendar.passwordFile.map(short) ?? "calendar.password_file") (printf '%s' 'PASSWORD' > FILE; chmod 600 FILE), then: systemctl --user reload keptd")
            return
        case 403:
            note(.calendar, "login", .fail, "the server lets \(config.calendar.username ?? "kept") in but not into \(url.path) (403 Forbidden)",
                 fix: "calendar.url: a calendar under your own home on the server")
            return
        case 404:
            ok(.calendar, "login", "the server takes \(config.calendar.username ?? "kept")'s login")
            note(.calendar, "collection", .warn, "\(url.path) does not exist yet: keptd makes it (a calendar for tasks) at its first sync")
            await checkLastSync()
            return
        case 207: break
        default:
            note(.calendar, "collection", .fail, "the calendar was answered \(answer.status)", fix: "curl -sI \(Self.quoted(raw)) shows what the server says")
            return
        }
        ok(.calendar, "login", "the server takes \(config.calendar.username ?? "kept")'s login")
        guard let me = Multistatus(answer.body)?.responses.first else {
            note(.calendar, "collection", .fail, "\(raw) did not answer as WebDAV: not a CalDAV server?", fix: "calendar.url: your CalDAV server's URL for a calendar")
            return
        }
        let types = (me.properties["resourcetype"] ?? "").split(separator: " ")
        guard types.contains("calendar") else {
            let what = types.contains("collection") ? "a collection but not a calendar (a calendar home?)" : "not a calendar"
            note(.calendar, "collection", .fail, "\(url.path) is \(what): kept's tasks go into a calendar of their own",
                 fix: "calendar.url: \(raw.hasSuffix("/") ? raw : raw + "/")kept/ — a calendar that does not exist yet, which keptd makes")
            return
        }
        let components = (me.properties["supported-calendar-component-set"] ?? "").split(separator: " ")
        if !components.isEmpty, !components.contains("VTODO") {
            note(.calendar, "collection", .fail, "\(url.path) is a calendar for \(components.joined(separator: ", ")) only: it does not take tasks (VTODO)",
                 fix: "calendar.url: a new calendar's URL, which keptd makes for tasks")
            return
        }
        ok(.calendar, "collection", "\(url.path) is a calendar that takes tasks")
        if (me.properties["supported-report-set"] ?? "").split(separator: " ").contains("sync-collection") {
            ok(.calendar, "sync-collection", "the server offers sync-collection: a sync reads only what changed")
        } else {
            note(.calendar, "sync-collection", .warn, "the server offers no sync-collection: every sync lists the whole calendar (slower, still correct)")
        }
        await checkLastSync()
    }

    /// The password keptd would use, checked; nil (said) when it cannot be had.
    private func calendarPassword(_ calendar: Config.Calendar) -> String? {
        var path = calendar.passwordFile
        var whence = "calendar.password_file"
        if path == nil, let credential = unit?.service["LoadCredential"], credential.hasPrefix("caldav-password:") {
            path = String(credential.dropFirst("caldav-password:".count).split(separator: " ").first ?? "")
            whence = "the unit's LoadCredential=caldav-password"
        }
        guard let path else {
            if calendar.username != nil {
                note(.calendar, "password", .fail, "calendar.username is set but there is no password (no calendar.password_file, no credential caldav-password)",
                     fix: "calendar.password_file: ~/.config/kept/caldav-password (printf '%s' 'PASSWORD' > it; chmod 600 it)")
            }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            note(.calendar, "password", .fail, "the password file \(short(path)) (\(whence)) cannot be read", fix: "printf '%s' 'PASSWORD' > \(Self.quoted(path)); chmod 600 \(Self.quoted(path))")
            return nil
        }
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            let fixed = options.fix ? chmod(path, 0o600) == 0 : nil
            note(.calendar, "password", fixed == true ? .ok : .fail, "the password file \(short(path)) can be read by others", fix: "chmod 600 \(Self.quoted(path))", mendable: true, fixed: fixed)
        } else {
            ok(.calendar, "password", "the password is in \(short(path)), yours alone")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    private func checkClock(_ date: String?) {
        guard let date, let theirs = Self.httpDate(date) else { return }
        let skew = theirs.seconds - Instant(Date()).seconds
        if abs(skew) <= 60 {
            ok(.calendar, "clock", "the server's clock agrees with ours (\(skew >= 0 ? "+" : "")\(skew) s)")
        } else {
            note(.calendar, "clock", .warn, "the server's clock is \(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") ours: a task ticked on the phone may be judged at the wrong time",
                 fix: "timedatectl set-ntp true, on whichever machine is off")
        }
    }

    /// What keptd's own syncs said last.
    private func checkLastSync() async {
        guard let calendar = status?.calendar else { return }
        let zone = Zone.current
        if let error = calendar.lastError {
            note(.calendar, "last-sync", .warn, "keptd's last sync failed\(calendar.lastErrorAt.map { " (" + zone.format($0) + ")" } ?? ""): \(Self.clip(error, 140)); \(calendar.pending) change\(calendar.pending == 1 ? "" : "s") waiting",
                 fix: "kept sync tries again now")
        } else if let last = calendar.lastSync {
            ok(.calendar, "last-sync", "keptd last synced \(zone.format(last)); \(calendar.pending) change\(calendar.pending == 1 ? "" : "s") waiting")
        } else {
            note(.calendar, "last-sync", .warn, "keptd has not synced yet", fix: "kept sync")
        }
    }

    /// An HTTP `Date` (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, is an RFC 5322
    /// date: read as a mail's is).
    static func httpDate(_ text: String) -> Instant? { MailDate.parse(text) }

    /// The addresses a host name resolves to.
    static func resolveHost(_ host: String, port: Int) -> [sockaddr_storage] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var out: [sockaddr_storage] = []
        var next = list
        while let info = next {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            }
            out.append(storage)
            next = info.pointee.ai_next
        }
        return out
    }

    /// A TCP connection to the first address that takes one, within `seconds`.
    static func connect(_ addresses: [sockaddr_storage], seconds: Int) -> Result<Void, ConnectFailure> {
        var why = "no address"
        for var address in addresses {
            let family = Int32(address.ss_family)
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            let started = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
            if started == 0 { return .success(()) }
            guard errno == EINPROGRESS else {
                why = String(cString: strerror(errno))
                continue
            }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, Int32(seconds * 1000)) == 1 else {
                why = "no answer within \(seconds) s"
                continue
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            if error == 0 { return .success(()) }
            why = String(cString: strerror(error))
        }
        return .failure(ConnectFailure(why: why))
    }

    struct ConnectFailure: Error, CustomStringConvertible {
        var why: String
        var description: String { why }
    }
}
