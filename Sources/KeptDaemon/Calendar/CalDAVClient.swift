import AsyncHTTPClient
import Foundation
import KeptCore
import NIOCore
import NIOHTTP1

/// The few WebDAV and CalDAV requests kept makes (RFC 4918, 4791, 6578), over async-http-client,
/// with basic authentication. Every answer is its status, ETag and body; what they mean is the
/// sync's business.
struct CalDAVClient: Sendable {
    /// The calendar collection, with a trailing slash.
    let collection: URL
    let authorization: String?
    let http: HTTPClient
    static let timeout = TimeAmount.seconds(8)
    /// Answers larger than this are refused (a calendar of thousands of tasks is a few MB).
    static let maxBody = 64 * 1024 * 1024

    /// A request that did not get a usable answer, in words a user can act on.
    struct Problem: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    struct Answer: Sendable {
        var status: Int
        var etag: String?
        var body: Data
        var location: String? = nil
    }

    init(collection: URL, username: String?, password: String?, http: HTTPClient) {
        self.collection = collection
        self.http = http
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
        let where_ = "\(url.host ?? "the server"):\(url.port.map(String.init) ?? (url.scheme == "https" ? "443" : "80"))"
        let answer: Answer
        let prepared = request
        do {
            answer = try await Self.within(Self.timeout, "the server at \(where_) did not answer \(method) within \(Self.timeout.nanoseconds / 1_000_000_000) s") {
                let response = try await http.execute(prepared, deadline: .now() + Self.timeout)
                let bytes = try await response.body.collect(upTo: Self.maxBody)
                return Answer(status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                              body: Data(bytes.readableBytesView), location: response.headers.first(name: "Location"))
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw Problem(message: "the server at \(where_) did not answer \(method) within \(Self.timeout.nanoseconds / 1_000_000_000) s")
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw Problem(message: "could not connect to \(where_) within 5 s")
        }
        // Never followed, for any request: a write sent elsewhere would carry the user's tasks to
        // another host, and a read from elsewhere is not the calendar kept was given.
        if (300..<400).contains(answer.status) {
            throw Problem(message: "the server redirects \(method) \(url.path) to \(answer.location ?? "nowhere") (\(answer.status)); kept follows no redirect — if the calendar is there, set calendar.url to it")
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
            guard let first = try await group.next(), let value = first else { throw Problem(message: message) }
            return value
        }
    }

    static let xml = ("Content-Type", "application/xml; charset=utf-8")

    /// The collection's own properties: whether it exists, is a calendar, and its sync token.
    func collectionProperties() async throws -> Answer {
        try await send("PROPFIND", collection, headers: [Self.xml, ("Depth", "0")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:sync-token/><d:supported-report-set/></d:prop></d:propfind>
            """)
    }

    /// Makes the collection, for tasks.
    func makeCalendar() async throws -> Answer {
        try await send("MKCALENDAR", collection, headers: [Self.xml], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
            <d:displayname>kept</d:displayname>
            <c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>
            </d:prop></d:set></c:mkcalendar>
            """)
    }

    /// Every member's href and ETag.
    func listing() async throws -> Answer {
        try await send("PROPFIND", collection, headers: [Self.xml, ("Depth", "1")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>
            """)
    }

    /// What changed since `token` (RFC 6578): changed members with their ETags, removed ones as 404.
    func changes(since token: String) async throws -> Answer {
        try await send("REPORT", collection, headers: [Self.xml, ("Depth", "0")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <d:sync-collection xmlns:d="DAV:"><d:sync-token>\(Self.escape(token))</d:sync-token><d:sync-level>1</d:sync-level>
            <d:prop><d:getetag/></d:prop></d:sync-collection>
            """)
    }

    /// The objects at `hrefs`, with their ETags (calendar-multiget, RFC 4791 §7.9).
    func objects(_ hrefs: [String]) async throws -> Answer {
        let list = hrefs.map { "<d:href>\(Self.escape($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0))</d:href>" }.joined()
        return try await send("REPORT", collection, headers: [Self.xml, ("Depth", "1")], body: """
            <?xml version="1.0" encoding="utf-8"?>
            <c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
            <d:prop><d:getetag/><c:calendar-data/></d:prop>\(list)</c:calendar-multiget>
            """)
    }

    /// Writes one object: over the version `etag` names, or only where there is none (`etag` nil).
    func put(_ href: String, _ ics: String, ifMatch etag: String?) async throws -> Answer {
        let condition = etag.map { ("If-Match", $0) } ?? ("If-None-Match", "*")
        return try await send("PUT", url(of: href), headers: [("Content-Type", "text/calendar; charset=utf-8"), condition], body: ics)
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }
}
