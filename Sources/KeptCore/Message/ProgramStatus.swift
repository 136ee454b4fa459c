import FoundationEssentials

/// What a sendmail-compatible program's (or a command's) exit status means for the reminder,
/// by sysexits(3): some failures pass (retry later), others will not fix themselves.
public enum ProgramStatus {
    /// Exit codes that mean "try again later": EX_TEMPFAIL (75) above all, and the codes for a
    /// service, the system or I/O failing for now (69 EX_UNAVAILABLE, 71 EX_OSERR, 74 EX_IOERR).
    public static let temporary: Set<Int32> = [69, 71, 74, 75]

    /// Whether a failure with this exit code is permanent: the rest of sysexits (64–78: bad usage,
    /// data, address, host, permissions, configuration …). Any other non-zero code — a program that
    /// does not speak sysexits — is retried, so nothing is dropped on a guess.
    public static func isPermanent(exitCode code: Int32) -> Bool {
        (64...78).contains(code) && !temporary.contains(code)
    }

    /// The sysexits name of a code, for messages.
    public static func name(_ code: Int32) -> String? {
        let names: [Int32: String] = [
            64: "EX_USAGE", 65: "EX_DATAERR", 66: "EX_NOINPUT", 67: "EX_NOUSER", 68: "EX_NOHOST", 69: "EX_UNAVAILABLE",
            70: "EX_SOFTWARE", 71: "EX_OSERR", 72: "EX_OSFILE", 73: "EX_CANTCREAT", 74: "EX_IOERR", 75: "EX_TEMPFAIL",
            76: "EX_PROTOCOL", 77: "EX_NOPERM", 78: "EX_CONFIG",
        ]
        return names[code]
    }

    /// The bare address of a mailbox (`kept <kept@host>` → `kept@host`), for the envelope.
    public static func addressSpec(_ mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return trimmed(mailbox[mailbox.index(after: open)..<close])
        }
        return trimmed(mailbox[...])
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
