/// The decisions of one calendar sync, made over what kept last wrote and what the server
/// answers — no I/O here: `CalendarSync` asks the server, hands the answers in, and carries out
/// what comes back.
///
/// A sync is: learn what changed on the server (`changed(by:)` or `changed(in:)`); read those
/// tasks and let the Engine judge what a client did (`read(_:etag:wanted:)`); then write every
/// task whose text kept owns differs from the server's (`needsWrite`, `attempt`, `written`).
/// What it learns and writes is gathered in `updates`, for the store, as it goes.
public struct CalendarReconciler: Sendable {
    /// Each task kept wrote to this collection, by UID, as far as this sync knows.
    public private(set) var published: [String: CalendarState.Published]
    /// What changed in `published` since `takeUpdates()` last emptied it.
    public private(set) var updates: [String: CalendarState.Published] = [:]
    /// The collection's path, with a trailing slash: new tasks are written below it.
    public let collectionPath: String
    private let uidOfPath: [String: String]

    public init(published: [String: CalendarState.Published], collectionPath: String) {
        self.published = published
        self.collectionPath = collectionPath.hasSuffix("/") ? collectionPath : collectionPath + "/"
        uidOfPath = Dictionary(published.map { (Self.path($0.value.href), $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// The UID of kept's task at `href`; nil for anything kept did not write.
    public func uid(at href: String) -> String? { uidOfPath[Self.path(href)] }

    /// What a sync must read and what clients deleted.
    public struct Changed: Sendable, Equatable {
        /// UIDs whose server copy differs from the one kept last saw.
        public var read: [String] = []
        /// UIDs the server no longer has.
        public var gone: Set<String> = []
    }

    /// From sync-collection's answer: members changed since the token, and those removed.
    public func changed(by members: [CalDAVMember]) -> Changed {
        var changed = Changed()
        for member in members {
            guard let uid = uid(at: member.href) else { continue }
            if member.removed {
                changed.gone.insert(uid)
            } else if member.etag != published[uid]?.etag {
                changed.read.append(uid)
            }
        }
        return changed
    }

    /// From a full listing: members whose ETag is not the one kept has (or that came back after
    /// being deleted), and kept's tasks that are not listed.
    public func changed(in listing: [CalDAVMember]) -> Changed {
        var changed = Changed()
        var seen: Set<String> = []
        for member in listing {
            guard let uid = uid(at: member.href) else { continue }
            seen.insert(uid)
            if member.etag != published[uid]?.etag || published[uid]?.gone == true { changed.read.append(uid) }
        }
        for (uid, task) in published where !seen.contains(uid) && task.gone != true {
            changed.gone.insert(uid)
        }
        return changed
    }

    /// The hrefs of these tasks, to read them.
    public func hrefs(_ uids: [String]) -> [String] { uids.compactMap { published[$0]?.href } }

    /// A task read from the server, after the Engine judged it. Its ETag is taken once the server
    /// holds what kept owns (`wanted` as the store now calls for it): if this sync ends before
    /// kept writes its text back, the next one reads it again and judges it again.
    public mutating func read(_ uid: String, etag: String?, holds server: VTodo, wanted: CalendarTask?) {
        if let wanted, !wanted.owned.matches(server) { return }
        guard published[uid] != nil else { return }
        published[uid]?.etag = etag
        published[uid]?.gone = nil
        updates[uid] = published[uid]
    }

    /// Tasks a client deleted.
    public mutating func deleted(_ uids: Set<String>) {
        for uid in uids where published[uid] != nil {
            published[uid]?.gone = true
            updates[uid] = published[uid]
        }
    }

    /// Whether `task` is to be written: it differs from the server's copy read in this sync
    /// (`server`), or, unread, from what kept last wrote; it is new; or a client deleted it —
    /// unless it is finished ("clear completed" on a phone stays cleared).
    public func needsWrite(_ task: CalendarTask, server: VTodo?) -> Bool {
        Self.needsWrite(task, last: published[task.uid], server: server)
    }

    /// The same rule over what kept last wrote alone (`kept status`'s "changes waiting").
    public static func needsWrite(_ task: CalendarTask, last: CalendarState.Published?, server: VTodo? = nil) -> Bool {
        if last?.gone == true, task.owned.status != .needsAction { return false }
        if let server { return !task.owned.matches(server) }
        return last == nil || last?.gone == true || last?.owned != task.owned
    }

    /// How a task is written: where, over which version, with which SEQUENCE.
    public struct Attempt: Sendable, Equatable {
        public var href: String
        /// The version the write goes over; nil with `exists`: read it first.
        public var etag: String?
        /// Whether the server holds it (If-Match), or it is to be made (If-None-Match: *).
        public var exists: Bool
        /// Raised on each change, and above a client's own where one raised it.
        public var sequence: Int
    }

    /// The first attempt at writing `task`, over the copy read in this sync (`seen`) if any.
    public func attempt(_ task: CalendarTask, seen: (todo: VTodo, etag: String?)?) -> Attempt {
        let last = published[task.uid]
        let deleted = last?.gone == true
        return Attempt(href: last?.href ?? collectionPath + task.fileName,
                       etag: deleted ? nil : (seen?.etag ?? last?.etag),
                       exists: last != nil && !deleted,
                       sequence: max(last?.sequence ?? -1, seen?.todo.sequence ?? -1) + 1)
    }

    /// `task` is on the server as `attempt` wrote it (or as a client left it, matching), with
    /// this ETag. Whether it was put back after a client deleted it.
    @discardableResult
    public mutating func written(_ task: CalendarTask, _ attempt: Attempt, etag: String?) -> Bool {
        let restored = published[task.uid]?.gone == true
        let now = CalendarState.Published(href: attempt.href, etag: etag, sequence: attempt.sequence, owned: task.owned)
        published[task.uid] = now
        updates[task.uid] = now
        return restored
    }

    /// What was learned or written since the last call, for the store; empty after.
    public mutating func takeUpdates() -> [String: CalendarState.Published] {
        defer { updates = [:] }
        return updates
    }

    /// The token the sync records at its end — the one from before kept's own writes, so the
    /// next sync sees them with the ETags kept has — or nil (`.none`) when nothing is new:
    /// a sync that found nothing writes nothing.
    public static func tokenToRecord(_ token: String?, previous: String?, wroteTasks: Bool) -> String?? {
        token != previous || wroteTasks ? .some(token) : .none
    }

    /// An href as a path, percent-decoded, so that servers that write it either way match.
    public static func path(_ href: String) -> String {
        // Most are plain paths already, as kept wrote them.
        if !href.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return href
        }
        var bytes = Array(href.utf8)
        // `http://host:port/path` → `/path`
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: Array("://".utf8)) {
            let rest = bytes[(colon + 3)...]
            bytes = rest.firstIndex(of: UInt8(ascii: "/")).map { Array(rest[$0...]) } ?? Array("/".utf8)
        }
        if let end = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { bytes.removeSubrange(end...) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
