import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server on loopback (Debian's python3-aiosmtpd) that saves each message it accepts,
/// with its envelope, as one JSON file; and msmtp set up to hand mail to it.
final class SMTPSink {
    let folder: String
    let port: Int
    let msmtprc: String
    private var pid: pid_t?

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/msmtp")
            && Harness.execute("/usr/bin/python3", ["-c", "import aiosmtpd"]).code == 0
    }

    /// The login the server requires, if any (`dana` and `password`), and the password msmtp is given.
    let password: String?

    init(root: String, password: String? = nil) throws {
        folder = root + "/smtp"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        self.password = password
        msmtprc = root + "/msmtprc"
        let auth = password.map { "auth plain\nuser dana\npassword \($0)\n" } ?? "auth off\n"
        try "defaults\ntls off\ntimeout 10\naccount default\nhost 127.0.0.1\nport \(port)\nfrom kept@example.org\n\(auth)"
            .write(toFile: msmtprc, atomically: true, encoding: .utf8)
        chmod(msmtprc, 0o600)
    }

    /// msmtp given `password` from now on (the server's stays).
    func giveMsmtp(password given: String) throws {
        let text = try String(contentsOfFile: msmtprc, encoding: .utf8)
        try text.replacingOccurrences(of: "password \(password ?? "")\n", with: "password \(given)\n").write(toFile: msmtprc, atomically: true, encoding: .utf8)
        chmod(msmtprc, 0o600)
    }

    deinit { stop() }

    func start() throws {
        pid = try Harness.spawnDetached(["/usr/bin/python3", "-c", Self.server, folder, String(port)] + (password.map { [$0] } ?? []))
        guard Harness.eventually(seconds: 20, { self.listening }) else { throw HarnessError("the SMTP server did not start") }
    }

    func stop() {
        if let pid { Harness.stopDetached(pid) }
        pid = nil
    }

    var listening: Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func freePort() throws -> Int {
        let bound = try boundPort()
        close(bound.fd)
        return bound.port
    }

    /// A loopback port bound and never listened on, held by `fd` until it is closed: a connection
    /// to it is refused, and no other program can take it meanwhile.
    static func boundPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else {
            close(fd)
            throw HarnessError("no free port")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// What the server accepted, parsed by Python's email package, oldest first.
    struct Received: Decodable {
        var mailFrom: String
        var rcptTos: [String]
        /// Header names and (RFC 2047-decoded) values, in order.
        var headers: [[String]]
        var body: String
        /// The raw lines as they came over SMTP.
        var longestLine: Int
        var raw: String

        func header(_ name: String) -> [String] { headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] } }
    }

    func received() throws -> [Received] {
        let r = Harness.execute("/usr/bin/python3", ["-c", Self.reader, folder])
        guard r.code == 0 else { throw HarnessError("reading the SMTP folder failed: \(r.stderr)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Received].self, from: Data(r.stdout.utf8))
    }

    func waitForReceived(_ count: Int, seconds: Double = 30) throws -> [Received] {
        _ = Harness.eventually(seconds: seconds) {
            ((try? FileManager.default.contentsOfDirectory(atPath: self.folder)) ?? []).filter { $0.hasSuffix(".json") }.count >= count
        }
        return try received()
    }

    static let server = """
        import asyncio, base64, json, os, signal, sys, time, warnings
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword
        warnings.simplefilter("ignore")
        folder, port = sys.argv[1], int(sys.argv[2])
        password = sys.argv[3].encode() if len(sys.argv) > 3 else None
        def login(server, session, envelope, mechanism, data):
            return AuthResult(success=isinstance(data, LoginPassword) and data.login == b"dana" and data.password == password)
        class Save:
            async def handle_DATA(self, server, session, envelope):
                record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                          "data": base64.b64encode(envelope.original_content).decode()}
                name = "%d" % time.time_ns()
                with open(os.path.join(folder, "." + name), "w") as f:
                    json.dump(record, f)
                os.rename(os.path.join(folder, "." + name), os.path.join(folder, name + ".json"))
                return "250 OK"
        if password is None:
            controller = Controller(Save(), hostname="127.0.0.1", port=port, decode_data=False)
        else:
            controller = Controller(Save(), hostname="127.0.0.1", port=port, decode_data=False,
                                    authenticator=login, auth_required=True, auth_require_tls=False)
        controller.start()
        signal.sigwait([signal.SIGTERM, signal.SIGINT])
        controller.stop()
        """

    static let reader = """
        import base64, email, email.header, email.policy, json, os, sys
        folder = sys.argv[1]
        out = []
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
            record = json.load(open(os.path.join(folder, name)))
            raw = base64.b64decode(record["data"])
            msg = email.message_from_bytes(raw, policy=email.policy.compat32)
            headers = [[k, str(email.header.make_header(email.header.decode_header(v)))] for k, v in msg.items()]
            body = msg.get_payload(decode=True).decode("utf-8").replace("\\r\\n", "\\n")
            out.append({"mail_from": record["mail_from"], "rcpt_tos": record["rcpt_tos"], "headers": headers,
                        "body": body, "longest_line": max(len(l) for l in raw.split(b"\\r\\n")),
                        "raw": raw.decode("utf-8", "replace")})
        print(json.dumps(out))
        """
}
