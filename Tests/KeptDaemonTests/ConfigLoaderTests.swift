import Foundation
import KeptCore
@testable import KeptDaemon
import Testing

@Suite final class ConfigLoaderTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kept-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ text: String, name: String = "config.yaml") throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func problem(_ text: String, environment: [String: String] = [:]) async throws -> String {
        let path = try write(text)
        do {
            _ = try await ConfigLoader.load(file: path, environment: environment)
        } catch {
            return error.message
        }
        Issue.record("expected a problem for: \(text)")
        return ""
    }

    static var exampleConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/config.yaml").path
    }

    @Test func theFirstOwnersNameSignsTheDraftsUnlessASignatureIsGiven() async throws {
        let owners = "reply:\n  address: dana+kept@example.org\n  from: [\"Dana Example <Dana@example.org>\", other@example.org]\n"
        var config = try await ConfigLoader.load(file: try write(owners), environment: [:])
        #expect(config.reply.from == ["dana@example.org", "other@example.org"])
        #expect(config.letters.signature == "Dana Example")
        config = try await ConfigLoader.load(file: try write(owners + "letters:\n  signature: D. Example, Example Ltd\n"), environment: [:])
        #expect(config.letters.signature == "D. Example, Example Ltd")
        #expect(try await problem("reply:\n  address: dana+kept@example.org\n  from: [\"Dana <dana@>\"]\n").contains("reply.from"))
    }

    @Test func missingFileMeansDefaults() async throws {
        let config = try await ConfigLoader.load(file: folder + "/absent.yaml", environment: [:])
        #expect(config == Config())
    }

    @Test func emptyFileMeansDefaults() async throws {
        #expect(try await ConfigLoader.load(file: try write(""), environment: [:]) == Config())
        #expect(try await ConfigLoader.load(file: try write("# nothing set yet\n"), environment: [:]) == Config())
    }

    @Test func documentedExampleHasEveryKeyAtItsDefault() async throws {
        let path = Self.exampleConfig
        let config = try await ConfigLoader.load(file: path, environment: [:])
        #expect(config == Config())
        let documented = try #require(try ConfigLoader.check(file: path))
        #expect(Set(documented.keys).isSuperset(of: ConfigSchema.keys), "undocumented: \(Set(ConfigSchema.keys).subtracting(documented.keys).sorted())")
    }

    @Test func fileValuesAreRead() async throws {
        let path = try write("""
            window_days: 120
            remind_at: 08:30
            lead_days: 2
            playbook:
              acknowledge: 4h
            checkins:
              then_every: 3w
            warnings:
              min_rate: 0.9
            digest:
              weekday: fri
            channels:
              email:
                enabled: true
                to: [dana@example.com, "lee@example.com"]
                sendmail: [/usr/bin/msmtp, --read-envelope-from]
              command:
                enabled: true
                argv: [/usr/local/bin/notify, "--urgent"]
            retry:
              first_seconds: 10
            """)
        let c = try await ConfigLoader.load(file: path, environment: [:])
        #expect(c.windowDays == 120)
        #expect(c.remindAt == TimeOfDay(hour: 8, minute: 30))
        #expect(c.leadDays == 2)
        #expect(c.playbook.acknowledge == Interval(4, .hour))
        #expect(c.checkins.thenEvery == Interval(3, .week))
        #expect(c.warnings.minRate == 0.9)
        #expect(c.digest.weekday == 5)
        #expect(c.email.enabled && c.email.to == ["dana@example.com", "lee@example.com"])
        #expect(c.email.sendmail == ["/usr/bin/msmtp", "--read-envelope-from"])
        #expect(c.command.argv == ["/usr/local/bin/notify", "--urgent"])
        #expect(c.retry.firstSeconds == 10)
        #expect(c.missedAfterDays == Config().missedAfterDays)
    }

    @Test func environmentOverridesTheFile() async throws {
        let path = try write("window_days: 120\nremind_at: \"08:30\"\n")
        let c = try await ConfigLoader.load(file: path, environment: [
            "KEPT_WINDOW_DAYS": "60", "KEPT_CHANNELS_EMAIL_TO": "a@example.com,b@example.com", "KEPT_DIGEST_ENABLED": "false",
        ])
        #expect(c.windowDays == 60)
        #expect(c.remindAt == TimeOfDay(hour: 8, minute: 30))
        #expect(c.email.to == ["a@example.com", "b@example.com"])
        #expect(c.digest.enabled == false)
    }

    @Test func aWrongTypeIsNamedWithLineAndColumn() async throws {
        let message = try await problem("lead_days: 1\nwindow_days: ninety\n")
        #expect(message.hasSuffix("config.yaml:2:1: window_days: must be a whole number"))
    }

    @Test func anUnknownKeyIsNamed() async throws {
        let message = try await problem("channels:\n  email:\n    too: [a@b.c]\n")
        #expect(message.contains("config.yaml:3:5: unknown key \"channels.email.too\""))
    }

    @Test func aSectionWrittenAsValueIsRefused() async throws {
        #expect(try await problem("playbook: 3\n").contains("config.yaml:1:11: playbook must be a section"))
        #expect(try await problem("remind_at: [1, 2]\n").contains("remind_at must be a single value"))
        #expect(try await problem("channels:\n  email:\n    to: dana@example.com\n").contains("channels.email.to must be a list"))
    }

    @Test func theCalendarNeedsHTTPSAwayFromThisMachineAndAPrivatePasswordFile() async throws {
        #expect(try await problem("calendar:\n  url: http://dav.example.org/dana/kept/\n").contains("calendar.url: \"http://dav.example.org/dana/kept/\" is plain http"))
        #expect(try await problem("calendar:\n  url: http://127.0.0.1.attacker.example/kept/\n").contains("is plain http"))
        #expect(try await problem("calendar:\n  url: ftp://dav.example.org/\n").contains("is not an http(s) URL"))
        #expect(try await problem("calendar:\n  alarms: soon\n").contains("calendar.alarms: \"soon\" is not none or the minutes"))
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("kept-secret-\(getpid())").path
        try "pw\n".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        chmod(secret, 0o644)
        #expect(try await problem("calendar:\n  url: https://dav.example.org/kept/\n  password_file: \(secret)\n")
            .contains("can be read by others (mode 644); run: chmod 600 \(secret)"))
        chmod(secret, 0o600)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kept-cal-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "calendar:\n  url: http://127.0.0.1:5232/dana/kept\n  password_file: \(secret)\n  alarms: 30\n".write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let c = try await ConfigLoader.load(file: dir + "/config.yaml", environment: [:])
        #expect(c.calendar.url == "http://127.0.0.1:5232/dana/kept/")
        #expect(c.calendar.passwordFile == secret && c.calendar.alarmMinutes == 30 && c.calendar.intervalMinutes == 15)
    }

    @Test func badValuesSayWhy() async throws {
        #expect(try await problem("remind_at: 9am\n").hasSuffix("1:1: remind_at: \"9am\" is not a time of day (HH:MM, 24-hour)"))
        #expect(try await problem("window_days: 0\n").hasSuffix("window_days: 0 is out of range (1…3650)"))
        #expect(try await problem("playbook:\n  root_cause: soon\n").contains("2:3: playbook.root_cause: \"soon\" is not a duration"))
        #expect(try await problem("digest:\n  weekday: someday\n").contains("is not a weekday"))
        #expect(try await problem("warnings:\n  min_rate: 2\n").contains("out of range"))
        #expect(try await problem("retry:\n  first_seconds: 60\n  cap_seconds: 30\n").contains("retry.cap_seconds: 30 is below retry.first_seconds (60)"))
        #expect(try await problem("channels:\n  command:\n    enabled: true\n").contains("has no command"))
        #expect(try await problem("channels:\n  maildir:\n    path: relative/mail\n").contains("must be an absolute path"))
    }

    @Test func aHeaderInjectionInAnAddressIsRefusedOnOneLine() async throws {
        let message = try await problem("channels:\n  email:\n    to: [\"a@b.c\\nBcc: victim@example.com\"]\n")
        #expect(message.contains("is not an email address"))
        #expect(!message.contains("\n"))
    }

    @Test func brokenYAMLIsNamedWithLineAndColumn() async throws {
        let message = try await problem("channels:\n  email:\n    to: [a@b.c\n")
        #expect(message.range(of: #"config\.yaml:\d+:\d+: "#, options: .regularExpression) != nil)
        #expect(!message.contains("\n"))
    }

    @Test func aBadEnvironmentValueNamesTheVariable() async throws {
        let path = try write("")
        do {
            _ = try await ConfigLoader.load(file: path, environment: ["KEPT_REMIND_AT": "25:00"])
            Issue.record("accepted 25:00")
        } catch {
            #expect(error.message == "environment KEPT_REMIND_AT: remind_at: \"25:00\" is not a time of day (HH:MM, 24-hour)")
        }
    }

    @Test func theFileIsNeverWritten() async throws {
        let text = "window_days: nope\n"
        let path = try write(text)
        _ = try? await ConfigLoader.load(file: path, environment: [:])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }
}
