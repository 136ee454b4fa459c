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
        let requests = try Self.inputs("corpus").map { try Data(contentsOf: $0) }.filter { $0.first == UInt8(ascii: "{") }
        #expect(requests.count >= 15)
        for data in requests {
            guard case .success = RPC.envelope(data) else { Issue.record("refused: \(String(decoding: data, as: UTF8.self))"); continue }
        }
    }
}
