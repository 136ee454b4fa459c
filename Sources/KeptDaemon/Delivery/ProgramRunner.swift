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
        // The input goes through an unlinked file, not a pipe: a program that exits without reading
        // it all (or at all) can neither block the daemon nor make the write fail.
        let inputFD: Int32
        switch Self.inputFile(input) {
        case .success(let fd): inputFD = fd
        case .failure(let reason): return .notStarted("\(program): cannot stage its input: \(reason)")
        }
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
                do {
                    let result = try await Subprocess.run(
                        executable, arguments: arguments, platformOptions: options,
                        input: .fileDescriptor(FileDescriptor(rawValue: inputFD), closeAfterSpawningProcess: true),
                        output: .discarded, error: .sequence
                    ) { execution in
                        // Keep the start of what it says; read the rest so it never blocks on a full pipe.
                        var kept: [UInt8] = []
                        for try await buffer in execution.standardError where kept.count < stderrKept {
                            buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(stderrKept - kept.count)) }
                        }
                        return String(decoding: kept, as: UTF8.self)
                    }
                    let said = Self.oneLine(result.closureResult)
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

    /// A file holding `bytes`, already unlinked, positioned at its start.
    static func inputFile(_ bytes: [UInt8]) -> Result<Int32, ProgramInputError> {
        var template = Array((FileManager.default.temporaryDirectory.path + "/kept-input.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return .failure(ProgramInputError(errno)) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard failure == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            close(fd)
            return .failure(ProgramInputError(failure != 0 ? failure : errno))
        }
        return .success(fd)
    }

    struct ProgramInputError: Error, CustomStringConvertible {
        let code: Int32
        init(_ code: Int32) { self.code = code }
        var description: String { String(cString: strerror(code)) }
    }

    /// Stderr as one short line: the last non-empty line, which is where programs put the reason.
    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return String((lines.last ?? "").prefix(300))
    }
}
