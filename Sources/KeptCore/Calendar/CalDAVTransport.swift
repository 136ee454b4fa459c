/// What a calendar sync asks of a CalDAV server, as types.
///
/// The daemon's transport speaks WebDAV over HTTP (`CalDAVClient`: PROPFIND, MKCALENDAR,
/// sync-collection, calendar-multiget, PUT with If-Match); the tests' keeps a calendar in memory
/// with a server's habits (ETags, sync tokens it may forget, 412 on a stale write). Everything
/// the sync decides is decided over these answers (`CalendarReconciler`).
public protocol CalDAVTransport: Sendable {
    /// The collection: missing, or a calendar with its sync token. Throws a `CalDAVProblem` when
    /// it is something else or kept may not use it.
    func collection() async throws -> CalDAVCollection
    /// Makes the collection, for tasks.
    func makeCalendar() async throws
    /// What changed since `token` (RFC 6578), with the changed objects' data if `withData` and
    /// the server gives it; nil when the server no longer takes the token.
    func changes(since token: String, withData: Bool) async throws -> CalDAVChanges?
    /// Every member and its ETag.
    func listing() async throws -> [CalDAVMember]
    /// The objects at these hrefs, as the server holds them; an href it no longer has is left out.
    func objects(_ hrefs: [String]) async throws -> [CalDAVObject]
    /// Writes one object over the version `etag` names, or only where there is none (`etag` nil).
    func put(_ href: String, _ ics: String, ifMatch etag: String?) async throws -> CalDAVWrite
    /// Lets go of connections; the transport is not used again.
    func close() async
}

/// The collection as the server describes it.
public enum CalDAVCollection: Sendable, Equatable {
    case missing
    /// A calendar; `syncToken` nil where the server has no sync-collection.
    case calendar(syncToken: String?)
}

/// One member of the collection as a listing or sync-collection names it.
public struct CalDAVMember: Sendable, Equatable {
    public var href: String
    public var etag: String?
    /// Removed since the token (sync-collection's 404).
    public var removed: Bool

    public init(href: String, etag: String?, removed: Bool = false) {
        self.href = href
        self.etag = etag
        self.removed = removed
    }
}

/// sync-collection's answer: the members changed or removed, and the collection's new token.
public struct CalDAVChanges: Sendable, Equatable {
    public var token: String?
    public var members: [CalDAVMember]
    /// The changed members' objects where the server gave them with its answer (when asked for
    /// calendar-data, Radicale and sabre/dav give it, Xandikos does not): what a client changed is
    /// then read without a second request.
    public var objects: [CalDAVObject]

    public init(token: String?, members: [CalDAVMember], objects: [CalDAVObject] = []) {
        self.token = token
        self.members = members
        self.objects = objects
    }
}

/// One object as the server holds it.
public struct CalDAVObject: Sendable, Equatable {
    public var href: String
    public var etag: String?
    public var ics: String

    public init(href: String, etag: String?, ics: String) {
        self.href = href
        self.etag = etag
        self.ics = ics
    }
}

/// How the server took a write.
public enum CalDAVWrite: Sendable, Equatable {
    /// Stored; the new ETag where the server said it.
    case stored(etag: String?)
    /// Changed (or made) by someone else since the version the write named: 412.
    case changedMeanwhile
    /// Refused for this object alone (its data, its UID): the sync says so and goes on.
    case refused(String)
}

/// A calendar that could not be used, in words the user can act on; the sync stops and tries
/// again at the next.
public struct CalDAVProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
