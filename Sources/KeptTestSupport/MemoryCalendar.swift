import KeptCore
import Synchronization

/// A CalDAV calendar in memory with a server's habits, for fast tests of the calendar sync:
/// every write gets a new ETag, a write over a stale ETag (or one that would make what exists)
/// is refused with 412, sync-collection answers from a token until the server forgets its
/// tokens, and a phone can tick, move, edit or delete a task between two syncs — or just
/// before kept's next write of it.
public final class MemoryCalendar: CalDAVTransport {
    /// One object on the server.
    public struct Object: Sendable, Equatable {
        public var ics: String
        public var etag: String
    }

    private struct State {
        var exists = false
        var objects: [String: Object] = [:]
        /// Each change's href, in order: a sync token is a position in it.
        var log: [String] = []
        /// Tokens before this position are no longer taken (403 valid-sync-token).
        var forgottenBefore = 0
        var etags = 0
        var requests: [String] = []
        var failAfter: Int?
        var beforeNextPut: [String: @Sendable (inout String) -> Void] = [:]
        var refusing: Set<String> = []
        var dataAsked = 0
        var unreadableData = false
    }

    private let state = Mutex(State())
    /// The collection's path, with a trailing slash.
    public let path: String
    /// Whether the server offers sync-collection.
    public let supportsSync: Bool
    /// Whether sync-collection's answer holds the changed objects' data (as Radicale's does), or
    /// their ETags alone (as Xandikos's does).
    public let dataWithChanges: Bool

    public init(path: String = "/dana/kept/", supportsSync: Bool = true, dataWithChanges: Bool = false) {
        self.path = path
        self.supportsSync = supportsSync
        self.dataWithChanges = dataWithChanges
    }

    // MARK: What the test sees and does

    /// The objects by href.
    public var objects: [String: Object] { state.withLock { $0.objects } }
    /// Each request kept made, by kind (`PROPFIND`, `LIST`, `REPORT sync`, `GET n`, `PUT href`, `MKCALENDAR`).
    public var requests: [String] { state.withLock { $0.requests } }
    public func clearRequests() { state.withLock { $0.requests = [] } }
    /// How many sync-collection requests asked for the changed objects' data.
    public var dataAsked: Int { state.withLock { $0.dataAsked } }
    /// From now on the data given with the changes is not a calendar (calendar-multiget's stays right).
    public func giveUnreadableData() { state.withLock { $0.unreadableData = true } }

    /// The object whose UID line is `uid`.
    public func object(uid: String) -> (href: String, object: Object)? {
        state.withLock { s in s.objects.first { $0.value.ics.contains("\r\nUID:\(uid)\r\n") }.map { ($0.key, $0.value) } }
    }

    /// A client changes the object of `uid`: its text goes through `change`, with a new ETag.
    public func phone(_ uid: String, _ change: (inout String) -> Void) {
        guard let (href, object) = object(uid: uid) else { return }
        var ics = object.ics
        change(&ics)
        state.withLock { s in Self.store(&s, href, ics) }
    }

    /// A client deletes the object of `uid`.
    public func delete(_ uid: String) {
        guard let (href, _) = object(uid: uid) else { return }
        state.withLock { s in
            s.objects[href] = nil
            s.log.append(href)
        }
    }

    /// Just before kept's next write to the object of `uid`, a client changes it: that write is
    /// answered 412.
    public func phoneBeforeNextWrite(_ uid: String, _ change: @escaping @Sendable (inout String) -> Void) {
        guard let (href, _) = object(uid: uid) else { return }
        state.withLock { $0.beforeNextPut[href] = change }
    }

    /// The whole calendar is deleted (on a client, or by the server's keeper), tasks and tokens.
    public func removeCalendar() {
        state.withLock { s in
            s.exists = false
            s.objects = [:]
            s.forgottenBefore = s.log.count
        }
    }

    /// The server forgets every sync token it gave.
    public func forgetTokens() { state.withLock { $0.forgottenBefore = $0.log.count } }

    /// After `n` more requests, every request fails as a dropped connection does.
    public func failAfter(_ n: Int?) { state.withLock { $0.failAfter = n } }

    /// Writes of objects whose text holds `text` are refused (data the server does not take).
    public func refuseWrites(containing text: String) { state.withLock { _ = $0.refusing.insert(text) } }

    // MARK: The transport

    private func request(_ what: String) throws {
        try state.withLock { s in
            if let left = s.failAfter {
                if left <= 0 { throw CalDAVProblem("the connection to the server was lost") }
                s.failAfter = left - 1
            }
            s.requests.append(what)
        }
    }

    public func collection() async throws -> CalDAVCollection {
        try request("PROPFIND")
        return state.withLock { s in s.exists ? .calendar(syncToken: supportsSync ? "t\(s.log.count)" : nil) : .missing }
    }

    public func makeCalendar() async throws {
        try request("MKCALENDAR")
        state.withLock { $0.exists = true }
    }

    public func changes(since token: String, withData: Bool) async throws -> CalDAVChanges? {
        try request("REPORT sync")
        if withData { state.withLock { $0.dataAsked += 1 } }
        return state.withLock { s in
            guard supportsSync, s.exists, token.hasPrefix("t"), let from = Int(token.dropFirst()), from >= s.forgottenBefore, from <= s.log.count
            else { return nil }
            var members: [CalDAVMember] = []
            var objects: [CalDAVObject] = []
            for href in Set(s.log[from...]).sorted() {
                members.append(CalDAVMember(href: href, etag: s.objects[href]?.etag, removed: s.objects[href] == nil))
                if dataWithChanges, withData, let object = s.objects[href] {
                    objects.append(CalDAVObject(href: href, etag: object.etag, ics: s.unreadableData ? "<html>busy</html>" : object.ics))
                }
            }
            return CalDAVChanges(token: "t\(s.log.count)", members: members, objects: objects)
        }
    }

    public func listing() async throws -> [CalDAVMember] {
        try request("LIST")
        return state.withLock { s in
            [CalDAVMember(href: path, etag: nil)] + s.objects.sorted { $0.key < $1.key }.map { CalDAVMember(href: $0.key, etag: $0.value.etag) }
        }
    }

    public func objects(_ hrefs: [String]) async throws -> [CalDAVObject] {
        guard !hrefs.isEmpty else { return [] }
        try request("GET \(hrefs.count)")
        return state.withLock { s in
            hrefs.compactMap { href in s.objects[href].map { CalDAVObject(href: href, etag: $0.etag, ics: $0.ics) } }
        }
    }

    public func put(_ href: String, _ ics: String, ifMatch etag: String?) async throws -> CalDAVWrite {
        try request("PUT \(href)")
        return state.withLock { s in
            if let change = s.beforeNextPut.removeValue(forKey: href), var theirs = s.objects[href]?.ics {
                change(&theirs)
                Self.store(&s, href, theirs)
            }
            if s.refusing.contains(where: { ics.contains($0) }) { return .refused("refused (403 valid-calendar-data)") }
            switch (etag, s.objects[href]) {
            case (nil, .some): return .changedMeanwhile
            case (.some, nil): return .changedMeanwhile
            case (.some(let wanted), .some(let held)) where wanted != held.etag: return .changedMeanwhile
            default:
                Self.store(&s, href, ics)
                return .stored(etag: s.objects[href]?.etag)
            }
        }
    }

    public func close() async {}

    private static func store(_ s: inout State, _ href: String, _ ics: String) {
        s.etags += 1
        s.objects[href] = Object(ics: ics, etag: "\"e\(s.etags)\"")
        s.log.append(href)
    }
}
