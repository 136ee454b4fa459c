import Foundation
import Testing
@testable import KeptCore

@Suite struct PathsTests {
    @Test func xdgDefaultsFollowHome() {
        let paths = Paths.resolve(environment: ["HOME": "/home/dana", "XDG_RUNTIME_DIR": "/run/user/1000"])
        #expect(paths.stateDirectory == "/home/dana/.local/state/kept")
        #expect(paths.configFile == "/home/dana/.config/kept/config.yaml")
        #expect(paths.socket == "/run/user/1000/kept/control.sock")
        #expect(paths.maildir == "/home/dana/.local/share/kept/Maildir")
    }

    @Test func xdgVariablesAreUsedAndEmptyOnesAreNot() {
        let paths = Paths.resolve(environment: [
            "HOME": "/home/dana", "XDG_STATE_HOME": "/s", "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "/d",
            "XDG_RUNTIME_DIR": "/r",
        ])
        #expect(paths.stateDirectory == "/s/kept")
        #expect(paths.configFile == "/home/dana/.config/kept/config.yaml")
        #expect(paths.maildir == "/d/kept/Maildir")
        #expect(paths.socket == "/r/kept/control.sock")
    }

    @Test func keptsOwnVariablesWinThenSystemdsFirstDirectory() {
        let systemd = Paths.resolve(environment: [
            "HOME": "/home/dana", "XDG_STATE_HOME": "/s", "XDG_CONFIG_HOME": "/c",
            "STATE_DIRECTORY": "/var/lib/kept:/var/lib/other", "CONFIGURATION_DIRECTORY": "/etc/kept:/etc/other",
        ])
        #expect(systemd.stateDirectory == "/var/lib/kept")
        #expect(systemd.configFile == "/etc/kept/config.yaml")
        let kept = Paths.resolve(environment: [
            "STATE_DIRECTORY": "/var/lib/kept", "KEPT_STATE_DIR": "/k", "KEPT_CONFIG": "/k/c.yaml",
            "KEPT_SOCKET": "/k/s.sock", "XDG_RUNTIME_DIR": "/r",
        ])
        #expect(kept.stateDirectory == "/k")
        #expect(kept.configFile == "/k/c.yaml")
        #expect(kept.socket == "/k/s.sock")
    }

    @Test func withoutARuntimeDirectoryTheSocketIsUnderTheUsersRunDirectory() {
        #expect(Paths.resolve(environment: [:]).socket == "/run/user/\(getuid())/kept/control.sock")
    }

    @Test func theProcesssEnvironmentIsReadVariableByVariableToTheSameEnd() {
        #expect(Paths.resolve() == Paths.resolve(environment: ProcessInfo.processInfo.environment))
    }
}
