import Foundation
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes each reminder into a Maildir by the delivery protocol: a file in `tmp/`, fsynced, then
/// renamed into `new/` and the folder fsynced.
///
/// The file name is fixed per reminder (`SECONDS.K<store>_<key>.HOST`), so after a crash the channel
/// can see whether a reminder already landed, in `new/` or, read, in `cur/`, and never writes it twice.
public struct MaildirChannel: DeliveryChannel {
    public let name = ChannelName.maildir
    public let storeTag: String
    let host: String

    public init(storeID: String) {
        self.storeTag = String(storeID.prefix(8))
        self.host = ProcessInfo.processInfo.hostName.map { $0 == "/" || $0 == ":" ? "_" : $0 }.reduce(into: "") { $0.append($1) }
    }

    /// `3.2#1/due` → `K1a2b3c4d_3_2-1-due`
    func token(_ key: ReminderKey) -> String {
        "K" + storeTag + "_" + String(key.description.map { c -> Character in
            switch c {
            case ".": "_"
            case "#", "/": "-"
            default: c.isLetter || c.isNumber || c == "-" || c == "_" ? c : "_"
            }
        })
    }

    func fileName(_ entry: OutboxEntry) -> String {
        "\(entry.reminder.scheduled.seconds).\(token(entry.key)).\(host)"
    }

    /// Creates the Maildir's folders (`tmp`, `new`, `cur`) as needed.
    public static func prepare(_ root: String) throws(DeliveryError) {
        for dir in ["/tmp", "/new", "/cur"] {
            if let (folder, reason) = makeFolders(root + dir) { throw DeliveryError("cannot create \(folder): \(reason)") }
        }
    }

    public func deliver(_ entry: OutboxEntry, _ context: DeliveryContext) async throws(DeliveryError) {
        try Self.prepare(context.maildir)
        _ = try Self.write(entry.message, into: context.maildir, as: "new/" + fileName(entry))
    }

    /// The Maildir delivery protocol: written in `tmp/`, fsynced, renamed to `place` (`new/NAME`,
    /// or `cur/NAME:2,FLAGS`), the folder fsynced. Returns the file's path.
    static func write(_ message: String, into root: String, as place: String) throws(DeliveryError) -> String {
        let name = String(place.drop { $0 != "/" }.dropFirst())
        let folder = String(place.prefix { $0 != "/" })
        let tmp = root + "/tmp/" + name, final = root + "/" + place
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeliveryError("cannot create \(tmp): \(errnoText())") }
        var failure = Array(message.utf8).withUnsafeBytes { writeAll(fd, $0) }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure != 0 {
            unlink(tmp)
            throw DeliveryError("cannot write \(tmp): \(errnoText(failure))")
        }
        guard rename(tmp, final) == 0 else {
            let reason = errnoText()
            unlink(tmp)
            throw DeliveryError("cannot move the message into \(root)/\(folder): \(reason)")
        }
        syncFolder(root + "/" + folder)
        return final
    }

    public func alreadyDelivered(_ entry: OutboxEntry, _ context: DeliveryContext) async -> Bool {
        let root = context.maildir
        let token = "." + token(entry.key) + "."
        for folder in ["new", "cur"] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder) else { continue }
            if names.contains(where: { $0.contains(token) }) { return true }
        }
        return false
    }
}
