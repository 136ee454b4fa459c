import AsyncHTTPClient
import Foundation
import KeptCore
import NIOCore
import NIOHTTP1

/// The calendar over HTTP: the few WebDAV and CalDAV requests kept makes (RFC 4918, 4791, 6578)
/// with basic authentication, each answer read into the types the sync decides over.
///
/// Nothing is followed elsewhere: any redirect is an error, and every exchange — headers and
/// body — ends within `timeout`, so a slow or misdirecting server cannot stall the sync or
/// carry the user's tasks to another host.
struct CalDAVClient: CalDAVTransport {
    /// The calendar collection, with a trailing slash.
    let collection: URL
    let authorization: String?
    let http: HTTPClient
    static let timeout = TimeAmount.seconds(8)
    /// Answers larger than this are refused (a calendar of thousands of tasks is a few MB).
    static let maxBody = 64 * 1024 * 1024

    struct Answer: Sendable {
        var status: Int
        var etag: String?
        var body: Data
        var location: String? = nil
        /// The server's clock (`Date`), for `kept doctor`.
        var date: String? = nil
    }

    init(collection: URL, username: String?, password: String?) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        // A server that is down is said at once (and tried again at the next sync), not retried
        // until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        self.collection = collection
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        if let username, let password {
            authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    /// The URL of `href`: a path on the server (kept's own, not yet percent-encoded), or a file
    /// in the collection.
    func url(of href: String) -> URL {
        guard href.hasPrefix("/") else { return collection.appendingPathComponent(href) }
        var base = "\(collection.scheme ?? "http")://\(collection.host ?? "localhost")"
        if let port = collection.port { base += ":\(port)" }
        return URL(string: base + (href.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? href)) ?? collection
    }

    func send(_ method: String, _ url: URL, headers extra: [(String, String)] = [], body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "User-Agent", value: "kept/\(KeptVersion.current)")
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let server = "\(url.host ?? "the server"):\(url.port.map(String.init) ?? (url.scheme == "https" ? "443" : "80"))"
        let late = "the server at \(server) did not answer \(method) within \(Self.timeout.nanoseconds / 1_000_000_000) s"
        let answer: Answer
        let prepared = request
        do {
            answer = try await Self.within(Self.timeout, late) {
                let response = try await http.execute(prepared, deadline: .now() + Self.timeout)
                let bytes = try await response.body.collect(upTo: Self.maxBody)
                return Answer(status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                              body: Data(bytes.readableBytesView), location: response.headers.first(name: "Location"),
                              date: response.headers.first(name: "Date"))
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw CalDAVProblem(late)
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw CalDAVProblem("could not connect to \(server) within 5 s")
        }
        // Never followed, for any request: a write sent elsewhere would carry the user's tasks to
        // another host, and a read from elsewhere is not the calendar kept was given.
        if (300..<400).contains(answer.status) {
            throw CalDAVProblem("the server redirects \(method) \(url.path) to \(answer.location ?? "nowhere") (\(answer.status)); kept follows no redirect — if the calendar is there, set calendar.url to it")
        }
        return answer
    }

    /// The whole exchange — headers and body — within `limit`: a server that trickles its answer
    /// a byte at a time is given up on like one that never answers.
    static func within<T: Sendable>(_ limit: TimeAmount, _ message: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(limit.nanoseconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CalDAVProblem(message) }
            return value
        }
    }

    static let xml = ("Content-Type", "application/xml; charset=utf-8")

