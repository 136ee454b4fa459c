import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A WebDAV multistatus answer (RFC 4918 §13, RFC 6578's sync-token), read with an XML parser:
/// each response's href, its own status (a member removed since the last sync is `404`), and its
/// properties found with `200` — by namespace and name, whatever prefixes the server chose.
struct Multistatus: Sendable {
    struct Response: Sendable {
        var href: String
        /// The response's own status line's code (sync-collection's removed members), if any.
        var status: Int?
        /// Properties reported with a 2xx status: `getetag`, `calendar-data`, `sync-token`, `resourcetype` …
        var properties: [String: String]
    }

    var responses: [Response]
    /// The collection's new sync token (sync-collection).
    var syncToken: String?

    /// Nil when `data` is not a multistatus document.
    init?(_ data: Data) {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.sawMultistatus else { return nil }
        responses = reader.responses
        syncToken = reader.syncToken
    }

    /// The code of an HTTP status line (`HTTP/1.1 404 Not Found`).
    static func code(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var responses: [Response] = []
        var syncToken: String?
        var sawMultistatus = false
        private var path: [String] = []
        private var text = ""
        private var href: String?, status: Int?, properties: [String: String] = [:]
        private var propstat: [String: String] = [:], propstatStatus: Int?
        private var resourceTypes: [String] = []
        /// The components a calendar takes (`comp name="VTODO"`) and the reports a collection offers.
        private var components: [String] = [], reports: [String] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "multistatus" && namespaceURI == "DAV:" { sawMultistatus = true }
            if path.last == "resourcetype" { resourceTypes.append(name) }
            if name == "comp", path.last == "supported-calendar-component-set", let component = attributes["name"] { components.append(component) }
            if path.last == "report", path.contains("supported-report-set") { reports.append(name) }
            path.append(name)
            text = ""
            switch name {
            case "response": href = nil; status = nil; properties = [:]
            case "propstat": propstat = [:]; propstatStatus = nil; resourceTypes = []; components = []; reports = []
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            path.removeLast()
            let parent = path.last
            switch name {
            case "href" where parent == "response": href = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case "status" where parent == "response": status = Multistatus.code(text)
            case "status" where parent == "propstat": propstatStatus = Multistatus.code(text)
            case "sync-token" where parent == "multistatus": syncToken = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case "resourcetype" where parent == "prop": propstat["resourcetype"] = resourceTypes.joined(separator: " ")
            case "supported-calendar-component-set" where parent == "prop": propstat[name] = components.joined(separator: " ")
            case "supported-report-set" where parent == "prop": propstat[name] = reports.joined(separator: " ")
            case "propstat":
                if let code = propstatStatus, (200..<300).contains(code) { properties.merge(propstat) { a, _ in a } }
            case "response":
                if let href { responses.append(Response(href: href, status: status, properties: properties)) }
            default:
                if parent == "prop" { propstat[name] = name == "calendar-data" ? text : text.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            text = ""
        }
    }
}
