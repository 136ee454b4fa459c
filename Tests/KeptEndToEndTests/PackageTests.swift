import Foundation
import KeptCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

enum DebianPackage {
    /// Root with a user manager, lintian and apt, and no kept installed here already.
    static var testable: Bool {
        UserManager.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get")
            && !FileManager.default.fileExists(atPath: "/usr/bin/keptd")
    }
}

/// The Debian package as a user gets it: built by `make deb`, checked by Debian's lintian,
/// installed with apt on this machine, and run by a real `systemd --user` manager that cannot see
/// the Swift toolchain — socket activation, a reminder in the Maildir, the journal's entries —
/// then removed and purged, the user's files untouched.
@Suite(.serialized, .enabled(if: DebianPackage.testable)) struct PackageTests {

    static var arch: String { Harness.execute("/usr/bin/dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    static var deb: String { Harness.packageRoot + "/dist/kept_\(KeptVersion.current)_\(arch).deb" }

    /// `make deb`'s package; built now when `make test` has not built it already.
    static func package() throws -> String {
        if !FileManager.default.fileExists(atPath: deb) {
            let r = Harness.execute(Harness.packageRoot + "/scripts/package", [])
            guard r.code == 0 else { throw HarnessError("scripts/package failed (\(r.code)): \(r.stderr.suffix(2000))") }
        }
        return deb
    }

    static func sh(_ command: String, environment: [String: String]? = nil) -> Harness.Result {
        Harness.execute("/bin/sh", ["-c", command], environment: environment)
    }

    @Test func theTreeIsWhereDebianLooksAndLintianFindsNoError() throws {
        let deb = try Self.package()
        // What dpkg -c lists: every path, its mode, root's.
        let listing = Self.sh("dpkg-deb -c '\(deb)'").stdout
        let entries = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        var modes: [String: String] = [:]
        for e in entries where e.count >= 6 {
            #expect(e[1] == "root/root", "\(e)")
            modes[String(e[5]).replacingOccurrences(of: "./", with: "/", options: .anchored)] = String(e[0])
        }
        let expected = [
            "/usr/bin/kept": "-rwxr-xr-x", "/usr/bin/keptd": "-rwxr-xr-x",
            "/usr/lib/systemd/user/keptd.service": "-rw-r--r--", "/usr/lib/systemd/user/keptd.socket": "-rw-r--r--",
            "/usr/share/man/man1/kept.1.gz": "-rw-r--r--", "/usr/share/man/man1/kept.promise.1.gz": "-rw-r--r--",
            "/usr/share/man/man1/keptd.1.gz": "-rw-r--r--",
            "/usr/share/bash-completion/completions/kept": "-rw-r--r--", "/usr/share/zsh/vendor-completions/_kept": "-rw-r--r--",
            "/usr/share/fish/vendor_completions.d/kept.fish": "-rw-r--r--",
            "/usr/share/doc/kept/README.md.gz": "-rw-r--r--", "/usr/share/doc/kept/copyright": "-rw-r--r--",
            "/usr/share/doc/kept/changelog.gz": "-rw-r--r--", "/usr/share/doc/kept/examples/config.yaml": "-rw-r--r--",
            "/usr/share/doc/kept/examples/templates/apology.mustache": "-rw-r--r--",
            "/usr/share/lintian/overrides/kept": "-rw-r--r--",
        ]
        for (path, mode) in expected { #expect(modes[path] == mode, "\(path): \(modes[path] ?? "missing")\n\(listing)") }
        #expect(!modes.keys.contains { $0.hasPrefix("/etc/") || $0.contains("/systemd/user/default.target.wants") }, "nothing enabled")

        // No file in it names the build folder or the toolchain.
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("kept-deb-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: tree) }
        #expect(Self.sh("dpkg-deb -x '\(deb)' '\(tree)'").code == 0)
        let leaks = Self.sh("grep -rlaF -e '/.build/' -e '\(Harness.packageRoot)' '\(tree)' || true").stdout
        #expect(leaks.isEmpty, "paths of the build in: \(leaks)")
        for program in ["kept", "keptd"] {
            let dynamic = Self.sh("readelf -d '\(tree)/usr/bin/\(program)'").stdout
            #expect(!dynamic.contains("RUNPATH") && !dynamic.contains("RPATH"), "\(program): \(dynamic)")
            #expect(!Self.sh("readelf -S '\(tree)/usr/bin/\(program)'").stdout.contains(".symtab"), "\(program) is stripped")
        }
        let libraries = Self.sh("ldd '\(tree)/usr/bin/keptd'").stdout
        #expect(!libraries.contains("swift") && !libraries.contains("Foundation") && !libraries.contains("not found"), "\(libraries)")
        // Depends, from the libraries it loads.
        let control = Self.sh("dpkg-deb -f '\(deb)' Depends Version").stdout
        #expect(control.contains("libc6 (>=") && control.contains("libsystemd0"), "\(control)")
        #expect(control.contains("Version: \(KeptVersion.current)"))

        // Debian's lintian: no error, no warning that is not overridden with its reason.
        let lintian = Self.sh("lintian --fail-on error,warning '\(deb)'")
        #expect(lintian.code == 0, "lintian:\n\(lintian.stdout)\(lintian.stderr)")
        #expect(!lintian.stdout.contains("E: ") && !lintian.stdout.contains("W: "), "\(lintian.stdout)")
    }

    @Test func installedItRunsAsAUserServiceWithoutTheToolchainAndRemovingItLeavesTheUsersFiles() async throws {
        let deb = try Self.package()
        try await Journald.using {
            let install = Self.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q '\(deb)' 2>&1")
            try #require(install.code == 0, "apt install: \(install.stdout)")
            defer { _ = Self.sh("dpkg --purge kept 2>&1") }
            let m = try UserManager(hidingToolchain: true)
            defer { m.shutdown() }
            // Inside the manager's mount namespace: /opt/swift is empty, the PATH has no toolchain.
            func kept(_ args: String...) -> Harness.Result {
                Harness.execute("/usr/bin/nsenter", ["--mount", "--target", String(m.manager), "--", "/usr/bin/kept"] + args, environment: m.env)
            }
            let hidden = Harness.execute("/usr/bin/nsenter", ["--mount", "--target", String(m.manager), "--", "/bin/ls", "-A", "/opt/swift"])
            try #require(hidden.code == 0 && hidden.stdout.isEmpty, "the toolchain is hidden: \(hidden.stdout)\(hidden.stderr)")

            let version = Self.sh("dpkg-query -W -f '${Version}' kept").stdout
            #expect(version == KeptVersion.current)
            #expect(kept("--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == version)

            // What the package's README says to run: the socket, then the first command starts keptd.
            #expect(m.systemctl("enable", "--now", "keptd.socket").code == 0)
            #expect(m.property("FragmentPath", of: "keptd.socket") == "/usr/lib/systemd/user/keptd.socket")
            let opened = kept("open", "Acme Corp", "Invoice sent with the wrong amounts", "--no-playbook")
            #expect(opened.code == 0, "\(opened.stderr)")
            #expect(m.property("ActiveState") == "active")
            #expect(m.property("ExecMainStatus") == "0" || m.property("SubState") == "running")
            let pid = m.mainPID
            try #require(pid > 0)
            #expect(kept("promise", "1", "Send the corrected invoice", "--due", "+2s").code == 0)
            let maildir = m.home + "/.local/share/kept/Maildir/new"
            #expect(Harness.eventually(seconds: 20) { ((try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []).count == 1 })
            let versionSaid = kept("status").stdout
            #expect(versionSaid.contains("keptd \(version)"), "\(versionSaid)")
            // The journal has the daemon's entries, under its user unit.
            let entries = Journald.wait(for: ["_PID=\(pid)", "KEPT_EVENT=reminder-delivered"]) { !$0.isEmpty }
            // Said on failure: whether keptd was restarted under the test's feet, and what systemd saw.
            let why = { "keptd \(pid), now \(m.mainPID), restarts \(m.property("NRestarts")): \(m.systemctl("status", "keptd.service").stdout)" }
            #expect(!entries.isEmpty, "\(why())")
            #expect(entries.first?["SYSLOG_IDENTIFIER"] == "keptd")
            // The runtime linked in, NIO still runs Swift concurrency: an idle keptd never wakes.
            #expect(!Journald.entries(["_PID=\(pid)"]).contains { ($0["MESSAGE"] ?? "").contains("could not take it over") })
            let maps = (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
            #expect(!maps.isEmpty && !maps.contains("/opt/swift"), "nothing loaded from the toolchain; \(why())")

            // Removing the program leaves what is the user's: the store, the config, the Maildir.
            #expect(m.systemctl("stop", "keptd.socket", "keptd.service").code == 0)
            let files = [m.home + "/.local/state/kept/store.json", m.home + "/.config/kept", maildir].filter {
                FileManager.default.fileExists(atPath: $0)
            }
            let before = Self.sh("find \(files.map { "'\($0)'" }.joined(separator: " ")) -type f -exec md5sum {} + | sort").stdout
            #expect(!before.isEmpty)
            #expect(Self.sh("DEBIAN_FRONTEND=noninteractive apt-get remove -y -q kept 2>&1").code == 0)
            #expect(!FileManager.default.fileExists(atPath: "/usr/bin/keptd"))
            #expect(Self.sh("find \(files.map { "'\($0)'" }.joined(separator: " ")) -type f -exec md5sum {} + | sort").stdout == before)
            // Purged — installed again first, as apt purges only what is there.
            #expect(Self.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q '\(deb)' 2>&1").code == 0)
            let purge = Self.sh("DEBIAN_FRONTEND=noninteractive apt-get purge -y -q kept 2>&1")
            #expect(purge.code == 0, "\(purge.stdout)")
            #expect(Self.sh("dpkg-query -W -f '${Status}' kept 2>&1").stdout.contains("not-installed")
                    || Self.sh("dpkg-query -W kept").code != 0, "purged")
            #expect(Self.sh("find \(files.map { "'\($0)'" }.joined(separator: " ")) -type f -exec md5sum {} + | sort").stdout == before)
        }
    }
}
