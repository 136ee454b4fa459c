import KeptCore

/// Pipes the reminder's RFC 5322 message to a sendmail-compatible program (msmtp takes the same
/// command line), exec'd directly with an argv — never a shell:
///
///     PROGRAM [its configured arguments] -i -f FROM -- TO…
///
/// Recipients go on the argv only (never `-t`), after `--`, so no header and no address can add
/// one or pass as an option. Exit 0 is delivered; EX_TEMPFAIL and its kind, a time-out or a
/// missing program are retried; the rest of sysexits is a permanent failure.
public struct EmailChannel: DeliveryChannel {
    public let name = ChannelName.email
    public init() {}

    /// The exact argv for a message (the program, its configured arguments, then the envelope).
    public static func argv(_ context: DeliveryContext) -> [String] {
        context.config.email.sendmail + ["-i", "-f", ProgramStatus.addressSpec(context.from), "--"] + context.to
    }

    public func deliver(_ entry: OutboxEntry, _ context: DeliveryContext) async throws(DeliveryError) {
        let argv = Self.argv(context)
        let outcome = await ProgramRunner.run(argv, input: Array(entry.message.utf8), timeoutSeconds: context.config.email.timeoutSeconds)
        try Self.judge(outcome, program: argv[0])
    }

    /// An SMTP hand-off cannot be checked afterwards: after a crash mid-run it is sent again (once).
    public func alreadyDelivered(_ entry: OutboxEntry, _ context: DeliveryContext) async -> Bool { false }

    static func judge(_ outcome: ProgramRunner.Outcome, program: String) throws(DeliveryError) {
        switch outcome {
        case .exited(0, _):
            return
        case .exited(let code, let said):
            let name = ProgramStatus.name(code).map { " (\($0))" } ?? ""
            throw DeliveryError("\(program) exited \(code)\(name)\(said.isEmpty ? "" : ": " + said)",
                                permanent: ProgramStatus.isPermanent(exitCode: code))
        case .signaled(let signal, let said):
            throw DeliveryError("\(program) was killed by signal \(signal)\(said.isEmpty ? "" : ": " + said)")
        case .timedOut(let seconds):
            throw DeliveryError("\(program) did not finish within \(seconds) s and was stopped")
        case .notStarted(let reason):
            throw DeliveryError("cannot run \(reason)")
        }
    }
}
