import Foundation
import KeptClient
import KeptCore

/// The service: the units, enabled and running, lingering, the versions and the zones; and the
/// journal that keeps what keptd said.
extension Doctor {
    static let lingerFolder = "/var/lib/systemd/linger"

    func checkService() async {
        let show = await Probe.run(["systemctl", "--user", "show", "keptd.service", "keptd.socket",
                                    "--property=" + UnitFacts.properties.joined(separator: ",")], seconds: options.probeSeconds)
        if show.succeeded {
            let facts = UnitFacts(show: show.stdout)
            unit = facts
            checkUnits(facts)
        } else {
            note(.service, "manager", .fail, "no systemd user manager answers (systemctl --user: \(show.said)): keptd cannot run as your service",
                 fix: "log in to a session of your own (not su), or: loginctl enable-linger \(user)")
        }
        await checkLinger()
        await checkDaemon()
    }

    private func checkUnits(_ facts: UnitFacts) {
        let service = facts.service, socket = facts.socket
        let states = [service["LoadState"] ?? "not-found", socket["LoadState"] ?? "not-found"]
        if states.contains("masked") {
            note(.service, "units", .fail, "keptd's units are masked: systemd will not start keptd",
                 fix: "systemctl --user unmask keptd.service keptd.socket")
            return
        }
        guard states.allSatisfy({ $0 == "loaded" }) else {
            let missing = zip(["keptd.service", "keptd.socket"], states).filter { $0.1 != "loaded" }.map(\.0)
            note(.service, "units", .fail, "\(missing.joined(separator: " and ")) not found by the user manager",
                 fix: "install kept's package (apt install ./kept_*.deb) or run make install, then: systemctl --user daemon-reload")
            return
        }
        let folder = (service["FragmentPath"] ?? "").split(separator: "/").dropLast().joined(separator: "/")
        ok(.service, "units", "keptd.service and keptd.socket found (/\(short(folder)))")
        if let program = facts.program, !FileManager.default.isExecutableFile(atPath: program) {
            note(.service, "program", .fail, "keptd.service runs \(program), which is not there",
                 fix: "install kept again (apt install ./kept_*.deb, or make install)")
        }

        let enabled = { (unit: [String: String]) in ["enabled", "enabled-runtime", "linked", "static"].contains(unit["UnitFileState"] ?? "") }
        switch (enabled(service), enabled(socket)) {
        case (true, true): ok(.service, "enabled", "enabled: keptd starts with your session, and its socket is ready before it")
        case (true, false): ok(.service, "enabled", "enabled: keptd starts with your session (its socket is not enabled, keptd.service pulls it in)")
        case (false, true):
            note(.service, "enabled", .warn, "only keptd.socket is enabled: after each boot or login keptd starts at the first kept command, and reminders due before it wait",
                 fix: "systemctl --user enable keptd.service")
        case (false, false):
            note(.service, "enabled", .fail, "keptd is not enabled: it will not run after you log out and in again",
                 fix: "systemctl --user enable --now keptd.socket keptd.service")
        }

        switch service["ActiveState"] ?? "" {
        case "active", "reloading":
            ok(.service, "active", "keptd is running (pid \(service["MainPID"] ?? "?"))")
        case "activating":
            note(.service, "active", .warn, "keptd is starting (\(service["SubState"] ?? "")): run kept doctor again in a moment")
        case "failed":
            note(.service, "active", .fail, "keptd failed (\(service["Result"] ?? "failed")): no reminders go out",
                 fix: "journalctl --user -u keptd -n 20, mend what it says, then: systemctl --user restart keptd")
        default:
            if socket["ActiveState"] == "active" {
                note(.service, "active", .warn, "keptd is not running; its socket is listening and starts it at the next kept command — until then no reminder goes out",
                     fix: "systemctl --user start keptd")
            } else {
                note(.service, "active", .fail, "keptd is stopped and its socket is not listening: no reminders go out",
                     fix: "systemctl --user start keptd.socket keptd.service")
            }
        }
    }

