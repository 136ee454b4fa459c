/// The ways a reminder goes out.
public enum ChannelName: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// A message file in a Maildir.
    case maildir
    /// The message handed to a sendmail-compatible program.
    case email
    /// A configured program, given the reminder as JSON.
    case command

    public var description: String { rawValue }
    public static func < (a: ChannelName, b: ChannelName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
