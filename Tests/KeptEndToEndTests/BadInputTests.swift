import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bad input gets a clear error and changes nothing; the daemon stays up.
@Suite(.serialized) struct BadInputTests {
    func storeBytes(_ h: Harness) -> Data {
        (h.fileBytes(h.storeDir + "/store.json") ?? Data()) + (h.fileBytes(h.storeDir + "/store.journal") ?? Data())
    }

    @Test func malformedRequestsGetJSONRPCErrors() throws {
        let h = Harness()
        try h.start()
        h.kept("open", "Acme", "x", "--no-playbook")
        let before = storeBytes(h)
        let cases: [(String, Int)] = [
            ("{not json", -32700),
            (#"{"jsonrpc":"1.0","id":1,"method":"status"}"#, -32600),
            (#"{"jsonrpc":"2.0","id":1,"method":"incident.explode"}"#, -32601),
            (#"{"jsonrpc":"2.0","id":1,"method":"promise.add","params":{"incident":"one","text":"x","due":"+1d"}}"#, -32602),
            (#"{"jsonrpc":"2.0","id":1,"method":"promise.add","params":{"incident":1,"text":"x","due":"whenever"}}"#, -32602),
            (#"{"jsonrpc":"2.0","id":1,"method":"item.done","params":{"item":"1.99"}}"#, -32001),
            (#"{"jsonrpc":"2.0","id":1,"method":"incident.show","params":{"incident":42}}"#, -32001),
            (String(repeating: "[", count: 5000), -32600),
        ]
        for (request, code) in cases {
            let lines = try h.raw(Data((request + "\n").utf8))
            #expect(lines.count == 1, "\(request)")
            #expect(lines.first.flatMap(h.errorCode) == code, "\(request) → \(lines)")
        }
        // A batch of three that are not requests: three errors, in one array.
        let batch = try h.raw(Data("[1,2,3]\n".utf8))
        let answers = try #require(batch.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [[String: Any]])
        #expect(answers.count == 3)
        #expect(answers.allSatisfy { ($0["error"] as? [String: Any])?["code"] as? Int == -32600 })
        #expect(storeBytes(h) == before)
        #expect(h.kept("status").code == 0)
        h.stop()
    }

    @Test func aMegabyteOfGarbageIsRefusedAndTheDaemonStaysUp() throws {
        let h = Harness()
        try h.start()
        let before = storeBytes(h)
        var garbage = Data(count: 1 << 20)
        garbage.withUnsafeMutableBytes { raw in for i in raw.indices { raw[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) | 0x20 } }
        let lines = try h.raw(garbage)
        #expect(lines.first.flatMap(h.errorCode) == -32600)
        #expect(h.kept("status").code == 0)
        #expect(storeBytes(h) == before)
        h.stop()
    }

    @Test func theCLIExitCodes() throws {
        let h = Harness()
        // Unreachable: 69, with the hint.
        let down = h.kept("status")
        #expect(down.code == 69)
        #expect(down.stderr.contains("systemctl --user start keptd.socket"))
        try h.start()
        h.kept("open", "Acme", "x", "--no-playbook")
        let before = storeBytes(h)
        // Usage: 64, one line, nothing sent.
        let badDue = h.kept("promise", "1", "x", "--due", "the day after never")
        #expect(badDue.code == 64)
        #expect(badDue.stderr.contains("not a date or time"))
        #expect(h.kept("promise", "1", "x").code == 64)
        #expect(h.kept("done", "banana").code == 64)
        // Refused: 1, one line.
        let missing = h.kept("done", "7.1")
        #expect(missing.code == 1)
        #expect(missing.stderr == "kept: no incident 7\n")
        #expect(storeBytes(h) == before)
        h.stop()
    }

    @Test func aHandBrokenStoreIsNamedAndNeverOverwritten() throws {
        let h = Harness()
        try h.start()
        h.kept("open", "Acme", "x")
        h.stop()
        let path = h.storeDir + "/store.json"
        var text = String(decoding: h.fileBytes(path)!, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"incidents\":[", with: "\"incidents\":[,")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let broken = h.fileBytes(path)
        let r = try h.startFails()
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("keptd: \(path):1:"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(h.fileBytes(path) == broken)
    }
}