    /// Without lingering, the user manager — and keptd — end with the user's last session.
    private func checkLinger() async {
        if FileManager.default.fileExists(atPath: Self.lingerFolder + "/" + user) {
            ok(.service, "linger", "lingering is on: keptd keeps running when you log out")
            return
        }
        let fix = "loginctl enable-linger \(user)"
        var fixed: Bool?
        if options.fix {
            let done = await Probe.run(["loginctl", "enable-linger", user], seconds: options.probeSeconds)
            fixed = done.succeeded && FileManager.default.fileExists(atPath: Self.lingerFolder + "/" + user)
        }
        note(.service, "linger", fixed == true ? .ok : .fail,
             "lingering is off: keptd stops when you log out, and reminders wait until you log in again", fix: fix, mendable: true, fixed: fixed)
    }

    /// What the running keptd says of itself: its version and its zone.
    private func checkDaemon() async {
        let client = ControlClient(socketPath: paths.socket, timeoutSeconds: options.probeSeconds)
        let answer: View.Status
        do throws(ControlClient.Failure) {
            answer = try client.call(Methods.Status.self, Params.None())
        } catch {
            // Said already, when the service is stopped.
            if findings.contains(where: { $0.check == "active" && $0.status == .fail }) { return }
            note(.service, "socket", .fail, "keptd does not answer: \(error.description)",
                 fix: "systemctl --user start keptd.socket keptd.service")
            return
        }
        status = answer
        let mine = options.clientVersion ?? KeptVersion.current
        if answer.version == mine && answer.version == KeptVersion.current {
            ok(.service, "version", "keptd \(answer.version) answers at \(short(paths.socket)), the same version as kept")
        } else {
            note(.service, "version", .warn, "keptd \(answer.version) is running, kept is \(mine)\(mine == KeptVersion.current ? "" : " and the installed keptd \(KeptVersion.current)"): the old one runs until it restarts",
                 fix: "systemctl --user restart keptd")
        }
        let yours = Zone.current.identifier
        if answer.timeZone == yours {
            ok(.service, "zone", "keptd keeps time in \(answer.timeZone), as you do")
        } else {
            note(.service, "zone", .warn, "keptd keeps time in \(answer.timeZone), you in \(yours): promises keep the zone they were made in, but the digest goes out at \(answer.timeZone)'s hour",
                 fix: "if \(yours) is where you read your mail: systemctl --user edit keptd, add [Service] Environment=TZ=\(yours), then systemctl --user restart keptd")
        }
    }

    /// keptd's last entries, where the user will look for them.
    func checkJournal() async {
        guard unit != nil else { return }
        let asked = ["journalctl", "--user", "-u", "keptd.service", "-n", "1", "-o", "cat", "--no-pager", "-q"]
        let answer = await Probe.run(asked, seconds: options.probeSeconds)
        if answer.succeeded, let last = answer.stdout.split(separator: "\n").last {
            ok(.journal, "journal", "keptd's last entry: \(Self.clip(String(last), 90))")
            return
        }
        // Where a user's entries are not in a journal of the user's own (root's, or a machine
        // without per-user journal files), keptd's own identifier finds them.
        let system = await Probe.run(["journalctl", "SYSLOG_IDENTIFIER=keptd", "_UID=\(getuid())", "-n", "1", "-o", "cat", "--no-pager", "-q"],
                                     seconds: options.probeSeconds)
        if system.succeeded, let last = system.stdout.split(separator: "\n").last {
            ok(.journal, "journal", "keptd's last entry (journalctl -t keptd _UID=\(getuid())): \(Self.clip(String(last), 70))")
            return
        }
        let why = answer.succeeded ? "no entries" : answer.said
        note(.journal, "journal", .fail, "no entries of keptd in the journal (\(why)): what keptd does and every failed delivery go unseen",
             fix: "systemctl status systemd-journald; then systemctl --user restart keptd and kept doctor again")
    }
}