    func collection() async throws -> CalDAVCollection {
        let answer = try await send("PROPFIND", collection, headers: [Self.xml, ("Depth", "0")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:sync-token/><d:supported-report-set/></d:prop></d:propfind>
            """)
        // Missing: a 404, or (some servers) a multistatus whose one response is a 404.
        if answer.status == 404 || (answer.status == 207 && Multistatus(answer.body)?.responses.first?.status == 404) {
            return .missing
        }
        switch answer.status {
        case 207: break
        case 401: throw CalDAVProblem("the server refused calendar.username and its password (401)")
        case 403: throw CalDAVProblem("the server does not let calendar.username use it (403)")
        default: throw CalDAVProblem("the calendar was answered \(answer.status)")
        }
        guard let ms = Multistatus(answer.body), let me = ms.responses.first else { throw CalDAVProblem("the calendar's answer was not WebDAV") }
        if let types = me.properties["resourcetype"], !types.split(separator: " ").contains("calendar") {
            throw CalDAVProblem("\(collection.absoluteString) is not a calendar (a calendar home, or another collection?): set calendar.url to a calendar's own URL, or to one that does not exist yet")
        }
        return .calendar(syncToken: me.properties["sync-token"])
    }

    func makeCalendar() async throws {
        let made = try await send("MKCALENDAR", collection, headers: [Self.xml], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
            <d:displayname>kept</d:displayname>
            <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>
            </d:prop></d:set></c:mkcalendar>
            """)
        guard (200..<300).contains(made.status) else { throw CalDAVProblem("making the calendar was answered \(made.status)") }
    }

    func listing() async throws -> [CalDAVMember] {
        let answer = try await send("PROPFIND", collection, headers: [Self.xml, ("Depth", "1")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>
            """)
        guard answer.status == 207, let ms = Multistatus(answer.body) else { throw CalDAVProblem("listing the calendar was answered \(answer.status)") }
        return ms.responses.map { CalDAVMember(href: $0.href, etag: $0.properties["getetag"]) }
    }

    func changes(since token: String, withData: Bool) async throws -> CalDAVChanges? {
        let answer = try await send("REPORT", collection, headers: [Self.xml, ("Depth", "0")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:sync-token>\(Self.escape(token))</d:sync-token>
            <d:sync-level>1</d:sync-level><d:prop><d:getetag/>\(withData ? "<c:calendar-data/>" : "")</d:prop></d:sync-collection>
            """)
        if answer.status == 401 { throw CalDAVProblem("the server refused calendar.username and its password (401)") }
        // A token the server no longer takes — 403 valid-sync-token, or some servers' 400, 409
        // or 500 — starts over with a full listing.
        guard answer.status == 207, let ms = Multistatus(answer.body) else { return nil }
        return CalDAVChanges(token: ms.syncToken, members: ms.responses.map {
            CalDAVMember(href: $0.href, etag: $0.properties["getetag"], removed: $0.status == 404)
        }, objects: ms.responses.compactMap { r in
            r.properties["calendar-data"].map { CalDAVObject(href: r.href, etag: r.properties["getetag"], ics: $0) }
        })
    }

    /// calendar-multiget (RFC 4791 §7.9), 200 hrefs a request.
    func objects(_ hrefs: [String]) async throws -> [CalDAVObject] {
        var objects: [CalDAVObject] = []
        for start in stride(from: 0, to: hrefs.count, by: 200) {
            let list = hrefs[start..<min(hrefs.count, start + 200)].map {
                "<d:href>\(Self.escape($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0))</d:href>"
            }.joined()
            let answer = try await send("REPORT", collection, headers: [Self.xml, ("Depth", "1")], body: """
                <?xml version="1.0" encoding="utf-8"?>
                <c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
                <d:prop><d:getetag/><c:calendar-data/></d:prop>\(list)</c:calendar-multiget>
                """)
            guard answer.status == 207, let ms = Multistatus(answer.body) else { throw CalDAVProblem("reading tasks was answered \(answer.status)") }
            for r in ms.responses {
                guard let data = r.properties["calendar-data"] else { continue }
                objects.append(CalDAVObject(href: r.href, etag: r.properties["getetag"], ics: data))
            }
        }
        return objects
    }

    func put(_ href: String, _ ics: String, ifMatch etag: String?) async throws -> CalDAVWrite {
        let condition = etag.map { ("If-Match", $0) } ?? ("If-None-Match", "*")
        let answer = try await send("PUT", url(of: href), headers: [("Content-Type", "text/calendar; charset=utf-8"), condition], body: ics)
        if (200..<300).contains(answer.status) && answer.status != 207 { return .stored(etag: answer.etag) }
        if answer.status == 412 { return .changedMeanwhile }
        // Some servers answer a refused PUT with a multistatus holding the real status and, for a
        // precondition of their own (a UID twice, data they do not take), its name.
        guard answer.status == 207 else { return .refused("answered \(answer.status)") }
        let body = String(decoding: answer.body, as: UTF8.self)
        let inner = Multistatus(answer.body)?.responses.first?.status
        let why = ["no-uid-conflict", "valid-calendar-data", "valid-calendar-object-resource", "supported-calendar-component"]
            .first { body.contains($0) }
        if inner == 412 && why == nil { return .changedMeanwhile }
        return .refused("refused (\(inner.map(String.init) ?? "207")\(why.map { " " + $0 } ?? ""))")
    }

    func close() async {
        try? await http.shutdown()
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }
}
