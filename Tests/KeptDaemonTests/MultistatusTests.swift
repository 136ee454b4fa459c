import Foundation
import KeptCore
@testable import KeptDaemon
import Testing

/// WebDAV multistatus answers as Radicale and Xandikos write them, read by namespace and name.
@Suite struct MultistatusTests {
    @Test func responsesPropertiesAndTheSyncTokenAreReadWhateverThePrefixes() throws {
        let xml = """
            <?xml version="1.0"?>
            <ns0:multistatus xmlns:ns0="DAV:" xmlns:ns1="urn:ietf:params:xml:ns:caldav">
            <ns0:response><ns0:href>/dana/kept/a.ics</ns0:href>
            <ns0:propstat><ns0:prop><ns0:getetag>"e1"</ns0:getetag><ns1:calendar-data>BEGIN:VCALENDAR&#13;
            END:VCALENDAR</ns1:calendar-data></ns0:prop><ns0:status>HTTP/1.1 200 OK</ns0:status></ns0:propstat>
            <ns0:propstat><ns0:prop><ns0:displayname/></ns0:prop><ns0:status>HTTP/1.1 404 Not Found</ns0:status></ns0:propstat>
            </ns0:response>
            <ns0:response><ns0:href>/dana/kept/b%40x.ics</ns0:href><ns0:status>HTTP/1.1 404 Not Found</ns0:status></ns0:response>
            <ns0:sync-token>http://radicale.org/ns/sync/abc</ns0:sync-token>
            </ns0:multistatus>
            """
        let ms = try #require(Multistatus(Data(xml.utf8)))
        #expect(ms.syncToken == "http://radicale.org/ns/sync/abc")
        #expect(ms.responses.map(\.href) == ["/dana/kept/a.ics", "/dana/kept/b%40x.ics"])
        #expect(ms.responses[0].status == nil && ms.responses[1].status == 404)
        #expect(ms.responses[0].properties["getetag"] == "\"e1\"")
        #expect(ms.responses[0].properties["calendar-data"] == "BEGIN:VCALENDAR\r\nEND:VCALENDAR")
        #expect(ms.responses[0].properties["displayname"] == nil, "a property reported 404 is not there")
        #expect(CalendarReconciler.path(ms.responses[1].href) == "/dana/kept/b@x.ics")
        #expect(CalendarReconciler.path("http://127.0.0.1:5232/dana/kept/a.ics") == "/dana/kept/a.ics")
        #expect(CalendarReconciler.path("/dana/kept/kept-1.1.1-s-kept.ics") == "/dana/kept/kept-1.1.1-s-kept.ics")
        #expect(CalendarReconciler.path("/dana/kept/a.ics?x=1#f") == "/dana/kept/a.ics")
    }

    @Test func aCollectionsResourceTypeAndWhatIsNotWebDAV() throws {
        let xml = """
            <d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/dana/kept/</d:href>
            <d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:sync-token>t1</d:sync-token></d:prop>
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>
            """
        let ms = try #require(Multistatus(Data(xml.utf8)))
        #expect(ms.responses.first?.properties["resourcetype"] == "collection calendar")
        #expect(ms.responses.first?.properties["sync-token"] == "t1")
        #expect(ms.syncToken == nil)
        #expect(Multistatus(Data("<html><body>Not Found</body></html>".utf8)) == nil)
        #expect(Multistatus(Data("garbage <<".utf8)) == nil)
        #expect(Multistatus(Data("<x:multistatus xmlns:x=\"urn:other\"/>".utf8)) == nil, "only DAV:'s multistatus")
    }
}
