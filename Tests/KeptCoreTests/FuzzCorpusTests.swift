import Foundation
import Testing
import KeptCore
@testable import KeptFuzz

/// Every input in `Fuzz/corpus` and every failure the fuzzer ever found (`Fuzz/regressions`) goes
/// through the fuzz target again: a crash here is a crash in kept.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ folder: String) -> [URL] {
        let dir = root.appendingPathComponent("Fuzz/" + folder)
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    @Test func theSeedsAndEveryRegressionRunClean() throws {
        let seeds = Self.inputs("corpus")
        #expect(seeds.count >= 20)
        for url in seeds + Self.inputs("regressions") {
            let data = try Data(contentsOf: url)
            data.withUnsafeBytes { Fuzz.one($0) }
        }
    }

    @Test func theSeedsReachTheEngine() throws {
        // The seeds are real requests: each must pass the envelope check, or the fuzzer would
        // start from nothing.
        let requests = try Self.inputs("corpus").map { try Data(contentsOf: $0) }
            .filter { $0.first == UInt8(ascii: "{") && String(decoding: $0, as: UTF8.self).contains("\"method\"") }
        #expect(requests.count >= 15)
        for data in requests {
            guard case .single(.success) = RPC.read(Array(data)) else { Issue.record("refused: \(String(decoding: data, as: UTF8.self))"); continue }
        }
    }

    @Test func theAnswerSeedsReadWhole() throws {
        // The daemon's answers the CLI reads as bytes: each seed must read, so the fuzzer starts deep.
        let answers = try Self.inputs("corpus").map { try Data(contentsOf: $0) }
            .filter { $0.first == UInt8(ascii: "{") && !String(decoding: $0, as: UTF8.self).contains("\"method\"") }
        #expect(answers.count >= 2)
        for data in answers {
            var reader = JSONReader(Array(data))
            #expect(throws: Never.self) { _ = try reader.reply(View.Agenda.self) }
        }
    }
}
