/// What kept knows of the CalDAV collection it publishes to: each task it wrote there (its href,
/// ETag, SEQUENCE and what kept owns of it, as written) and the collection's sync token.
///
/// What is still to be written is not kept as a queue: it is the difference between the tasks
/// the store calls for now (`Engine.calendarTasks`) and these — so nothing waiting for a server
/// that is down is lost, and a restart recomputes exactly what is left.
public struct CalendarState: Codable, Sendable, Equatable {
    /// The collection's URL these tasks are on; another URL starts over.
    public var collection: String
    /// RFC 6578's token after the last sync, where the server has sync-collection.
    public var syncToken: String?
    /// By UID.
    public var tasks: [String: Published]
    public var lastSync: Instant?

    public init(collection: String) { self.collection = collection; self.tasks = [:] }

    /// One task as kept last wrote it, or last saw it.
    public struct Published: Codable, Sendable, Equatable {
        /// The resource's path on the server (`/dana/kept/kept-1.14.3-STORE.ics`).
        public var href: String
        /// Nil when the server did not say: it is read back before the next write.
        public var etag: String?
        public var sequence: Int
        /// What kept owns (summary, description, due, status), as written.
        public var owned: CalendarTask.Owned
        /// The server no longer has it (deleted on a client): it is put back if still wanted.
        public var gone: Bool?

        public init(href: String, etag: String?, sequence: Int, owned: CalendarTask.Owned, gone: Bool? = nil) {
            self.href = href; self.etag = etag; self.sequence = sequence; self.owned = owned; self.gone = gone
        }
    }
}
