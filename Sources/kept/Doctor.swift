import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import KeptCore

/// `kept doctor`: the checks are keptd's (`keptd --doctor`), which reads the config, the store
/// and the calendar the way the daemon does; kept finds the keptd installed with it and hands
/// over to it.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the whole set-up — service, files, journal, channels, replies, calendar — and say what mends each problem.",
        discussion: """
            One line per check: ✓ works, ! works but …, ✗ does not work, and under each ! and ✗ the command or \
            config line that mends it. Nothing is changed unless --fix is given, and then only what is safe to do \
            again: a drop-in that lets keptd's unit write a folder, a file's or folder's mode, lingering for you. \
            Exit 0 when nothing is ✗, 1 otherwise.
            """)
    @OptionGroup var global: Global
    @Flag(help: "Mend what is safe to mend: a unit drop-in, a mode, lingering.")
    var fix = false
    @Flag(name: .customLong("send-test"), help: "Send one test message through every enabled channel and say how each went.")
    var sendTest = false

    func run() throws {
        guard let keptd = Self.keptd() else {
            fail("keptd is not installed beside kept or on PATH: install kept's package (or make install)", code: 1)
        }
        var argv = [keptd, "--doctor", "--client-version", KeptVersion.current]
        if global.json { argv.append("--json") }
        if fix { argv.append("--fix") }
        if sendTest { argv.append("--send-test") }
        if let socket = global.socket { argv += ["--socket", socket] }
        let cArgs = argv.map { strdup($0) } + [nil]
        execv(keptd, cArgs)
        fail("cannot run \(keptd): \(String(cString: strerror(errno)))", code: 1)
    }

    /// The keptd beside this kept (one package, one version), else the first on PATH.
    static func keptd() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let me = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let beside = String(me[..<(me.lastIndex(of: "/") ?? me.startIndex)]) + "/keptd"
            if access(beside, X_OK) == 0 { return beside }
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where access("\(folder)/keptd", X_OK) == 0 {
            return "\(folder)/keptd"
        }
        return nil
    }
}
