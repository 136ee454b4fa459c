import ArgumentParser
import Foundation
import KeptClient
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// Whole-process times of several commands taken in turn — A, B, C, then B, C, A, … — so that
/// each meets the machine as the others do: a ratio of two commands timed minutes apart on a
/// shared virtual machine says as much about the minute as about the commands.
///
/// Each run is spawned directly (no shell), its output thrown away, and timed from the spawn to
/// its end, as hyperfine's `-N` times it. Prints one line a command, in the order given:
/// `median_ms=… p25_ms=… p75_ms=… runs=…`. A command that fails stops the run.
///
///     kept-bench alternate --runs 30 -- kept promise 1 'text' --due +3d ::: ./empty
struct Alternate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Times commands in turn, each run spawned directly.")
    @Option var runs = 30
    @Option var warmup = 3
    @Flag(help: "Leave the commands' stderr on this one's (a failing command says why).") var keepStderr = false
    @Argument(parsing: .captureForPassthrough, help: "Commands, separated by :::.") var words: [String] = []

    func run() throws {
        let commands = words.drop { $0 == "--" }.split(separator: ":::").map(Array.init)
        guard !commands.isEmpty, commands.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("no command to time") }
        var times = Array(repeating: [Double](), count: commands.count)
        for round in 0..<(warmup + runs) {
            // Each command first in its turn: none always runs right after the same other.
            for k in 0..<commands.count {
                let c = (k + round) % commands.count
                let ms = try Self.time(commands[c], quiet: !keepStderr)
                if round >= warmup { times[c].append(ms) }
            }
        }
        for samples in times {
            let stats = Stats(samples)
            print(String(format: "median_ms=%.3f p25_ms=%.3f p75_ms=%.3f runs=%d",
                         stats.percentile(0.5), stats.percentile(0.25), stats.percentile(0.75), samples.count))
        }
    }

    /// One run of `argv`, its stdin and stdout /dev/null, its stderr too when `quiet`; milliseconds.
    static func time(_ argv: [String], quiet: Bool) throws -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let status = try spawnAndWait(argv, quiet: quiet)
        clock_gettime(CLOCK_MONOTONIC, &end)
        // Exited with 0: WIFEXITED and WEXITSTATUS == 0, read from the status word as glibc does.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ValidationError("\(argv.joined(separator: " ")) failed (wait status \(status))")
        }
        return Double(end.tv_sec - start.tv_sec) * 1e3 + Double(end.tv_nsec - start.tv_nsec) / 1e6
    }
}

/// Runs `argv` directly (no shell, no PATH search) with stdin from `stdin` and stdout to
/// /dev/null — stderr too when `quiet` — and waits for it: its wait status. posix_spawn and
/// waitpid, because Foundation's Process notices an exit only at its run loop's next turn.
func spawnAndWait(_ argv: [String], stdin: String = "/dev/null", quiet: Bool = false) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    if quiet { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
    guard spawned == 0 else { throw ValidationError("cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

/// The floor of an add made whole, its server half: on a Unix socket, for each connection, one
/// request line read, a 300-byte record appended and made durable (fdatasync), an answer line
/// written, the connection closed — what keptd does for an add, and nothing else. Its client is
/// a static Swift binary the bench compiles (scripts/bench), timed beside kept. The answer is
/// the first line of `--answer FILE` — the bench gives it keptd's own answer to an add, so that
/// kept's own client can ask it too (the add less keptd's work) — or 400 bytes of filler.
/// Runs until killed.
struct FloorServe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "floor-serve", abstract: "Serves the floor's durable appends on a Unix socket.")
    @Option var socket: String
    @Option var dir: String
    @Option(help: "A file whose first line is the answer (400 bytes of filler otherwise).") var answer: String?

    func run() throws {
        let record = [UInt8](repeating: UInt8(ascii: "j"), count: 299) + [0x0A]
        let answer = try self.answer.map(Self.firstLine(of:)) ?? [UInt8](repeating: UInt8(ascii: "a"), count: 399) + [0x0A]
        let journal = open(dir + "/floor-serve.journal", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard journal >= 0 else { throw ValidationError("cannot open \(dir)/floor-serve.journal") }
        unlink(socket)
        let listener = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socket.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw ValidationError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else { throw ValidationError("cannot listen on \(socket)") }
        // Said on stdout, unbuffered, once connections are taken.
        _ = Array("listening\n".utf8).withUnsafeBytes { writeAll(1, $0) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var got = 0
            while got < buffer.count {
                let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress! + got, $0.count - got) }
                if n <= 0 { break }
                got += n
                if buffer[got - 1] == 0x0A { break }
            }
            if got > 0 {
                _ = record.withUnsafeBytes { writeAll(journal, $0) }
                fdatasync(journal)
                _ = answer.withUnsafeBytes { writeAll(connection, $0) }
            }
            close(connection)
        }
    }

    /// The file's first line, with its line feed.
    static func firstLine(of path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path), let end = data.firstIndex(of: 0x0A) else {
            throw ValidationError("\(path): no answer line in it")
        }
        return Array(data[...end])
    }
}
