/// How replies reach kept and who may send them (the config's `reply.*`), and the signer that
/// makes and checks each reminder's token.
public struct ReplySettings: Sendable {
    /// The owner's addresses, lower-cased: a reply from any other changes nothing.
    public var owners: [String]
    /// When set, a reply also needs `dkim=pass` or `dmarc=pass` in an `Authentication-Results`
    /// header written by this server.
    public var trustedServer: String?
    public var signer: any ReplySigner

    public init(owners: [String], trustedServer: String? = nil, signer: any ReplySigner) {
        self.owners = owners.map { $0.lowercased() }
        self.trustedServer = trustedServer
        self.signer = signer
    }

    /// The footer line of every message that can be replied to.
    public static let footer = "Reply to act on it: done [a note], snooze 2d (or a time), release REASON, note …"
}

/// Makes the `Reply-To` address of a reminder and reads the token back: a keyed MAC of the
/// reminder's key, which only the keeper of the key can make.
public protocol ReplySigner: Sendable {
    /// `dana+kept-TOKEN@example.org` for the reminder `key`.
    func address(for key: ReminderKey) -> String
    /// The token in a recipient address, when it is one of kept's reply addresses.
    func token(in address: String) -> String?
    /// True when `token` was made for `key`.
    func verify(_ token: String, for key: ReminderKey) -> Bool
    /// `dana+kept-log-TOKEN@example.org`: the address a letter to the client is Bcc'd to, so
    /// kept sees it go.
    func logAddress(for target: LetterTarget) -> String
    /// The token in a recipient address, when it is one of kept's logging addresses.
    func logToken(in address: String) -> String?
    /// True when `token` was made for `target`.
    func verify(logToken token: String, for target: LetterTarget) -> Bool
}
