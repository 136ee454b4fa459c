import Foundation
import Testing
@testable import KeptCore

/// How the socket reads a line: once, with the one JSON reader, into calls or the error that
/// answers them.
@Suite struct RequestLineTests {
    func read(_ text: String) -> RPC.Incoming { RPC.read(Array(text.utf8)) }

    @Test func aRequestIsReadOnceIntoItsCall() throws {
        guard case .single(.success(let call)) = read(#" {"jsonrpc":"2.0","id":"a b","method":"item.done","params":{"item":"1.2"}} "#) else {
            Issue.record("not read as one call"); return
        }
        #expect(call.method == "item.done")
        #expect(call.id == Array(#""a b""#.utf8))
        #expect(String(decoding: try #require(call.params), as: UTF8.self) == #"{"item":"1.2"}"#)
        #expect(try Methods.ItemDone.params(from: call.params).item == ItemRef(item: ItemID(incident: 1, number: 2)))
    }

    @Test func anIdIsEchoedAsItWasWritten() {
        for id in ["1.5", "-0", "1e3", #""\u00e9""#, "null"] {
            guard case .single(.success(let call)) = read(#"{"jsonrpc":"2.0","method":"status","id":\#(id)}"#) else {
                Issue.record("\(id) not read"); continue
            }
            #expect(call.id == Array(id.utf8))
            #expect(!call.isNotification)
        }
        guard case .single(.success(let note)) = read(#"{"jsonrpc":"2.0","method":"status"}"#) else { Issue.record("no call"); return }
        #expect(note.isNotification)
    }

    @Test func whatIsNotARequestIsRefusedWithTheRightCode() {
        let cases: [(String, Int, String)] = [
            ("{not json", -32700, "null"), ("", -32700, "null"), ("[]", -32600, "null"),
            (#"{"jsonrpc":"2.0","id":4,"method":"status","extra":1}"#, -32600, "4"),
            (#"{"jsonrpc":"2.0","id":[1],"method":"status"}"#, -32600, "null"),
            (#"{"jsonrpc":"2.0","id":5,"method":"agenda","params":true}"#, -32600, "5"),
            (#"{"jsonrpc":"2.0","id":6,"method":"agenda","params":[1]}"#, -32602, "6"),
            (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), -32600, "null"),
        ]
        for (line, code, id) in cases {
            let refusal: RPC.Refusal
            switch read(line) {
            case .refused(let r), .single(.failure(let r)): refusal = r
            default: Issue.record("\(line) was taken"); continue
            }
            #expect(refusal.error.code == code, "\(line): \(refusal.error.message)")
            #expect(refusal.id == Array(id.utf8), "\(line)")
        }
    }

    @Test func aBatchIsReadCallByCall() {
        guard case .batch(let calls) = read(#"[{"jsonrpc":"2.0","id":1,"method":"status"},7,{"jsonrpc":"2.0","method":"ledger"}]"#) else {
            Issue.record("not a batch"); return
        }
        #expect(calls.count == 3)
        if case .success(let first) = calls[0] { #expect(first.method == "status") } else { Issue.record("first refused") }
        if case .failure(let second) = calls[1] { #expect(second.error.code == -32600) } else { Issue.record("7 taken") }
        if case .success(let third) = calls[2] { #expect(third.isNotification) } else { Issue.record("third refused") }
    }

    @Test func nestingPastTheLimitIsRefusedWithoutExhaustingTheStack() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 200_000)
        var reader = JSONReader(deep, maxDepth: 32)
        do { try reader.skip(); Issue.record("accepted") } catch { #expect(error.tooDeep) }
        var generous = JSONReader(deep)
        do { try generous.skip(); Issue.record("accepted") } catch { #expect(error.tooDeep) }
    }

    static func parses(_ text: String) -> Bool {
        var r = JSONReader(Array(text.utf8))
        do {
            try r.skip()
            try r.end()
            return true
        } catch {
            return false
        }
    }

    @Test func numbersFollowJSONsGrammar() {
        for good in ["0", "-0", "12", "-0.5", "1e9", "2.5E-3", "1e+2"] { #expect(Self.parses(good), "\(good)") }
        for bad in ["01", "1.", "-", "1e", ".5", "+1", "1.e3", "--1", "0x10"] { #expect(!Self.parses(bad), "\(bad)") }
    }

    @Test func aBrokenDocumentIsPlacedByLineAndColumn() {
        let text = "{\n  \"version\": 1,\n  \"incidents\": [tru]\n}"
        let placed = JSONPosition.describe(DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "x")),
                                           in: Data(text.utf8), path: "store.json")
        #expect(placed == "store.json:3:17: expected true or false")
        #expect(JSONPosition.lineColumn(ofTopLevelValue: "incidents", in: Array(text.utf8)) == (3, 16))
    }
}
