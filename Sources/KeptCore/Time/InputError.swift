/// Something a person typed that kept cannot use, with a message saying what and how to fix it.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
