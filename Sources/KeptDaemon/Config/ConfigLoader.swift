import Configuration
import Foundation
import Synchronization
import KeptCore
import SystemPackage
import Yams

/// Reads `config.yaml` and the `KEPT_…` environment into a `Config`, or says exactly what is wrong.
///
/// ConfigValueReader come through swift-configuration: the environment first (`KEPT_REMIND_AT`,
/// `KEPT_CHANNELS_EMAIL_TO=a@x,b@y`, …), then the YAML file, then the defaults of `Config`.
/// The file's shape is checked first against `ConfigSchema`, so a misspelt key or a section
/// written as a value is named with its line and column instead of being silently ignored.
public enum ConfigLoader {
    /// Loads the configuration. A missing file means "all defaults"; anything else wrong throws.
    public static func load(file path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws(ConfigProblem) -> Config
    {
        let marks = try check(file: path)
        let sink = ProblemSink()
        let reader: ConfigReader
        do {
            var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "kept")]
            // A missing file, or one with only comments, holds no keys: defaults and environment only.
            if let marks, !marks.isEmpty {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
            }
            reader = ConfigReader(providers: providers, accessReporter: sink)
        } catch {
            throw ConfigProblem("\(path): \(String(describing: error).firstLine)")
        }
        var values = ConfigValueReader(reader: reader, sink: sink, file: path, marks: marks ?? [:], environment: environment)
        return try values.read()
    }

    /// Parses the YAML, checks every key against the schema, and returns where each key is;
    /// nil when there is no file.
    static func check(file path: String) throws(ConfigProblem) -> [String: Yams.Mark]? {
        let text: String
        do {
            guard let data = FileManager.default.contents(atPath: path) else {
                if FileManager.default.fileExists(atPath: path) { throw ConfigProblem("\(path): cannot be read") }
                return nil
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigProblem("\(path): is not UTF-8 text")
            }
            text = decoded
        } catch let problem as ConfigProblem { throw problem } catch {
            throw ConfigProblem("\(path): \(error)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ConfigProblem("\(path):\(error.location): \(error.problem)")
        } catch {
            throw ConfigProblem("\(path): \(String(describing: error).firstLine)")
        }
        guard let root else { return [:] }  // an empty file: all defaults
        guard let mapping = root.mapping else {
            throw ConfigProblem("\(path):\(root.position): the file must be a mapping of keys (see config/config.yaml)")
        }
        var marks: [String: Yams.Mark] = [:]
        try walk(mapping, schema: ConfigSchema.root, prefix: "", file: path, marks: &marks)
        return marks
    }

    private static func walk(_ mapping: Node.Mapping, schema: [String: ConfigSchema], prefix: String,
                             file: String, marks: inout [String: Yams.Mark]) throws(ConfigProblem)
    {
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? "\(keyNode)"
            let path = prefix.isEmpty ? name : prefix + "." + name
            guard let expected = schema[name] else {
                let known = schema.keys.sorted().joined(separator: ", ")
                throw ConfigProblem("\(file):\(keyNode.position): unknown key \(path.debugDescription) (known here: \(known))")
            }
            marks[path] = keyNode.mark ?? value.mark
            switch (expected, value) {
            case (.section(let inner), .mapping(let m)):
                try walk(m, schema: inner, prefix: path, file: file, marks: &marks)
            case (.section, _):
                throw ConfigProblem("\(file):\(value.position): \(path) must be a section of keys")
            case (.list, .sequence(let items)):
                if let bad = items.first(where: { $0.scalar == nil }) {
                    throw ConfigProblem("\(file):\(bad.position): \(path) must be a list of plain values")
                }
            case (.list, .scalar(let s)) where ["", "~", "null"].contains(s.string):
                break  // `to:` left empty: no values
            case (.list, _):
                throw ConfigProblem("\(file):\(value.position): \(path) must be a list, like [\"a\", \"b\"]")
            case (.value, .scalar):
                break
            case (.value, _):
                throw ConfigProblem("\(file):\(value.position): \(path) must be a single value, not a list or section")
            }
        }
    }
}

/// What is wrong with a configuration: one line, naming the file, line and column (or the
/// environment variable), the key and why.
public struct ConfigProblem: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = String(message.map { $0.isNewline ? " " : $0 }) }
    public var description: String { message }
}

/// Remembers which keys failed to convert while the reader was asked for them.
final class ProblemSink: AccessReporter, Sendable {
    private let failed = Mutex<Set<String>>([])

    func report(_ event: AccessEvent) {
        let bad = event.conversionError != nil || event.providerResults.contains { if case .failure = $0.result { true } else { false } }
        guard bad else { return }
        let key = event.metadata.key.components.joined(separator: ".")
        failed.withLock { _ = $0.insert(key) }
    }

    func failed(_ key: String) -> Bool { failed.withLock { $0.contains(key) } }
}

extension Node {
    var position: String { mark.map { "\($0.line):\($0.column)" } ?? "1:1" }
}

extension YamlError {
    var location: String {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): "\(mark.line):\(mark.column)"
        case .duplicatedKeysInMapping(_, let context): "\(context.mark.line):\(context.mark.column)"
        default: "1:1"
        }
    }

    var problem: String {
        switch self {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            (context.map { "\($0.text), " } ?? "") + problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicated key \(duplicates.joined(separator: ", "))"
        default: String(describing: self).firstLine
        }
    }
}

extension String {
    var firstLine: String { String(split(separator: "\n", maxSplits: 1).first ?? "") }
}
