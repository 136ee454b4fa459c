/// The decisions of one calendar sync, made over what kept last wrote and what the server
/// answers — no I/O here: `CalendarSync` asks the server, hands the answers in, and carries out
/// what comes back.
///
/// A sync is: learn what changed on the server (`changed(by:)` or `changed(in:)`); read those
/// tasks and let the Engine judge what a client did (`read(_:etag:wanted:)`); then write every
/// task whose text kept owns differs from the server's (`needsWrite`, `attempt`, `written`).
/// What it learns and writes is gathered in `updates`, for the store, as it goes.
public struct CalendarReconciler: Sendable {
    /// What kept had written to this collection when the sync began, by UID: the store's own
    /// dictionary, read and never written here (a write would copy every task).
    private let recorded: [String: CalendarState.Published]
    /// What this sync has learned or written since, by UID.
    private var learned: [String: CalendarState.Published] = [:]
    /// What changed since `takeUpdates()` last emptied it.
    public private(set) var updates: [String: CalendarState.Published] = [:]
    /// The collection's path, with a trailing slash: new tasks are written below it.
    public let collectionPath: String
    /// Every task's path, for an href not named as kept names its files; made at the first such href.
    private var uidOfPath: [String: String]?

    public init(published: [String: CalendarState.Published], collectionPath: String) {
        recorded = published
        self.collectionPath = collectionPath.hasSuffix("/") ? collectionPath : collectionPath + "/"
    }

    /// The UIDs of the tasks this sync has learned anything of (read in step, gone, written):
    /// what the sync judges again of a plan decided before.
    public var learnedUIDs: Dictionary<String, CalendarState.Published>.Keys { learned.keys }

    /// The task kept wrote under this UID, as far as this sync knows.
    public func published(_ uid: String) -> CalendarState.Published? {
        learned.isEmpty ? recorded[uid] : learned[uid] ?? recorded[uid]
    }

    /// The UID of kept's task at `href`; nil for anything kept did not write.
    public mutating func uid(at href: String) -> String? {
        let path = Self.path(href)
        // kept names a task's file after its UID, "@" written "-" (`CalendarTask.fileName`): the
        // UID is read back from the name and checked against where kept wrote it.
        if path.hasPrefix(collectionPath), path.hasSuffix(".ics") {
            let name = path.dropFirst(collectionPath.count).dropLast(4)
            for uid in Self.uids(named: name) where published(uid).map({ Self.path($0.href) == path }) == true { return uid }
        }
        if uidOfPath == nil {
            uidOfPath = [:]
            for (uid, task) in recorded where learned.isEmpty || learned[uid] == nil { index(task.href, of: uid) }
            for (uid, task) in learned { index(task.href, of: uid) }
        }
        return uidOfPath?[path]
    }

    /// An href in the index of every href, once that is made; the first UID found there keeps it.
    private mutating func index(_ href: String, of uid: String) {
        guard uidOfPath != nil else { return }
        let path = Self.path(href)
        if uidOfPath?[path] == nil { uidOfPath?[path] = uid }
    }

    /// The UIDs a file of this name can be kept's task for: the name itself, then the name with
    /// one "-" read as the "@" it stands for, from the last "-" back (kept's own end in `@kept`).
    /// A name with more than a few is not kept's: the index of every href answers for it.
    static func uids(named name: Substring) -> [String] {
        var uids = [String(name)]
        var i = name.endIndex
        while uids.count <= 8, let dash = name[..<i].lastIndex(of: "-") {
            uids.append(String(name[..<dash]) + "@" + name[name.index(after: dash)...])
            i = dash
        }
        return uids
    }

    /// What a sync must read and what clients deleted.
    public struct Changed: Sendable, Equatable {
        /// UIDs whose server copy differs from the one kept last saw.
        public var read: [String] = []
        /// UIDs the server no longer has.
        public var gone: Set<String> = []
    }

    /// From sync-collection's answer: members changed since the token, and those removed.
    public mutating func changed(by members: [CalDAVMember]) -> Changed {
        var changed = Changed()
        for member in members {
            guard let uid = uid(at: member.href) else { continue }
            if member.removed {
                changed.gone.insert(uid)
            } else if member.etag != published(uid)?.etag {
                changed.read.append(uid)
            }
        }
        return changed
    }

    /// From a full listing: members whose ETag is not the one kept has (or that came back after
    /// being deleted), and kept's tasks that are not listed.
    public mutating func changed(in listing: [CalDAVMember]) -> Changed {
        var changed = Changed()
        var seen: Set<String> = []
        for member in listing {
            guard let uid = uid(at: member.href) else { continue }
            seen.insert(uid)
            let task = published(uid)
            if member.etag != task?.etag || task?.gone == true { changed.read.append(uid) }
        }
        for (uid, task) in recorded where (learned.isEmpty || learned[uid] == nil) && !seen.contains(uid) && task.gone != true {
            changed.gone.insert(uid)
        }
        for (uid, task) in learned where !seen.contains(uid) && task.gone != true {
            changed.gone.insert(uid)
        }
        return changed
    }

    /// The hrefs of these tasks, to read them.
    public func hrefs(_ uids: [String]) -> [String] { uids.compactMap { published($0)?.href } }

    /// A task read from the server, after the Engine judged it. Its ETag is taken once the server
    /// holds what kept owns (`wanted` as the store now calls for it): if this sync ends before
    /// kept writes its text back, the next one reads it again and judges it again.
    public mutating func read(_ uid: String, etag: String?, holds server: VTodo, wanted: CalendarTask?) {
        if let wanted, !wanted.owned.matches(server) { return }
        guard var task = published(uid) else { return }
        task.etag = etag
        task.gone = nil
        learn(uid, task)
    }

    private mutating func learn(_ uid: String, _ task: CalendarState.Published) {
        learned[uid] = task
        updates[uid] = task
        index(task.href, of: uid)
    }

    /// Tasks a client deleted.
    public mutating func deleted(_ uids: Set<String>) {
        for uid in uids {
            guard var task = published(uid) else { continue }
            task.gone = true
            learn(uid, task)
        }
    }

    /// Whether `task` is to be written: it differs from the server's copy read in this sync
    /// (`server`), or, unread, from what kept last wrote; it is new; or a client deleted it —
    /// unless it is finished ("clear completed" on a phone stays cleared).
    public func needsWrite(_ task: CalendarTask, server: VTodo?) -> Bool {
        Self.needsWrite(task, last: published(task.uid), server: server)
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
        let last = published(task.uid)
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
        let restored = published(task.uid)?.gone == true
        learn(task.uid, CalendarState.Published(href: attempt.href, etag: etag, sequence: attempt.sequence, owned: task.owned))
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
