import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kept doctor` against the real parts: a `systemd --user` manager with kept installed by its
/// install script, journald, msmtp into a loopback SMTP server that wants a login, Radicale with a
/// password, a `.forward`. A healthy set-up shows only ✓; then each part is broken for real, one
/// at a time, and the doctor names it with its fix (and mends what `--fix` may).
@Suite(.serialized, .enabled(if: UserManager.available && SMTPSink.available)) struct DoctorTests {
    struct Finding: Decodable {
        var section: String
        var check: String
        var status: String
        var message: String
        var fix: String?
        var mendable: Bool?
        var fixed: Bool?
    }

    struct Report: Decodable {
        var ok: Bool
        var checks: [Finding]
    }

    static func doctor(_ m: UserManager, _ args: String...) throws -> (code: Int32, report: Report, checks: [String: Finding]) {
        let r = Harness.execute(m.home + "/.local/bin/kept", ["doctor", "--json"] + args, environment: m.env)
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        return (r.code, report, Dictionary(report.checks.map { ($0.check, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    static let lingerFile = "/var/lib/systemd/linger/" + String(cString: getpwuid(getuid())!.pointee.pw_name)

    @Test func aHealthySetUpShowsOnlyChecksAndEachBrokenPartIsNamedWithItsFix() async throws {
        try await Journald.using {
            let m = try UserManager()
            defer { m.shutdown() }
            try m.install()
            // Lingering on for the test's user (and back as it was after).
            let lingered = FileManager.default.fileExists(atPath: Self.lingerFile)
            try FileManager.default.createDirectory(atPath: "/var/lib/systemd/linger", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: Self.lingerFile, contents: nil)
            defer { if !lingered { unlink(Self.lingerFile) } }

            let smtp = try SMTPSink(root: m.root, password: "right one")
            try smtp.start()
            let radicale = try CalDAVEndToEndTests.Server("radicale", root: m.root)
            try radicale.start()
            defer { radicale.stop() }
            let secret = m.home + "/.config/kept/caldav-password"
            try FileManager.default.createDirectory(atPath: m.home + "/.config/kept", withIntermediateDirectories: true)
            func writeSecret(_ text: String) throws {
                try text.write(toFile: secret, atomically: true, encoding: .utf8)
                chmod(secret, 0o600)
            }
            try writeSecret(radicale.password)
            let watch = m.home + "/.local/share/kept/replies"
            for part in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: watch + "/" + part, withIntermediateDirectories: true) }
            try "\"|\(m.home)/.local/bin/kept mail ingest\"\n".write(toFile: m.home + "/.forward", atomically: true, encoding: .utf8)
            func config(watch: String, calendar: String = radicale.collection) -> String {
                """
                channels:
                  email:
                    enabled: true
                    to: [dana@example.org]
                    from: "kept <kept@example.org>"
                    sendmail: [/usr/bin/msmtp, -C, \(smtp.msmtprc)]
                reply:
                  address: dana+kept@example.org
                  from: [dana@example.org]
                  watch: \(watch)
                letters:
                  drafts: \(m.home)/.local/share/kept/Drafts
                calendar:
                  url: \(calendar)
                  username: \(radicale.user)
                  password_file: \(secret)
                """
            }
            let configFile = m.home + "/.config/kept/config.yaml"
            try config(watch: watch).write(toFile: configFile, atomically: true, encoding: .utf8)
            #expect(m.systemctl("enable", "--now", "keptd.socket", "keptd.service").code == 0)
            #expect(m.kept("open", "Acme Corp", "Invoice sent with the wrong amounts").code == 0)
            #expect(m.kept("sync").code == 0)

            // Healthy: every check ✓, exit 0; the test message went through both channels.
            var (code, report, checks) = try Self.doctor(m, "--send-test")
            let notOK = report.checks.filter { $0.status != "ok" }.map { "\($0.check): \($0.message)" }
            #expect(code == 0 && report.ok, "\(notOK)")
            #expect(notOK.isEmpty)
            for check in ["units", "enabled", "active", "linger", "version", "zone", "config", "store", "space", "journal", "maildir", "drafts",
                          "sendmail", "msmtp-config", "send-maildir", "send-email", "address", "key", "watch", "forward", "round-trip",
                          "connect", "login", "collection", "sync-collection", "clock", "last-sync"] {
                #expect(checks[check] != nil, "no \(check) check")
            }
            #expect(checks["round-trip"]?.message.contains("1.1") == true, "\(checks["round-trip"]?.message ?? "")")
            #expect(try smtp.waitForReceived(1).first?.header("Subject") == ["kept doctor: a test message"])
            // The round trip was a dry run: the apology is still open, and no answer was queued.
            let shown = m.kept("show", "1")
            #expect(shown.stdout.contains("1.1") && !shown.stdout.contains("done"), "\(shown.stdout)")
            // The human report: one line each, a section a heading.
            let human = m.kept("doctor")
            #expect(human.code == 0)
            #expect(human.stdout.contains("\nService\n  ✓ ") && human.stdout.hasSuffix("Everything checks out.\n"), "\(human.stdout)")

            // Lingering off.
            unlink(Self.lingerFile)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1)
            #expect(checks["linger"]?.status == "fail")
            #expect(checks["linger"]?.fix?.hasPrefix("loginctl enable-linger ") == true)
            _ = FileManager.default.createFile(atPath: Self.lingerFile, contents: nil)

            // The store's folder open to others: named, then mended by --fix.
            // (systemd before 254 puts a user unit's state folder in ~/.config: ask keptd.)
            let status = try #require(try JSONSerialization.jsonObject(with: Data(m.kept("status", "--json").stdout.utf8)) as? [String: Any])
            let state = try #require((status["store"] as? String).map { ($0 as NSString).deletingLastPathComponent })
            chmod(state, 0o755)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["store-folder"]?.status == "fail")
            #expect(checks["store-folder"]?.fix == "chmod 700 \(state)")
            (code, _, checks) = try Self.doctor(m, "--fix")
            #expect(code == 0 && checks["store-folder"]?.fixed == true)
            var st = stat()
            #expect(stat(state, &st) == 0 && st.st_mode & 0o777 == 0o700)

            // msmtp with the wrong password: the test message is refused, and msmtp's verdict said.
            try smtp.giveMsmtp(password: "wrong one")
            (code, _, checks) = try Self.doctor(m, "--send-test")
            #expect(code == 1 && checks["send-email"]?.status == "fail")
            #expect(checks["send-email"]?.message.contains("msmtp exited") == true, "\(checks["send-email"]?.message ?? "")")
            #expect(checks["send-maildir"]?.status == "ok")
            try smtp.giveMsmtp(password: "right one")

            // A .forward naming a program that is not there.
            try "\"|/opt/nowhere/kept mail ingest\"\n".write(toFile: m.home + "/.forward", atomically: true, encoding: .utf8)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["forward"]?.status == "fail")
            #expect(checks["forward"]?.fix?.contains(m.home + "/.local/bin/kept mail ingest") == true, "\(checks["forward"]?.fix ?? "")")
            try "\"|\(m.home)/.local/bin/kept mail ingest\"\n".write(toFile: m.home + "/.forward", atomically: true, encoding: .utf8)

            // A watched folder outside what the unit may write: named; --fix writes the drop-in,
            // and after a restart the unit may write there.
            let outside = m.home + "/Mail/kept"
            for part in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: outside + "/" + part, withIntermediateDirectories: true) }
            try config(watch: outside).write(toFile: configFile, atomically: true, encoding: .utf8)
            #expect(m.systemctl("reload", "keptd.service").code == 0)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["watch"]?.status == "fail" && checks["watch"]?.mendable == true)
            #expect(checks["watch"]?.fix?.contains("ReadWritePaths=-\(outside)") == true)
            (code, _, checks) = try Self.doctor(m, "--fix")
            #expect(checks["watch"]?.fixed == true)
            #expect(m.property("ReadWritePaths").contains(outside))
            #expect(m.systemctl("restart", "keptd.service").code == 0)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 0 && checks["watch"]?.status == "ok", "\(checks["watch"]?.message ?? "")")

            // Radicale with the wrong password; then a calendar home instead of a calendar.
            try writeSecret("not the password")
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["login"]?.status == "fail")
            #expect(checks["login"]?.message.contains("401") == true)
            try writeSecret(radicale.password)
            let home = "http://127.0.0.1:\(radicale.port)/\(radicale.user)/"
            try config(watch: watch, calendar: home).write(toFile: configFile, atomically: true, encoding: .utf8)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["collection"]?.status == "fail")
            #expect(checks["collection"]?.fix?.contains(home + "kept/") == true, "\(checks["collection"]?.fix ?? "")")

            // A typo in the config: named with its file, line and column; nothing else checked on it.
            try "channels:\n  maildir:\n    enabeld: true\n".write(toFile: configFile, atomically: true, encoding: .utf8)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["config"]?.status == "fail")
            #expect(checks["config"]?.message.contains("\(configFile):3:5") == true, "\(checks["config"]?.message ?? "")")
            #expect(checks["maildir"] == nil)
            try config(watch: watch).write(toFile: configFile, atomically: true, encoding: .utf8)

            // keptd stopped, its socket too; then its units masked.
            #expect(m.systemctl("stop", "keptd.socket", "keptd.service").code == 0)
            (code, _, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["active"]?.status == "fail")
            #expect(checks["active"]?.fix == "systemctl --user start keptd.socket keptd.service")
            // Masked: a link to /dev/null where systemctl mask puts one when the unit file is
            // elsewhere (here the install script's units are in ~/.config/systemd/user).
            let masks = m.home + "/.config/systemd/user.control"
            try FileManager.default.createDirectory(atPath: masks, withIntermediateDirectories: true)
            for unit in ["keptd.service", "keptd.socket"] { try FileManager.default.createSymbolicLink(atPath: masks + "/" + unit, withDestinationPath: "/dev/null") }
            #expect(m.systemctl("daemon-reload").code == 0)
            #expect(m.property("LoadState") == "masked")
            (code, report, checks) = try Self.doctor(m)
            #expect(code == 1 && checks["units"]?.status == "fail", "\(report.checks.map { "\($0.check) \($0.status): \($0.message)" })")
            #expect(checks["units"]?.fix == "systemctl --user unmask keptd.service keptd.socket")
        }
    }
}

/// The calendar's checks against servers that fail in their own ways: one whose certificate
/// this machine does not trust, one that takes the connection and never answers, a port where
/// nothing listens. Each is named at its own step, with its fix.
@Suite(.serialized) struct DoctorCalendarTests {
    static func calendarChecks(_ h: Harness, url: String) throws -> [String: DoctorTests.Finding] {
        try h.writeConfig("calendar:\n  url: \(url)\n")
        let r = h.run(Harness.binaries + "/keptd", ["--doctor", "--json"])
        #expect(r.code == 1, "\(r.stdout) \(r.stderr)")
        let report = try JSONDecoder().decode(DoctorTests.Report.self, from: Data(r.stdout.utf8))
        return Dictionary(report.checks.filter { $0.section == "calendar" }.map { ($0.check, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func aCertificateNotTrustedASilentServerAndAClosedPortAreEachNamed() throws {
        let h = Harness()
        let port = try SMTPSink.freePort(), silentPort = try SMTPSink.freePort()
        // Held bound and not listening for the whole test: a port merely free at the start may be
        // taken by another suite's server by the time it is asked.
        let closed = try SMTPSink.boundPort()
        defer { close(closed.fd) }
        let closedPort = closed.port
        let made = Harness.execute("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", h.root + "/key.pem",
                                                        "-out", h.root + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                        "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.code == 0, "\(made.stderr)")
        let tls = try Harness.spawnDetached(["/usr/bin/python3", "-c", """
            import http.server, signal, ssl, sys, threading
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.BaseHTTPRequestHandler)
            server.socket = context.wrap_socket(server.socket, server_side=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            # SIGTERM may come blocked from the test runner: waited for, not handled.
            signal.sigwait([signal.SIGTERM, signal.SIGINT])
            """, String(port), h.root + "/cert.pem", h.root + "/key.pem"])
        defer { Harness.stopDetached(tls) }
        // Listens, so the connection is made by the kernel, and never reads or answers.
        let silent = try Harness.spawnDetached(["/usr/bin/python3", "-c", """
            import signal, socket, sys
            s = socket.socket()
            s.bind(("127.0.0.1", int(sys.argv[1])))
            s.listen(16)
            signal.sigwait([signal.SIGTERM, signal.SIGINT])
            """, String(silentPort)])
        defer { Harness.stopDetached(silent) }
        func listening(_ port: Int) -> Bool { Harness.execute("/bin/bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]).code == 0 }
        try #require(Harness.eventually { listening(port) && listening(silentPort) })

        var checks = try Self.calendarChecks(h, url: "https://127.0.0.1:\(port)/dana/kept/")
        #expect(checks["connect"]?.status == "ok")
        #expect(checks["tls"]?.status == "fail", "\(checks.values.map(\.message))")
        #expect(checks["tls"]?.fix?.contains("update-ca-certificates") == true)

        checks = try Self.calendarChecks(h, url: "http://127.0.0.1:\(silentPort)/dana/kept/")
        #expect(checks["connect"]?.status == "ok")
        #expect(checks["request"]?.status == "fail" && checks["request"]?.message.contains("did not answer PROPFIND") == true,
                "\(checks.values.map(\.message))")

        checks = try Self.calendarChecks(h, url: "http://127.0.0.1:\(closedPort)/dana/kept/")
        #expect(checks["connect"]?.status == "fail" && checks["connect"]?.message.contains("refused") == true, "\(checks.values.map(\.message))")
        #expect(checks["login"] == nil)
    }
}
