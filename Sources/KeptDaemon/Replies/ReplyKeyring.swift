import Crypto
import Foundation
import KeptCore

/// Each reminder's reply token: HMAC-SHA256 of its key under a secret made once and kept in the
/// state folder (`reply.key`, 0600). The token is 80 bits in base32, so `dana+kept-TOKEN@…` stays
/// a plain address; a reply without the right token for the reminder it answers changes nothing.
public struct ReplyKeyring: ReplySigner {
    let secret: [UInt8]
    /// `dana+kept` and `example.org` of `dana+kept@example.org`.
    let local: String, domain: String

    public init(secret: [UInt8], address: String) {
        self.secret = secret
        let at = address.lastIndex(of: "@") ?? address.endIndex
        local = String(address[..<at]).lowercased()
        domain = at < address.endIndex ? String(address[address.index(after: at)...]).lowercased() : ""
    }

    /// The keyring of the store in `folder`, its secret made on first use.
    public static func open(folder: String, address: String) throws(DaemonError) -> ReplyKeyring {
        let path = folder + "/reply.key"
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else { throw DaemonError("\(path): not a reply key (\(data.count) bytes, not 32); move it away and restart") }
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
                throw DaemonError("\(path) can be read by others; run: chmod 600 \(path)")
            }
            return ReplyKeyring(secret: Array(data), address: address)
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another process made it first: use that one.
            if errno == EEXIST { return try open(folder: folder, address: address) }
            throw DaemonError("cannot create \(path): \(errnoText())")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard written == 0, fsync(fd) == 0 else {
            unlink(path)
            throw DaemonError("cannot write \(path): \(errnoText(written == 0 ? errno : written))")
        }
        syncFolder(folder)
        return ReplyKeyring(secret: bytes, address: address)
    }

    public func address(for key: ReminderKey) -> String { "\(local)-\(token(for: key))@\(domain)" }

    public func logAddress(for target: LetterTarget) -> String { "\(local)-log-\(mac("kept-log/\(target)"))@\(domain)" }

    public func logToken(in address: String) -> String? { token(in: address, after: local + "-log-") }

    public func verify(logToken token: String, for target: LetterTarget) -> Bool {
        Self.same(mac("kept-log/\(target)"), token)
    }

    public func token(in address: String) -> String? { token(in: address, after: local + "-") }

    /// The 16 letters between `prefix` and `@domain` (a logging address's are not a reply token:
    /// `log-` and 16 letters are 20).
    func token(in address: String, after prefix: String) -> String? {
        let a = address.lowercased()
        guard a.hasSuffix("@" + domain), a.hasPrefix(prefix) else { return nil }
        let token = a.dropFirst(prefix.count).dropLast(domain.count + 1)
        return token.count == 16 ? String(token) : nil
    }

    public func verify(_ token: String, for key: ReminderKey) -> Bool {
        Self.same(self.token(for: key), token)
    }

    func token(for key: ReminderKey) -> String { mac("kept-reply/\(key)") }

    /// 80 bits of HMAC-SHA256 of `text` under the secret, in base32.
    func mac(_ text: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: secret))
        return Self.base32(Array(code.prefix(10)))
    }

    /// Compared in constant time.
    static func same(_ expected: String, _ given: String) -> Bool {
        let expected = Array(expected.utf8), given = Array(given.lowercased().utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// RFC 4648 base32, lower case, no padding: 10 bytes → 16 letters and digits.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var out = "", buffer = 0, bits = 0
        for b in bytes {
            buffer = buffer << 8 | Int(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[(buffer >> bits) & 31])
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}
