import Foundation
import KeptCore
@testable import KeptDaemon
import Testing

/// The doctor's pure rules: what `systemctl show` says of the units, which folders the unit's
/// sandbox lets keptd write, the drop-in `--fix` writes, the server's `Date`, a report line.
@Suite struct DoctorRulesTests {
    static let show = """
        Id=keptd.service
        LoadState=loaded
        UnitFileState=enabled
        ActiveState=active
        FragmentPath=/usr/lib/systemd/user/keptd.service
        MainPID=4242
        ExecStart={ path=/usr/bin/keptd ; argv[]=/usr/bin/keptd ; ignore_errors=no ; start_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }
        ReadWritePaths=-/home/dana/.local/share/kept
        ProtectHome=read-only
        ProtectSystem=strict
        PrivateTmp=yes
        StateDirectory=kept
        ConfigurationDirectory=kept

        Id=keptd.socket
        LoadState=loaded
        UnitFileState=enabled
        ActiveState=active

        """

    let facts = UnitFacts(show: show)
    let home = "/home/dana", state = "/home/dana/.local/state/kept", config = "/home/dana/.config/kept/config.yaml"

    @Test func theUnitsAreReadApartAndTheProgramFound() {
        #expect(facts.service["MainPID"] == "4242")
        #expect(facts.socket["ActiveState"] == "active")
        #expect(facts.socket["MainPID"] == nil)
        #expect(facts.program == "/usr/bin/keptd")
    }

    @Test func theSandboxLetsKeptdWriteOnlyItsOwnFolders() {
        func may(_ path: String) -> Bool { facts.mayWrite(path, home: home, stateDirectory: state, configFile: config) }
        #expect(may("/home/dana/.local/share/kept/Maildir"))
        #expect(may("/home/dana/.local/share/kept"))
        #expect(may(state))
        #expect(may("/home/dana/.config/kept/templates"))
        #expect(!may("/home/dana/Mail/kept"))
        #expect(!may("/home/dana/.local/share/kept-other"))
        #expect(!may("/srv/mail"))
        var open = facts
        open.service["ProtectSystem"] = "no"
        open.service["ProtectHome"] = "no"
        #expect(open.mayWrite("/home/dana/Mail/kept", home: home, stateDirectory: state, configFile: config))
        open.service["ProtectHome"] = "read-only"
        #expect(!open.mayWrite("/home/dana/Mail/kept", home: home, stateDirectory: state, configFile: config))
        #expect(open.mayWrite("/srv/mail", home: home, stateDirectory: state, configFile: config))
    }

    @Test func theDropInNamesEachFolderOnceAndLetsItBeMissing() {
        let text = UnitFacts.dropIn(writing: ["/home/dana/Mail/kept", "/srv/kept"])
        #expect(text.contains("[Service]\nReadWritePaths=-/home/dana/Mail/kept\nReadWritePaths=-/srv/kept\n"))
        #expect(text == UnitFacts.dropIn(writing: ["/home/dana/Mail/kept", "/srv/kept"]))
    }

    @Test func theServersDateIsRead() {
        #expect(Doctor.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Instant(seconds: 784_111_777))
        #expect(Doctor.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(Doctor.httpDate("Sun, 32 Nov 1994 08:49:37 GMT") == nil)
    }

    @Test func aFindingPrintsItsSymbolAndItsFixBelow() {
        var f = Finding(section: .files, check: "store-folder", status: .fail, message: "~/.local/state/kept is open to others",
                        fix: "chmod 700 /home/dana/.local/state/kept", mendable: true)
        #expect(f.lines == "  ✗ ~/.local/state/kept is open to others\n      fix (kept doctor --fix does it): chmod 700 /home/dana/.local/state/kept")
        f.fixed = true
        #expect(f.lines.hasSuffix("\n      fixed: chmod 700 /home/dana/.local/state/kept"))
        #expect(Finding(section: .service, check: "linger", status: .ok, message: "lingering is on").lines == "  ✓ lingering is on")
        #expect(Finding(section: .calendar, check: "clock", status: .warn, message: "off").lines == "  ! off")
    }

    @Test func aPathIsQuotedOnlyWhenAShellWouldReadIt() {
        #expect(Doctor.quoted("/home/dana/Mail/kept") == "/home/dana/Mail/kept")
        #expect(Doctor.quoted("/home/dana/My Mail") == "'/home/dana/My Mail'")
        #expect(Doctor.quoted("/x/it's") == "'/x/it'\\''s'")
    }
}
