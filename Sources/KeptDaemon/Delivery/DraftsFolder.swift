import Foundation
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// The user's Drafts folder (`letters.drafts`), a Maildir their mail program drafts in and their
/// mail sync uploads: a letter goes in as a draft (`cur/…:2,D`), written the Maildir way (in
/// `tmp/`, fsynced, renamed). Its name is fixed per occurrence and store, so a letter already
/// there is never written twice.
struct DraftsFolder: Sendable {
    let root: String
    let storeTag: String

    init(root: String, storeID: String) {
        self.root = root
        self.storeTag = String(storeID.prefix(8))
    }

    func token(_ occ: OccurrenceID) -> String {
        "kept-letter-\(storeTag)-" + String(occ.description.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Whether the letter of `occ` is there (in `new/` or `cur/`, whatever its flags now).
    func holds(_ occ: OccurrenceID) -> Bool {
        let token = "." + token(occ) + "."
        return ["new", "cur"].contains { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).contains { $0.contains(token) }
        }
    }

    /// Puts the letter there as a draft; the path it has.
    func put(_ message: String, for occ: OccurrenceID, now: Instant) throws(DeliveryError) -> String {
        try MaildirChannel.prepare(root)
        let host = ProcessInfo.processInfo.hostName.map { $0 == "/" || $0 == ":" ? "_" : $0 }.reduce(into: "") { $0.append($1) }
        return try MaildirChannel.write(message, into: root, as: "cur/\(now.seconds).\(token(occ)).\(host):2,D")
    }
}
