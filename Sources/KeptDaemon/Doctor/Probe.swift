import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A program the doctor asks something (`systemctl`, `journalctl`, `msmtp --version`, `kept mail
/// ingest --dry-run`): run with an argv, never a shell, what it says collected, within a limit.
struct Probe: Sendable {
    var code: Int32?
    var stdout: String
    var stderr: String
    /// Why it did not run or finish: not found, timed out, killed by a signal.
    var problem: String?

    var succeeded: Bool { code == 0 }

    /// The first line it wrote to stderr (or why it did not run), for a report line.
    var said: String {
        if let problem { return problem }
        let line = stderr.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return line.map(String.init) ?? "exit \(code ?? -1)"
    }

    static func run(_ argv: [String], input: [UInt8] = [], seconds: Int) async -> Probe {
        guard let program = argv.first, !program.isEmpty else { return Probe(code: nil, stdout: "", stderr: "", problem: "no program") }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        return await withTaskGroup(of: Probe?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
                do {
                    let result = try await Subprocess.run(executable, arguments: Arguments(Array(argv.dropFirst())), platformOptions: options,
                                                          input: .array(input), output: .string(limit: 4 << 20), error: .string(limit: 64 << 10))
                    let out = result.standardOutput, err = result.standardError
                    switch result.terminationStatus {
                    case .exited(let code): return Probe(code: code, stdout: out, stderr: err)
                    case .signaled(let signal): return Probe(code: nil, stdout: out, stderr: err, problem: "\(program) was killed by signal \(signal)")
                    }
                } catch let error as SubprocessError {
                    if Task.isCancelled { return nil }
                    if error.code == .executableNotFound { return Probe(code: nil, stdout: "", stderr: "", problem: "\(program): not found") }
                    return Probe(code: nil, stdout: "", stderr: "", problem: "\(program): \(error)")
                } catch {
                    return Task.isCancelled ? nil : Probe(code: nil, stdout: "", stderr: "", problem: "\(program): \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return Task.isCancelled ? nil : Probe(code: nil, stdout: "", stderr: "", problem: "\(program) did not finish within \(seconds) s")
            }
            var outcome: Probe?
            for await result in group {
                if let result, outcome == nil {
                    outcome = result
                    group.cancelAll()
                }
            }
            return outcome ?? Probe(code: nil, stdout: "", stderr: "", problem: "\(program) did not finish")
        }
    }
}
