import Foundation
import KeptCore
import Subprocess
#if canImport(Glibc)
import Glibc
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program the way the email and command channels need: an argv (never a shell), bytes on
/// its stdin, a time limit after which it is stopped (SIGTERM, then SIGKILL 2 s later), and the
/// first lines of what it said on stderr for the log and `kept status`.
enum ProgramRunner {
    enum Outcome: Sendable, Equatable {
        case exited(Int32, stderr: String)
        case signaled(Int32, stderr: String)
        case timedOut(seconds: Int)
        case notStarted(String)
    }

    static let stderrKept = 2048

    static func run(_ argv: [String], input: [UInt8], timeoutSeconds: Int) async -> Outcome {
        guard let program = argv.first, !program.isEmpty else { return .notStarted("no program configured") }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        let arguments = Arguments(Array(argv.dropFirst()))
        // Input and stderr go through unlinked files, not pipes: a program that exits without
        // reading its input cannot block the daemon, and the run ends when the program does —
        // not when every process that might have inherited a pipe has closed it.
        let inputFD: Int32, errorFD: Int32
        do {
            inputFD = try Self.scratchFile(input)
            do { errorFD = try Self.scratchFile([]) } catch { close(inputFD); throw error }
        } catch {
            return .notStarted("\(program): cannot stage its input and output in \(FileManager.default.temporaryDirectory.path): \(error)")
        }
        defer { close(errorFD) }
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
                do {
                    let result = try await Subprocess.run(
                        executable, arguments: arguments, platformOptions: options,
                        input: .fileDescriptor(FileDescriptor(rawValue: inputFD), closeAfterSpawningProcess: true),
                        output: .discarded,
                        error: .fileDescriptor(FileDescriptor(rawValue: fcntl(errorFD, F_DUPFD_CLOEXEC, 0)), closeAfterSpawningProcess: true))
                    let said = Self.oneLine(Self.readBack(errorFD))
                    switch result.terminationStatus {
                    case .exited(let code): return .exited(code, stderr: said)
                    case .signaled(let signal): return .signaled(signal, stderr: said)
                    }
                } catch let error as SubprocessError {
                    if Task.isCancelled { return nil }
                    if error.code == .executableNotFound { return .notStarted("\(program): not found") }
                    return .notStarted("\(program): \(error)")
                } catch {
                    return Task.isCancelled ? nil : .notStarted("\(program): \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeoutSeconds))
                return Task.isCancelled ? nil : .timedOut(seconds: timeoutSeconds)
            }
            var outcome: Outcome?
            for await result in group {
                if let result, outcome == nil {
                    outcome = result
                    group.cancelAll()
                }
            }
            return outcome ?? .timedOut(seconds: timeoutSeconds)
        }
    }

    /// The first `stderrKept` bytes the program wrote to its stderr file.
    static func readBack(_ fd: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: stderrKept)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self) : ""
    }

    /// A file holding `bytes`, already unlinked, positioned at its start.
    static func scratchFile(_ bytes: [UInt8]) throws(Errno) -> Int32 {
        var template = Array((FileManager.default.temporaryDirectory.path + "/kept-input.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard failure == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            let code = failure != 0 ? failure : errno
            close(fd)
            throw Errno(rawValue: code)
        }
        return fd
    }

    /// Stderr as one short line: the last non-empty line, which is where programs put the reason.
    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return String((lines.last ?? "").prefix(300))
    }
}
